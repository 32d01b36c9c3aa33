"""一企一册 services: compile (refusals listed, nothing saved), submit, sign by the legal representative's
own login (which files it) or send back, review, supersede, outdated."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safegrid.core.audit import verify
from safegrid.core.choices import Role
from safegrid.core.models import AuditEntry, User
from safegrid.core.testing import PASSWORD, SYSTEM, make_user
from safegrid.enterprises import services as ent_services
from safegrid.enterprises.models import OrgUnit
from safegrid.regions.models import Department
from safegrid.risks.choices import ControlTier, FilingStatus
from safegrid.risks.models import (
    FilingTransition,
    HazardFactor,
    RegisterRevision,
    RiskPoint,
    RiskRegisterFiling,
)
from safegrid.risks.selectors.filing import current_revision, filing_status_list
from safegrid.risks.services import filing as filing_services
from safegrid.risks.services import points as services
from safegrid.testworld import World

from . import factories
from .factories import make_factor, make_measure, make_point, render_books

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def complete_register(world: World, code: str = "RP-001", name: str = "氯乙烯合成反应釜") -> RiskPoint:
    """One point, one factor assessed to level 3 (LEC 3×6×7 = 126), a measure, and the three tiers level 3 needs."""
    point = make_point(world, code=code, name=name)
    factor = make_factor(point)
    assess_factor(factor)
    make_measure(world, point, hazard_factor=factor)
    workshop = factories.workshop_a(world)
    team = OrgUnit.objects.get(enterprise=world.ent_a, name="甲班")
    director = ent_services.person_create(
        actor=SYSTEM,
        enterprise=world.ent_a,
        data={"name": "李主任", "org_unit": workshop, "job_title": "车间主任"},
    )
    leader = ent_services.person_create(
        actor=SYSTEM, enterprise=world.ent_a, data={"name": "赵班长", "org_unit": team, "job_title": "班长"}
    )
    services.tier_assign(
        actor=SYSTEM, point=point, tier=ControlTier.WORKSHOP, person=director, org_unit=workshop
    )
    services.tier_assign(actor=SYSTEM, point=point, tier=ControlTier.TEAM, person=leader, org_unit=team)
    services.tier_assign(
        actor=SYSTEM, point=point, tier=ControlTier.POST, person=world.person_a, org_unit=world.post_a
    )
    point.refresh_from_db()
    return point


def assess_factor(factor: HazardFactor, inputs: dict[str, int] | None = None) -> None:
    services.assess(
        actor=SYSTEM, factor=factor, kind="initial", method="LEC", inputs=inputs or {"L": 3, "E": 6, "C": 7}
    )


def _filed(world: World) -> RiskRegisterFiling:
    """ent_a's register compiled, submitted, signed by the legal representative (which files it)."""
    return factories.filed(world)


def _sector_officer(code: str) -> User:
    return make_user(
        f"officer_{code}", {"role": Role.DEPT_OFFICER, "department": Department.objects.get(code=code)}
    )


def _filing_audit(filing: RiskRegisterFiling) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type="risks.riskregisterfiling", object_id=str(filing.pk)).order_by(
            "id"
        )
    )


# ---- compile -------------------------------------------------------------------------------------


def test_compile_refuses_an_empty_register(world) -> None:
    with pytest.raises(ValidationError) as excinfo:
        filing_services.filing_compile(actor=world.user("ent_a"), enterprise=world.ent_a)
    assert excinfo.value.messages == ["风险清单为空：尚无在用的风险点，请先辨识风险点、危险源并完成风险评价"]
    assert not RiskRegisterFiling.objects.exists()


def test_compile_refuses_listing_every_problem_and_saves_nothing(world, settings) -> None:
    point = make_point(world, code="R-003", name="液氯储罐区")
    factor = make_factor(point)
    assess_factor(factor)  # level 3: needs workshop, team and post
    services.tier_assign(actor=SYSTEM, point=point, tier=ControlTier.POST, person=world.person_a)
    make_point(world, code="R-004", name="装车台")  # no factor assessed: no level
    inactive = make_point(world, code="R-005", name="旧仓库")
    services.risk_point_deactivate(actor=SYSTEM, point=inactive)  # inactive points do not count
    audit_before = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        filing_services.filing_compile(actor=world.user("ent_a"), enterprise=world.ent_a)

    assert excinfo.value.messages == [
        "R-003 液氯储罐区：缺少 车间级、班组级",
        "R-004 装车台：尚未评定风险等级（须至少有一项已评价的危险源）",
    ]
    assert not RiskRegisterFiling.objects.exists()
    assert not FilingTransition.objects.exists()
    assert AuditEntry.objects.count() == audit_before
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(media.rglob("*.pdf"))


