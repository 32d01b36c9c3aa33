"""Card writes: `card_save` (every save is a new version) and `card_confirm` (one receipt per user, kind
and version), both atomic and audited through `core.services`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from safegrid.core.audit import Actor
from safegrid.core.models import User
from safegrid.core.services import object_create, object_update, writing_protected
from safegrid.enterprises.choices import OrgUnitKind
from safegrid.enterprises.models import OrgUnit, Person

from ..models import CardConfirmation, CardKind, RiskCard, RiskPoint
from ..rules.cards import REVIEW_CYCLE_RANGE, phones_problems, steps_problems
from ..selectors.cards import can_confirm

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
        with writing_protected("version"):
            return object_update(
                actor=actor, obj=existing, data={**clean, "version": max(existing.version, confirmed) + 1}
            )


def card_publish(*, actor: Actor, point: RiskPoint, kind: str) -> RiskCard:
    """Issue a new version without changing the card's own fields (after the register changed), so
    everyone on the post is asked to read and confirm it again."""
    return card_save(actor=actor, point=point, kind=kind, data={})


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
