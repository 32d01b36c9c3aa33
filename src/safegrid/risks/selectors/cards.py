"""Card reads: what a post card and an emergency card say, assembled from the register, and read receipts.

A card's content is built from a point loaded with `selectors.points.risk_point_detail` (so no further
queries) plus the RiskCard's own fields; the same object feeds the phone page and the PDFs. Reads are
scoped through `core.scoping`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from safegrid.core.models import User
from safegrid.core.scoping import get_scoped_or_404, restrict, scope_for
from safegrid.enterprises.choices import OrgUnitKind
from safegrid.enterprises.models import Enterprise, OrgUnit, Person

from ..choices import ControlTier
from ..models import CardConfirmation, CardKind, ResponsibilityAssignment, RiskCard, RiskPoint
from ..models.points import POINT_UNIT_LINKS
from ..rules import assessment as rules
from ..rules import methods
from ..rules.cards import PHONE_SEPARATORS, level_colour, level_name, phone_problem, tel_href, text_lines
from .points import FactorView, factor_views, risk_point_list

TIER_ORDER = (ControlTier.COMPANY, ControlTier.WORKSHOP, ControlTier.TEAM, ControlTier.POST)


def default_phones(enterprise: Enterprise) -> list[dict[str, str]]:
    phones = [
        {"name": gettext("火警"), "phone": "119"},
        {"name": gettext("急救"), "phone": "120"},
    ]
    if enterprise.safety_manager_phone and phone_problem(enterprise.safety_manager_phone) is None:
        name = gettext("安全管理员")
        if enterprise.safety_manager:
            name = f"{name} {enterprise.safety_manager}"
        phones.append({"name": name, "phone": enterprise.safety_manager_phone})
    return phones


def phones_for_card(saved: Sequence[Mapping[str, str]], enterprise: Enterprise) -> list[dict[str, str]]:
    """The card's own phones, then any default (119, 120, safety manager) not already listed."""
    phones = [{"name": str(p["name"]), "phone": str(p["phone"])} for p in saved]
    seen = {PHONE_SEPARATORS.sub("", p["phone"]) for p in phones}
    for default in default_phones(enterprise):
        if PHONE_SEPARATORS.sub("", default["phone"]) not in seen:
            phones.append(default)
    return phones


@dataclass(frozen=True)
class HazardLine:
    description: str
    step: str
    accident_types: list[str]
    consequences: str
    level: int | None
    method: str
    values: str  # "L=3 E=6 C=15 D=270" for LEC, the method's inputs otherwise

    @property
    def level_name(self) -> str:
        return level_name(self.level)

    @property
    def level_colour(self) -> str:
        return level_colour(self.level)


@dataclass(frozen=True)
class Phone:
    name: str
    phone: str

    @property
    def href(self) -> str:
        return tel_href(self.phone)


@dataclass
class CardContent:
    """Everything a card shows, in display order; the same object feeds the phone page and the PDFs."""

    kind: str
    point: RiskPoint
    card: RiskCard | None
    enterprise_name: str
    post_name: str
    level: int | None
    hazards: list[HazardLine] = field(default_factory=list)
    consequences: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    key_points: list[str] = field(default_factory=list)
    emergency_measures: list[str] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    start_conditions: list[str] = field(default_factory=list)
    stop_conditions: list[str] = field(default_factory=list)
    duties: list[str] = field(default_factory=list)
    equipment: list[str] = field(default_factory=list)
    responsible: list[tuple[str, str]] = field(default_factory=list)  # (tier label, person)

    @property
    def has_consequences(self) -> bool:
        return bool(self.consequences) or any(h.consequences for h in self.hazards)

    @property
    def version(self) -> int:
        return self.card.version if self.card else 1

    @property
    def number(self) -> str:
        if self.card and self.card.number:
            return self.card.number
        prefix = "YJ" if self.kind == CardKind.EMERGENCY else "GW"
        return f"{prefix}-{self.point.code}"

    @property
    def review_cycle_months(self) -> int:
        return self.card.review_cycle_months if self.card else 12

    @property
    def colour(self) -> str:
        return level_colour(self.level)

    @property
    def level_name(self) -> str:
        return level_name(self.level)

    @property
    def title(self) -> str:
        return str(CardKind(self.kind).label)


