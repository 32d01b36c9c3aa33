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

Recipients are looked up in batches: the preparers and signers of up to 500 enterprises in one query, and
the regulators of all newly missing enterprises in a fixed number of queries (grouped in Python), never a
query per enterprise. Every reminder and marker inserts its unique `SelfReportNotice` row first, so two runs (the same day, or
two workers at once) send each once; the rows are audited. The missing list itself is a selector
(`selfreport_selectors.missing`), so a late report leaves it at once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from safegrid.core import audit
from safegrid.core.audit import Actor, SystemActor
from safegrid.core.choices import AuditAction, Role
from safegrid.core.models import RoleAssignment, User
from safegrid.enterprises.models import Enterprise
from safegrid.notifications.services import notify

from . import config, permissions
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


def _people_of(enterprise_ids: Iterable[int]) -> dict[int, list[User]]:
    """The preparers and signers of every enterprise given, in ONE query (grouped here), active users only."""
    roles = sorted(permissions.SELF_REPORT_PREPARER_ROLES | permissions.SELF_REPORT_SIGNER_ROLES)
    found: dict[int, dict[int, User]] = defaultdict(dict)
    rows = (
        RoleAssignment.objects.filter(
            enterprise_id__in=list(enterprise_ids), role__in=roles, user__is_active=True
        )
        .select_related("user")
        .order_by("user_id")
    )
    for row in rows:
        assert row.enterprise_id is not None
        found[row.enterprise_id].setdefault(row.user_id, row.user)
    return {ent: list(users.values()) for ent, users in found.items()}


def _regulators_of(enterprises: Sequence[Enterprise]) -> dict[int, list[User]]:
    """Each enterprise's regulators told of a missing report — its town's (or village's) officers, and the
    officers of the departments regulating its sectors, or the county office when none does — in a fixed
    number of queries whatever the number of enterprises (the rule of `deadline_watch.town_officers` and
    `county_regulators`, batched)."""
    if not enterprises:
        return {}
    prefixes: dict[int, set[str]] = {}
    for e in enterprises:
        code = e.division_id or ""
        prefixes[e.pk] = {code[:n] for n in (9, 12) if len(code) >= n}
    wanted = set().union(*prefixes.values())
    towns: dict[str, dict[int, User]] = defaultdict(dict)
    for row in RoleAssignment.objects.filter(
        role=Role.TOWN_OFFICER, division_id__in=sorted(wanted), user__is_active=True
    ).select_related("user"):
        towns[str(row.division_id)][row.user_id] = row.user
    sectors: dict[int, set[int]] = defaultdict(set)
    through = Enterprise.sectors.through
    for ent, sector in through.objects.filter(enterprise_id__in=[e.pk for e in enterprises]).values_list(
        "enterprise_id", "sector_id"
    ):
        sectors[ent].add(sector)
    wanted_sectors = set().union(*sectors.values()) if sectors else set()
    by_sector: dict[int, set[int]] = defaultdict(set)
    for user_id, sector in RoleAssignment.objects.filter(
        role=Role.DEPT_OFFICER, department__sectors__in=sorted(wanted_sectors), user__is_active=True
    ).values_list("user_id", "department__sectors"):
        by_sector[sector].add(user_id)
    ids = set().union(*by_sector.values()) if by_sector else set()
    by_user = {u.pk: u for u in User.objects.filter(pk__in=sorted(ids))} if ids else {}
    officers = {sector: {pk: by_user[pk] for pk in users} for sector, users in by_sector.items()}
    county: list[User] | None = None
    result: dict[int, list[User]] = {}
    for e in enterprises:
        people: dict[int, User] = {}
        for prefix in prefixes[e.pk]:
            people.update(towns.get(prefix, {}))
        regulators: dict[int, User] = {}
        for sector in sectors.get(e.pk, ()):
            regulators.update(officers.get(sector, {}))
        if not regulators:
            if county is None:
                county = list(
                    User.objects.filter(role_assignments__role=Role.COUNTY_OFFICER, is_active=True)
                    .distinct()
                    .order_by("pk")
                )
            regulators = {u.pk: u for u in county}
        people.update(regulators)
        result[e.pk] = [people[pk] for pk in sorted(people)]
    return result


BATCH = 500


def _chunks(items: Sequence[Enterprise]) -> Iterator[Sequence[Enterprise]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _batches(qs: QuerySet[Enterprise]) -> Iterator[list[Enterprise]]:
    """The enterprises in batches of BATCH (one query each), so recipients are looked up once per batch."""
    batch: list[Enterprise] = []
    for enterprise in qs.iterator(chunk_size=BATCH):
        batch.append(enterprise)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


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
    people: list[User],
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
            rows = notify(people, notification_kind, enterprise, text, url=url)
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
        for batch in _batches(selectors.unreported(None, period).order_by("pk")):
            people = _people_of(e.pk for e in batch)
            for enterprise in batch:
                args = (enterprise, period, SelfReportNoticeKind.REMINDER, threshold, due, today)
                kind_url = ("hazards.self_report_reminder", _list_url())
                if _notice(*args, text, *kind_url, actor, people.get(enterprise.pk, [])):
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
        for batch in _batches(selectors.missing(None, period, today).order_by("pk")):
            people = _people_of(e.pk for e in batch)
            for enterprise in batch:
                args = (enterprise, period, SelfReportNoticeKind.MISSING, 0, due, today)
                kind_url = ("hazards.self_report_missing", _list_url())
                if _notice(*args, text, *kind_url, actor, people.get(enterprise.pk, [])):
                    new.append(enterprise)
        marked[period.key] = len(new)
        _tell_regulators(new, period, due)
    return marked


def _tell_regulators(enterprises: list[Enterprise], period: rules.Period, due: dt.date) -> None:
    """One message per regulator with how many of their enterprises are newly missing."""
    counts: dict[int, int] = defaultdict(int)
    people: dict[int, User] = {}
    for batch in _chunks(enterprises):
        for users in _regulators_of(batch).values():
            for user in users:
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
