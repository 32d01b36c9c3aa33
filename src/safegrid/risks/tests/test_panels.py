from safegrid.risks.models import RiskPoint
from safegrid.risks.services import points as services


def _point(world, code: str, lec: tuple[int, int, int]) -> RiskPoint:
    actor = world.user("ent_a")
    point = services.risk_point_create(
        actor=actor, enterprise=world.ent_a, data={"code": code, "name": f"点{code}", "type": "facility"}
    )
    factor = services.hazard_factor_add(
        actor=actor, point=point, data={"method": "SCL", "description": "泄漏", "category": "things"}
    )
    services.assess(
        actor=actor, factor=factor, kind="initial", method="LEC", inputs=dict(zip("LEC", lec, strict=True))
    )
    return point


def test_enterprise_page_shows_the_register_summary(world, login):
    _point(world, "R-1", (6, 6, 15))  # 540 → 重大风险
    _point(world, "R-2", (3, 6, 3))  # 54 → 低风险
    page = login(world.user("town_a")).get(f"/enterprises/{world.ent_a.pk}/").content.decode()
    assert 'id="risk-panel"' in page
    assert f"/risks/points/?enterprise={world.ent_a.pk}&level=1" in page
    assert "尚未编制" in page
    assert "新增风险点" not in page  # the town reads, the enterprise writes
    own = login(world.user("ent_a")).get(f"/enterprises/{world.ent_a.pk}/").content.decode()
    assert "新增风险点" in own and "/risks/filings/mine/" in own
