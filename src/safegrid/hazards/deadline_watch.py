"""The daily deadline scan: reminders before a rectification deadline, then step-by-step escalation.

Run by the `hazards.deadline_scan` job (schedules.py, daily in the county's time zone). For each hazard
whose deadline runs:

* a reminder `n` days before (n from `Deadlines.reminder_days`, e.g. 3 and 1) to the enterprise's
  managers and the responsible person;
* once overdue, one step up the chain of `rules.escalation` per run at most (safety manager → principal
  → town officers → the county's sector-regulator officers), as the system step `escalate` of the hazard
  workflow: the row is locked, `escalation_step` saved, the move logged in the hazard's timeline and
  audited, and that step's people notified.

Every reminder and escalation first inserts its `HazardNotice` row, whose unique constraints decide
between two runs (the same day, or two workers at once): only the run whose insert succeeded notifies.
Reminder rows are audited as they are created; an escalation is audited by the workflow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from safegrid.core import audit
from safegrid.core.audit import Actor, SystemActor
from safegrid.core.choices import AuditAction, Role
from safegrid.core.models import User
from safegrid.core.workflow import transition
from safegrid.enterprises.models import Enterprise
from safegrid.notifications.services import notify

from . import config, permissions
from .choices import DEADLINE_STATUSES, HazardStatus
from .models import HazardNotice, HiddenHazard, NoticeKind
from .rules import escalation
from .rules.closure import days_overdue
from .rules.deadlines import Deadlines
from .workflows import HAZARD, HazardAction

SCAN_ACTOR = SystemActor("job:hazards.deadline_scan")
# Reminders go out while the enterprise is still at work on it (not once it is submitted for acceptance).
REMINDED_STATUSES = (HazardStatus.RECTIFYING, HazardStatus.EXTENSION_REQUESTED)


@dataclass
class ScanResult:
    day: dt.date
    reminders: dict[int, int] = field(default_factory=dict)  # days before → hazards reminded
    escalations: dict[int, int] = field(default_factory=dict)  # step → hazards escalated to it
    overdue: int = 0

    def as_dict(self) -> dict[str, object]:
        reminded, escalated = sum(self.reminders.values()), sum(self.escalations.values())
        return {
            "date": self.day.isoformat(),
            "overdue": self.overdue,
            "reminders": {str(k): v for k, v in sorted(self.reminders.items())},
            "escalations": {str(k): v for k, v in sorted(self.escalations.items())},
            "summary": _(
                "%(day)s：逾期隐患 %(overdue)s 条；发出期限提醒 %(reminded)s 条，逾期升级 %(escalated)s 条"
            )
            % {
                "day": f"{self.day:%Y-%m-%d}",
                "overdue": self.overdue,
                "reminded": reminded,
                "escalated": escalated,
            },
        }


# ---- who is told ---------------------------------------------------------------------------------


def _users(q: Q) -> list[User]:
    return list(User.objects.filter(q, is_active=True).distinct().order_by("pk"))


def _enterprise_users(enterprise_id: int, roles: Iterable[str]) -> list[User]:
    return _users(Q(role_assignments__enterprise_id=enterprise_id, role_assignments__role__in=sorted(roles)))


def _responsible_user(hazard: HiddenHazard) -> list[User]:
    person = hazard.responsible_person
    user = getattr(person, "user", None) if person is not None else None
    return [user] if isinstance(user, User) else []


def town_officers(enterprise: Enterprise) -> list[User]:
    """Town officers anchored at the enterprise's town or village (a prefix of its division code)."""
    code = enterprise.division_id or ""
    prefixes = [code[:n] for n in (9, 12) if len(code) >= n]
    return _users(Q(role_assignments__role=Role.TOWN_OFFICER, role_assignments__division_id__in=prefixes))


def county_regulators(enterprise: Enterprise) -> list[User]:
    """Officers of the departments regulating the enterprise's sectors; the county office if there are none."""
    sectors = list(enterprise.sectors.values_list("pk", flat=True))
    officers = _users(
        Q(role_assignments__role=Role.DEPT_OFFICER, role_assignments__department__sectors__in=sectors)
    )
    return officers or _users(Q(role_assignments__role=Role.COUNTY_OFFICER))


def enterprise_users(enterprise_id: int, roles: Iterable[str]) -> list[User]:
    return _enterprise_users(enterprise_id, roles)


def step_recipients(hazard: HiddenHazard, step: int) -> list[User]:
    """Who is told when `hazard` reaches escalation `step` (see rules.escalation.CHAIN)."""
    if step == escalation.SAFETY_MANAGER:
        return [
            *_responsible_user(hazard),
            *_enterprise_users(hazard.enterprise_id, permissions.MANAGER_ROLES),
        ]
    if step == escalation.PRINCIPAL:
        return _enterprise_users(hazard.enterprise_id, permissions.PRINCIPAL_ROLES)
    if step == escalation.TOWN:
        return town_officers(hazard.enterprise)
    if step == escalation.COUNTY_DEPARTMENT:
        return county_regulators(hazard.enterprise)
    raise ValueError(f"no escalation step {step}")


def _url(hazard: HiddenHazard) -> str:
    return reverse("hazards:detail", args=[hazard.pk])


# ---- reminders -----------------------------------------------------------------------------------


