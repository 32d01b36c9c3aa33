"""Table tests of the trust rules (rules/trust.py) and the checklist rules (rules/checklists.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from safegrid.hazards.rules import checklists as cl
from safegrid.hazards.rules import criteria
from safegrid.hazards.rules import trust as t

L = t.TrustLimits()  # far 300 m, batch 15 min / 2 h / 3 checks, scan valid 30 min
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def mins(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


@pytest.mark.parametrize(
    ("a", "b", "metres"),
    [
        ((36.95, 118.08), (36.95, 118.08), 0.0),
        ((36.95, 118.08), (36.951, 118.08), 111.2),  # 0.001° of latitude ≈ 111 m
        ((0.0, 0.0), (0.0, 1.0), 111_195.1),  # one degree on the equator
        ((36.95, 118.08), (36.95, 118.081), 88.9),  # a degree of longitude shrinks with cos(lat)
    ],
)
def test_distance(a: tuple[float, float], b: tuple[float, float], metres: float) -> None:
    assert t.distance_m(*a, *b) == pytest.approx(metres, abs=0.2)
    assert t.point_distance(a, b) == pytest.approx(metres, abs=0.2)


@pytest.mark.parametrize(("check", "point"), [(None, (1.0, 1.0)), ((1.0, 1.0), None), (None, None)])
def test_distance_unknown(check: tuple[float, float] | None, point: tuple[float, float] | None) -> None:
    assert t.point_distance(check, point) is None


@pytest.mark.parametrize(
    ("scanned", "distance", "presence"),
    [(True, None, t.SCANNED), (True, 5000.0, t.SCANNED), (False, 12.0, t.GPS), (False, None, t.NONE)],
)
def test_presence(scanned: bool, distance: float | None, presence: str) -> None:
    assert t.presence_of(scanned, distance) == presence


@pytest.mark.parametrize(
    ("scanned_at", "valid"),
    [
        (None, False),
        (T0, True),  # the same instant
        (T0 - mins(30), True),  # the limit itself
        (T0 - mins(30.01), False),  # past it
        (T0 + mins(1), False),  # a scan "after" the submission is not a proof
    ],
)
def test_scan_valid(scanned_at: dt.datetime | None, valid: bool) -> None:
    assert t.scan_valid(scanned_at, T0, L) is valid


@pytest.mark.parametrize(
    ("distance", "accuracy", "far"),
    [
        (None, None, False),  # no position: not flagged (presence none says it)
        (300.0, None, False),  # on the limit
        (300.1, None, True),
        (320.0, 30.0, False),  # within limit + accuracy
        (331.0, 30.0, True),
        (590.0, 5000.0, False),  # accuracy counted at most the limit: 300 + 300
        (601.0, 5000.0, True),
        (400.0, -10.0, True),  # a negative accuracy is no slack
    ],
)
def test_far(distance: float | None, accuracy: float | None, far: bool) -> None:
    assert t.is_far(distance, accuracy, L) is far


def entry(pk: int, recorded_min: float, window_hour: float) -> t.Entry:
    return t.Entry(pk, T0 + mins(recorded_min), T0 + dt.timedelta(hours=window_hour))


@pytest.mark.parametrize(
    ("entries", "ids"),
    [
        ([], ()),
        # three checks in 4 minutes covering 0:00–4:00 windows: back-filled
        ([entry(1, 0, 0), entry(2, 2, 2), entry(3, 4, 4)], (1, 2, 3)),
        # two only: not a batch
        ([entry(1, 0, 0), entry(2, 2, 4)], ()),
        # windows within 1.5 h: a normal round of nearby checkpoints
        ([entry(1, 0, 0), entry(2, 2, 0.5), entry(3, 4, 1.5)], ()),
        # exactly 2 h span: flagged (the limit counts)
        ([entry(1, 0, 0), entry(2, 2, 1), entry(3, 4, 2)], (1, 2, 3)),
        # the first was recorded 20 minutes before the latest: outside the batch
        ([entry(1, 0, 0), entry(2, 20, 2), entry(3, 22, 4)], ()),
        ([entry(9, 0, 0), entry(1, 20, 0), entry(2, 22, 2), entry(3, 24, 4)], (1, 2, 3)),
    ],
)
def test_batch(entries: list[t.Entry], ids: tuple[int, ...]) -> None:
    assert t.batch(entries, L) == ids


def test_flags_in_display_order() -> None:
    assert t.flags_of(photo_seen=True, far=True, in_batch=True) == (t.PHOTO_SEEN, t.FAR, t.BATCH)
    assert t.flags_of(photo_seen=False, far=True, in_batch=False) == (t.FAR,)
    assert t.flags_of(photo_seen=False, far=False, in_batch=False) == ()


def test_shipped_lists_are_the_reference_texts() -> None:
    hazchem = cl.HAZCHEM_LIST
    assert len(hazchem.items) == 20
    assert [i.criterion for i in hazchem.items] == [c.code for c in criteria.HAZCHEM_CRITERIA]
    assert [i.text for i in hazchem.items] == [c.text for c in criteria.HAZCHEM_CRITERIA]
    assert hazchem.sector == criteria.HAZCHEM_SECTOR
    assert [i.text for i in cl.FIRE_LIST.items][:2] == ["疏散通道、安全出口堵塞", "安全出口、疏散门锁闭"]
    assert not any(i.criterion for i in (*cl.FIRE_LIST.items, *cl.GENERAL_LIST.items))
    for shipped in cl.SHIPPED_CHECKLISTS:
        items = [cl.ItemIn(i.code, i.text, i.basis, i.criterion) for i in shipped.items]
        assert cl.item_problems(items, frozenset(c.code for c in criteria.HAZCHEM_CRITERIA)) == {}


@pytest.mark.parametrize(
    ("items", "problems"),
    [
        ([], {-1: 1}),
        ([cl.ItemIn("A", "x"), cl.ItemIn("A", "y")], {1: 1}),  # code repeated
        ([cl.ItemIn("A", "x"), cl.ItemIn("B", "x")], {1: 1}),  # text repeated
        ([cl.ItemIn("", "")], {0: 2}),
        ([cl.ItemIn("A", "x", criterion="HC-99")], {0: 1}),
        ([cl.ItemIn("A", "x" * 501)], {0: 1}),
        ([cl.ItemIn("A", "x", criterion="HC-01")], {}),
    ],
)
def test_item_problems(items: list[cl.ItemIn], problems: dict[int, int]) -> None:
    found = cl.item_problems(items, frozenset({"HC-01"}))
    assert {k: len(v) for k, v in found.items()} == problems


@pytest.mark.parametrize(
    ("items", "mapping", "codes"),
    [
        ({"a": False, "b": True}, {"a": "HC-02", "b": "HC-03"}, ("HC-02",)),
        ({"a": True, "b": True}, {"a": "HC-02"}, ()),
        ({"a": False, "c": False}, {"a": "HC-02", "c": "HC-02"}, ("HC-02",)),  # once
        ({"x": False}, {}, ()),  # a failed item that is no criterion
    ],
)
def test_failed_criteria(items: dict[str, bool], mapping: dict[str, str], codes: tuple[str, ...]) -> None:
    assert cl.failed_criteria(items, mapping) == codes
