"""The county's work calendar (节假日和调休): reads, writes and the Excel sheet of a year.

- `calendar_between(first, last)`: the `rules.inspection.WorkCalendar` of a span of days, in ONE query —
  task generation, the missed-occurrence job and the withdrawal below build it once per run, never per task.
- `calendar_day_add` / `calendar_day_remove` / `calendar_import` (a year's days replaced whole from a
  sheet with the columns 日期, 类型, 名称): county admin only, atomic, audited.
- A change to a day whose occurrences are already generated (today, or an earlier day whose windows are
  still open) takes effect at once: the due occurrences of tasks that no longer have that day
  (working-day tasks on a new holiday, non-working-day tasks on a new 调休 day) are withdrawn — deleted and
  taken out of the rollups, one audit entry — and when today gains a day for some tasks (a holiday
  removed, a 调休 day entered) the day's generation is queued again (it adds only what is missing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from safegrid import jobs
from safegrid.core import audit, excel
from safegrid.core.audit import Actor
from safegrid.core.choices import AuditAction
from safegrid.core.models import User
from safegrid.core.scoping import restrict
from safegrid.core.services import authorize

from . import permissions, rollups
from .choices import OccurrenceStatus
from .models import CalendarDay, TaskOccurrence
from .models_calendar import CalendarDayKind
from .models_stats import InspectionMonthStat
from .rules import inspection, stats

FIELDS = ("date", "kind", "name")


# ---- reads ------------------------------------------------------------------------------------------


def calendar_between(first: dt.date, last: dt.date) -> inspection.WorkCalendar:
    """The county's calendar for the days `first`..`last` (inclusive): one query."""
    holidays: set[dt.date] = set()
    worked: set[dt.date] = set()
    for day, kind in CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "kind"):
        (holidays if kind == CalendarDayKind.HOLIDAY else worked).add(day)
    return inspection.WorkCalendar(frozenset(holidays), frozenset(worked))


def calendar_days(user: Any) -> QuerySet[CalendarDay]:
    """Every calendar day (county-wide, read by everyone signed in), through the scoping door."""
    return restrict(CalendarDay.objects.all(), user)


def calendar_years(user: Any) -> list[int]:
    """The years with entered days, plus this year and the next (the ones a county prepares)."""
    this = timezone.localdate().year
    years = {d.year for d in calendar_days(user).dates("date", "year")}
    return sorted(years | {this, this + 1}, reverse=True)


# ---- generated occurrences follow a change ---------------------------------------------------------


def _day_range(day: dt.date) -> Q:
    tz = ZoneInfo(settings.TIME_ZONE)
    begin = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    return Q(window_start__gte=begin, window_start__lt=begin + dt.timedelta(days=1))


def withdraw_off_days(
    rows: Sequence[tuple[int, int, dt.datetime, str, int]], cal: inspection.WorkCalendar
) -> int:
    """Delete the due occurrences (id, enterprise, window start, unit, work-day type) whose day the calendar
    no longer gives their task; take them out of the rollups. Inside the caller's transaction."""
    off = [
        (pk, ent, start)
        for pk, ent, start, unit, work_day_type in rows
        if inspection.follows_calendar(unit, work_day_type)
        and not inspection.day_counts(work_day_type, timezone.localdate(start), cal)
    ]
    if not off:
        return 0
    ids = [pk for pk, _ent, _start in off]
    for first in range(0, len(ids), 5000):
        TaskOccurrence.objects.filter(pk__in=ids[first : first + 5000], status=OccurrenceStatus.DUE).delete()
    deltas: dict[tuple[Any, ...], dict[str, int]] = {}
    for _pk, ent, window_start in off:
        key = (ent, stats.month_of(timezone.localdate(window_start)))
        deltas.setdefault(key, {"pending": 0})["pending"] -= 1
    rollups.add_counts(InspectionMonthStat, ("enterprise_id", "month"), deltas)
    return len(off)


def due_rows(due: QuerySet[TaskOccurrence]) -> list[tuple[int, int, dt.datetime, str, int]]:
    """The rows `withdraw_off_days` needs, locked (only tasks the calendar decides)."""
    return list(
        due.filter(
            task__cycle_unit__in=(inspection.HOUR, inspection.DAY),
            task__one_off=False,
        )
        .exclude(task__work_day_type=inspection.EVERY_DAY)
        .select_for_update(of=("self",))
        .order_by()
        .values_list("id", "enterprise_id", "window_start", "task__cycle_unit", "task__work_day_type")
    )


def _follow_change(actor: Actor, days: Iterable[dt.date]) -> int:
    """Withdraw generated due occurrences the changed days no longer have; queue today's generation again."""
    changed = sorted(set(days))
    today = timezone.localdate()
    past = [d for d in changed if d <= today]
    withdrawn = 0
    if past:
        query = Q()
        for day in past:
            query |= _day_range(day)
        due = TaskOccurrence.objects.filter(query, status=OccurrenceStatus.DUE)
        withdrawn = withdraw_off_days(due_rows(due), calendar_between(past[0], past[-1]))
        if withdrawn:
            audit.record(
                actor=actor,
                action=AuditAction.DELETE,
                object_type="hazards.taskoccurrence",
                before={"withdrawn": withdrawn, "days": [d.isoformat() for d in past]},
                comment=_("工作日历变更：撤回当天不再安排的排查任务"),
            )
    if today in changed:
        jobs.enqueue(
            "hazards.inspection_generate",
            title=_("工作日历变更后重新生成今日排查任务"),
            actor=actor,
            args={"day": today.isoformat()},
        )
    return withdrawn


# ---- writes -----------------------------------------------------------------------------------------


def _authorize(actor: Actor) -> None:
    authorize(actor, permissions.can_edit_calendar, _("只有县级管理员可以维护工作日历"))