def _values_text(view: FactorView) -> tuple[str, str]:
    current = view.residual or view.initial
    if current is None:
        return "", ""
    inputs = current.inputs if isinstance(current.inputs, Mapping) else {}
    names = rules.METHOD_FIELDS.get(current.method, tuple(inputs))
    parts = [f"{name}={inputs[name]}" for name in names if name in inputs]
    parts.append(f"{'D' if current.method == 'LEC' else 'R'}={current.score_number}")
    return current.method, " ".join(parts)


def _post_of(point: RiskPoint, card: RiskCard | None) -> OrgUnit | None:
    if card is not None and card.post_id:
        return card.post
    return point.org_unit


def build_content(point: RiskPoint, card: RiskCard | None, kind: str) -> CardContent:
    """A card's content from a point loaded with its register (`selectors.points.risk_point_detail`)."""
    post = _post_of(point, card)
    content = CardContent(
        kind=kind,
        point=point,
        card=card,
        enterprise_name=point.enterprise.name,
        post_name=post.name if post else point.name,
        level=point.level,
    )
    consequences: list[str] = []
    for view in factor_views(point):
        factor = view.factor
        method, values = _values_text(view)
        step = f"{factor.step_no}. {factor.step_name}".strip() if factor.step_no else factor.step_name
        content.hazards.append(
            HazardLine(
                description=factor.description,
                step=step,
                accident_types=factor.accident_type_labels(),
                consequences=factor.consequences,
                level=view.level,
                method=method,
                values=values,
            )
        )
        for label in factor.accident_type_labels():
            if label not in consequences:
                consequences.append(label)
    content.consequences = consequences
    content.measures = [m.description for m in point.measures.all() if m.active]
    tiers = {a.tier: a for a in point.tiers.all()}
    content.responsible = [
        (str(ControlTier(tier).label), tiers[tier].person.name) for tier in TIER_ORDER if tier in tiers
    ]
    saved_phones = card.emergency_phones if card is not None else []
    content.phones = [Phone(p["name"], p["phone"]) for p in phones_for_card(saved_phones, point.enterprise)]
    if card is not None:
        content.key_points = text_lines(card.key_points)
        content.emergency_measures = text_lines(card.emergency_measures)
        content.steps = [s for s in card.steps if isinstance(s, str) and s.strip()]
        content.start_conditions = text_lines(card.start_conditions)
        content.stop_conditions = text_lines(card.stop_conditions)
        content.duties = text_lines(card.duties)
        content.equipment = text_lines(card.equipment)
    return content


def cards_for_point(point: RiskPoint) -> dict[str, RiskCard]:
    """The point's saved cards by kind (the point itself was already scoped by its selector)."""
    return {c.kind: c for c in RiskCard.objects.filter(risk_point=point).select_related("post")}


def confirmation_list(user: Any) -> QuerySet[CardConfirmation]:
    return restrict(
        CardConfirmation.objects.select_related("user", "person", "risk_point", "risk_point__enterprise"),
        user,
    )


def card_list(user: Any) -> QuerySet[RiskCard]:
    return restrict(RiskCard.objects.select_related("risk_point", "post"), user)


def card_get(user: Any, point_id: int, kind: str) -> RiskCard:
    return get_scoped_or_404(card_list(user), user, risk_point_id=point_id, kind=kind)


def latest_confirmation(user: User, point: RiskPoint, kind: str) -> CardConfirmation | None:
    return (
        CardConfirmation.objects.filter(risk_point=point, kind=kind, user=user)
        .order_by("-card_version", "-confirmed_at")
        .first()
    )


@dataclass(frozen=True)
class PersonStatus:
    person: Person
    confirmation: CardConfirmation | None  # of the current version, or None


