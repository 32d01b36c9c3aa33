from safegrid.risks.models import RegisterRevision
from safegrid.risks.services import points as services


def test_counter_and_enterprise_level_follow_every_register_change(world):
    actor = world.user("ent_a")
    point = services.risk_point_create(
        actor=actor, enterprise=world.ent_a, data={"code": "R-1", "name": "液氯储罐区", "type": "facility"}
    )
    first = RegisterRevision.objects.get(enterprise=world.ent_a)
    assert first.revision >= 1 and first.risk_level is None  # nothing assessed yet
    factor = services.hazard_factor_add(
        actor=actor, point=point, data={"method": "SCL", "description": "泄漏", "category": "things"}
    )
    services.assess(
        actor=actor, factor=factor, kind="initial", method="LEC", inputs={"L": 6, "E": 6, "C": 15}
    )
    after = RegisterRevision.objects.get(enterprise=world.ent_a)
    assert after.revision > first.revision and after.risk_level == 1
    services.risk_point_deactivate(actor=actor, point=point)
    assert RegisterRevision.objects.get(enterprise=world.ent_a).risk_level is None
    assert not RegisterRevision.objects.filter(enterprise=world.ent_b).exists()
