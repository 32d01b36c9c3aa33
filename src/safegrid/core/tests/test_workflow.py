"""The workflow service against a real model (the test-only permit app): lock, table, permission,
validation, log, audit, hooks; and object_update refusing workflow and derived fields."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError

from safegrid.core.audit import SystemActor
from safegrid.core.choices import AuditAction
from safegrid.core.models import AuditEntry
from safegrid.core.services import object_update, writing_protected
from safegrid.core.tests.workflow_app.models import Permit, PermitStatus, PermitTransition
from safegrid.core.tests.workflow_app.workflows import EVENTS, PERMIT
from safegrid.core.workflow import Step, TransitionNotAllowed, Workflow, create, transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_events():
    EVENTS.clear()


@pytest.fixture
def permit(world):
    return create(
        Permit(title="动火作业", enterprise_id=world.ent_a.pk, snapshot={"big": "x" * 50}),
        "apply",
        actor=world.user("ent_a"),
        workflow=PERMIT,
    )


def _audits(obj):
    return list(
        AuditEntry.objects.filter(object_type="workflow_app.permit", object_id=str(obj.pk)).order_by("id")
    )


def test_create_enters_the_workflow_with_log_and_audit(world, permit):
    assert permit.status == PermitStatus.APPLIED
    log = PermitTransition.objects.get(permit=permit)
    assert (log.from_status, log.to_status, log.action, log.actor_label) == ("", "applied", "apply", "ent_a")
    [entry] = _audits(permit)
    assert entry.action == AuditAction.CREATE
    assert entry.comment == "申请"
    assert "snapshot" not in entry.after


def test_transition_saves_changes_logs_and_audits_changed_fields(
    world, permit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        moved = transition(
            permit,
            "approve",
            actor=world.user("town_a"),
            workflow=PERMIT,
            comment=" 同意 ",
            evidence={"photos": ["a.jpg"]},
            changes={"approved_by": "王科长", "snapshot": {"big": "y"}},
        )
    assert moved.status == Permit.objects.get(pk=permit.pk).status == PermitStatus.APPROVED
    log = PermitTransition.objects.filter(permit=permit).last()
    assert (log.from_status, log.to_status, log.action) == ("applied", "approved", "approve")
    assert (log.actor, log.comment, log.evidence) == (world.user("town_a"), "同意", {"photos": ["a.jpg"]})
    entry = _audits(permit)[-1]
    assert entry.action == AuditAction.TRANSITION
    assert entry.comment == "批准：同意"
    assert entry.before == {"approved_by": "", "status": "applied"}
    assert entry.after == {"approved_by": "王科长", "status": "approved"}
    assert EVENTS == [("after", "approve", "approved"), ("on_commit", "approve", "approved")]


def test_illegal_move_names_what_is_allowed_and_changes_nothing(world, permit):
    before = len(_audits(permit))
    with pytest.raises(TransitionNotAllowed) as exc:
        transition(permit, "close", actor=world.user("ent_a"), workflow=PERMIT)
    assert isinstance(exc.value, ValidationError)
    assert exc.value.message_dict == {"status": ["当前状态「待审批」不能执行「关闭」；可执行：批准、驳回"]}
    assert len(_audits(permit)) == before
    assert PermitTransition.objects.filter(permit=permit).count() == 1


def test_table_is_checked_against_the_locked_row_not_the_callers_copy(world, permit):
    stale = Permit.objects.get(pk=permit.pk)
    transition(
        permit, "approve", actor=world.user("county_admin"), workflow=PERMIT, changes={"approved_by": "甲"}
    )
    with pytest.raises(TransitionNotAllowed, match="当前状态「已批准」不能执行「驳回」"):
        transition(stale, "reject", actor=world.user("county_admin"), workflow=PERMIT, comment="重复")


@pytest.mark.parametrize(
    ("username", "action", "message"),
    [
        ("ent_a", "approve", "您没有权限执行「批准」"),
        ("town_a", "reject", "您没有权限执行「驳回」"),
        ("outsider", "approve", "您没有权限执行「批准」"),
    ],
)
def test_permission_per_action_reads_the_scope(world, permit, username, action, message):
    with pytest.raises(PermissionDenied, match=message):
        transition(permit, action, actor=world.user(username), workflow=PERMIT, comment="意见")
    assert Permit.objects.get(pk=permit.pk).status == PermitStatus.APPLIED


def test_a_scope_predicate_sees_the_object(world, permit):
    transition(
        permit, "approve", actor=world.user("county_admin"), workflow=PERMIT, changes={"approved_by": "甲"}
    )
    with pytest.raises(PermissionDenied, match="只有本企业人员可以关闭作业许可"):
        transition(permit, "close", actor=world.user("ent_b"), workflow=PERMIT)
    closed = transition(permit, "close", actor=world.user("ent_a"), workflow=PERMIT)
    assert closed.status == PermitStatus.CLOSED


def test_required_comment_and_model_validation_refuse_the_whole_move(world, permit):
    with pytest.raises(ValidationError) as exc:
        transition(permit, "reject", actor=world.user("county_admin"), workflow=PERMIT, comment="  ")
    assert "comment" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        transition(permit, "approve", actor=world.user("county_admin"), workflow=PERMIT)
    assert exc.value.message_dict == {"approved_by": ["批准时须填写批准人"]}
    assert Permit.objects.get(pk=permit.pk).status == PermitStatus.APPLIED
    assert PermitTransition.objects.filter(permit=permit).count() == 1


def test_prepare_sees_the_locked_row_and_may_refuse(world, permit):
    def refuse(locked: Permit) -> None:
        assert locked.status == PermitStatus.APPROVED and locked.approved_by == "甲"
        raise ValidationError({"note": "附件未上传"})

    with pytest.raises(ValidationError, match="附件未上传"):
        transition(
            permit,
            "approve",
            actor=world.user("county_admin"),
            workflow=PERMIT,
            changes={"approved_by": "甲"},
            prepare=refuse,
        )
    assert Permit.objects.get(pk=permit.pk).approved_by == ""


def test_system_steps_skip_the_permission_but_not_the_table(world, permit):
    closed = transition(permit, "expire", actor=SystemActor("jobs"), workflow=PERMIT)
    assert closed.status == PermitStatus.CLOSED
    assert PermitTransition.objects.filter(permit=permit).last().actor_label == "system:jobs"
    with pytest.raises(TransitionNotAllowed, match="该状态下不能再办理"):
        transition(closed, "expire", actor=SystemActor("jobs"), workflow=PERMIT)


def test_available_lists_the_buttons_a_user_may_press(world, permit):
    assert PERMIT.available(world.user("county_admin"), permit) == [("approve", "批准"), ("reject", "驳回")]
    assert PERMIT.available(world.user("town_a"), permit) == [("approve", "批准")]
    assert PERMIT.available(world.user("ent_a"), permit) == []


def test_changes_cannot_set_the_state_field(world, permit):
    with pytest.raises(ImproperlyConfigured):
        transition(
            permit, "approve", actor=world.user("county_admin"), workflow=PERMIT, changes={"status": "closed"}
        )


def test_a_workflow_must_be_declared_whole():
    with pytest.raises(ImproperlyConfigured, match="no Step"):
        Workflow(
            model=Permit, states=PermitStatus, transitions={("applied", "approve"): "approved"}, steps={}
        )
    with pytest.raises(ImproperlyConfigured, match="workflow_fields"):
        Workflow(model=Permit, states=PermitStatus, field="note", transitions={}, steps={"x": Step("x")})


def test_object_update_refuses_workflow_and_derived_fields(world, permit):
    actor = world.user("county_admin")
    with pytest.raises(ValidationError) as exc:
        object_update(actor=actor, obj=permit, data={"status": PermitStatus.CLOSED, "score": 5, "note": "改"})
    assert exc.value.message_dict == {
        "status": ["状态只能通过流程操作修改"],
        "score": ["得分由系统计算，不能直接修改"],
    }
    assert Permit.objects.get(pk=permit.pk).note == ""


def test_object_update_accepts_unchanged_protected_values_and_computing_services(world, permit):
    actor = world.user("county_admin")
    updated = object_update(actor=actor, obj=permit, data={"status": PermitStatus.APPLIED, "note": "改"})
    assert updated.note == "改"
    with writing_protected("score"):
        assert object_update(actor=actor, obj=permit, data={"score": 7}).score == 7
    with pytest.raises(ValidationError, match="得分由系统计算"):
        object_update(actor=actor, obj=permit, data={"score": 8})


def test_a_permission_may_explain_its_refusal(world, permit):
    def in_my_district(actor, obj):
        raise PermissionDenied("该企业不在您的监管范围内")

    strict = Workflow(
        model=Permit,
        states=PermitStatus,
        transitions={(PermitStatus.APPLIED, "approve"): PermitStatus.APPROVED},
        steps={"approve": Step("批准", allowed=in_my_district)},
    )
    with pytest.raises(PermissionDenied, match="该企业不在您的监管范围内"):
        transition(
            permit,
            "approve",
            actor=world.user("county_admin"),
            workflow=strict,
            changes={"approved_by": "甲"},
        )
