from __future__ import annotations

import datetime as dt

import pytest

from safegrid.monitoring.rules.ingest import Reject, SequenceSpan, Window, check, check_raw, parse_ts

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
WINDOW = Window(future=dt.timedelta(minutes=5), retention=dt.timedelta(days=30))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0, dt.datetime(1970, 1, 1, tzinfo=UTC)),
        (1_796_212_800_000, dt.datetime(2026, 12, 2, 12, 0, tzinfo=UTC)),
        (1_796_212_800_123, dt.datetime(2026, 12, 2, 12, 0, 0, 123000, tzinfo=UTC)),
        (253_402_300_799_999, dt.datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)),
        (253_402_300_800_000, None),  # past year 9999
        (-1, None),
        (True, None),  # a JSON boolean is not a time
        ("2026-12-02T12:00:00Z", dt.datetime(2026, 12, 2, 12, 0, tzinfo=UTC)),
        ("2026-12-02t12:00:00z", dt.datetime(2026, 12, 2, 12, 0, tzinfo=UTC)),
        ("2026-12-02T20:00:00+08:00", dt.datetime(2026, 12, 2, 12, 0, tzinfo=UTC)),
        ("2026-12-02 20:00:00.250+08:00", dt.datetime(2026, 12, 2, 12, 0, 0, 250000, tzinfo=UTC)),
        ("2026-12-02T12:00:00", None),  # no offset: refused, not guessed
        ("2026-12-02", None),
        ("2026-12-02T25:00:00Z", None),
        ("yesterday noon, roughly", None),
        ("", None),
    ],
)
def test_parse_ts(raw, expected):
    assert parse_ts(raw) == expected


@pytest.mark.parametrize(
    ("ts", "value", "expected"),
    [
        (NOW, 1.0, None),
        (NOW + dt.timedelta(minutes=5), 1.0, None),  # exactly the allowed lead
        (NOW + dt.timedelta(minutes=5, milliseconds=1), 1.0, Reject.FUTURE),
        (NOW - dt.timedelta(days=30), 1.0, None),  # exactly the retention
        (NOW - dt.timedelta(days=30, milliseconds=1), 1.0, Reject.TOO_OLD),
        (NOW, float("nan"), Reject.NON_FINITE),
        (NOW, float("inf"), Reject.NON_FINITE),
        (NOW, float("-inf"), Reject.NON_FINITE),
        (NOW + dt.timedelta(days=1), float("nan"), Reject.NON_FINITE),  # the value is checked first
        (NOW, -1e308, None),
    ],
)
def test_check(ts, value, expected):
    assert check(ts, value, now=NOW, window=WINDOW) is expected


def test_check_raw_parses_then_checks():
    assert check_raw("2026-12-02T12:00:00Z", 2.0, now=NOW, window=WINDOW) == NOW
    assert check_raw("2026-12-02T12:00:00", 2.0, now=NOW, window=WINDOW) is Reject.BAD_TIMESTAMP
    assert check_raw(1_796_212_800_000 + 300_001, 2.0, now=NOW, window=WINDOW) is Reject.FUTURE


@pytest.mark.parametrize(
    ("a", "b", "gaps"),
    [
        (SequenceSpan(1, 10, 10), SequenceSpan(11, 20, 10), 0),
        (SequenceSpan(1, 10, 5), SequenceSpan(2, 9, 5), 0),  # two processes, interleaved numbers
        (SequenceSpan(1, 10, 9), SequenceSpan(12, 12, 1), 2),  # 11 and one before 10 lost
        (SequenceSpan(5, 5, 2), SequenceSpan(5, 5, 1), 0),  # a redelivery counted twice is not a gain
    ],
)
def test_sequence_spans_add_up_across_processes(a, b, gaps):
    assert a.merge(b).gaps == gaps == b.merge(a).gaps


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        (dt.timedelta(0), "raw"),
        (dt.timedelta(hours=6), "raw"),
        (dt.timedelta(hours=6, seconds=1), "1m"),
        (dt.timedelta(days=3), "1m"),
        (dt.timedelta(days=3, seconds=1), "1h"),
        (dt.timedelta(days=400), "1h"),
    ],
)
def test_series_resolution(span, expected):
    from safegrid.monitoring.rules.ingest import series_resolution

    assert series_resolution(span) == expected


@pytest.mark.parametrize(
    "now",
    [
        NOW,
        NOW + dt.timedelta(microseconds=1),
        NOW + dt.timedelta(microseconds=999),
        NOW - dt.timedelta(microseconds=500),
    ],
)
def test_the_integer_window_agrees_with_check_at_its_edges(now):
    from safegrid.monitoring.rules.ingest import EPOCH, accept_window_ms

    low, high = accept_window_ms(now, WINDOW)
    for ms_value, inside in ((low - 1, False), (low, True), (high, True), (high + 1, False)):
        ts = EPOCH + dt.timedelta(milliseconds=ms_value)
        assert (check(ts, 1.0, now=now, window=WINDOW) is None) is inside, (ms_value, low, high)


def test_epoch_ms_round_trips():
    from safegrid.monitoring.rules.ingest import epoch_ms

    assert epoch_ms(NOW) == 1_796_212_800_000
    assert parse_ts(epoch_ms(NOW + dt.timedelta(milliseconds=7))) == NOW + dt.timedelta(milliseconds=7)
