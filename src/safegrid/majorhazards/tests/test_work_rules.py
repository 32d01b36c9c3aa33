"""Table tests of the special-work and commitment rules (GB 30871-2022, REFERENCE §5), boundaries included."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from safegrid.majorhazards.rules import work as rules
from safegrid.majorhazards.rules.work import Analysis, Interval, Pause, WorkCounts, WorkLimits

TZ = ZoneInfo("Asia/Shanghai")
LIMITS = WorkLimits()
T0 = dt.datetime(2026, 5, 6, 8, 0, tzinfo=TZ)
HOME = (36.95, 118.08)


def problems(work_type="hot", grade="1", hours=None, minutes=0, lat=None, lon=None, home=HOME, limits=LIMITS):
    end = T0 + dt.timedelta(hours=hours or 0, minutes=minutes) if hours is not None or minutes else None
    return rules.filing_problems(
        work_type=work_type, grade=grade, start=T0, end=end, lat=lat, lon=lon, home=home, limits=limits
    )


@pytest.mark.parametrize(
    ("work_type", "grade", "ok"),
    [
        ("hot", "special", True),
        ("hot", "1", True),
        ("hot", "2", True),
        ("hot", "3", False),
        ("hot", "", False),
        ("confined", "", True),
        ("confined", "1", False),
        ("height", "1", True),
        ("height", "4", True),
        ("height", "special", False),
        ("lifting", "3", True),
        ("lifting", "4", False),
        ("blind_plate", "", True),
        ("temp_power", "", True),
        ("excavation", "", True),
        ("road_closure", "", True),
        ("road_closure", "2", False),
        ("welding", "", False),
    ],
)
def test_type_grade_table(work_type, grade, ok):
    found = problems(work_type, grade, hours=1)
    assert (not found) is ok, found


def test_eight_types_each_with_grades():
    assert len(rules.GRADES) == 8
    assert rules.GRADES[rules.WorkType.HOT] == (
        rules.WorkGrade.SPECIAL,
        rules.WorkGrade.ONE,
        rules.WorkGrade.TWO,
    )


@pytest.mark.parametrize(
    ("grade", "hours", "minutes", "ok"),
    [
        ("special", 8, 0, True),
        ("special", 8, 1, False),
        ("1", 8, 0, True),
        ("1", 8, 1, False),
        ("2", 72, 0, True),
        ("2", 72, 1, False),
        ("2", 9, 0, True),
    ],
)
def test_hot_work_validity(grade, hours, minutes, ok):
    found = problems("hot", grade, hours=hours, minutes=minutes)
    assert ("end" not in found) is ok
    if not ok:
        assert "不应超过" in found["end"]


def test_other_types_have_no_length_limit_here():
    assert problems("height", "2", hours=200) == {}


@pytest.mark.parametrize(("hours", "minutes"), [(0, 0), (-1, 0)])
def test_end_after_start(hours, minutes):
    found = rules.filing_problems(
        work_type="hot",
        grade="1",
        start=T0,
        end=T0 + dt.timedelta(hours=hours),
        lat=None,
        lon=None,
        home=None,
        limits=LIMITS,
    )
    assert found == {"end": rules.END_BEFORE_START}


def test_configured_limit():
    limits = rules.limits_from({"hot_one_hours": 4})
    assert "end" in problems("hot", "1", hours=4, minutes=1, limits=limits)
    assert problems("hot", "1", hours=4, limits=limits) == {}


def test_limits_refuse_unknown_and_negative():
    with pytest.raises(ValueError):
        rules.limits_from({"hot_three_hours": 1})
    with pytest.raises(ValueError):
        rules.limits_from({"pause_reanalysis_minutes": -1})
    with pytest.raises(ValueError):
        rules.limits_from({"commitment_deadline": "ten"})


@pytest.mark.parametrize(
    ("lat", "lon", "field"),
    [
        (36.951, None, "longitude"),
        (None, 118.08, "latitude"),
        (91.0, 118.08, "latitude"),
        (36.95, 181.0, "latitude"),
        (37.5, 118.08, "latitude"),  # about 61 km from the enterprise
    ],
)
def test_place_out_of_range(lat, lon, field):
    assert field in problems(hours=1, lat=lat, lon=lon)


def test_place_near_enterprise_and_no_home():
    assert problems(hours=1, lat=36.96, lon=118.09) == {}
    assert problems(hours=1, lat=37.5, lon=118.08, home=None) == {}


@pytest.mark.parametrize(
    ("work_type", "grade", "high"),
    [
        ("hot", "special", True),
        ("hot", "1", True),
        ("hot", "2", False),
        ("confined", "", True),
        ("height", "4", False),
    ],
)
def test_high_risk(work_type, grade, high):
    assert rules.is_high_risk(work_type, grade) is high


# ---- gas analysis ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("analyses", "problem"),
    [
        ([], rules.NEEDS_ANALYSIS),
        ([Analysis(T0 - dt.timedelta(minutes=30), True)], None),
        ([Analysis(T0 - dt.timedelta(minutes=31), True)], rules.NEEDS_ANALYSIS),
        ([Analysis(T0 - dt.timedelta(minutes=5), False)], rules.LAST_UNQUALIFIED),
        ([Analysis(T0 - dt.timedelta(minutes=9), False), Analysis(T0 - dt.timedelta(minutes=2), True)], None),
        ([Analysis(T0 + dt.timedelta(minutes=1), True)], rules.NEEDS_ANALYSIS),  # not taken yet
    ],
)
def test_start_needs_recent_qualified_analysis(analyses, problem):
    found = rules.start_problem("hot", analyses, T0, LIMITS)
    if problem is None:
        assert found is None
    else:
        assert found is not None and found.startswith(problem.split("%")[0])


def test_start_without_analysis_for_other_types():
    assert rules.start_problem("height", [], T0, LIMITS) is None


PAUSE = Pause(T0)


@pytest.mark.parametrize(
    ("paused_minutes", "analyses", "may"),
    [
        (30, [], True),  # exactly 30 min: no new analysis needed
        (31, [], False),  # 31 min: needs one
        (31, [Analysis(T0 - dt.timedelta(minutes=40), True)], False),  # before the pause: does not count
        (31, [Analysis(T0 + dt.timedelta(minutes=25), True)], True),  # during the pause, qualified
        (31, [Analysis(T0 + dt.timedelta(minutes=25), False)], False),
        (
            45,
            [Analysis(T0 + dt.timedelta(minutes=20), False), Analysis(T0 + dt.timedelta(minutes=40), True)],
            True,
        ),
        (10, [Analysis(T0 + dt.timedelta(minutes=5), False)], False),  # a failed analysis stops any resume
        (31, [Analysis(T0 + dt.timedelta(minutes=35), True)], False),  # taken after the resume time
    ],
)
def test_resume_after_pause(paused_minutes, analyses, may):
    now = T0 + dt.timedelta(minutes=paused_minutes)
    assert rules.may_resume("confined", PAUSE, analyses, now, LIMITS) is may


def test_resume_other_types_never_analysed():
    assert rules.may_resume("lifting", PAUSE, [], T0 + dt.timedelta(hours=3), LIMITS)


def test_resume_message_names_minutes():
    text = rules.resume_problem("hot", PAUSE, [], T0 + dt.timedelta(minutes=31), LIMITS)
    assert text is not None and "31 分钟" in text and "30 分钟" in text


# ---- the commitment's counts -------------------------------------------------------------------------------

DAY = dt.date(2026, 5, 6)


def at(day_offset, hour, minute=0):
    return dt.datetime.combine(DAY + dt.timedelta(days=day_offset), dt.time(hour, minute), TZ)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (at(0, 23), at(1, 2), {DAY, DAY + dt.timedelta(days=1)}),  # 23:00 → 02:00: both days
        (at(0, 8), at(0, 16), {DAY}),
        (at(-1, 20), at(0, 0), {DAY - dt.timedelta(days=1)}),  # ends exactly at midnight: not the next day
        (at(0, 0), at(0, 1), {DAY}),
        (at(-1, 22), at(1, 1), {DAY - dt.timedelta(days=1), DAY, DAY + dt.timedelta(days=1)}),
    ],
)
def test_a_filing_counts_on_each_day_it_touches(start, end, days):
    interval = Interval("hot", "1", start, end)
    counted = {
        d for d in (DAY + dt.timedelta(days=n) for n in range(-2, 3)) if rules.touches(interval, d, TZ)
    }
    assert counted == days


def test_counts_are_in_county_time():
    # 16:30 UTC on the 5th is 00:30 on the 6th in the county
    utc = ZoneInfo("UTC")
    interval = Interval(
        "confined",
        "",
        dt.datetime(2026, 5, 5, 16, 30, tzinfo=utc),
        dt.datetime(2026, 5, 5, 17, 0, tzinfo=utc),
    )
    assert rules.day_counts([interval], DAY, TZ).confined_space == 1
    assert rules.day_counts([interval], DAY - dt.timedelta(days=1), TZ).confined_space == 0


def test_day_counts_by_kind():
    intervals = [
        Interval("hot", "special", at(0, 8), at(0, 10)),
        Interval("hot", "1", at(0, 8), at(0, 10)),
        Interval("hot", "1", at(0, 23), at(1, 2)),
        Interval("hot", "2", at(0, 9), at(2, 9)),
        Interval("confined", "", at(0, 9), at(0, 10)),
        Interval("height", "2", at(0, 9), at(0, 10)),
        Interval("lifting", "1", at(0, 9), at(0, 10)),
        Interval("hot", "1", at(1, 8), at(1, 9)),  # another day
    ]
    assert rules.day_counts(intervals, DAY, TZ) == WorkCounts(1, 2, 1, 1, 2)


def test_count_differences_names_fields():
    derived = WorkCounts(0, 1, 0, 1, 0)
    entered = {"hot_special": 0, "hot_one": 2, "hot_two": 0, "confined_space": 0, "other_special": 0}
    assert rules.count_differences(derived, entered) == ["hot_one", "confined_space"]
    assert rules.count_differences(derived, derived.as_dict()) == []
    text = rules.difference_text(derived, entered, ["hot_one"])
    assert text == "一级动火作业（填报 2，报备 1）"


@pytest.mark.parametrize(
    ("units", "ok"), [((3, 3, 0, 0), True), ((3, 1, 1, 1), True), ((3, 2, 0, 0), False), ((0, 0, 0, 0), True)]
)
def test_units_add_up(units, ok):
    assert (rules.units_problem(*units) is None) is ok


@pytest.mark.parametrize(
    ("posted", "late"),
    [
        (dt.datetime(2026, 5, 6, 10, 0), False),
        (dt.datetime(2026, 5, 6, 10, 0, 1), True),
        (dt.datetime(2026, 5, 6, 7, 0), False),
        (dt.datetime(2026, 5, 7, 8, 0), True),  # posted the next day
    ],
)
def test_late_against_deadline(posted, late):
    assert rules.is_late(posted.replace(tzinfo=TZ), DAY, dt.time(10, 0)) is late
