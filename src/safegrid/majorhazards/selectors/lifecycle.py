"""Scoped reads of a major hazard source's lifecycle and its responsible persons (out of scope = 404).

`active_units(queryset)` leaves out units deregistered (核销 accepted); every list of major hazard sources
should pass through it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from safegrid.core.scoping import get_scoped_or_404, restrict
from safegrid.hazards.choices import OccurrenceStatus
from safegrid.hazards.models import TaskOccurrence

from .. import config
from ..lifecycle_workflows import can_review
from ..models import (
    Deregistration,
    DrillRecord,
    FacilityTest,
    HazardUnit,
    ReassessmentTrigger,
    ResponsiblePerson,
    SourceFiling,
)
from ..models.lifecycle import DeregistrationStatus, FilingStatus
from ..rules import lifecycle as rules
from ..rules.lifecycle import DueState, PlanKind, ResponsibleRole

# ---- units -------------------------------------------------------------------------------------------


def active_units(queryset: QuerySet[HazardUnit]) -> QuerySet[HazardUnit]:
    """`queryset` without the units whose deregistration (核销) was accepted."""
    return queryset.exclude(deregistrations__status=DeregistrationStatus.ACCEPTED)


def units(user: Any) -> QuerySet[HazardUnit]:
    return restrict(HazardUnit.objects.select_related("enterprise"), user)


def unit_get(user: Any, pk: Any) -> HazardUnit:
    return get_scoped_or_404(HazardUnit.objects.select_related("enterprise"), user, pk=pk)


def is_deregistered(unit: HazardUnit) -> bool:
    return unit.deregistrations.filter(status=DeregistrationStatus.ACCEPTED).exists()


# ---- filings -----------------------------------------------------------------------------------------


def filings(user: Any) -> QuerySet[SourceFiling]:
    return restrict(SourceFiling.objects.select_related("unit", "unit__enterprise"), user)


def filing_get(user: Any, pk: Any) -> SourceFiling:
    return get_scoped_or_404(SourceFiling.objects.select_related("unit", "unit__enterprise"), user, pk=pk)


def filings_of(user: Any, unit: HazardUnit) -> list[SourceFiling]:
    return list(
        filings(user).filter(unit=unit).prefetch_related("transitions").order_by("-assessed_on", "-id")
    )


def current_filing(unit: HazardUnit) -> SourceFiling | None:
    """The unit's latest accepted filing: its assessment and re-assessment due date are on record."""
    return unit.filings.filter(status=FilingStatus.ACCEPTED).order_by("-assessed_on", "-id").first()


def open_filing(unit: HazardUnit) -> SourceFiling | None:
    return unit.filings.exclude(status=FilingStatus.ACCEPTED).order_by("-id").first()


def deregistration_get(user: Any, pk: Any) -> Deregistration:
    return get_scoped_or_404(Deregistration.objects.select_related("unit", "unit__enterprise"), user, pk=pk)


def deregistration_of(unit: HazardUnit) -> Deregistration | None:
    return unit.deregistrations.order_by("-applied_on", "-id").first()


# ---- the lifecycle of one unit -------------------------------------------------------------------------


@dataclass(frozen=True)
class DrillStatus:
    kind: str
    label: str
    last: DrillRecord | None
    due: dt.date | None
    overdue: bool


@dataclass(frozen=True)
class TestStatus:
    facility: str
    last: FacilityTest
    overdue: bool


