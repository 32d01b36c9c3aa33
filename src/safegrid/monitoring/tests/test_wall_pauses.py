"""Why a point's alarms are paused, on the enterprise wall: a shutdown of the enterprise (with its period), of
the risk point it sits in, an approved bypass (with its expiry), a deactivation; the pure rule, the page, and
the wall still in a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safegrid.hazards.models import ShutdownRecord
from safegrid.monitoring.models import PointBypass
from safegrid.monitoring.rules.wall import BypassSpan, PauseKind, ShutdownSpan, pause_reasons
from safegrid.monitoring.selectors import wall as sel
from safegrid.risks.models import RiskPoint

from .alarm_helpers import make_point

pytestmark = pytest.mark.django_db

T = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


def test_pause_reasons_rule():
    shutdowns = [
        ShutdownSpan(1, 10, T, T + H, "甲醇储罐区"),
        ShutdownSpan(1, None, T - H, None),
        ShutdownSpan(2, None, T, None),  # another enterprise
        ShutdownSpan(1, 11, T, None, "别的单元"),  # another risk point
    ]
    bypasses = [BypassSpan(5, "high", T + 2 * H), BypassSpan(5, "", T + 3 * H), BypassSpan(6, "", T + H)]
    found = pause_reasons(
        point_id=5, enterprise_id=1, risk_point_id=10, active=False, shutdowns=shutdowns, bypasses=bypasses
    )
    assert [(r.kind, r.since, r.until, r.detail) for r in found] == [
        (PauseKind.DEACTIVATED, None, None, ""),
        (PauseKind.SHUTDOWN, T - H, None, ""),
        (PauseKind.RISK_POINT_SHUTDOWN, T, T + H, "甲醇储罐区"),
        (PauseKind.BYPASS, None, T + 3 * H, ""),  # the whole point first
        (PauseKind.BYPASS, None, T + 2 * H, "high"),
    ]
    assert (
        pause_reasons(
            point_id=7, enterprise_id=1, risk_point_id=None, active=True, shutdowns=[], bypasses=bypasses
        )
        == ()
    )


@pytest.fixture
def paused(world):
    now = timezone.now()
    rp = RiskPoint.objects.create(enterprise=world.ent_a, code="FXD-1", name="甲醇储罐区", type="facility")
    in_rp = make_point(world.ent_a, "A-LT-1", risk_point=rp)
    bypassed = make_point(world.ent_a, "A-PT-1", kind="pressure")
    rule_only = make_point(world.ent_a, "A-TT-1", kind="temperature")
    running = make_point(world.ent_a, "A-FT-1", kind="flow")
    ShutdownRecord.objects.create(
        enterprise=world.ent_a,
        risk_point=rp,
        start=now - H,
        planned_end=now + 5 * H,
        reason="检修",
        recorded_at=now - H,
    )
    ShutdownRecord.objects.create(  # over: pauses nothing
        enterprise=world.ent_a, start=now - 9 * H, end=now - 8 * H, reason="停产", recorded_at=now - 9 * H
    )
    for point, rule in ((bypassed, ""), (rule_only, "high")):
        PointBypass.objects.create(
            point=point,
            enterprise=world.ent_a,
            rule=rule,
            reason="校验",
            status="approved",
            starts_at=now - H,
            ends_at=now + 2 * H,
            requested_at=now - 2 * H,
        )
    return {"in_rp": in_rp, "bypassed": bypassed, "rule_only": rule_only, "running": running, "now": now}


def _pauses(page):
    return {item["row"].point.code: item["pauses"] for g in page.context["groups"] for item in g["points"]}


def test_enterprise_wall_says_why_alarms_are_paused(login, world, paused):
    client = login(world.user("town_a"))
    page = client.get(f"/monitoring/wall/enterprises/{world.ent_a.pk}/")
    assert page.status_code == 200
    found = _pauses(page)
    assert found["A-FT-1"] == []
    assert [kind for kind, _text in found["A-LT-1"]] == ["risk_point_shutdown"]
    assert "风险分析单元“甲醇储罐区”停用检修" in found["A-LT-1"][0][1]
    until = timezone.localtime(paused["now"] + 2 * H).strftime("%Y-%m-%d %H:%M")
    assert found["A-PT-1"] == [("bypass", f"点位旁路已批准，至 {until} 暂停报警")]
    assert found["A-TT-1"] == [("bypass", f"旁路（高限报警）已批准，至 {until} 暂停该项报警")]
    html = page.content.decode()
    assert html.count('data-testid="wall-point-pause"') == 3
    # a shutdown of the whole enterprise: every point says so, with its period
    ShutdownRecord.objects.create(
        enterprise=world.ent_a, start=paused["now"] - H, reason="停产", recorded_at=paused["now"] - H
    )
    live = client.get(f"/monitoring/wall/enterprises/{world.ent_a.pk}/live/")
    since = timezone.localtime(paused["now"] - H).strftime("%Y-%m-%d %H:%M")
    assert all(
        ("shutdown", f"全企业停产/停用检修 {since} 至 未定，暂停报警") in pauses
        for pauses in _pauses(live).values()
    )


def test_wall_with_pauses_in_a_constant_number_of_queries(world, paused, django_assert_max_num_queries):
    rp = RiskPoint.objects.create(enterprise=world.ent_a, code="FXD-2", name="二号单元", type="facility")
    for i in range(15):
        make_point(world.ent_a, f"A-X-{i}", risk_point=rp if i % 2 else None)
    with django_assert_max_num_queries(8):
        groups = sel.enterprise_points(world.user("ent_a"), world.ent_a)
    rows = [r for g in groups for r in g.points]
    assert len(rows) == 19 and sum(1 for r in rows if r.pauses) == 3
