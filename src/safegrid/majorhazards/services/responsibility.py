"""Naming the three responsible persons (包保) of a major hazard source, and their check tasks.

Each role of a unit has one inspection task of the hazards app (`InspectionTask.work_type` 1/2/3, the
national workType), generated and marked missed by the hazards app's own jobs; what its checks find are
hazards with `hazard_category` = the role. Naming someone closes the previous holder's term and hands the
task over (cycle from the configured frequency, the person and their post), so its history stays whole.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safegrid.core.audit import Actor
from safegrid.core.models import User
from safegrid.core.services import authorize, object_create, object_update
from safegrid.core.text import TextRefused, clean_text, phone_problem
from safegrid.enterprises.models import Person
from safegrid.hazards.models import InspectionTask
from safegrid.notifications.services import notify

from .. import config
from ..lifecycle_workflows import is_manager
from ..models import HazardUnit, ResponsiblePerson
from ..rules import lifecycle as rules
from ..rules.lifecycle import ResponsibleRole
from ..selectors import lifecycle as selectors


def _task_values(unit: HazardUnit, role: ResponsibleRole, person: Person, start: dt.date) -> dict[str, Any]:
    frequency = rules.check_frequency(role, config.lifecycle())
    label = rules.ROLE_LABELS[role]
    return {
        "enterprise_id": unit.enterprise_id,
        "kind": rules.DANGER_SOURCES[role],
        "work_type": int(role),
        "title": f"【包保·{label}】{unit.name}重大危险源安全风险隐患排查"[:200],
        "check_content": f"{label}{frequency.label()}对「{unit.name}」重大危险源开展安全风险隐患排查："
        + "；".join(rules.CHECK_ITEMS[role]),
        "check_items": list(rules.CHECK_ITEMS[role]),
        "cycle_every": frequency.every,
        "cycle_unit": frequency.unit,
        "responsible_person": person,
        "responsible_post": person.org_unit,
        "active": True,
    }


def _role_task(unit: HazardUnit, role: int) -> InspectionTask | None:
    """The role's task from any earlier holder (the newest)."""
    row = (
        ResponsiblePerson.objects.filter(unit=unit, role=role, task__isnull=False)
        .select_related("task")
        .order_by("-valid_from", "-id")
        .first()
    )
    return row.task if row is not None else None


def _clean(value: Any, name: str, *, multiline: bool = False) -> str:
    if not isinstance(value, str):
        return ""
    try:
        return clean_text(value, multiline=multiline).strip()
    except TextRefused as exc:
        raise ValidationError({name: [exc.message]}) from None


def responsible_name(
    *,
    actor: Actor,
    unit: HazardUnit,
    role: int,
    person: Person | None,
    valid_from: dt.date | None,
    phone: str = "",
    duties: str = "",
) -> ResponsiblePerson:
    """Name `person` to `role` for `unit` from `valid_from`; the current holder's term ends the day before
    (or that day), and the role's check task is created or handed over."""
    authorize(
        actor,
        lambda u: is_manager(u, unit.enterprise_id),
        _("只有本企业的管理员或安全管理员可以指定包保责任人"),
    )
    errors: dict[str, list[str]] = {}
    try:
        which = ResponsibleRole(role)
    except ValueError:
        raise ValidationError(
            {"role": [_("包保责任类型须为 1 主要负责人、2 技术负责人或 3 操作负责人")]}
        ) from None
    if selectors.is_deregistered(unit):
        errors["unit"] = [_("该单元已核销，不能再办理")]
    elif not unit.is_major:
        errors["unit"] = [_("该单元经辨识不构成重大危险源，无需指定包保责任人")]
    if person is None:
        errors["person"] = [_("请选择人员")]
    elif person.enterprise_id != unit.enterprise_id or not person.active:
        errors["person"] = [_("人员须为本企业在岗人员")]
    number = _clean(phone, "phone") or (person.phone if person is not None else "")
    if not number:
        errors["phone"] = [_("请填写联系电话（公示牌上公布）")]
    elif (problem := phone_problem(number)) is not None:
        errors["phone"] = [str(problem)]
    if not isinstance(valid_from, dt.date):
        errors["valid_from"] = [_("请填写任职起始日期")]
    current = selectors.current_persons(unit).get(int(which))
    if current is not None and isinstance(valid_from, dt.date) and valid_from < current.valid_from:
        errors["valid_from"] = [
            _("任职起始日期不能早于现任%(role)s的起始日期 %(day)s")
            % {"role": rules.ROLE_LABELS[which], "day": current.valid_from.isoformat()}
        ]
    text = _clean(duties, "duties", multiline=True) or rules.duties_text(which)
    if errors:
        raise ValidationError(errors)
    assert person is not None and isinstance(valid_from, dt.date)
    user = actor if isinstance(actor, User) else None
    try:
        with transaction.atomic():
            if current is not None:
                object_update(
                    actor=actor,
                    obj=current,
                    data={"valid_to": max(current.valid_from, valid_from - dt.timedelta(days=1))},
                )
            values = _task_values(unit, which, person, valid_from)
            task = _role_task(unit, which)
            if task is None:
                task = object_create(
                    actor=actor,
                    model=InspectionTask,
                    data={**values, "start_date": valid_from, "created_by": user},
                )
            else:
                task = object_update(actor=actor, obj=task, data=values)
            row = object_create(
                actor=actor,
                model=ResponsiblePerson,
                data={
                    "unit": unit,
                    "role": int(which),
                    "person": person,
                    "name": person.name,
                    "job_title": person.job_title,
                    "phone": number,
                    "duties": text,
                    "valid_from": valid_from,
                    "task": task,
                    "recorded_by": user,
                    "recorded_at": timezone.now(),
                },
            )
            if person.user is not None:
                notify(
                    [person.user],
                    "majorhazards.responsible_named",
                    row,
                    _("您被指定为「%(unit)s」重大危险源的%(role)s，排查任务：%(frequency)s")
                    % {
                        "unit": unit.name,
                        "role": rules.ROLE_LABELS[which],
                        "frequency": rules.check_frequency(which, config.lifecycle()).label(),
                    },
                    url=selectors_url(unit.pk),
                )
    except IntegrityError:
        raise ValidationError({"role": [_("该包保责任刚被他人修改，请刷新后重试")]}) from None
    return row


