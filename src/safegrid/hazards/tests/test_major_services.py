"""Major hazards through the services: the six-part plan (versioned, audited), the report to the regulator
and its acknowledgement, the suspension order and its close-out — each move allowed only to the right role
(table-driven), bad input refused whole with field-named messages, nothing half-saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safegrid.core.choices import Role
from safegrid.core.models import AuditEntry
from safegrid.core.testing import SYSTEM, make_user
from safegrid.enterprises.models import Person
from safegrid.hazards import services, services_major
from safegrid.hazards.choices import HazardStatus, SuspensionStatus
from safegrid.hazards.models import (
    MajorHazardReport,
    MajorReportTransition,
    SuspensionOrder,
    SuspensionTransition,
    TreatmentPlan,
)
from safegrid.hazards.rules import major
from safegrid.hazards.testing import PLAN_PARTS, prepare_major
from safegrid.notifications.models import Notification

from .factories import REPORT, photo

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def legal_a(world):
    return make_user("legal_a", {"role": Role.LEGAL_REP, "enterprise": world.ent_a})


def _user(world, legal_a, name):
    return legal_a if name == "legal_a" else world.user(name)


def _confirmed_major(world, title: str = "罐区紧急切断阀失效"):
    hazard = services.hazard_report(
        actor=world.user("county_admin"),
        enterprise=world.ent_a,
        data={**REPORT, "title": title, "level": "major"},
        photos=[photo()],
    )
    return services.hazard_confirm(
        actor=world.user("ent_a"), hazard=hazard, level="major", interim_measures="撤出人员，停用储罐"
    )


def _rectifying_major(world):
    hazard = prepare_major(world.user("ent_a"), _confirmed_major(world))
    return services.hazard_assign(
        actor=world.user("ent_a"),
        hazard=hazard,
        responsible_person=Person.objects.get(pk=world.person_a.pk),
        measures="更换紧急切断阀",
        funds=Decimal("50000"),
        deadline=TODAY + dt.timedelta(days=30),
        plan="罐区泄漏专项应急预案",
    )


def _order(world, hazard, number: str = "桓应急责停〔2026〕1号"):
    return services_major.suspension_order(
        actor=world.user("county_admin"),
        hazard=hazard,
        document_number=number,
        ordered_on=TODAY - dt.timedelta(days=5),
        ends_on=TODAY + dt.timedelta(days=60),
        scope_text="罐区停止装卸作业",
    )


PDF = services_major.FileIn(b"%PDF-1.4\n%evaluation\n", "评估报告.pdf")


def _evaluated(world, order):
    return services_major.suspension_evaluate(
        actor=world.user("ent_a"),
        order=order,
        evaluator="市化工专家组",
        summary="整改到位，具备复产条件",
        document=PDF,
    )


def _applied(world, order, days_ago: int = 3):
    return services_major.suspension_apply(
        actor=world.user("ent_a"),
        order=_evaluated(world, order),
        application_text="整改完成，申请恢复生产",
        applied_on=TODAY - dt.timedelta(days=days_ago),
    )


# ---- the treatment plan -------------------------------------------------------------------------------


def test_plan_refused_whole_naming_each_missing_part(world) -> None:
    hazard = _confirmed_major(world)
    with pytest.raises(ValidationError) as exc:
        services_major.plan_save(
            actor=world.user("ent_a"), hazard=hazard, parts={**PLAN_PARTS, "targets": " ", "organisation": ""}
        )
    assert set(exc.value.message_dict) == {"targets", "organisation"}
    assert "目标和任务" in exc.value.message_dict["targets"][0]
    assert not TreatmentPlan.objects.exists()


def test_plan_is_versioned_and_audited(world) -> None:
    hazard = _confirmed_major(world)
    first = services_major.plan_save(actor=world.user("ent_a"), hazard=hazard, parts=PLAN_PARTS)
    same = services_major.plan_save(actor=world.user("ent_a"), hazard=hazard, parts=dict(PLAN_PARTS))
    assert same.pk == first.pk and first.version == 1
    second = services_major.plan_save(
        actor=world.user("ent_a"), hazard=hazard, parts={**PLAN_PARTS, "time_requirements": "10 日内完成"}
    )
    assert second.version == 2 and services_major.current_plan(hazard) == second
    assert TreatmentPlan.objects.filter(hazard=hazard).count() == 2
    entries = AuditEntry.objects.filter(object_type="hazards.treatmentplan").order_by("id")
    assert [e.comment for e in entries] == [
        "编制重大隐患治理方案（第 1 版）",
        "编制重大隐患治理方案（第 2 版）",
    ]
    assert entries[1].before["time_requirements"] == PLAN_PARTS["time_requirements"]


def test_plan_only_for_a_major_hazard_being_dealt_with(world) -> None:
    general = services.hazard_confirm(
        actor=world.user("ent_a"),
        hazard=services.hazard_report(actor=world.user("grid_a"), enterprise=world.ent_a, data=REPORT),
        level="general",
    )
    with pytest.raises(ValidationError) as exc:
        services_major.plan_save(actor=world.user("ent_a"), hazard=general, parts=PLAN_PARTS)
    assert "hazard" in exc.value.message_dict
    reported = services.hazard_report(
        actor=world.user("county_admin"), enterprise=world.ent_a, data={**REPORT, "level": "major"}
    )
    with pytest.raises(ValidationError, match="确认后"):
        services_major.plan_save(actor=world.user("ent_a"), hazard=reported, parts=PLAN_PARTS)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("ent_a", True),
        ("legal_a", False),
        ("post_a", False),
        ("county_admin", False),
        ("dept_chem", False),
        ("ent_b", False),
    ],
)
def test_plan_by_role(world, legal_a, who, allowed) -> None:
    hazard = _confirmed_major(world)
    actor = _user(world, legal_a, who)
    if allowed:
        assert services_major.plan_save(actor=actor, hazard=hazard, parts=PLAN_PARTS).version == 1
    else:
        with pytest.raises(PermissionDenied):
            services_major.plan_save(actor=actor, hazard=hazard, parts=PLAN_PARTS)


# ---- the report to the regulator ------------------------------------------------------------------------


def test_report_refused_whole(world) -> None:
    hazard = _confirmed_major(world)
    with pytest.raises(ValidationError) as exc:
        services_major.major_report_submit(
            actor=world.user("ent_a"),
            hazard=hazard,
            state_and_cause="",
            severity_and_difficulty=" ",
            interim_measures=[],
        )
    assert set(exc.value.message_dict) == {
        "state_and_cause",
        "severity_and_difficulty",
        "treatment_plan",
        "interim_measures",
    }
    assert not MajorHazardReport.objects.exists()


def test_report_goes_to_the_sector_regulator_who_signs_for_it(world) -> None:
    hazard = _confirmed_major(world)
    plan = services_major.plan_save(actor=world.user("ent_a"), hazard=hazard, parts=PLAN_PARTS)
    report = services_major.major_report_submit(
        actor=world.user("ent_a"),
        hazard=hazard,
        state_and_cause="紧急切断阀卡涩，原因是长期未维护",
        severity_and_difficulty="泄漏时无法切断，可能引发火灾爆炸；需停用罐区更换阀门",
        interim_measures=["withdraw_workers", "stop_equipment", "withdraw_workers"],
        interim_other="罐区周边禁止动火",
    )
    assert report.status == "submitted" and report.plan == plan
    assert report.interim_measures == ["withdraw_workers", "stop_equipment"]
    assert [d.code for d in report.departments.all()] == ["work_safety"]
    assert report.submitted_by == world.user("ent_a")
    assert Notification.objects.filter(
        recipient=world.user("dept_chem"), kind="hazards.major_report"
    ).exists()
    with pytest.raises(ValidationError, match="已报告"):
        services_major.major_report_submit(
            actor=world.user("ent_a"),
            hazard=hazard,
            state_and_cause="x",
            severity_and_difficulty="y",
            interim_measures=["cordon_area"],
        )
    with pytest.raises(PermissionDenied):
        services_major.major_report_acknowledge(actor=world.user("ent_a"), report=report)
    done = services_major.major_report_acknowledge(
        actor=world.user("dept_chem"), report=report, comment="已收悉"
    )
    assert done.status == "acknowledged" and done.acknowledged_by == world.user("dept_chem")
    assert list(MajorReportTransition.objects.filter(report=report).values_list("action", flat=True)) == [
        "submit_report",
        "acknowledge_report",
    ]
    assert Notification.objects.filter(recipient=world.user("ent_a"), kind="hazards.major_report").exists()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("county_admin", True),
        ("dept_chem", True),
        ("town_a", False),
        ("grid_a", False),
        ("ent_a", False),
        ("legal_a", False),
    ],
)
def test_acknowledge_by_role(world, legal_a, who, allowed) -> None:
    report = prepare_major(world.user("ent_a"), _confirmed_major(world)).major_report
    actor = _user(world, legal_a, who)
    if allowed:
        assert services_major.major_report_acknowledge(actor=actor, report=report).status == "acknowledged"
    else:
        with pytest.raises(PermissionDenied):
            services_major.major_report_acknowledge(actor=actor, report=report)


def test_rectification_waits_for_the_report(world) -> None:
    hazard = _confirmed_major(world)
    services_major.plan_save(actor=world.user("ent_a"), hazard=hazard, parts=PLAN_PARTS)
    with pytest.raises(ValidationError) as exc:
        services.hazard_assign(
            actor=world.user("ent_a"),
            hazard=hazard,
            responsible_person=Person.objects.get(pk=world.person_a.pk),
            measures="更换",
            funds=Decimal("1"),
            deadline=TODAY,
            plan="预案",
        )
    assert set(exc.value.message_dict) == {"major_report"}
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.CONFIRMED


# ---- the suspension order and its close-out --------------------------------------------------------------


def test_order_refused_whole(world) -> None:
    hazard = _confirmed_major(world)
    with pytest.raises(ValidationError) as exc:
        services_major.suspension_order(
            actor=world.user("county_admin"),
            hazard=hazard,
            document_number="",
            ordered_on=TODAY + dt.timedelta(days=1),
            ends_on=None,
        )
    assert set(exc.value.message_dict) == {"document_number", "ordered_on", "ends_on"}
    with pytest.raises(ValidationError) as exc:
        services_major.suspension_order(
            actor=world.user("county_admin"),
            hazard=hazard,
            document_number="文书 1",
            ordered_on=TODAY,
            ends_on=major.add_months(TODAY, 6) + dt.timedelta(days=1),
        )
    assert "6个月" in exc.value.message_dict["ends_on"][0]
    assert not SuspensionOrder.objects.exists()
    exactly = services_major.suspension_order(
        actor=world.user("county_admin"),
        hazard=hazard,
        document_number="文书 1",
        ordered_on=TODAY,
        ends_on=major.add_months(TODAY, 6),
    )
    assert exactly.status == SuspensionStatus.ORDERED


def _at(world, status: str):
    """A suspension order at `status` on a rectifying major hazard of enterprise A."""
    order = _order(world, _rectifying_major(world))
    if status == "ordered":
        return order
    if status == "evaluated":
        return _evaluated(world, order)
    order = _applied(world, order)
    if status == "applied":
        return order
    raise ValueError(status)


MOVES = {
    "order": ("new", lambda a, w, o: _order(w, _rectifying_major(w))),
    "evaluate": (
        "ordered",
        lambda a, w, o: services_major.suspension_evaluate(
            actor=a, order=o, evaluator="专家", summary="合格"
        ),
    ),
    "apply": (
        "evaluated",
        lambda a, w, o: services_major.suspension_apply(actor=a, order=o, application_text="申请复产"),
    ),
    "pass_review": (
        "applied",
        lambda a, w, o: services_major.suspension_review(actor=a, order=o, passed=True, reviewed_on=TODAY),
    ),
    "fail_review": (
        "applied",
        lambda a, w, o: services_major.suspension_review(
            actor=a, order=o, passed=False, reviewed_on=TODAY, comment="切断阀未联锁"
        ),
    ),
}

ROLE_TABLE = [
    ("evaluate", "ent_a", True),
    ("evaluate", "legal_a", False),
    ("evaluate", "county_admin", False),
    ("evaluate", "dept_chem", False),
    ("evaluate", "post_a", False),
    ("apply", "ent_a", True),
    ("apply", "legal_a", True),
    ("apply", "county_admin", False),
    ("apply", "town_a", False),
    ("apply", "post_a", False),
    ("pass_review", "county_admin", True),
    ("pass_review", "dept_chem", True),
    ("pass_review", "town_a", False),
    ("pass_review", "ent_a", False),
    ("pass_review", "legal_a", False),
    ("fail_review", "dept_chem", True),
    ("fail_review", "ent_a", False),
]


@pytest.mark.parametrize(("move", "who", "allowed"), ROLE_TABLE)
def test_suspension_moves_by_role(world, legal_a, move, who, allowed) -> None:
    state, run = MOVES[move]
    order = _at(world, state)
    actor = _user(world, legal_a, who)
    if allowed:
        assert run(actor, world, order).status != state
    else:
        with pytest.raises(PermissionDenied):
            run(actor, world, order)
        order.refresh_from_db()
        assert order.status == state


@pytest.mark.parametrize(
    ("who", "allowed"), [("county_admin", True), ("dept_chem", True), ("town_a", False), ("ent_a", False)]
)
def test_order_by_role(world, legal_a, who, allowed) -> None:
    hazard = _rectifying_major(world)
    call = lambda: services_major.suspension_order(  # noqa: E731
        actor=_user(world, legal_a, who),
        hazard=hazard,
        document_number="文书 9",
        ordered_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=30),
    )
    if allowed:
        assert call().status == "ordered"
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert not SuspensionOrder.objects.exists()


@pytest.mark.parametrize(
    ("move", "state"),
    [("apply", "ordered"), ("pass_review", "ordered"), ("pass_review", "evaluated"), ("evaluate", "applied")],
)
def test_suspension_steps_keep_their_order(world, move, state) -> None:
    order = _at(world, state)
    actor = world.user("county_admin") if "review" in move else world.user("ent_a")
    with pytest.raises(ValidationError) as exc:
        MOVES[move][1](actor, world, order)
    assert "status" in exc.value.message_dict


def test_review_input_refused_whole(world) -> None:
    order = _at(world, "applied")
    with pytest.raises(ValidationError) as exc:
        services_major.suspension_review(
            actor=world.user("dept_chem"), order=order, passed=False, reviewed_on=None, comment=""
        )
    assert set(exc.value.message_dict) == {"reviewed_on", "comment"}
    with pytest.raises(ValidationError, match="早于申请日期"):
        services_major.suspension_review(
            actor=world.user("dept_chem"),
            order=order,
            passed=True,
            reviewed_on=order.applied_on - dt.timedelta(days=1),
        )
    order.refresh_from_db()
    assert order.status == "applied" and order.review_result == ""


def test_evaluation_file_is_checked(world) -> None:
    order = _at(world, "ordered")
    with pytest.raises(ValidationError) as exc:
        services_major.suspension_evaluate(
            actor=world.user("ent_a"),
            order=order,
            evaluator="专家",
            summary="合格",
            document=services_major.FileIn(b"not a pdf", "报告.pdf"),
        )
    assert "document" in exc.value.message_dict


def test_close_out_needs_the_passed_review_and_resumes(world) -> None:
    hazard = _rectifying_major(world)
    order = _applied(world, _order(world, hazard), days_ago=3)
    assert order.review_due == order.applied_on + dt.timedelta(days=10)
    hazard = services.hazard_submit(
        actor=world.user("ent_a"), hazard=hazard, note="已更换", photos=[photo("after")]
    )
    with pytest.raises(ValidationError) as exc:
        services.hazard_accept(actor=world.user("dept_chem"), hazard=hazard, comment="验收")
    assert "suspension" in exc.value.message_dict
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.AWAITING_ACCEPTANCE

    # A failed review: back to suspension; the round is kept in the log.
    failed = services_major.suspension_review(
        actor=world.user("dept_chem"), order=order, passed=False, reviewed_on=TODAY, comment="联锁未投用"
    )
    assert failed.status == "ordered" and failed.applied_on is None and failed.evaluator == ""
    assert failed.review_result == "fail"
    log = SuspensionTransition.objects.filter(order=order, action="fail_review").get()
    assert log.evidence["evaluator"] == "市化工专家组" and log.evidence["result"] == "fail"

    order = _applied(world, failed, days_ago=0)
    passed = services_major.suspension_review(
        actor=world.user("dept_chem"), order=order, passed=True, reviewed_on=TODAY
    )
    assert passed.status == "passed"
    closed = services.hazard_accept(actor=world.user("dept_chem"), hazard=hazard, comment="整改合格")
    assert closed.status == HazardStatus.CLOSED
    order.refresh_from_db()
    assert order.status == SuspensionStatus.RESUMED and order.resumed_at is not None
    actions = list(SuspensionTransition.objects.filter(order=order).values_list("action", "actor_label"))
    assert actions[-1] == ("resume", "dept_chem")
    assert [a for a, _ in actions] == [
        "order_suspension",
        "submit_evaluation",
        "apply_resumption",
        "fail_review",
        "submit_evaluation",
        "apply_resumption",
        "pass_review",
        "resume",
    ]
    assert Notification.objects.filter(recipient=world.user("ent_a"), kind="hazards.suspension").count() >= 4


def test_application_tells_the_regulators_when_the_review_is_due(world) -> None:
    _applied(world, _order(world, _rectifying_major(world)), days_ago=0)
    notes = Notification.objects.filter(recipient=world.user("dept_chem"), kind="hazards.suspension")
    texts = list(notes.order_by("id").values_list("text", flat=True))
    assert len(texts) == 2 and "评估报告" in texts[0]  # the evaluation, then the application
    assert "申请恢复生产" in texts[1] and (TODAY + dt.timedelta(days=10)).isoformat() in texts[1]


def test_system_actors_are_not_held_to_the_plan(world) -> None:
    """Imports and the demo builder assign major hazards whose plans are kept elsewhere."""
    hazard = _confirmed_major(world)
    moved = services.hazard_assign(
        actor=SYSTEM,
        hazard=hazard,
        responsible_person=Person.objects.get(pk=world.person_a.pk),
        measures="更换",
        funds=Decimal("1"),
        deadline=TODAY,
        plan="预案",
    )
    assert moved.status == HazardStatus.RECTIFYING
