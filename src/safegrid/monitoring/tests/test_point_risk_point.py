"""A monitoring point tied to the risk point (风险分析单元) it sits in: a shutdown (停用检修) of that risk point
pauses its alarms as a whole-enterprise shutdown does; the risk point must be of the point's enterprise
(service, form, API and Excel import all refuse another's)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from safegrid.core import tokens
from safegrid.core.testing import SYSTEM
from safegrid.hazards.models import ShutdownRecord
from safegrid.monitoring.alarm_engine import AlarmEngine, pauses
from safegrid.monitoring.models import Alarm, MonitoringPoint
from safegrid.monitoring.rules.shutdowns import is_shut_down, shutdown_scopes
from safegrid.monitoring.services import points as services
from safegrid.monitoring.services import points_import as importing
from safegrid.risks.models import RiskPoint

from .alarm_helpers import make_point, reading
from .test_points_import import _edit, _run

pytestmark = pytest.mark.django_db
AT = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def _risk_point(enterprise, code="FXD-001", name="甲醇储罐区"):
    return RiskPoint.objects.create(enterprise=enterprise, code=code, name=name, type="facility")


def _shutdown(enterprise, risk_point=None, *, start=AT - HOUR, end=None):
    return ShutdownRecord.objects.create(
        enterprise=enterprise, risk_point=risk_point, start=start, end=end, reason="检修", recorded_at=start
    )


# ---- the pure rule ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "enterprise_id", "risk_point_id", "shut"),
    [
        ([], 1, 10, False),
        ([(1, None)], 1, None, True),  # the whole enterprise
        ([(1, None)], 1, 10, True),
        ([(1, 10)], 1, 10, True),  # its own risk point
        ([(1, 11)], 1, 10, False),  # another risk point
        ([(1, 10)], 1, None, False),  # a point in no risk point
        ([(2, None)], 1, 10, False),  # another enterprise
    ],
)
def test_shutdown_rule(rows, enterprise_id, risk_point_id, shut):
    scopes = shutdown_scopes(rows)
    assert is_shut_down(scopes, enterprise_id=enterprise_id, risk_point_id=risk_point_id) is shut


# ---- the engine's pauses with a controllable clock -------------------------------------------------------

CASES = [
    # (shutdown of: "own" risk point / "other" risk point / "enterprise", start, end, at) → paused
    ("own", AT - HOUR, None, AT, True),
    ("own", AT - HOUR, AT + HOUR, AT, True),
    ("own", AT - 2 * HOUR, AT - HOUR, AT, False),  # ended
    ("own", AT + HOUR, None, AT, False),  # not begun
    ("own", AT - HOUR, AT, AT, False),  # ends exactly now
    ("other", AT - HOUR, None, AT, False),
    ("enterprise", AT - HOUR, None, AT, True),
]


@pytest.mark.parametrize(("which", "start", "end", "at", "paused"), CASES)
def test_pause_of_a_risk_point_shutdown(world, which, start, end, at, paused):
    own = _risk_point(world.ent_a)
    other = _risk_point(world.ent_a, "FXD-002", "液氯储罐区")
    point = make_point(world.ent_a, risk_point=own)
    free = make_point(world.ent_a, "T102-LT-01")  # in no risk point
    target = {"own": own, "other": other, "enterprise": None}[which]
    _shutdown(world.ent_a, target, start=start, end=end)
    found = pauses([point, free], at)
    assert found[point.pk].shutdown is paused
    assert found[free.pk].shutdown is (paused and which == "enterprise")


def test_pauses_read_all_shutdowns_in_one_query(world, django_assert_num_queries):
    points = []
    for n in range(5):
        rp = _risk_point(world.ent_a, f"FXD-{n:03d}", f"风险点{n}")
        points.append(make_point(world.ent_a, f"P-{n}", risk_point=rp))
        _shutdown(world.ent_a, rp)
    points.append(make_point(world.ent_b, "B-1"))
    with django_assert_num_queries(2):  # the shutdowns, the bypasses
        found = pauses(points, AT)
    assert [found[p.pk].shutdown for p in points] == [True] * 5 + [False]


def test_engine_raises_nothing_while_the_risk_point_is_shut_down(world):
    rp = _risk_point(world.ent_a)
    point = make_point(world.ent_a, risk_point=rp)
    other = make_point(world.ent_a, "T102-LT-01")
    _shutdown(world.ent_a, rp, start=timezone.now() - HOUR)
    AlarmEngine(refresh_s=3600).process([reading(point, 0, 9.5), reading(other, 0, 9.5)])
    assert list(Alarm.objects.values_list("point_id", flat=True)) == [other.pk]


# ---- writing the link ------------------------------------------------------------------------------------


def _create(world, **extra):
    data = {"code": "T101-LT-01", "name": "液位", "kind": "flow", **extra}
    return services.point_create(actor=world.user("ent_a"), enterprise=world.ent_a, data=data)


def test_risk_point_must_be_of_the_enterprise(world):
    mine, theirs = _risk_point(world.ent_a), _risk_point(world.ent_b)
    with pytest.raises(ValidationError) as exc:
        _create(world, risk_point=theirs)
    assert "风险分析单元须属于本企业" in exc.value.message_dict["risk_point"][0]
    point = _create(world, risk_point=mine)
    assert point.risk_point == mine
    with pytest.raises(ValidationError) as exc:
        services.point_update(actor=world.user("ent_a"), point=point, data={"risk_point": theirs})
    assert "risk_point" in exc.value.message_dict
    point.refresh_from_db()
    assert point.risk_point == mine


def test_api_create_with_a_risk_point(client, world):
    mine, theirs = _risk_point(world.ent_a), _risk_point(world.ent_b)
    raw, _ = tokens.token_issue(actor=SYSTEM, user=world.user("ent_a"), name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    body = {"enterprise": world.ent_a.pk, "code": "A-1", "name": "流量", "kind": "flow"}
    bad = client.post(
        "/api/v1/monitoring/points",
        {**body, "risk_point": theirs.pk},
        content_type="application/json",
        **headers,
    )
    assert bad.status_code == 422 and "risk_point" in bad.json()["error"]["fields"]
    good = client.post(
        "/api/v1/monitoring/points",
        {**body, "risk_point": mine.pk},
        content_type="application/json",
        **headers,
    )
    assert good.status_code == 201, good.content
    assert good.json()["risk_point_id"] == mine.pk
    listed = client.get(f"/api/v1/monitoring/points?risk_point={mine.pk}", **headers).json()
    assert [p["code"] for p in listed["items"]] == ["A-1"]


def test_import_column_links_and_refuses_another_enterprises_code(world):
    _risk_point(world.ent_a, "FXD-001")
    _risk_point(world.ent_b, "FXD-009")
    content = _edit(
        importing.workbook(world.ent_a),
        [{"code": "X-1", "name": "x", "kind": "flow", "risk_point": "FXD-009"}],
    )
    result = _run(world, content)
    assert not result.ok and "风险分析单元编号" in {e.as_dict()["column"] for e in result.errors}
    content = _edit(
        importing.workbook(world.ent_a),
        [{"code": "X-1", "name": "x", "kind": "flow", "risk_point": "FXD-001"}],
    )
    assert _run(world, content).ok
    point = MonitoringPoint.objects.get(code="X-1")
    assert point.risk_point.code == "FXD-001"
    again = _run(world, importing.workbook(world.ent_a, [point]))  # the export imports back unchanged
    assert again.ok, again.errors


def test_point_page_shows_the_risk_point_and_its_shutdown(world, login):
    rp = _risk_point(world.ent_a)
    point = make_point(world.ent_a, risk_point=rp)
    client = login(world.user("ent_a"))
    page = client.get(f"/monitoring/points/{point.pk}/").content.decode()
    assert "甲醇储罐区" in page and 'data-testid="point-shutdown"' not in page
    _shutdown(world.ent_a, rp, start=timezone.now() - HOUR)
    page = client.get(f"/monitoring/points/{point.pk}/").content.decode()
    assert "停用检修：甲醇储罐区" in page


def test_form_offers_only_the_enterprises_risk_points(world, login):
    _risk_point(world.ent_a, "FXD-001", "甲罐区")
    _risk_point(world.ent_b, "FXD-002", "乙罐区")
    page = (
        login(world.user("ent_a"))
        .get(f"/monitoring/points/new/?enterprise={world.ent_a.pk}")
        .content.decode()
    )
    assert "甲罐区" in page and "乙罐区" not in page
