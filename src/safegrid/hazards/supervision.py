"""Listed supervision (挂牌督办) of major hazards: listing by a government level and sign-off once closed.

Every write is atomic, audited and refused whole with field-named Chinese messages. Only county and
sector-department officers whose scope reaches the enterprise list and sign off; the enterprise's
managers are told of both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from safegrid.core import audit
from safegrid.core.audit import Actor
from safegrid.core.choices import AuditAction
from safegrid.core.models import User
from safegrid.core.services import authorize
from safegrid.notifications.services import notify

from . import permissions
from .choices import HazardLevel, HazardStatus, SupervisionLevel
from .models import HiddenHazard, ListedSupervision
from .workflows import enterprise_managers

FIELDS = (
    "level",
    "authority",
    "department",
    "document_number",
    "listed_on",
    "planned_completion",
    "requirements",
)


def _url(hazard: HiddenHazard) -> str:
    return reverse("hazards:detail", args=[hazard.pk])


def supervision_list_hazard(
    *, actor: Actor, hazard: HiddenHazard, data: dict[str, Any], today: dt.date | None = None
) -> ListedSupervision:
    """List an open major hazard for supervision: level, authority (and the county department),
    document number, listing date and planned completion."""
    authorize(
        actor, lambda u: permissions.can_supervise(u, hazard.enterprise_id), _("您不能对该隐患挂牌督办")
    )
    today = today or timezone.localdate()
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValueError(f"unexpected supervision fields: {unknown}")
    errors: dict[str, list[str]] = {}
    if hazard.level != HazardLevel.MAJOR:
        errors["hazard"] = [_("只有重大隐患可以挂牌督办")]
    elif hazard.status in (HazardStatus.CLOSED, HazardStatus.REJECTED):
        errors["hazard"] = [_("该隐患已销号或已驳回，不能挂牌督办")]
    elif ListedSupervision.objects.filter(hazard=hazard).exists():
        errors["hazard"] = [_("该隐患已挂牌督办")]
    listed_on, planned = data.get("listed_on"), data.get("planned_completion")
    if listed_on is not None and listed_on > today:
        errors["listed_on"] = [_("挂牌日期不能晚于今天")]
    if listed_on is not None and planned is not None and planned < listed_on:
        errors["planned_completion"] = [_("要求完成日期不能早于挂牌日期")]
    department = data.get("department")
    if data.get("level") == SupervisionLevel.COUNTY and department is None:
        errors["department"] = [_("县级挂牌督办须选择督办部门")]
    row = ListedSupervision(
        hazard=hazard,
        listed_by=actor if isinstance(actor, User) else None,
        listed_at=timezone.now(),
        **{k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()},
    )
    if row.requirements is None:
        row.requirements = ""
    try:
        row.full_clean(exclude=["hazard"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row.save(force_insert=True)
        audit.record(
            actor=actor, action=AuditAction.CREATE, obj=row, after=audit.snapshot(row), comment=_("挂牌督办")
        )
        text = _(
            "重大隐患「%(title)s」已由%(authority)s挂牌督办（%(number)s），要求 %(planned)s 前完成整改"
        ) % {
            "title": hazard.title,
            "authority": row.authority,
            "number": row.document_number,
            "planned": f"{row.planned_completion:%Y-%m-%d}",
        }
        notify(
            enterprise_managers(hazard.enterprise_id), "hazards.supervision", hazard, text, url=_url(hazard)
        )
    return row


def supervision_sign_off(
    *, actor: Actor, supervision: ListedSupervision, comment: str = ""
) -> ListedSupervision:
    """解除督办: only once the hazard is closed (验收销号); the actual completion is its close-out day."""
    hazard = supervision.hazard
    authorize(
        actor, lambda u: permissions.can_supervise(u, hazard.enterprise_id), _("您不能解除该隐患的挂牌督办")
    )
    with transaction.atomic():
        locked = ListedSupervision.objects.select_for_update().select_related("hazard").get(pk=supervision.pk)
        hazard = locked.hazard
        if locked.signed_off_at is not None:
            raise ValidationError({"signed_off_at": [_("该挂牌督办已解除")]})
        if hazard.status != HazardStatus.CLOSED or hazard.closed_at is None:
            raise ValidationError({"hazard": [_("隐患尚未验收销号，不能解除挂牌督办")]})
        before = audit.snapshot(locked)
        locked.actual_completion = timezone.localdate(hazard.closed_at)
        locked.signed_off_by = actor if isinstance(actor, User) else None
        locked.signed_off_at = timezone.now()
        locked.sign_off_comment = (comment or "").strip()
        locked.full_clean()
        locked.save()
        after = audit.snapshot(locked)
        changed = sorted(k for k in after if before.get(k) != after.get(k))
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            before={k: before.get(k) for k in changed},
            after={k: after[k] for k in changed},
            comment=_("解除挂牌督办"),
        )
        text = _("重大隐患「%(title)s」的挂牌督办（%(number)s）已解除") % {
            "title": hazard.title,
            "number": locked.document_number,
        }
        notify(
            enterprise_managers(hazard.enterprise_id), "hazards.supervision", hazard, text, url=_url(hazard)
        )
    return locked