def selectors_url(unit_id: int) -> str:
    from django.urls import reverse

    return reverse("majorhazards:unit_responsibility", args=[unit_id])


def pre_event_check_schedule(
    *, actor: Actor, unit: HazardUnit, due_on: dt.date | None, reason: str, today: dt.date | None = None
) -> Any:
    """A targeted check by the technical responsible person before a major event, a key period or a holiday
    (应急厅〔2021〕12号 art. 9): one extra occurrence of the role's task, open for the week up to `due_on` (the
    last day to check), counted as done or missed like every other."""
    from zoneinfo import ZoneInfo

    from django.conf import settings

    from safegrid.core import audit
    from safegrid.core.choices import AuditAction
    from safegrid.hazards import rollups
    from safegrid.hazards.choices import OccurrenceStatus
    from safegrid.hazards.models import TaskOccurrence

    authorize(
        actor,
        lambda u: is_manager(u, unit.enterprise_id),
        _("只有本企业的管理员或安全管理员可以安排节前排查"),
    )
    day = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    holder = selectors.current_persons(unit).get(int(ResponsibleRole.TECHNICAL))
    if holder is None or holder.task is None:
        errors["unit"] = [_("请先指定技术负责人")]
    if not isinstance(due_on, dt.date):
        errors["due_on"] = [_("请填写排查截止日期")]
    elif due_on < day:
        errors["due_on"] = [_("排查截止日期不能早于今天")]
    text = _clean(reason, "reason")
    if not text:
        errors["reason"] = [_("请填写重大活动、重点时段或节假日")]
    if errors:
        raise ValidationError(errors)
    assert holder is not None and holder.task is not None and isinstance(due_on, dt.date)
    tz = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(max(day, due_on - dt.timedelta(days=6)), dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(due_on + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    try:
        with transaction.atomic():
            occurrence = TaskOccurrence.objects.create(
                task=holder.task,
                enterprise_id=unit.enterprise_id,
                window_start=start,
                window_end=end,
                status=OccurrenceStatus.DUE,
            )
            rollups.occurrences_added([occurrence])
            audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=occurrence,
                after={"task": holder.task_id, "window_start": start, "window_end": end, "reason": text},
                comment=_("安排节前（重大活动前）排查：%(reason)s") % {"reason": text},
            )
            person = holder.person
            if person.user is not None:
                notify(
                    [person.user],
                    "majorhazards.responsible_named",
                    occurrence,
                    _("请于 %(day)s 前完成「%(unit)s」重大危险源排查（%(reason)s）")
                    % {"day": due_on.isoformat(), "unit": unit.name, "reason": text},
                    url=selectors_url(unit.pk),
                )
    except IntegrityError:
        raise ValidationError({"due_on": [_("该时段已安排排查")]}) from None
    return occurrence
