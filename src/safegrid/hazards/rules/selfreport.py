"""The enterprise's quarterly and annual hazard self-report (隐患排查治理自查自报): periods, due dates, lateness.

16号令 art. 14 (REFERENCE §4): the enterprise reports its hazard statistics to the regulators every quarter
by the 15th of the month after the quarter ends, and for the year by 31 January; the principal signs it.
The due days are configurable defaults with their source (`rules.deadlines.Deadlines`,
`quarterly_report_day`, `annual_report_month`/`annual_report_day`, overridable through
`SAFEGRID_HAZARD_DEADLINES`). The due day itself is on time; from the next day a report is late, and a
report not submitted by then is missing (逾期未报).

A period can be reported once it has ended (its figures are complete), never before. Which enterprises
must report a period: those registered in the system by the period's last day (a partial first period
counts) and not closed, and — when the county set a start date (`SAFEGRID_SELF_REPORT_START`) — only
periods ending on or after it, so years before the system went live are never "missing".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from .deadlines import Deadlines, annual_report_due, quarterly_report_due
from .escalation import reminder_threshold

QUARTER: Final = "quarter"
YEAR: Final = "year"
KINDS: Final = (QUARTER, YEAR)
METHOD_VERSION: Final = "SELFREPORT/1"  # the figures' definition, stored with every snapshot

_KEY = re.compile(r"^(\d{4})-(Q[1-4]|Y)$")
MIN_YEAR: Final = 2000
MAX_YEAR: Final = 2100


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period: a quarter (1–4) of a year, or the year itself (quarter 0)."""

    year: int
    quarter: int  # 0 for the annual report
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if self.kind == YEAR and self.quarter != 0:
            raise ValueError("an annual period has quarter 0")
        if self.kind == QUARTER and self.quarter not in (1, 2, 3, 4):
            raise ValueError("quarter must be 1–4")
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise ValueError("year out of range")

    @property
    def start(self) -> dt.date:
        if self.kind == YEAR:
            return dt.date(self.year, 1, 1)
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        """The period's last day."""
        if self.kind == YEAR or self.quarter == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.quarter + 1, 1) - dt.timedelta(days=1)

    @property
    def months(self) -> list[dt.date]:
        """The first day of each month of the period (the keys of the statistics rollups)."""
        first = self.start.month
        count = 12 if self.kind == YEAR else 3
        return [dt.date(self.year, m, 1) for m in range(first, first + count)]

    @property
    def key(self) -> str:
        """ "2026-Q3" or "2026-Y": the value of a URL or filter parameter."""
        return f"{self.year}-Y" if self.kind == YEAR else f"{self.year}-Q{self.quarter}"

    @property
    def label(self) -> str:
        return f"{self.year}年度" if self.kind == YEAR else f"{self.year}年第{self.quarter}季度"


def quarter(year: int, number: int) -> Period:
    return Period(year, number, QUARTER)


def annual(year: int) -> Period:
    return Period(year, 0, YEAR)


def parse_period(key: str) -> Period | None:
    """The period a key names ("2026-Q3", "2026-Y"); None for anything else."""
    found = _KEY.match((key or "").strip())
    if not found:
        return None
    year = int(found.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    part = found.group(2)
    return annual(year) if part == "Y" else quarter(year, int(part[1]))


def period_of(day: dt.date, kind: str) -> Period:
    """The quarter or year that contains `day`."""
    if kind == YEAR:
        return annual(day.year)
    if kind == QUARTER:
        return quarter(day.year, (day.month - 1) // 3 + 1)
    raise ValueError(f"unknown period kind {kind!r}")


def previous(period: Period) -> Period:
    if period.kind == YEAR:
        return annual(period.year - 1)
    if period.quarter == 1:
        return quarter(period.year - 1, 4)
    return quarter(period.year, period.quarter - 1)


def last_ended(day: dt.date, kind: str) -> Period:
    """The latest period of `kind` that ended before `day` (the one being reported on `day`)."""
    return previous(period_of(day, kind))


def due_date(period: Period, config: Deadlines) -> dt.date:
    """The last day to submit the period's report (on that day it is still on time)."""
    if period.kind == YEAR:
        return annual_report_due(period.year, config)
    return quarterly_report_due(period.year, period.quarter, config)


def has_ended(period: Period, today: dt.date) -> bool:
    """Whether the period can be reported: its last day is over."""
    return period.end < today


def days_late(period: Period, submitted_on: dt.date, config: Deadlines) -> int:
    """How many days after the due date a report submitted on `submitted_on` came (0: on time)."""
    return max(0, (submitted_on - due_date(period, config)).days)


def is_overdue(period: Period, today: dt.date, config: Deadlines) -> bool:
    """Whether a report not submitted by `today` is missing (逾期未报): the due date has passed."""
    return today > due_date(period, config)


def must_report(period: Period, registered_on: dt.date, closed: bool, start: dt.date | None = None) -> bool:
    """Whether an enterprise registered on `registered_on` must report `period` (see the module text)."""
    if closed or registered_on > period.end:
        return False
    return start is None or period.end >= start


def current_periods(today: dt.date, config: Deadlines) -> list[Period]:
    """The periods an enterprise is asked about on `today`: the last ended quarter, and the last year
    while its report is not yet overdue (from 1 January until its due date), annual first."""
    found = [last_ended(today, QUARTER)]
    year = last_ended(today, YEAR)
    if not is_overdue(year, today, config):
        found.insert(0, year)
    return found


def due_periods(today: dt.date, count: int = 8) -> list[Period]:
    """The latest `count` ended quarters and the ended years among them, newest first: the choices of a
    period filter (each period's report may exist, be late or be missing)."""
    found: list[Period] = []
    q = last_ended(today, QUARTER)
    for _i in range(count):
        found.append(q)
        if q.quarter == 4:
            found.append(annual(q.year))
        q = previous(q)
    return sorted(found, key=lambda p: (p.end, p.kind == YEAR), reverse=True)


def latest_overdue(today: dt.date, kind: str, config: Deadlines) -> Period:
    """The latest period of `kind` whose due date has passed (the one a "missing" list shows first)."""
    period = last_ended(today, kind)
    while not is_overdue(period, today, config):
        period = previous(period)
    return period


def reminder_due(
    period: Period, today: dt.date, reminder_days: Sequence[int], config: Deadlines
) -> int | None:
    """Which "n days before the due date" reminder is due today for an unsubmitted report (None: none).

    Only once the period has ended (there is nothing to report before), and never after the due date
    (from then on the report is missing, not reminded)."""
    if not has_ended(period, today):
        return None
    return reminder_threshold((due_date(period, config) - today).days, reminder_days)
