"""The daily self-report watch: reminders before the due date, then the missing reports (逾期未报).

Run by the `hazards.self_report_watch` job (schedules.py, daily in the county's time zone). For the last
ended quarter and year:

* `n` days before the due date (`Deadlines.self_report_reminder_days`, e.g. 7, 3 and 1; a missed day is
  caught up with the nearest threshold), the preparers and signers of every enterprise that must report
  and has not yet are reminded;
* from the day after the due date, each enterprise that still has not reported gets a "missing" marker
  (`SelfReportNotice`, kind missing), its preparers and signers are told, and each regulator (its town's
  officers, the officers of its sectors' departments, or the county office) gets one message per run
  with how many of their enterprises are missing, linking the missing list.

Every reminder and marker inserts its unique `SelfReportNotice` row first, so two runs (the same day, or
two workers at once) send each once; the rows are audited. The missing list itself is a selector
(`selfreport_selectors.missing`), so a late report leaves it at once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from safegrid.core import audit
from safegrid.core.audit import Actor, SystemActor
from safegrid.core.choices import AuditAction
from safegrid.core.models import User
from safegrid.enterprises.models import Enterprise
from safegrid.notifications.services import notify

from . import config, deadline_watch, permissions
from . import selfreport_selectors as selectors
from .models_selfreport import SelfReportNotice, SelfReportNoticeKind
from .rules import selfreport as rules
from .rules.deadlines import Deadlines

WATCH_ACTOR = SystemActor("job:hazards.self_report_watch")


@dataclass
class WatchResult:
    day: dt.date
    reminded: dict[str, int] = field(default_factory=dict)  # period key → enterprises reminded
    missing: dict[str, int] = field(default_factory=dict)  # period key → enterprises newly marked missing

    def as_dict(self) -> dict[str, object]:
        return {
            "date": self.day.isoformat(),
            "reminded": self.reminded,
            "missing": self.missing,
            "summary": _("%(day)s：发出自查自报提醒 %(reminded)s 家，新增逾期未报 %(missing)s 家")
            % {
                "day": f"{self.day:%Y-%m-%d}",
                "reminded": sum(self.reminded.values()),
                "missing": sum(self.missing.values()),
            },
        }


def _enterprise_people(enterprise_id: int) -> list[User]:
    roles = permissions.SELF_REPORT_PREPARER_ROLES | permissions.SELF_REPORT_SIGNER_ROLES
    return deadline_watch.enterprise_users(enterprise_id, roles)


def _list_url() -> str:
    return reverse("hazards:self_reports")


def _missing_url(period: rules.Period) -> str:
    return f"{reverse('hazards:self_reports_missing')}?{urlencode({'period': period.key})}"


def _notice(
    enterprise: Enterprise,
    period: rules.Period,
    kind: str,
    days_before: int,
    due: dt.date,
    today: dt.date,
    text: str,
    notification_kind: str,
    url: str,
    actor: Actor,
) -> bool:
    """Insert the unique notice row, tell the enterprise's people and audit it; False when sent before."""
    try:
        with transaction.atomic():
            notice = SelfReportNotice.objects.create(
                enterprise=enterprise,
                period_kind=period.kind,
                year=period.year,
                quarter=period.quarter,
                kind=kind,
                days_before=days_before,
                due_date=due,
                day=today,
                sent_at=timezone.now(),
            )
            rows = notify(_enterprise_people(enterprise.pk), notification_kind, enterprise, text, url=url)
            notice.recipients = len(rows)
            notice.save(update_fields=["recipients"])
            audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=notice,
                after={
                    "period": period.key,
                    "kind": kind,
                    "days_before": days_before,
                    "recipients": len(rows),
                },
                comment=str(SelfReportNoticeKind(kind).label),
            )
    except IntegrityError:
        return False
    return True


def reminders_send(*, today: dt.date, deadlines: Deadlines, actor: Actor = WATCH_ACTOR) -> dict[str, int]:
    sent: dict[str, int] = {}
    for kind in rules.KINDS:
        period = rules.last_ended(today, kind)
        threshold = rules.reminder_due(period, today, deadlines.self_report_reminder_days, deadlines)
        if threshold is None:
            continue
        due = rules.due_date(period, deadlines)
        days_left = (due - today).days
        when = _("今天截止") if days_left == 0 else _("还有 %(n)s 天截止") % {"n": days_left}
        text = _("%(period)s隐患排查治理自查自报须于 %(due)s 前签署报送，%(when)s") % {
            "period": period.label,
            "due": f"{due:%Y-%m-%d}",
            "when": when,
        }
        count = 0
        for enterprise in selectors.unreported(None, period).order_by("pk").iterator(chunk_size=500):
            args = (enterprise, period, SelfReportNoticeKind.REMINDER, threshold, due, today)
            if _notice(*args, text, "hazards.self_report_reminder", _list_url(), actor):
                count += 1
        sent[period.key] = count
    return sent


def missing_mark(*, today: dt.date, deadlines: Deadlines, actor: Actor = WATCH_ACTOR) -> dict[str, int]:
    marked: dict[str, int] = {}
    for kind in rules.KINDS:
        period = rules.latest_overdue(today, kind, deadlines)
        due = rules.due_date(period, deadlines)
        text = _("%(period)s隐患排查治理自查自报截止日 %(due)s 已过，尚未报送，请尽快签署报送") % {
            "period": period.label,
            "due": f"{due:%Y-%m-%d}",
        }
        new: list[Enterprise] = []
        for enterprise in selectors.missing(None, period, today).order_by("pk").iterator(chunk_size=500):
            args = (enterprise, period, SelfReportNoticeKind.MISSING, 0, due, today)
            if _notice(*args, text, "hazards.self_report_missing", _list_url(), actor):
                new.append(enterprise)
        marked[period.key] = len(new)
        _tell_regulators(new, period, due)
    return marked


def _tell_regulators(enterprises: list[Enterprise], period: rules.Period, due: dt.date) -> None:
    """One message per regulator with how many of their enterprises are newly missing."""
    counts: dict[int, int] = defaultdict(int)
    people: dict[int, User] = {}
    for enterprise in enterprises:
        for user in {
            *deadline_watch.town_officers(enterprise),
            *deadline_watch.county_regulators(enterprise),
        }:
            counts[user.pk] += 1
            people[user.pk] = user
    for pk, count in counts.items():
        text = _("%(period)s隐患排查治理自查自报截止日 %(due)s 已过，辖区内新增 %(n)s 家企业逾期未报") % {
            "period": period.label,
            "due": f"{due:%Y-%m-%d}",
            "n": count,
        }
        notify([people[pk]], "hazards.self_report_missing", None, text, url=_missing_url(period))


def self_report_watch(*, today: dt.date | None = None, actor: Actor = WATCH_ACTOR) -> WatchResult:
    """The whole daily watch for the county's `today`: reminders, then missing markers."""
    day = today or timezone.localdate()
    deadlines = config.deadlines()
    result = WatchResult(day)
    result.reminded = reminders_send(today=day, deadlines=deadlines, actor=actor)
    result.missing = missing_mark(today=day, deadlines=deadlines, actor=actor)
    return result