def post_people_status(
    point: RiskPoint, card: RiskCard | None, kind: str = CardKind.POST
) -> list[PersonStatus]:
    """The active people on the card's post (or the point's unit subtree) and whether each confirmed the
    current version (matched by the person, or by the account linked to the person)."""
    post = _post_of(point, card)
    version = card.version if card else 1
    if post is None:
        return []
    people = list(
        Person.objects.filter(
            enterprise_id=point.enterprise_id, active=True, org_unit__path__startswith=post.path
        )
        .select_related("org_unit")
        .order_by("name", "pk")
    )
    current = list(CardConfirmation.objects.filter(risk_point=point, kind=kind, card_version=version))
    by_person = {c.person_id: c for c in current if c.person_id}
    by_user = {c.user_id: c for c in current}
    return [
        PersonStatus(p, by_person.get(p.pk) or (by_user.get(p.user_id) if p.user_id else None))
        for p in people
    ]


def can_confirm(user: Any, point: RiskPoint) -> bool:
    """Confirming a card is for the enterprise's own staff (a government visitor reads it only)."""
    if not (user is not None and user.is_authenticated and user.is_active):
        return False
    return point.enterprise_id in scope_for(user).own_enterprise_ids


def register_changed_since(point: RiskPoint, card: RiskCard | None) -> bool:
    """Whether the register behind a saved card (point, factors, assessments, measures, tiers) changed
    after the card's last version. Uses the register prefetched by `selectors.points.risk_point_detail`."""
    if card is None:
        return False
    stamps = [point.updated_at]
    for view in factor_views(point):
        stamps.append(view.factor.updated_at)
        stamps.extend(a.assessed_at for a in (view.initial, view.residual) if a is not None)
    stamps.extend(m.updated_at for m in point.measures.all())
    stamps.extend(t.updated_at for t in point.tiers.all())
    return max(stamps) > card.updated_at


@dataclass(frozen=True)
class NoticeRow:
    point: RiskPoint
    level: int | None
    hazards: list[str]
    tier: str  # the highest tier that controls the point
    person: str  # who holds that tier ("" when nobody does yet)

    @property
    def colour(self) -> str:
        return level_colour(self.level)

    @property
    def level_name(self) -> str:
        return level_name(self.level)


@dataclass(frozen=True)
class LevelCount:
    level: int
    name: str
    colour: str
    count: int


MAX_NOTICE_HAZARDS = 3


def notice_rows(points: Iterable[RiskPoint]) -> list[NoticeRow]:
    """One row per point (loaded with its register), most dangerous first, then by code."""
    rows = []
    for point in points:
        descriptions = [f.description for f in point.factors.all()]
        hazards = descriptions[:MAX_NOTICE_HAZARDS]
        if len(descriptions) > MAX_NOTICE_HAZARDS:
            hazards.append(gettext("等 %(n)d 项") % {"n": len(descriptions)})
        tiers = {a.tier: a for a in point.tiers.all()}
        holder = next((tiers[t] for t in TIER_ORDER if t in tiers), None)
        if holder is not None:
            tier, person = str(ControlTier(holder.tier).label), holder.person.name
        else:
            required = rules.required_tiers(point.level)
            tier = str(ControlTier(required[0]).label) if required else ""
            person = ""
        rows.append(NoticeRow(point, point.level, hazards, tier, person))
    rows.sort(key=lambda r: (r.level or 9, r.point.code, r.point.pk))
    return rows


def level_counts(rows: Iterable[NoticeRow]) -> list[LevelCount]:
    counts = dict.fromkeys(methods.LEVEL_NAMES, 0)
    for row in rows:
        if row.level in counts:
            counts[row.level] += 1
    return [LevelCount(level, level_name(level), level_colour(level), n) for level, n in counts.items()]


# ---- "my cards": the cards a worker must read and confirm ------------------------------------------


class ReadState(StrEnum):
    """Where the user stands with one card."""

    TODO = "todo"  # never confirmed
    AGAIN = "again"  # confirmed an older version: the card changed since
    DONE = "done"  # confirmed the current version


@dataclass(frozen=True)
class MyCard:
    point: RiskPoint
    post_name: str
    versions: dict[str, int]  # kind -> current version (the post card always; the emergency card if written)
    confirmed: dict[str, CardConfirmation]  # kind -> the user's latest receipt

    @property
    def state(self) -> str:
        if any(kind not in self.confirmed for kind in self.versions):
            return ReadState.AGAIN if self.confirmed else ReadState.TODO
        if any(self.confirmed[kind].card_version < version for kind, version in self.versions.items()):
            return ReadState.AGAIN
        return ReadState.DONE

    @property
    def confirmed_at(self) -> Any:
        return max((c.confirmed_at for c in self.confirmed.values()), default=None)

    @property
    def level_name(self) -> str:
        return level_name(self.point.level)


