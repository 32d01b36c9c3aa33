"""Cards for the front line: what a post card and an emergency card say, saving them, and read receipts.

Three layers, top to bottom:

* pure helpers (no ORM): phone and step checks, default phones, the QR target path;
* content builders: a card's printable/phone content assembled from the register (a point loaded
  with `selectors.risk_point_detail`, so no further queries) plus the RiskCard's own fields;
* reads (scoped through `core.scoping`) and the two services — `card_save` (bumps the version) and
  `card_confirm` (one receipt per user, kind and version) — both atomic and audited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from safegrid.core.audit import Actor
from safegrid.core.models import User
from safegrid.core.scoping import get_scoped_or_404, restrict, scope_for
from safegrid.core.services import object_create, object_update
from safegrid.enterprises.choices import OrgUnitKind
from safegrid.enterprises.models import Enterprise, OrgUnit, Person

from . import methods, rules
from .choices import ControlTier
from .models import CardConfirmation, CardKind, RiskCard, RiskPoint
from .selectors import FactorView, factor_views

# ---- pure helpers --------------------------------------------------------------------------------

MAX_STEPS = 20
MAX_STEP_CHARS = 200
MAX_PHONES = 10
MAX_PHONE_NAME_CHARS = 20
REVIEW_CYCLE_RANGE = (1, 60)

# Mainland numbers as people write them: mobile, landline with area code (optional extension),
# 400/800 service lines, short emergency/service numbers (110, 119, 120, 122, 12345, 95xxx).
_PHONE_PATTERNS = (
    re.compile(r"1[3-9]\d{9}"),
    re.compile(r"0\d{2,3}\d{7,8}(?:转\d{1,6}|-\d{1,6})?"),
    re.compile(r"[48]00\d{7}"),
    re.compile(r"1\d{2}"),
    re.compile(r"1\d{4}"),
    re.compile(r"9\d{4}"),
    re.compile(r"\d{7,8}"),  # local landline without area code
)
_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")
_PHONE_LINE = re.compile(r"^(?P<name>.*?)[\s:：,，]+(?P<phone>[\d\s\-()（）转]+)$")

TIER_ORDER = (ControlTier.COMPANY, ControlTier.WORKSHOP, ControlTier.TEAM, ControlTier.POST)


def phone_problem(phone: str) -> str | None:
    """Why `phone` does not look like a phone number, or None when it does."""
    raw = (phone or "").strip()
    if not raw:
        return gettext("电话号码不能为空")
    head, sep, extension = raw.partition("转")
    digits = _PHONE_SEPARATORS.sub("", head)
    if sep and not extension.strip().isdigit():
        return gettext("“%(phone)s”的分机号须为数字") % {"phone": raw}
    if not digits.isdigit():
        return gettext("“%(phone)s”不是电话号码：只能包含数字、空格、短横线和括号") % {"phone": raw}
    if sep and not digits.startswith("0"):
        return gettext("“%(phone)s”不是电话号码：分机号须跟在带区号的座机号码后") % {"phone": raw}
    core = digits
    # "0533-1234567-8" → strip a trailing extension written with a dash.
    parts = [p for p in re.split(r"[\s\-]", head.strip()) if p]
    if len(parts) == 3 and parts[0].startswith("0") and len(parts[2]) <= 6:
        core = parts[0] + parts[1]
    if any(pattern.fullmatch(core) for pattern in _PHONE_PATTERNS):
        return None
    return gettext("“%(phone)s”不是有效的电话号码（手机 11 位，座机带区号，或 119、120 等短号）") % {
        "phone": raw
    }


def tel_href(phone: str) -> str:
    """The `tel:` link for a phone number (digits only; an extension becomes a pause)."""
    head, sep, extension = phone.partition("转")
    digits = "".join(ch for ch in head if ch.isdigit())
    if sep and extension.strip().isdigit():
        digits += "," + extension.strip()
    return f"tel:{digits}"


def parse_phone_lines(text: str) -> list[dict[str, str]]:
    """Lines such as "火警 119" or "安全管理员：13800000000" → [{"name", "phone"}]; refuses bad lines.

    Raises ValidationError naming `emergency_phones` with every problem, line by line.
    """
    phones: list[dict[str, str]] = []
    problems: list[str] = []
    lines = [line.strip() for line in (text or "").splitlines()]
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        match = _PHONE_LINE.match(line)
        if not match or not match.group("name").strip():
            problems.append(gettext("第 %(n)d 行：请写成“名称 电话”，例如“火警 119”") % {"n": number})
            continue
        phones.append({"name": match.group("name").strip(), "phone": match.group("phone").strip()})
    if problems:
        raise ValidationError({"emergency_phones": problems})
    return phones


def phones_problems(phones: object) -> list[str]:
    """Everything wrong with a list of {"name", "phone"} entries (empty when it is fine)."""
    if not isinstance(phones, list):
        return [gettext("应急电话须为列表")]
    problems: list[str] = []
    if len(phones) > MAX_PHONES:
        problems.append(gettext("应急电话最多 %(n)d 个") % {"n": MAX_PHONES})
    for entry in phones:
        if not isinstance(entry, Mapping) or set(entry) != {"name", "phone"}:
            problems.append(gettext("应急电话每项须包含名称和电话"))
            continue
        name, phone = str(entry["name"]).strip(), str(entry["phone"]).strip()
        if not name:
            problems.append(gettext("电话“%(phone)s”缺少名称") % {"phone": phone})
        elif len(name) > MAX_PHONE_NAME_CHARS:
            problems.append(
                gettext("名称“%(name)s”过长（最多 %(n)d 字）") % {"name": name, "n": MAX_PHONE_NAME_CHARS}
            )
        problem = phone_problem(phone)
        if problem:
            problems.append(problem)
    return problems


def split_steps(text: str) -> list[str]:
    """One step per non-empty line, with leading "1." / "1、" / "（1）" numbering removed."""
    steps = []
    for line in (text or "").splitlines():
        cleaned = re.sub(r"^\s*(?:[（(]?\d{1,2}[)）.、．]|\d{1,2}\s)\s*", "", line).strip()
        if cleaned:
            steps.append(cleaned)
    return steps


def steps_problems(steps: object) -> list[str]:
    if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
        return [gettext("处置步骤须为文字列表")]
    problems: list[str] = []
    if len(steps) > MAX_STEPS:
        problems.append(
            gettext("处置步骤最多 %(n)d 步（现有 %(count)d 步）") % {"n": MAX_STEPS, "count": len(steps)}
        )
    for number, step in enumerate(steps, start=1):
        if not step.strip():
            problems.append(gettext("第 %(n)d 步为空") % {"n": number})
        elif len(step) > MAX_STEP_CHARS:
            problems.append(
                gettext("第 %(n)d 步过长（最多 %(max)d 字）") % {"n": number, "max": MAX_STEP_CHARS}
            )
    return problems


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
    seen = {_PHONE_SEPARATORS.sub("", p["phone"]) for p in phones}
    for default in default_phones(enterprise):
        if _PHONE_SEPARATORS.sub("", default["phone"]) not in seen:
            phones.append(default)
    return phones


def phone_lines(phones: Iterable[Mapping[str, str]]) -> str:
    """The textarea form of a phone list (inverse of `parse_phone_lines`)."""
    return "\n".join(f"{p['name']} {p['phone']}" for p in phones)


def card_qr_path(token: str) -> str:
    return reverse("risks:card_by_qr", kwargs={"token": token})


def absolute_url(base: str, path: str) -> str:
    """Join a site base ("https://host" or "https://host/prefix/") and an absolute path."""
    return base.rstrip("/") + "/" + path.lstrip("/")


def text_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# ---- content builders ----------------------------------------------------------------------------


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


def level_colour(level: int | None) -> str:
    return methods.LEVEL_COLOURS.get(level or 0, "grey")


def level_name(level: int | None) -> str:
    return gettext(methods.LEVEL_NAMES[level]) if level in methods.LEVEL_NAMES else gettext("未评价")


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
    """A card's content from a point loaded with its register (`selectors.risk_point_detail`)."""
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