@dataclass
class UnitLifecycle:
    unit: HazardUnit
    current: SourceFiling | None
    open: SourceFiling | None
    reassessment_due: dt.date | None
    state: str  # DueState value, or "unfiled"
    days_left: int | None
    triggers: list[ReassessmentTrigger]
    open_triggers: list[ReassessmentTrigger]
    drills: list[DrillStatus]
    drill_history: list[DrillRecord]
    tests: list[TestStatus]
    deregistration: Deregistration | None
    deregistered: bool
    history: list[SourceFiling] = field(default_factory=list)

    @property
    def overdue_days(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def _drill_statuses(
    unit: HazardUnit, records: Iterable[DrillRecord], since: dt.date | None, today: dt.date
) -> list[DrillStatus]:
    cfg = config.lifecycle()
    latest: dict[str, DrillRecord] = {}
    for record in sorted(records, key=lambda r: (r.held_on, r.pk)):
        latest[record.plan_kind] = record
    out = []
    for kind in PlanKind:
        last = latest.get(kind.value)
        held = last.held_on if last is not None else None
        start = since or held
        due = rules.drill_due(held, start, kind, cfg) if start is not None else None
        out.append(
            DrillStatus(
                kind.value, rules.PLAN_LABELS[kind], last, due, due is not None and rules.overdue(due, today)
            )
        )
    return out


def unit_drills(unit: HazardUnit) -> QuerySet[DrillRecord]:
    """The unit's own drills and its enterprise's enterprise-wide ones."""
    return DrillRecord.objects.filter(Q(unit=unit) | Q(enterprise_id=unit.enterprise_id, unit__isnull=True))


def latest_tests(unit: HazardUnit) -> list[FacilityTest]:
    """The latest test of each facility of the unit."""
    seen: dict[str, FacilityTest] = {}
    for test in unit.facility_tests.order_by("facility", "-tested_on", "-id"):
        seen.setdefault(test.facility, test)
    return list(seen.values())


def unit_lifecycle(user: Any, unit: HazardUnit, today: dt.date) -> UnitLifecycle:
    """Everything the lifecycle page shows of `unit` (already read through `unit_get`)."""
    cfg = config.lifecycle()
    current = current_filing(unit)
    triggers = list(unit.triggers.order_by("-occurred_on", "-id"))
    open_triggers = [t for t in triggers if current is None or t.occurred_on > current.assessed_on]
    due: dt.date | None = None
    state = "unfiled"
    days_left = None
    if current is not None:
        due = rules.reassessment_due(current.assessed_on, cfg, [t.occurred_on for t in open_triggers])
        state = rules.due_state(due, today, cfg).value
        days_left = (due - today).days
    drill_history = list(unit_drills(unit).order_by("-held_on", "-id")[:20])
    since = current.assessed_on if current else None
    tests = [TestStatus(t.facility, t, rules.overdue(t.next_due, today)) for t in latest_tests(unit)]
    return UnitLifecycle(
        unit=unit,
        current=current,
        open=open_filing(unit),
        reassessment_due=due,
        state=state,
        days_left=days_left,
        triggers=triggers,
        open_triggers=open_triggers,
        drills=_drill_statuses(unit, unit_drills(unit), since, today),
        drill_history=drill_history,
        tests=tests,
        deregistration=deregistration_of(unit),
        deregistered=is_deregistered(unit),
        history=filings_of(user, unit),
    )


# ---- the regulator's review queue ----------------------------------------------------------------------


def _reviewable(user: Any, rows: list[Any]) -> list[Any]:
    allowed: dict[int, bool] = {}
    out = []
    for row in rows:
        eid = row.unit.enterprise_id
        if eid not in allowed:
            allowed[eid] = can_review(user, eid)
        if allowed[eid]:
            out.append(row)
    return out


def filings_to_review(user: Any) -> list[SourceFiling]:
    rows = list(filings(user).filter(status=FilingStatus.SUBMITTED).order_by("submitted_at", "id")[:500])
    return _reviewable(user, rows)


def deregistrations_to_review(user: Any) -> list[Deregistration]:
    rows = list(
        restrict(Deregistration.objects.select_related("unit", "unit__enterprise"), user)
        .filter(status=DeregistrationStatus.APPLIED)
        .order_by("applied_on", "id")[:500]
    )
    return _reviewable(user, rows)


def to_review_count(user: Any) -> int:
    return len(filings_to_review(user)) + len(deregistrations_to_review(user))


# ---- what is due or overdue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueRow:
    unit: HazardUnit
    kind: str  # reassessment, unfiled, filing_late, drill, test
    label: str
    due: dt.date | None
    days: int | None  # days left (negative: overdue)
    overdue: bool
    subject: str = ""  # the plan kind, the facility test's or the open filing's id

    @property
    def late_days(self) -> int:
        return -self.days if self.days is not None and self.days < 0 else 0


def due_rows(user: Any, today: dt.date, *, unit_ids: Iterable[int] | None = None) -> list[DueRow]:
    """Every active major hazard source the user reaches whose re-assessment is due or near, whose filing is
    missing or late, or whose drills or facility tests are overdue; overdue first."""
    qs = units(user)
    if unit_ids is not None:
        qs = qs.filter(pk__in=list(unit_ids))
    return due_rows_in(qs, today)


def due_rows_in(queryset: QuerySet[HazardUnit], today: dt.date) -> list[DueRow]:
    """`due_rows` over the active major units of `queryset` (the daily watch passes every unit)."""
    cfg = config.lifecycle()
    qs = active_units(queryset.filter(is_major=True)).select_related("enterprise")
    unit_list = list(qs.order_by("enterprise_id", "code")[:2000])
    ids = [u.pk for u in unit_list]
    current: dict[int, SourceFiling] = {}
    opened: dict[int, SourceFiling] = {}
    for f in SourceFiling.objects.filter(unit_id__in=ids).order_by("assessed_on", "id"):
        if f.status == FilingStatus.ACCEPTED:
            current[f.unit_id] = f
        else:
            opened[f.unit_id] = f
    triggers: dict[int, list[dt.date]] = defaultdict(list)
    for uid, day in ReassessmentTrigger.objects.filter(unit_id__in=ids).values_list("unit_id", "occurred_on"):
        triggers[uid].append(day)
    drills: dict[tuple[int | None, int, str], dt.date] = {}
    enterprise_ids = {u.enterprise_id for u in unit_list}
    for uid, eid, kind, held in DrillRecord.objects.filter(
        Q(unit_id__in=ids) | Q(unit__isnull=True, enterprise_id__in=enterprise_ids)
    ).values_list("unit_id", "enterprise_id", "plan_kind", "held_on"):
        key = (uid, eid, kind)
        drills[key] = max(held, drills.get(key, held))
    tests: dict[int, dict[str, FacilityTest]] = defaultdict(dict)
    for t in FacilityTest.objects.filter(unit_id__in=ids).order_by("facility", "-tested_on", "-id"):
        tests[t.unit_id].setdefault(t.facility, t)

    rows: list[DueRow] = []
    for unit in unit_list:
        cur, pending = current.get(unit.pk), opened.get(unit.pk)
        late = pending is not None and pending.status != FilingStatus.SUBMITTED
        if pending is not None and late and rules.filing_overdue(pending.assessed_on, today, cfg):
            fdue = rules.filing_due(pending.assessed_on, cfg)
            rows.append(
                DueRow(
                    unit, "filing_late", "评估后逾期未备案", fdue, (fdue - today).days, True, str(pending.pk)
                )
            )
        if cur is None:
            if pending is None:
                rows.append(DueRow(unit, "unfiled", "构成重大危险源，尚无备案", None, None, True))
            continue
        due = rules.reassessment_due(cur.assessed_on, cfg, triggers.get(unit.pk, ()))
        state = rules.due_state(due, today, cfg)
        if state != DueState.OK:
            label = {"soon": "重新评估即将到期", "due": "重新评估今日到期", "overdue": "重新评估已逾期"}[
                state.value
            ]
            if due < rules.add_years(cur.assessed_on, cfg.reassessment_years):
                label += "（发生须重新评估的情形）"
            rows.append(
                DueRow(unit, "reassessment", label, due, (due - today).days, state == DueState.OVERDUE)
            )
        for kind in PlanKind:
            latest = [
                found
                for found in (
                    drills.get((unit.pk, unit.enterprise_id, kind.value)),
                    drills.get((None, unit.enterprise_id, kind.value)),
                )
                if found is not None
            ]
            ddue = rules.drill_due(max(latest) if latest else None, cur.assessed_on, kind, cfg)
            if rules.overdue(ddue, today):
                rows.append(
                    DueRow(
                        unit,
                        "drill",
                        f"{rules.PLAN_LABELS[kind]}演练逾期",
                        ddue,
                        (ddue - today).days,
                        True,
                        kind.value,
                    )
                )
        for test in tests.get(unit.pk, {}).values():
            if rules.overdue(test.next_due, today):
                rows.append(
                    DueRow(
                        unit,
                        "test",
                        f"{test.facility}检测逾期",
                        test.next_due,
                        (test.next_due - today).days,
                        True,
                        str(test.pk),
                    )
                )
    rows.sort(key=lambda r: (not r.overdue, r.days if r.days is not None else -100000, r.unit.pk))
    return rows


# ---- responsible persons ---------------------------------------------------------------------------------


def current_persons(unit: HazardUnit) -> dict[int, ResponsiblePerson]:
    """The person now in each role (role number → row)."""
    rows = ResponsiblePerson.objects.filter(unit=unit, valid_to__isnull=True).select_related("person", "task")
    return {row.role: row for row in rows}


def persons_of(user: Any, unit: HazardUnit) -> list[ResponsiblePerson]:
    return list(
        restrict(ResponsiblePerson.objects.filter(unit=unit), user)
        .select_related("person")
        .order_by("role", "-valid_from", "-id")
    )


@dataclass(frozen=True)
class RoleChecks:
    role: int
    label: str
    frequency: str
    source: str
    person: ResponsiblePerson | None
    done: int
    missed: int
    due: int


def role_checks(unit: HazardUnit) -> list[RoleChecks]:
    """Per role: the person now in it, the configured frequency with its source, and their checks since
    they took office (done, missed, still due)."""
    cfg = config.lifecycle()
    now = current_persons(unit)
    out = []
    for role in ResponsibleRole:
        person = now.get(role.value)
        counts = {"done": 0, "missed": 0, "due": 0}
        if person is not None and person.task_id is not None:
            rows = (
                TaskOccurrence.objects.filter(
                    task_id=person.task_id, window_start__date__gte=person.valid_from
                )
                .values("status")
                .annotate(n=Count("id"))
            )
            for row in rows:
                if row["status"] in counts:
                    counts[row["status"]] = row["n"]
        out.append(
            RoleChecks(
                role.value,
                rules.ROLE_LABELS[role],
                rules.check_frequency(role, cfg).label(),
                rules.frequency_source(role),
                person,
                counts[OccurrenceStatus.DONE],
                counts[OccurrenceStatus.MISSED],
                counts[OccurrenceStatus.DUE],
            )
        )
    return out


def missed_checks_by_unit(user: Any, *, since: dt.date | None = None) -> dict[int, dict[int, int]]:
    """For the regulator: missed occurrences of the responsible persons' check tasks, per unit the user
    reaches and per role (unit id → {role: missed})."""
    assignments = restrict(ResponsiblePerson.objects.filter(task__isnull=False), user).values_list(
        "unit_id", "role", "task_id"
    )
    task_unit: dict[int, tuple[int, int]] = {task: (unit, role) for unit, role, task in assignments}
    if not task_unit:
        return {}
    occurrences = TaskOccurrence.objects.filter(task_id__in=list(task_unit), status=OccurrenceStatus.MISSED)
    if since is not None:
        occurrences = occurrences.filter(window_start__date__gte=since)
    out: dict[int, dict[int, int]] = defaultdict(dict)
    for row in occurrences.values("task_id").annotate(n=Count("id")):
        unit_id, role = task_unit[row["task_id"]]
        out[unit_id][role] = out[unit_id].get(role, 0) + row["n"]
    return dict(out)