def _linked_to(enterprise_id: int, path: str) -> Q:
    """Points of `enterprise_id` placed under the unit `path` or linked to a unit under it."""
    q = Q(org_unit__path__startswith=path)
    for link in POINT_UNIT_LINKS:
        condition: dict[str, Any] = {f"{link}__startswith": path}
        relation = link.split("__", 1)[0]
        if relation in ("tiers", "measures"):  # a retired tier or measure links the unit no more
            condition[f"{relation}__active"] = True
        linked = RiskPoint.objects.filter(enterprise_id=enterprise_id, **condition)
        q |= Q(pk__in=linked.values("pk"))
    return Q(enterprise_id=enterprise_id) & q


def my_points(user: Any) -> QuerySet[RiskPoint]:
    """The active points whose cards are the user's to read: those of their workshop/team/post role and,
    for staff recorded as a person below company level, of that person's unit; plus the points where the
    person holds a control tier. Scoped like every read (the roles decide what is reachable)."""
    scope = scope_for(user)
    units = list(scope.unit_paths)
    person = None
    if user is not None and user.is_authenticated:
        person = Person.objects.filter(user=user, active=True).select_related("org_unit").first()
    q = Q(pk__in=[])
    if person is not None:
        unit = person.org_unit
        if unit is not None and unit.kind != OrgUnitKind.COMPANY:
            units.append((person.enterprise_id, unit.path))
        held = ResponsibilityAssignment.objects.filter(person=person, active=True).values("risk_point_id")
        q |= Q(pk__in=held)
    for enterprise_id, path in units:
        q |= _linked_to(enterprise_id, path)
    return risk_point_list(user).filter(q, active=True)


def my_cards(user: Any) -> list[MyCard]:
    """The user's cards, to-do first (never read, then changed since read), then by level and code.

    Three queries whatever the count: the points, their saved cards, the user's receipts."""
    points = list(my_points(user).order_by("code", "id"))
    ids = [p.pk for p in points]
    saved: dict[int, dict[str, RiskCard]] = {}
    for card in RiskCard.objects.filter(risk_point_id__in=ids).select_related("post"):
        saved.setdefault(card.risk_point_id, {})[card.kind] = card
    receipts: dict[tuple[int, str], CardConfirmation] = {}
    mine = CardConfirmation.objects.filter(risk_point_id__in=ids, user_id=user.pk).order_by(
        "card_version", "confirmed_at"
    )
    for receipt in mine:
        receipts[(receipt.risk_point_id, receipt.kind)] = receipt  # the newest version wins
    rows = []
    for point in points:
        cards = saved.get(point.pk, {})
        post_card = cards.get(CardKind.POST)
        versions = {CardKind.POST.value: post_card.version if post_card else 1}
        if CardKind.EMERGENCY in cards:
            versions[CardKind.EMERGENCY.value] = cards[CardKind.EMERGENCY].version
        post = _post_of(point, post_card)
        rows.append(
            MyCard(
                point=point,
                post_name=post.name if post else point.name,
                versions=versions,
                confirmed={k: receipts[(point.pk, k)] for k in versions if (point.pk, k) in receipts},
            )
        )
    order: dict[str, int] = {ReadState.TODO: 0, ReadState.AGAIN: 1, ReadState.DONE: 2}
    rows.sort(key=lambda r: (order[r.state], r.point.level or 9, r.point.code, r.point.pk))
    return rows


def unconfirmed_q() -> Q:
    """Points whose post card, in its current version (1 while the card is generated from the register),
    no one has confirmed yet: one SQL condition (the card index's "0 人" rows, counted for the home page)."""
    current = RiskCard.objects.filter(risk_point=OuterRef("risk_point_id"), kind=CardKind.POST)
    confirmed = CardConfirmation.objects.filter(risk_point=OuterRef("pk"), kind=CardKind.POST).filter(
        card_version=Coalesce(Subquery(current.values("version")[:1]), Value(1))
    )
    return Q(~Exists(confirmed))
