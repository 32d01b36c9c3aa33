"""The closed loop through the services: audited, notified, refused whole on bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safegrid.core.models import AuditEntry
from safegrid.enterprises.models import Person
from safegrid.hazards import services
from safegrid.hazards.choices import HazardLevel, HazardStatus, Origin
from safegrid.hazards.models import HazardPhoto, HiddenHazard
from safegrid.hazards.services import PhotoIn
from safegrid.hazards.testing import prepare_major
from safegrid.notifications.models import Notification

from .factories import REPORT, photo, reported


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


TOMORROW = timezone.localdate() + dt.timedelta(days=1)


def _assign(world, hazard, **overrides):
    values = {
        "responsible_person": Person.objects.get(pk=world.person_a.pk),
        "measures": "恢复静电接地并检测",
        "funds": Decimal("800"),
        "deadline": TOMORROW,
        "plan": "罐区泄漏应急预案",
        **overrides,
    }
    return services.hazard_assign(actor=world.user("ent_a"), hazard=hazard, **values)


def _audited_actions(hazard: HiddenHazard) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="hazards.hiddenhazard", object_id=str(hazard.pk))
        .order_by("id")
        .values_list("comment", flat=True)
    )


def test_the_closed_loop_grid_to_town(world) -> None:
    hazard = reported(world)
    assert hazard.status == HazardStatus.REPORTED and hazard.origin == Origin.GRID
    assert hazard.photos.get().kind == "before"
    assert Notification.objects.filter(recipient=world.user("ent_a"), kind="hazards.reported").exists()
    hazard = services.hazard_confirm(actor=world.user("ent_a"), hazard=hazard, level=HazardLevel.GENERAL)
    hazard = _assign(world, hazard)
    assert hazard.status == HazardStatus.RECTIFYING
    hazard = services.hazard_submit(
        actor=world.user("ent_a"), hazard=hazard, note="已恢复接地，电阻 2Ω", photos=[photo("after", "green")]
    )
    assert hazard.status == HazardStatus.AWAITING_ACCEPTANCE and hazard.rectified_by == world.user("ent_a")
    with pytest.raises(PermissionDenied, match="验收人不能是整改人"):
        services.hazard_accept(actor=world.user("ent_a"), hazard=hazard)
    hazard = services.hazard_accept(actor=world.user("town_a"), hazard=hazard, comment="现场复核合格")
    assert hazard.status == HazardStatus.CLOSED and hazard.days_to_close == 0
    assert hazard.accepted_by == world.user("town_a") and hazard.closed_at is not None
    assert [t.action for t in hazard.transitions.order_by("at", "id")] == [
        "report",
        "confirm",
        "assign",
        "submit",
        "accept",
    ]
    comments = _audited_actions(hazard)
    assert comments[0].startswith("登记隐患") and comments[-1].startswith("验收销号")
    assert Notification.objects.filter(recipient=world.user("grid_a"), kind="hazards.accepted").exists()


def test_five_in_place_refused_whole_naming_each_missing(world) -> None:
    hazard = services.hazard_confirm(actor=world.user("ent_a"), hazard=reported(world), level="general")
    with pytest.raises(ValidationError) as exc:
        _assign(world, hazard, measures=" ", funds=None, plan="")
    assert set(exc.value.message_dict) == {"measures", "funds", "plan"}
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.CONFIRMED and hazard.responsible_person is None


def test_deadline_in_the_past_refused(world) -> None:
    hazard = services.hazard_confirm(actor=world.user("ent_a"), hazard=reported(world), level="general")
    with pytest.raises(ValidationError) as exc:
        _assign(world, hazard, deadline=timezone.localdate() - dt.timedelta(days=1))
    assert "整改期限不能早于今天" in exc.value.message_dict["deadline"]


def test_major_by_criterion_needs_interim_measures_and_the_regulator_to_close(world) -> None:
    hazard = reported(world, major_criteria=["HC-02"])
    assert hazard.level == HazardLevel.MAJOR and hazard.major_proposed and hazard.major_criteria == ["HC-02"]
    with pytest.raises(ValidationError) as exc:
        services.hazard_confirm(
            actor=world.user("ent_a"), hazard=hazard, level="general", interim_measures="x"
        )
    assert "只有监管部门" in exc.value.message_dict["level"][0]
    with pytest.raises(ValidationError, match="临时管控措施"):
        services.hazard_confirm(actor=world.user("ent_a"), hazard=hazard, level="major")
    hazard = services.hazard_confirm(
        actor=world.user("ent_a"), hazard=hazard, level="major", interim_measures="撤出人员，设置警戒"
    )
    with pytest.raises(ValidationError) as refused:  # the six-part plan and the report come first
        _assign(world, hazard)
    assert {"treatment_plan", "major_report"} <= set(refused.value.message_dict)
    assert "目标和任务" in refused.value.message_dict["treatment_plan"][0]
    hazard = _assign(world, prepare_major(world.user("ent_a"), hazard))
    hazard = services.hazard_submit(
        actor=world.user("ent_a"), hazard=hazard, note="已更换", photos=[photo("after")]
    )
    with pytest.raises(PermissionDenied, match="监管部门验收"):
        services.hazard_accept(actor=world.user("ent_a"), hazard=hazard)
    assert services.hazard_accept(actor=world.user("dept_chem"), hazard=hazard).status == HazardStatus.CLOSED


def test_criterion_of_another_sector_is_refused(world) -> None:
    with pytest.raises(ValidationError) as exc:
        services.hazard_report(
            actor=world.user("ent_b"), enterprise=world.ent_b, data={**REPORT, "major_criteria": ["HC-01"]}
        )
    assert "HC-01" in exc.value.message_dict["major_criteria"][0]


def test_only_regulators_declare_major_by_hand(world) -> None:
    with pytest.raises(ValidationError, match="只有监管部门"):
        services.hazard_report(
            actor=world.user("grid_a"), enterprise=world.ent_a, data={**REPORT, "level": "major"}
        )
    hazard = services.hazard_report(
        actor=world.user("town_a"), enterprise=world.ent_a, data={**REPORT, "level": "major"}
    )
    assert hazard.level == "major" and hazard.origin == Origin.REGULATOR and not hazard.major_proposed


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"%PDF-1.4", "不是有效的图片"), (b"\xff\xd8" + b"0" * (10 * 1024 * 1024), "10 MB")],
)
def test_bad_photo_refuses_the_whole_report(world, content, message) -> None:
    with pytest.raises(ValidationError) as exc:
        services.hazard_report(
            actor=world.user("grid_a"),
            enterprise=world.ent_a,
            data=REPORT,
            photos=[PhotoIn(content, "x.jpg", "before")],
        )
    assert message in exc.value.message_dict["photos"][0]
    assert not HiddenHazard.objects.exists() and not HazardPhoto.objects.exists()


def test_submit_without_after_photo_refused(world) -> None:
    hazard = _assign(
        world, services.hazard_confirm(actor=world.user("ent_a"), hazard=reported(world), level="general")
    )
    with pytest.raises(ValidationError, match="整改后照片"):
        services.hazard_submit(actor=world.user("ent_a"), hazard=hazard, note="done")


def test_fix_on_spot_closed_with_both_photos(world) -> None:
    hazard = services.hazard_fix_on_spot(
        actor=world.user("ent_a"),
        enterprise=world.ent_a,
        data=REPORT,
        measures="当场恢复接地",
        before=[photo("before")],
        after=[photo("after", "blue")],
    )
    assert (
        hazard.status == HazardStatus.CLOSED
        and hazard.handling == "on_the_spot"
        and hazard.days_to_close == 0
    )
    assert sorted(hazard.photos.values_list("kind", flat=True)) == ["after", "before"]
    with pytest.raises(ValidationError) as exc:
        services.hazard_fix_on_spot(
            actor=world.user("ent_a"), enterprise=world.ent_a, data=REPORT, measures="", before=[], after=[]
        )
    assert {"measures", "before_photos", "after_photos"} <= set(exc.value.message_dict)


def test_illegal_move_names_the_allowed_ones(world) -> None:
    hazard = reported(world)
    with pytest.raises(ValidationError) as exc:
        services.hazard_accept(actor=world.user("town_a"), hazard=hazard)
    text = exc.value.message_dict["status"][0]
    assert "不能执行「验收销号」" in text and "确认隐患" in text and "驳回" in text


def test_reject_needs_reason_and_comment(world) -> None:
    hazard = reported(world)
    with pytest.raises(ValidationError, match="驳回原因"):
        services.hazard_reject(actor=world.user("ent_a"), hazard=hazard, reason="nope", comment="x")
    with pytest.raises(ValidationError, match="须填写意见"):
        services.hazard_reject(actor=world.user("ent_a"), hazard=hazard, reason="duplicate", comment="")
    hazard = services.hazard_reject(
        actor=world.user("ent_a"), hazard=hazard, reason="duplicate", comment="与 #1 重复"
    )
    assert hazard.status == HazardStatus.REJECTED and hazard.reject_reason == "duplicate"


def test_extension_send_back_and_reopen_keep_history(world) -> None:
    hazard = _assign(
        world, services.hazard_confirm(actor=world.user("ent_a"), hazard=reported(world), level="general")
    )
    later = TOMORROW + dt.timedelta(days=10)
    with pytest.raises(ValidationError, match="晚于原整改期限"):
        services.hazard_request_extension(
            actor=world.user("ent_a"), hazard=hazard, new_deadline=TOMORROW, reason="x"
        )
    hazard = services.hazard_request_extension(
        actor=world.user("ent_a"), hazard=hazard, new_deadline=later, reason="备件未到"
    )
    hazard = services.hazard_decide_extension(actor=world.user("town_a"), hazard=hazard, approve=True)
    assert hazard.status == HazardStatus.RECTIFYING and hazard.deadline == later
    hazard = services.hazard_submit(
        actor=world.user("ent_a"), hazard=hazard, note="已整改", photos=[photo("after")]
    )
    hazard = services.hazard_send_back(actor=world.user("town_a"), hazard=hazard, comment="接地电阻仍超标")
    assert hazard.status == HazardStatus.RECTIFYING
    assert Notification.objects.filter(recipient=world.user("ent_a"), kind="hazards.sent_back").exists()
    hazard = services.hazard_submit(actor=world.user("ent_a"), hazard=hazard, note="再次整改")
    hazard = services.hazard_accept(actor=world.user("town_a"), hazard=hazard)
    hazard = services.hazard_reopen(actor=world.user("county_admin"), hazard=hazard, comment="复查发现仍断开")
    assert hazard.status == HazardStatus.CONFIRMED and hazard.reopen_count == 1 and hazard.closed_at is None
    actions = list(hazard.transitions.values_list("action", flat=True))
    assert actions.count("submit") == 2 and actions[-1] == "reopen" and "accept" in actions