def _snapshot(row: CalendarDay) -> dict[str, Any]:
    return {"date": row.date, "kind": row.kind, "name": row.name}


def calendar_day_add(*, actor: Actor, date: dt.date, kind: str, name: str) -> CalendarDay:
    """Enter one day (a statutory holiday or a worked weekend day); a day already entered is refused."""
    _authorize(actor)
    row = CalendarDay(
        date=date, kind=kind, name=(name or "").strip(), created_by=actor if isinstance(actor, User) else None
    )
    errors: dict[str, list[str]] = {}
    try:
        row.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        errors = {k: list(v) for k, v in exc.message_dict.items()}
    if "date" in errors and CalendarDay.objects.filter(date=date).exists():
        errors["date"] = [_("该日期已录入；如需更改，请先删除")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row.save(force_insert=True)
        audit.record(
            actor=actor, action=AuditAction.CREATE, obj=row, after=_snapshot(row), comment=_("录入工作日历")
        )
        _follow_change(actor, [date])
    return row


def calendar_day_remove(*, actor: Actor, day: CalendarDay) -> None:
    _authorize(actor)
    with transaction.atomic():
        before = _snapshot(day)
        audit.record(
            actor=actor, action=AuditAction.DELETE, obj=day, before=before, comment=_("删除工作日历")
        )
        CalendarDay.objects.filter(pk=day.pk).delete()
        _follow_change(actor, [day.date])


# ---- Excel: a year's days, the same columns both ways ----------------------------------------------

SHEET = excel.SheetSpec(
    "工作日历",
    (
        excel.Column("date", "日期", kind=excel.Kind.DATE, required=True, width=14),
        excel.Column(
            "kind",
            "类型",
            kind=excel.Kind.CHOICE,
            required=True,
            width=20,
            choices=CalendarDayKind.choices,
            note="法定节假日（放假）或 调休上班",
        ),
        excel.Column("name", "名称", required=True, width=16, max_length=30, note="如：春节、国庆节"),
    ),
    max_rows=120,
)


def calendar_export(year: int) -> bytes:
    """The year's days as a workbook that imports back unchanged (an empty year gives the template)."""
    rows = [
        {"date": d.date, "kind": d.kind, "name": d.name}
        for d in CalendarDay.objects.filter(date__year=year).order_by("date")
    ]
    return excel.build_workbook(
        [
            excel.SheetData(
                SHEET,
                rows=rows,
                example=None
                if rows
                else {"date": dt.date(year, 1, 1), "kind": CalendarDayKind.HOLIDAY, "name": "元旦"},
            )
        ],
        help_text=excel.HelpText(
            pairs=[("年度", str(year))],
            lines=[
                "按国务院办公厅当年发布的《关于某年部分节假日安排的通知》逐日填写：放假的日期（含周末）和调休上班的周末日期。",
                "每行一天；日期须在本年度内，不能重复。导入时整表替换该年度已录入的全部日期。",
            ],
        ),
    )


class _Silent:
    def progress(self, done: int, total: int, message: str = "") -> None:
        return None


@dataclass
class _YearImporter:
    year: int
    save: Callable[[list[dict[str, Any]]], int]

    @property
    def sheets(self) -> Sequence[excel.SheetSpec]:
        return (SHEET,)

    def check(
        self,
        rows: Mapping[str, Sequence[excel.Row]],
        errors: list[excel.RowError],
        on_row: Callable[[int], None],
    ) -> list[dict[str, Any]]:
        plan: list[dict[str, Any]] = []
        seen: dict[Any, int] = {}
        for done, row in enumerate(rows[SHEET.name], start=1):
            c = excel.RowChecker(SHEET, row, errors)
            values = c.values(*FIELDS)
            if values["date"] is not None:
                c.duplicate("date", values["date"], seen)
                if values["date"].year != self.year:
                    c.error("date", _("日期不在 %(year)s 年内") % {"year": self.year})
            if not c.failed:
                plan.append(values)
            on_row(done)
        return plan

    def write(self, plan: list[dict[str, Any]], on_rows: Callable[[int], None]) -> int:
        count = self.save(plan)
        on_rows(count)
        return count


def calendar_import(*, actor: Actor, year: int, content: bytes, file_name: str) -> excel.ImportResult:
    """Replace the year's days with the sheet's, all or nothing (checked whole first); audited."""
    _authorize(actor)
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": [_("年度无效")]})

    def save(plan: list[dict[str, Any]]) -> int:
        old = {d.date: d for d in CalendarDay.objects.filter(date__year=year)}
        new = {v["date"]: v for v in plan}
        changed = {d for d in old if d not in new} | {
            d for d, v in new.items() if d not in old or (old[d].kind, old[d].name) != (v["kind"], v["name"])
        }
        CalendarDay.objects.filter(date__year=year).delete()
        user = actor if isinstance(actor, User) else None
        rows = [CalendarDay(date=v["date"], kind=v["kind"], name=v["name"], created_by=user) for v in plan]
        for row in rows:
            row.full_clean(exclude=["created_by", "date"])
        CalendarDay.objects.bulk_create(rows)
        audit.record(
            actor=actor,
            action=AuditAction.IMPORT,
            object_type="hazards.calendarday",
            before={"year": year, "days": [_snapshot(d) for d in sorted(old.values(), key=lambda d: d.date)]},
            after={
                "year": year,
                "file": file_name,
                "sha256": hashlib.sha256(content).hexdigest(),
                "days": [_snapshot(r) for r in rows],
            },
            comment=_("导入工作日历"),
        )
        _follow_change(actor, changed)
        return len(rows)

    return excel.run_import(_Silent(), _YearImporter(year, save), content, first_sheet_fallback=True)