# ---- reads ---------------------------------------------------------------------------------------


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


# ---- services ------------------------------------------------------------------------------------

POST_FIELDS = frozenset({"post", "number", "key_points", "emergency_measures", "emergency_phones"})
EMERGENCY_FIELDS = frozenset(
    {
        "post",
        "number",
        "start_conditions",
        "stop_conditions",
        "steps",
        "duties",
        "equipment",
        "emergency_measures",
        "emergency_phones",
        "review_cycle_months",
    }
)
FIELDS_BY_KIND = {CardKind.POST: POST_FIELDS, CardKind.EMERGENCY: EMERGENCY_FIELDS}


def _check(point: RiskPoint, kind: str, data: Mapping[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in FIELDS_BY_KIND:
        raise ValidationError({"kind": gettext("未知的卡片类型")})
    unknown = sorted(set(data) - FIELDS_BY_KIND[CardKind(kind)])
    if unknown:
        errors[unknown[0]] = [gettext("该卡片没有此项，或此项由系统维护")]
    if not point.active:
        errors["__all__"] = [gettext("风险点已停用，不能修改其卡片")]
    if "emergency_phones" in data:
        problems = phones_problems(data["emergency_phones"])
        if problems:
            errors["emergency_phones"] = problems
    if "steps" in data:
        problems = steps_problems(data["steps"])
        if problems:
            errors["steps"] = problems
    post = data.get("post")
    if post is not None:
        if not isinstance(post, OrgUnit) or post.enterprise_id != point.enterprise_id:
            errors["post"] = [gettext("岗位不属于该企业")]
        elif post.kind != OrgUnitKind.POST:
            errors["post"] = [gettext("请选择“岗位”层级的组织单元")]
    if "review_cycle_months" in data:
        low, high = REVIEW_CYCLE_RANGE
        value = data["review_cycle_months"]
        if not isinstance(value, int) or not low <= value <= high:
            errors["review_cycle_months"] = [
                gettext("评审周期须为 %(low)d–%(high)d 个月") % {"low": low, "high": high}
            ]
    if errors:
        raise ValidationError(errors)


def card_save(*, actor: Actor, point: RiskPoint, kind: str, data: Mapping[str, Any]) -> RiskCard:
    """Create or change a point's card of `kind`; every save is a new version nobody has confirmed yet.

    Refuses the whole change with field-named messages (bad phones, empty or too many steps, a post
    of another enterprise...). Audited through `core.services`.
    """
    _check(point, kind, data)
    clean = dict(data)
    if "emergency_phones" in clean:
        clean["emergency_phones"] = [
            {"name": str(p["name"]).strip(), "phone": str(p["phone"]).strip()}
            for p in clean["emergency_phones"]
        ]
    if "steps" in clean:
        clean["steps"] = [s.strip() for s in clean["steps"]]
    with transaction.atomic():
        # Lock the point so two editors (or an editor and a confirming worker) serialise on versions.
        RiskPoint.objects.select_for_update().filter(pk=point.pk).first()
        confirmed = (
            CardConfirmation.objects.filter(risk_point=point, kind=kind).aggregate(v=Max("card_version"))["v"]
            or 0
        )
        existing = RiskCard.objects.filter(risk_point=point, kind=kind).first()
        if existing is None:
            return object_create(
                actor=actor,
                model=RiskCard,
                data={**clean, "risk_point": point, "kind": kind, "version": confirmed + 1},
            )
        return object_update(
            actor=actor, obj=existing, data={**clean, "version": max(existing.version, confirmed) + 1}
        )


def card_publish(*, actor: Actor, point: RiskPoint, kind: str) -> RiskCard:
    """Issue a new version without changing the card's own fields (after the register changed), so
    everyone on the post is asked to read and confirm it again."""
    return card_save(actor=actor, point=point, kind=kind, data={})


def register_changed_since(point: RiskPoint, card: RiskCard | None) -> bool:
    """Whether the register behind a saved card (point, factors, assessments, measures, tiers) changed
    after the card's last version. Uses the register prefetched by `selectors.risk_point_detail`."""
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
class ConfirmResult:
    confirmation: CardConfirmation
    created: bool


def card_confirm(
    *, actor: User, point: RiskPoint, kind: str = CardKind.POST, user_agent: str = "", ip: str | None = None
) -> ConfirmResult:
    """Record that `actor` read the current version of the point's card (server time, device, IP).

    The same user confirming the same version again changes nothing and returns the earlier receipt.
    """
    if kind not in CardKind.values:
        raise ValidationError({"kind": gettext("未知的卡片类型")})
    if not can_confirm(actor, point):
        raise ValidationError(gettext("只有本企业人员可以确认岗位风险告知卡"))
    with transaction.atomic():
        RiskPoint.objects.select_for_update().filter(pk=point.pk).first()
        version = (
            RiskCard.objects.filter(risk_point=point, kind=kind).values_list("version", flat=True).first()
            or 1
        )
        earlier = CardConfirmation.objects.filter(
            risk_point=point, kind=kind, user=actor, card_version=version
        ).first()
        if earlier is not None:
            return ConfirmResult(earlier, False)
        person = Person.objects.filter(user=actor, enterprise_id=point.enterprise_id).first()
        confirmation = object_create(
            actor=actor,
            model=CardConfirmation,
            data={
                "risk_point": point,
                "kind": kind,
                "card_version": version,
                "user": actor,
                "person": person,
                "confirmed_at": timezone.now(),
                "user_agent": (user_agent or "")[:300],
                "ip": ip or None,
            },
        )
        return ConfirmResult(confirmation, True)


# ---- the site's risk notice board (风险公告栏) ------------------------------------------------------


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