def reminders_send(*, today: dt.date, deadlines: Deadlines, actor: Actor = SCAN_ACTOR) -> dict[int, int]:
    """Remind of deadlines coming up (once per hazard, deadline and threshold); hazards reminded per threshold."""
    sent = dict.fromkeys(deadlines.reminder_days, 0)
    if not deadlines.reminder_days:
        return sent
    widest = max(deadlines.reminder_days)
    due = (
        HiddenHazard.objects.filter(
            status__in=REMINDED_STATUSES, deadline__gte=today, deadline__lte=today + dt.timedelta(days=widest)
        )
        .select_related("enterprise", "responsible_person__user")
        .order_by("deadline", "pk")
    )
    for hazard in due:
        assert hazard.deadline is not None
        days_left = (hazard.deadline - today).days
        threshold = escalation.reminder_threshold(days_left, deadlines.reminder_days)
        if threshold is None:
            continue
        try:
            with transaction.atomic():
                notice = HazardNotice.objects.create(
                    hazard=hazard,
                    kind=NoticeKind.REMINDER,
                    deadline=hazard.deadline,
                    number=threshold,
                    day=today,
                    sent_at=timezone.now(),
                )
                people = step_recipients(hazard, escalation.SAFETY_MANAGER)
                when = _("今天到期") if days_left == 0 else _("还有 %(n)s 天到期") % {"n": days_left}
                text = _("隐患「%(title)s」整改期限 %(deadline)s，%(when)s，请按期完成整改并提交验收") % {
                    "title": hazard.title,
                    "deadline": f"{hazard.deadline:%Y-%m-%d}",
                    "when": when,
                }
                rows = notify(people, "hazards.deadline_reminder", hazard, text, url=_url(hazard))
                notice.recipients = len(rows)
                notice.save(update_fields=["recipients"])
                audit.record(
                    actor=actor,
                    action=AuditAction.CREATE,
                    obj=notice,
                    after={
                        "hazard": hazard.pk,
                        "deadline": hazard.deadline,
                        "days_before": threshold,
                        "recipients": len(rows),
                    },
                    comment=_("整改期限提醒"),
                )
        except IntegrityError:
            continue  # reminded already (an earlier run today, or another worker right now)
        sent[threshold] = sent.get(threshold, 0) + 1
    return sent


# ---- escalation ----------------------------------------------------------------------------------


def overdue_hazards(today: dt.date) -> Q:
    return Q(status__in=sorted(DEADLINE_STATUSES), deadline__lt=today)


def hazard_escalate(
    *, hazard: HiddenHazard, today: dt.date, deadlines: Deadlines, actor: Actor = SCAN_ACTOR
) -> int | None:
    """Escalate one overdue hazard one step if its days overdue call for it and it was not escalated
    today; the step reached, or None. All of it (notice, move, log, audit, notifications) or nothing."""
    late = days_overdue(hazard.deadline, today, hazard.status not in DEADLINE_STATUSES)
    step = escalation.next_escalation(hazard.escalation_step, late, deadlines.escalation_step_days)
    if step is None or hazard.deadline is None:
        return None
    try:
        with transaction.atomic():
            notice = HazardNotice.objects.create(
                hazard=hazard,
                kind=NoticeKind.ESCALATION,
                deadline=hazard.deadline,
                number=step,
                day=today,
                sent_at=timezone.now(),
            )
            who = escalation.step_label(step)
            moved = transition(
                hazard,
                HazardAction.ESCALATE,
                actor=actor,
                workflow=HAZARD,
                comment=_("逾期 %(n)s 天，升级至%(who)s") % {"n": late, "who": who},
                evidence={"step": step, "overdue_days": late, "deadline": hazard.deadline.isoformat()},
                changes={"escalation_step": step},
            )
            text = _(
                "%(enterprise)s的%(level)s「%(title)s」整改期限 %(deadline)s 已逾期 %(n)s 天，已升级至%(who)s督促整改"
            ) % {
                "enterprise": hazard.enterprise.name,
                "level": moved.get_level_display(),
                "title": hazard.title,
                "deadline": f"{hazard.deadline:%Y-%m-%d}",
                "n": late,
                "who": who,
            }
            rows = notify(step_recipients(moved, step), "hazards.overdue", moved, text, url=_url(moved))
            notice.recipients = len(rows)
            notice.save(update_fields=["recipients"])
    except IntegrityError:
        return None  # escalated already today (or the same step for this deadline)
    hazard.escalation_step = step
    return step


def escalations_run(
    *, today: dt.date, deadlines: Deadlines, actor: Actor = SCAN_ACTOR
) -> tuple[int, dict[int, int]]:
    """Escalate every overdue hazard that is due for its next step; (overdue count, escalated per step)."""
    done: dict[int, int] = {}
    overdue = (
        HiddenHazard.objects.filter(overdue_hazards(today))
        .select_related("enterprise", "responsible_person__user")
        .order_by("deadline", "pk")
    )
    hazards = list(overdue)  # read first: the moves below write to the same tables
    count = len(hazards)
    for hazard in hazards:
        step = hazard_escalate(hazard=hazard, today=today, deadlines=deadlines, actor=actor)
        if step is not None:
            done[step] = done.get(step, 0) + 1
    return count, done


def deadline_scan(*, today: dt.date | None = None, actor: Actor = SCAN_ACTOR) -> ScanResult:
    """The whole daily scan for the county's `today`: reminders, then escalations."""
    day = today or timezone.localdate()
    deadlines = config.deadlines()
    result = ScanResult(day)
    result.reminders = reminders_send(today=day, deadlines=deadlines, actor=actor)
    result.overdue, result.escalations = escalations_run(today=day, deadlines=deadlines, actor=actor)
    return result