@pytest.mark.parametrize("username", ["town_a", "dept_chem", "ent_b", "post_a", "outsider"])
def test_only_register_editors_compile(world, username) -> None:
    complete_register(world)
    with pytest.raises(PermissionDenied):
        filing_services.filing_compile(actor=world.user(username), enterprise=world.ent_a)
    assert not RiskRegisterFiling.objects.exists()


def test_compile_freezes_the_register(world) -> None:
    point = complete_register(world)
    revision = RegisterRevision.objects.get(enterprise=world.ent_a).revision
    assert revision > 0

    filing = filing_services.filing_compile(actor=world.user("ent_a"), enterprise=world.ent_a)

    assert (filing.version, filing.status, filing.register_revision) == (1, FilingStatus.COMPILED, revision)
    snap = filing.snapshot
    assert snap["enterprise"]["name"] == "甲化工有限公司"
    assert snap["enterprise"]["uscc"] == world.ent_a.uscc
    assert snap["enterprise"]["division_name"] == "桓台县 索镇街道 甲村"
    assert snap["summary"] == {
        "points": 1,
        "levels": {"1": 0, "2": 0, "3": 1, "4": 0},
        "factors": 1,
        "measures": 1,
        "tiers": 3,
    }
    assert filing.summary == snap["summary"]
    (frozen,) = snap["points"]
    assert (frozen["code"], frozen["level"], frozen["colour"]) == (point.code, 3, "yellow")
    assert frozen["required_tier_labels"] == ["车间级", "班组级", "岗位级"]
    (factor,) = frozen["factors"]
    assert factor["assessment"]["inputs"] == {"L": 3, "E": 6, "C": 7}
    assert factor["assessment"]["score"] == "126"
    assert factor["assessment"]["method_version"] == "LEC/DB37T2882-2016"
    assert factor["accident_type_labels"] == ["容器爆炸", "火灾"]
    assert frozen["measures"][0]["responsible_post"] == "反应釜操作岗"
    assert [(t["tier_label"], t["person"]) for t in frozen["tiers"]] == [
        ("车间级", "李主任"),
        ("班组级", "赵班长"),
        ("岗位级", "王操作"),
    ]
    canonical = json.dumps(snap, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert filing.fingerprint == hashlib.sha256(canonical.encode()).hexdigest()
    # The book is rendered on the worker, not in the request.
    assert not filing.pdf and filing.book_job.status == "queued"
    assert not filing_services.book_ready(filing)
    assert render_books() == 1
    filing.refresh_from_db()
    assert filing_services.book_ready(filing)
    with filing.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert [(t.from_status, t.to_status, t.action, t.actor_label) for t in filing.transitions.all()] == [
        ("", "compiled", "compile", "ent_a")
    ]
    assert [e.action for e in _filing_audit(filing)] == ["create", "update"]  # the update stores the PDF
    assert verify().ok


def test_a_new_version_supersedes_unfiled_ones_and_keeps_the_fingerprint(world) -> None:
    complete_register(world)
    ent_user = world.user("ent_a")
    first = filing_services.filing_compile(actor=ent_user, enterprise=world.ent_a)
    second = filing_services.filing_compile(actor=ent_user, enterprise=world.ent_a)
    first.refresh_from_db()
    assert second.version == 2
    assert second.fingerprint == first.fingerprint  # same register, same content
    assert (first.status, first.superseded_by_id) == (FilingStatus.SUPERSEDED, second.pk)
    assert list(first.transitions.values_list("to_status", flat=True)) == ["compiled", "superseded"]


# ---- submit, sign (which files), review ----------------------------------------------------------


def test_happy_path_compile_submit_sign_accept(world) -> None:
    complete_register(world)
    compiler = world.user("ent_a")
    legal = factories.legal_rep(world)
    filing = filing_services.filing_compile(actor=compiler, enterprise=world.ent_a)
    filing = filing_services.filing_submit(actor=compiler, filing=filing)
    assert (filing.status, filing.submitted_by) == (FilingStatus.TO_SIGN, compiler)
    assert [d.code for d in filing.departments.all()] == ["work_safety"]  # leads hazardous chemicals

    with pytest.raises(ValidationError) as excinfo:
        filing_services.filing_sign(actor=legal, filing=filing, password="wrong")
    assert excinfo.value.message_dict == {"password": ["密码不正确，签署未完成"]}
    filing.refresh_from_db()
    assert (filing.status, filing.signer_name, filing.signed_at) == (FilingStatus.TO_SIGN, "", None)

    filing = filing_services.filing_sign(actor=legal, filing=filing, password=PASSWORD)
    assert filing.status == FilingStatus.FILED  # signing files it with the departments chosen at submission
    assert (filing.signer_name, filing.signed_by, filing.signed_delegation) == ("张甲", legal, None)
    assert filing.signed_as == "张甲" and filing.signed_at is not None
    assert (filing.filed_by, [d.code for d in filing.departments.all()]) == (legal, ["work_safety"])

    filing = filing_services.filing_accept(actor=world.user("dept_chem"), filing=filing, comment="内容完整")
    assert (filing.status, filing.reviewed_by, filing.review_comment) == (
        FilingStatus.ACCEPTED,
        world.user("dept_chem"),
        "内容完整",
    )
    steps = [(t.from_status, t.to_status, t.actor_label) for t in filing.transitions.all()]
    assert steps == [
        ("", "compiled", "ent_a"),
        ("compiled", "to_sign", "ent_a"),
        ("to_sign", "signed", "legal_a"),
        ("signed", "filed", "legal_a"),
        ("filed", "accepted", "dept_chem"),
    ]
    assert filing.transitions.get(action="sign").comment == "签署人：张甲"
    # Three renderings were queued (compile, submit, file); only the one for the filed book is kept.
    assert render_books() == 3
    filing.refresh_from_db()
    assert filing.pdf.name.endswith("-filed.pdf")
    with filing.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert [(e.action, e.actor_label) for e in _filing_audit(filing)] == [
        ("create", "ent_a"),
        ("transition", "ent_a"),
        ("login_failed", "legal_a"),  # the wrong password is on the record
        ("transition", "legal_a"),
        ("transition", "legal_a"),
        ("transition", "dept_chem"),
        ("update", "legal_a"),  # the filed book, stored by the worker for whoever queued it
    ]
    assert verify().ok


def test_the_safety_manager_no_longer_signs_for_the_legal_representative(world) -> None:
    """The compiler submits; only the representative's own login (or a written delegation) signs."""
    complete_register(world)
    filing = factories.submitted(world)
    for username in ("ent_a", "county_admin", "town_a", "dept_chem", "ent_b", "post_a"):
        with pytest.raises(PermissionDenied):
            filing_services.filing_sign(actor=world.user(username), filing=filing, password=PASSWORD)
    other_firm = make_user("legal_b", {"role": Role.LEGAL_REP, "enterprise": world.ent_b})
    with pytest.raises(PermissionDenied):
        filing_services.filing_sign(actor=other_firm, filing=filing, password=PASSWORD)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.TO_SIGN and not filing.transitions.filter(action="sign").exists()


def test_submitting_needs_an_editor_and_someone_who_can_sign(world) -> None:
    complete_register(world)
    compiler = world.user("ent_a")
    filing = filing_services.filing_compile(actor=compiler, enterprise=world.ent_a)
    with pytest.raises(ValidationError) as excinfo:
        filing_services.filing_submit(actor=compiler, filing=filing)  # no legal representative account yet
    assert "企业尚无可以签署的账号" in excinfo.value.message_dict["status"][0]
    legal = factories.legal_rep(world)
    for actor in (legal, world.user("post_a"), world.user("town_a")):
        with pytest.raises(PermissionDenied):
            filing_services.filing_submit(actor=actor, filing=filing)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.COMPILED
    assert filing_services.filing_submit(actor=compiler, filing=filing).status == FilingStatus.TO_SIGN


def test_the_signer_sends_it_back_with_a_comment_and_the_compiler_resubmits(world) -> None:
    complete_register(world)
    legal = factories.legal_rep(world)
    filing = factories.submitted(world)
    with pytest.raises(ValidationError) as excinfo:
        filing_services.filing_send_back(actor=legal, filing=filing, comment=" ")
    assert excinfo.value.message_dict == {"comment": ["退回时须填写意见，说明需要修改的内容"]}
    with pytest.raises(PermissionDenied):
        filing_services.filing_send_back(actor=world.user("ent_a"), filing=filing, comment="自己退回")
    filing = filing_services.filing_send_back(
        actor=legal, filing=filing, comment="请补充液氯储罐区的应急措施"
    )
    assert (filing.status, filing.sent_back_comment) == (FilingStatus.SENT_BACK, "请补充液氯储罐区的应急措施")
    with pytest.raises(ValidationError):
        filing_services.filing_sign(actor=legal, filing=filing, password=PASSWORD)
    filing = filing_services.filing_submit(actor=world.user("ent_a"), filing=filing)
    assert (filing.status, filing.sent_back_comment) == (FilingStatus.TO_SIGN, "")
    assert (
        filing_services.filing_sign(actor=legal, filing=filing, password=PASSWORD).status
        == FilingStatus.FILED
    )


def test_a_delegate_signs_under_a_written_delegation(world, tmp_path) -> None:
    from safegrid.risks.services import delegation as delegation_services

    from .test_delegation import letter

    complete_register(world)
    legal = factories.legal_rep(world)
    deputy = make_user(
        "ent_a_admin", {"role": Role.ENT_ADMIN, "enterprise": world.ent_a}, display_name="王副总"
    )
    filing = factories.submitted(world)
    with pytest.raises(PermissionDenied):
        filing_services.filing_sign(actor=deputy, filing=filing, password=PASSWORD)
    today = timezone.localdate()
    delegation = delegation_services.delegation_create(
        actor=legal,
        enterprise=world.ent_a,
        delegate=deputy,
        valid_from=today,
        valid_until=today + dt.timedelta(days=90),
        document=letter(),
    )
    filing = filing_services.filing_sign(actor=deputy, filing=filing, password=PASSWORD)
    assert (filing.status, filing.signed_by, filing.signed_delegation) == (
        FilingStatus.FILED,
        deputy,
        delegation,
    )
    assert filing.signed_as == "王副总（受张甲委托）"
    assert filing.transitions.get(action="sign").comment == "签署人：王副总（受张甲委托）"
    assert filing_services.book_info(filing).signer_name == "王副总（受张甲委托）"


def test_reviewers_must_regulate_the_enterprise(world) -> None:
    complete_register(world)
    filing = _filed(world)
    with pytest.raises(PermissionDenied):
        filing_services.filing_accept(actor=world.user("town_a"), filing=filing)  # sees it, does not review
    with pytest.raises(PermissionDenied):
        filing_services.filing_accept(
            actor=_sector_officer("construction_admin"), filing=filing
        )  # other sector
    with pytest.raises(PermissionDenied):
        filing_services.filing_return(actor=world.user("ent_a"), filing=filing, comment="自己退回")
    filing.refresh_from_db()
    assert filing.status == FilingStatus.FILED
    accepted = filing_services.filing_accept(actor=world.user("county_admin"), filing=filing)
    assert accepted.status == FilingStatus.ACCEPTED


def test_illegal_transitions_are_refused_and_change_nothing(world) -> None:
    complete_register(world)
    compiler = world.user("ent_a")
    legal = factories.legal_rep(world)
    filing = filing_services.filing_compile(actor=compiler, enterprise=world.ent_a)
    with pytest.raises(ValidationError) as excinfo:
        filing_services.filing_sign(actor=legal, filing=filing, password=PASSWORD)
    assert excinfo.value.message_dict["status"] == [
        "当前状态「已编制待提交签署」不能执行「签署」；可执行：提交签署"
    ]
    with pytest.raises(ValidationError):
        filing_services.filing_accept(actor=world.user("dept_chem"), filing=filing)
    filing = filing_services.filing_submit(actor=compiler, filing=filing)
    with pytest.raises(ValidationError, match="待法定代表人签署"):
        filing_services.filing_file(actor=compiler, filing=filing)
    filing = filing_services.filing_sign(actor=legal, filing=filing, password=PASSWORD)
    with pytest.raises(ValidationError, match="已备案待审核"):
        filing_services.filing_sign(actor=legal, filing=filing, password=PASSWORD)
    filing = filing_services.filing_accept(actor=world.user("dept_chem"), filing=filing)
    with pytest.raises(ValidationError, match="已接收"):
        filing_services.filing_return(actor=world.user("dept_chem"), filing=filing, comment="再退回")
    filing.refresh_from_db()
    assert filing.status == FilingStatus.ACCEPTED
    assert filing.transitions.count() == 5


def test_return_needs_a_comment_and_a_new_version_supersedes(world) -> None:
    complete_register(world)
    dept = world.user("dept_chem")
    first = filing_services.filing_accept(actor=dept, filing=_filed(world))

    make_measure(world, RiskPoint.objects.get(code="RP-001"), description="设置可燃气体报警仪")
    second = _filed(world)
    first.refresh_from_db()
    assert second.version == 2
    assert (first.status, first.superseded_by_id) == (FilingStatus.SUPERSEDED, second.pk)
    assert first.transitions.last().comment == "被第 2 版替代"

    with pytest.raises(ValidationError) as excinfo:
        filing_services.filing_return(actor=dept, filing=second, comment="  ")
    assert excinfo.value.message_dict == {"comment": ["退回时须填写审核意见，说明需要修改的内容"]}
    second = filing_services.filing_return(actor=dept, filing=second, comment="请补充应急管理类措施")
    assert (second.status, second.review_comment) == (FilingStatus.RETURNED, "请补充应急管理类措施")

    third = _filed(world)
    second.refresh_from_db()
    assert third.version == 3
    assert second.status == FilingStatus.RETURNED  # the returned version stays on the record as returned
    assert third.status == FilingStatus.FILED
    assert verify().ok


def test_a_register_change_makes_the_filing_outdated(world) -> None:
    point = complete_register(world)
    filing = _filed(world)
    assert current_revision(world.ent_a.pk) == filing.register_revision

    make_measure(world, point, description="巡检时检查安全阀铅封")

    assert current_revision(world.ent_a.pk) > filing.register_revision
    row = filing_status_list(world.user("county_admin")).get(pk=world.ent_a.pk)
    assert (row.filing_status, row.filing_outdated) == ("filed", True)


def test_an_outdated_version_cannot_be_submitted_or_signed(world) -> None:
    point = complete_register(world)
    legal = factories.legal_rep(world)
    filing = factories.submitted(world)
    make_measure(world, point, description="巡检时检查安全阀铅封")
    with pytest.raises(ValidationError, match="已过期"):
        filing_services.filing_sign(actor=legal, filing=filing, password=PASSWORD)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.TO_SIGN
    fresh = filing_services.filing_compile(actor=world.user("ent_a"), enterprise=world.ent_a)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUPERSEDED  # the waiting version is replaced by the new one
    make_measure(world, point, description="每班检查液位计")
    with pytest.raises(ValidationError, match="已过期"):
        filing_services.filing_submit(actor=world.user("ent_a"), filing=fresh)


def test_repeated_wrong_passwords_pause_signing(world) -> None:
    complete_register(world)
    legal = factories.legal_rep(world)
    filing = factories.submitted(world)
    for _ in range(filing_services.SIGN_MAX_FAILURES):
        with pytest.raises(ValidationError, match="密码不正确"):
            filing_services.filing_sign(actor=legal, filing=filing, password="guess")
    with pytest.raises(ValidationError, match="密码错误次数过多"):
        filing_services.filing_sign(actor=legal, filing=filing, password=PASSWORD)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.TO_SIGN
    failures = AuditEntry.objects.filter(action="login_failed", object_id=str(filing.pk))
    assert failures.count() == filing_services.SIGN_MAX_FAILURES
    assert verify().ok
