"""The filing on the core workflow kit: log, audit and notifications per step; refusals; protected fields."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safegrid.core.choices import Role
from safegrid.core.models import AuditEntry
from safegrid.core.services import object_update
from safegrid.core.testing import PASSWORD, SYSTEM, make_user
from safegrid.core.workflow import TransitionNotAllowed
from safegrid.notifications.models import Notification
from safegrid.regions.models import Department
from safegrid.risks.choices import FilingStatus
from safegrid.risks.models import RegisterRevision, RiskCard, RiskPoint
from safegrid.risks.services import cards as card_services
from safegrid.risks.services import filing as filing_services
from safegrid.risks.workflows import FILING

from . import factories
from .test_filing import complete_register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _notified(kind: str) -> list[tuple[str, str, str]]:
    return sorted(
        (n.recipient.username, n.text, n.url)
        for n in Notification.objects.filter(kind=kind).select_related("recipient")
    )


def test_submitting_tells_the_signers_and_signing_tells_the_compiler_and_the_reviewers(world) -> None:
    complete_register(world)
    filing = factories.submitted(world)
    assert _notified("risks.filing_to_sign") == [
        ("legal_a", "甲化工有限公司一企一册第 1 版已提交，请审阅并签署", f"/risks/filings/{filing.pk}/sign/")
    ]
    filed = filing_services.filing_sign(actor=factories.legal_rep(world), filing=filing, password=PASSWORD)
    url = f"/risks/filings/{filing.pk}/"
    assert _notified("risks.filing_signed") == [("ent_a", "甲化工有限公司一企一册第 1 版已由张甲签署", url)]
    assert _notified("risks.filing_filed") == [
        ("dept_chem", "甲化工有限公司一企一册第 1 版已报送备案，请审核", url)
    ]
    log = filed.transitions.order_by("id").last()
    assert (log.action, log.from_status, log.to_status, log.actor) == (
        "file",
        "signed",
        "filed",
        factories.legal_rep(world),
    )
    entry = (
        AuditEntry.objects.filter(object_type="risks.riskregisterfiling", action="transition")
        .order_by("id")
        .last()
    )
    assert entry.after["status"] == "filed" and entry.comment.startswith("报送备案：备案部门：")
    assert "snapshot" not in entry.after


def test_sending_back_tells_the_compiler_with_the_comment(world) -> None:
    complete_register(world)
    filing = factories.submitted(world)
    filing_services.filing_send_back(actor=factories.legal_rep(world), filing=filing, comment="补充应急电话")
    assert _notified("risks.filing_sent_back") == [
        ("ent_a", "甲化工有限公司一企一册第 1 版被签署人退回：补充应急电话", f"/risks/filings/{filing.pk}/")
    ]


def test_return_and_accept_notify_the_enterprise_s_register_keepers(world) -> None:
    manager = make_user("ent_a_admin", {"role": Role.ENT_ADMIN, "enterprise": world.ent_a})
    complete_register(world)
    dept = world.user("dept_chem")
    first = factories.filed(world)
    filing_services.filing_return(actor=dept, filing=first, comment="请补充应急管理类措施")
    url = f"/risks/filings/{first.pk}/"
    text = "甲化工有限公司一企一册第 1 版被退回：请补充应急管理类措施"
    # The legal representative signs; the keepers answer a return.
    assert _notified("risks.filing_returned") == [("ent_a", text, url), (manager.username, text, url)]

    second = factories.filed(world)
    filing_services.filing_accept(actor=dept, filing=second)
    assert [r for r, _, _ in _notified("risks.filing_accepted")] == ["ent_a", "ent_a_admin"]


def test_a_refused_step_notifies_nobody_and_names_what_is_allowed(world) -> None:
    complete_register(world)
    filing = factories.submitted(world)
    with pytest.raises(TransitionNotAllowed) as excinfo:
        filing_services.filing_accept(actor=world.user("dept_chem"), filing=filing)
    assert excinfo.value.message_dict == {
        "status": ["当前状态「待法定代表人签署」不能执行「接收」；可执行：签署、签署人退回"]
    }
    filed = filing_services.filing_sign(actor=factories.legal_rep(world), filing=filing, password=PASSWORD)
    Notification.objects.all().delete()
    other_sector = make_user(
        "officer_construction",
        {"role": Role.DEPT_OFFICER, "department": Department.objects.get(code="construction_admin")},
    )
    with pytest.raises(PermissionDenied, match="该企业不在您的监管范围内"):
        filing_services.filing_accept(actor=other_sector, filing=filed)
    with pytest.raises(PermissionDenied, match="县里未委托镇街审核"):
        filing_services.filing_accept(actor=world.user("town_a"), filing=filed)
    with pytest.raises(PermissionDenied, match="只有县级部门、行业主管部门和受委托的镇街可以审核"):
        filing_services.filing_accept(actor=world.user("grid_a"), filing=filed)
    assert not Notification.objects.exists()


def test_the_page_buttons_come_from_the_workflow(world) -> None:
    complete_register(world)
    legal = factories.legal_rep(world)
    compiled = filing_services.filing_compile(actor=world.user("ent_a"), enterprise=world.ent_a)
    assert FILING.available(world.user("ent_a"), compiled) == [("submit", "提交签署")]
    assert FILING.available(legal, compiled) == []
    filing = filing_services.filing_submit(actor=world.user("ent_a"), filing=compiled)
    assert FILING.available(legal, filing) == [("sign", "签署"), ("send_back", "签署人退回")]
    assert FILING.available(world.user("ent_a"), filing) == []
    assert FILING.available(world.user("dept_chem"), filing) == []
    filed = filing_services.filing_sign(actor=legal, filing=filing, password=PASSWORD)
    assert FILING.available(world.user("dept_chem"), filed) == [("accept", "接收"), ("return", "退回")]
    assert FILING.available(world.user("town_a"), filed) == []  # sees it, does not review (not delegated)
    assert FILING.available(world.user("ent_a"), filed) == []
    assert FILING.available(legal, filed) == []


# ---- fields only the workflow or a computing service writes -----------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("status", FilingStatus.ACCEPTED, "状态只能通过流程操作修改"),
        ("review_comment", "改一下", "审核意见只能通过流程操作修改"),
        ("fingerprint", "0" * 64, "内容摘要 SHA-256由系统计算，不能直接修改"),
        ("pdf", "risks/registers/other.pdf", "册子 PDF由系统计算，不能直接修改"),
    ],
)
def test_object_update_refuses_the_filing_s_workflow_and_derived_fields(world, field, value, message) -> None:
    complete_register(world)
    filing = filing_services.filing_compile(actor=world.user("ent_a"), enterprise=world.ent_a)
    with pytest.raises(ValidationError) as excinfo:
        object_update(actor=SYSTEM, obj=filing, data={field: value})
    assert excinfo.value.message_dict == {field: [message]}
    filing.refresh_from_db()
    assert filing.status == FilingStatus.COMPILED


def test_object_update_refuses_a_risk_point_s_level(world) -> None:
    point = complete_register(world)
    assert point.level == 3
    with pytest.raises(ValidationError) as excinfo:
        object_update(actor=SYSTEM, obj=point, data={"level": 1})
    assert excinfo.value.message_dict == {"level": ["风险等级由系统计算，不能直接修改"]}
    assert RiskPoint.objects.get(pk=point.pk).level == 3


def test_object_update_refuses_the_register_counters(world) -> None:
    complete_register(world)
    counter = RegisterRevision.objects.get(enterprise=world.ent_a)
    for field, value in (("risk_level", 1), ("revision", 0)):
        with pytest.raises(ValidationError) as excinfo:
            object_update(actor=SYSTEM, obj=counter, data={field: value})
        assert list(excinfo.value.message_dict) == [field]


def test_object_update_refuses_a_card_s_version_but_the_card_service_moves_it(world) -> None:
    point = complete_register(world)
    card = card_services.card_save(actor=SYSTEM, point=point, kind="post", data={"key_points": "佩戴防护"})
    with pytest.raises(ValidationError) as excinfo:
        object_update(actor=SYSTEM, obj=card, data={"version": 9})
    assert list(excinfo.value.message_dict) == ["version"]
    again = card_services.card_publish(actor=SYSTEM, point=point, kind="post")
    assert RiskCard.objects.get(pk=again.pk).version == card.version + 1
