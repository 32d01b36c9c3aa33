import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from safegrid.jobs import rules

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("attempt", "base", "cap", "expected"),
    [(1, 30, 3600, 30), (2, 30, 3600, 60), (3, 30, 3600, 120), (8, 30, 3600, 3600), (1, 0, 3600, 0)],
)
def test_retry_delay_doubles_up_to_the_cap(attempt, base, cap, expected):
    assert rules.retry_delay(attempt, base_seconds=base, cap_seconds=cap) == expected


def test_retry_delay_counts_from_one():
    with pytest.raises(ValueError):
        rules.retry_delay(0, base_seconds=30)


@pytest.mark.parametrize(
    ("attempts", "max_attempts", "permanent", "retry", "delay"),
    [
        (1, 3, False, True, 10),
        (2, 3, False, True, 20),
        (3, 3, False, False, 0),
        (1, 1, False, False, 0),
        (1, 3, True, False, 0),
    ],
)
def test_after_failure(attempts, max_attempts, permanent, retry, delay):
    decision = rules.after_failure(attempts, max_attempts, base_seconds=10, permanent=permanent)
    assert (decision.retry, decision.delay) == (retry, delay)


@pytest.mark.parametrize(
    ("age", "expired"), [(None, True), (0, False), (120, False), (121, True), (3600, True)]
)
def test_lease_expired(age, expired):
    now = dt.datetime(2025, 3, 1, 12, 0, tzinfo=TZ)
    heartbeat = None if age is None else now - dt.timedelta(seconds=age)
    assert rules.lease_expired(heartbeat, now, 120) is expired


@pytest.mark.parametrize(
    ("cron", "now", "slot"),
    [
        # Daily at 02:15: before today's slot it is yesterday's; at the slot itself it is today's.
        ("15 2 * * *", dt.datetime(2025, 3, 2, 2, 14, 59), dt.datetime(2025, 3, 1, 2, 15)),
        ("15 2 * * *", dt.datetime(2025, 3, 2, 2, 15, 0), dt.datetime(2025, 3, 2, 2, 15)),
        ("15 2 * * *", dt.datetime(2025, 3, 2, 2, 15, 0, 500000), dt.datetime(2025, 3, 2, 2, 15)),
        # Three days of downtime: only the latest missed slot is due, not three.
        ("15 2 * * *", dt.datetime(2025, 3, 5, 9, 0), dt.datetime(2025, 3, 5, 2, 15)),
        ("0 6 * * 1", dt.datetime(2025, 3, 5, 9, 0), dt.datetime(2025, 3, 3, 6, 0)),  # Mondays
        ("*/5 * * * *", dt.datetime(2025, 3, 5, 9, 7, 30), dt.datetime(2025, 3, 5, 9, 5)),
    ],
)
def test_latest_slot_in_county_time(cron, now, slot):
    assert rules.latest_slot(cron, now.replace(tzinfo=TZ)) == slot.replace(tzinfo=TZ)


def test_latest_slot_needs_an_aware_time():
    with pytest.raises(ValueError):
        rules.latest_slot("* * * * *", dt.datetime(2025, 3, 5, 9, 0))


def test_next_slot_and_validity():
    assert rules.next_slot("15 2 * * *", dt.datetime(2025, 3, 2, 2, 15, tzinfo=TZ)) == dt.datetime(
        2025, 3, 3, 2, 15, tzinfo=TZ
    )
    assert rules.valid_cron("15 2 * * *")
    assert not rules.valid_cron("every day")
