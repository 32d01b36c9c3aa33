"""Major-hazard pages and API: the detail page's sections and forms by role, refusals shown at the field
(422), the workers' notice board and its PDF, the regulator's to-dos, and the same moves over the API with
field-named 422s and the Idempotency-Key."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from safegrid.core import tokens
from safegrid.core.testing import SYSTEM
from safegrid.enterprises.models import Person
from safegrid.hazards import services, services_major
from safegrid.hazards.models import SuspensionOrder, TreatmentPlan
from safegrid.hazards.testing import PLAN_PARTS, prepare_major

from .factories import REPORT, photo

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
API = "/api/v1/hazards"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _confirmed_major(world):
    hazard = services.hazard_report(
        actor=world.user("county_admin"), enterprise=world.ent_a, data={**REPORT, "level": "major"}
    )
    return services.hazard_confirm(
        actor=world.user("ent_a"), hazard=hazard, level="major", interim_measures="撤出人员"
    )


def _assign(world, hazard):
    return services.hazard_assign(
        actor=world.user("ent_a"),
        hazard=hazard,
        responsible_person=Person.objects.get(pk=world.person_a.pk),
        measures="更换阀门",
        funds=Decimal("1000"),
        deadline=TODAY + dt.timedelta(days=20),
        plan="预案",
    )


def _page(client, hazard) -> str:
    response = client.get(reverse("hazards:detail", args=[hazard.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_sections_and_forms_by_role(world, login) -> None:
    hazard = _confirmed_major(world)
    page = _page(login(world.user("ent_a")), hazard)
    assert "重大事故隐患治理方案" in page and "尚未编制治理方案" in page
    assert reverse("hazards:major_act", args=[hazard.pk, "plan"]) in page
    assert reverse("hazards:major_act", args=[hazard.pk, "report"]) in page
    assert reverse("hazards:major_act", args=[hazard.pk, "suspend"]) not in page
    page = _page(login(world.user("county_admin")), hazard)
    assert reverse("hazards:major_act", args=[hazard.pk, "suspend"]) in page
    assert reverse("hazards:major_act", args=[hazard.pk, "plan"]) not in page
    page = _page(login(world.user("town_a")), hazard)  # follows, does not act
    assert f"/hazards/{hazard.pk}/major/" not in page and "重大事故隐患治理方案" in page


def test_plan_form_refuses_at_the_fields_then_saves(world, login) -> None:
    hazard = _confirmed_major(world)
    client = login(world.user("ent_a"))
    url = reverse("hazards:major_act", args=[hazard.pk, "plan"])
    bad = client.post(url, {**PLAN_PARTS, "methods": "", "safety_emergency": ""})
    assert bad.status_code == 422
    body = bad.content.decode()
    assert "治理方案须写明方法和措施" in body and "治理方案须写明安全措施和应急预案" in body
    assert not TreatmentPlan.objects.exists()
    ok = client.post(url, PLAN_PARTS)
    assert ok.status_code == 302 and TreatmentPlan.objects.get().version == 1
    page = _page(client, hazard)
    assert PLAN_PARTS["organisation"] in page and "第 1 版" in page


def test_report_form_and_acknowledgement(world, login) -> None:
    hazard = _confirmed_major(world)
    services_major.plan_save(actor=world.user("ent_a"), hazard=hazard, parts=PLAN_PARTS)
    client = login(world.user("ent_a"))
    url = reverse("hazards:major_act", args=[hazard.pk, "report"])
    bad = client.post(url, {"state_and_cause": "x"})
    assert bad.status_code == 422 and "请至少选择一项临时管控措施" in bad.content.decode()
    done = client.post(
        url,
        {
            "state_and_cause": "阀门失效",
            "severity_and_difficulty": "危害大，需停产更换",
            "interim_measures": ["withdraw_workers", "cordon_area"],
            "interim_other": "",
        },
    )
    assert done.status_code == 302
    page = _page(client, hazard)
    assert "已报送待签收" in page and "县安全生产监督管理局" in page and "撤出作业人员；设置警戒区域" in page
    client = login(world.user("dept_chem"))
    assert reverse("hazards:major_act", args=[hazard.pk, "acknowledge"]) in _page(client, hazard)
    home = client.get("/").content.decode()
    assert "重大隐患报告待签收" in home
    assert (
        client.post(
            reverse("hazards:major_act", args=[hazard.pk, "acknowledge"]), {"comment": "收悉"}
        ).status_code
        == 302
    )
    assert "监管部门已签收" in _page(client, hazard)


def test_suspension_steps_on_the_page(world, login) -> None:
    hazard = _assign(world, prepare_major(world.user("ent_a"), _confirmed_major(world)))
    client = login(world.user("county_admin"))
    act = lambda step: reverse("hazards:major_act", args=[hazard.pk, step])  # noqa: E731
    too_long = client.post(
        act("suspend"),
        {
            "document_number": "桓应急责停〔2026〕7号",
            "ordered_on": TODAY,
            "ends_on": TODAY + dt.timedelta(days=200),
        },
    )
    assert too_long.status_code == 422 and "一般不超过6个月" in too_long.content.decode()
    assert (
        client.post(
            act("suspend"),
            {
                "document_number": "桓应急责停〔2026〕7号",
                "ordered_on": TODAY,
                "ends_on": TODAY + dt.timedelta(days=90),
            },
        ).status_code
        == 302
    )
    client = login(world.user("ent_a"))
    upload = client.post(
        act("evaluate"),
        {"evaluator": "专家组", "summary": "具备复产条件", "document": _file(b"%PDF-1.4\n", "评估.pdf")},
    )
    assert upload.status_code == 302
    order = SuspensionOrder.objects.get()
    download = client.get(reverse("hazards:evaluation_file", args=[order.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert (
        login(world.user("ent_b")).get(reverse("hazards:evaluation_file", args=[order.pk])).status_code == 404
    )
    client = login(world.user("ent_a"))
    applied_on = TODAY - dt.timedelta(days=11)
    SuspensionOrder.objects.filter(pk=order.pk).update(ordered_on=applied_on - dt.timedelta(days=1))
    assert (
        client.post(act("apply"), {"application_text": "申请复产", "applied_on": applied_on}).status_code
        == 302
    )
    client = login(world.user("dept_chem"))
    page = _page(client, hazard)
    assert "已超期 1 天" in page and reverse("hazards:major_act", args=[hazard.pk, "review"]) in page
    home = client.get("/").content.decode()
    assert "重大隐患恢复生产现场审查已超期" in home
    listed = client.get(reverse("hazards:list") + "?major=review_overdue").content.decode()
    assert hazard.title in listed
    fail = client.post(act("review"), {"result": "fail", "reviewed_on": TODAY, "comment": ""})
    assert fail.status_code == 422 and "现场审查不合格须写明理由" in fail.content.decode()
    assert client.post(act("review"), {"result": "pass", "reviewed_on": TODAY}).status_code == 302
    assert "现场审查合格，待核销" in _page(client, hazard)


def _file(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_notice_board_and_its_pdf(world, login) -> None:
    hazard = _assign(world, prepare_major(world.user("ent_a"), _confirmed_major(world)))
    client = login(world.user("ent_a"))
    page = client.get(reverse("hazards:notice_board", args=[world.ent_a.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and hazard.title in body
    assert "撤出作业人员；设置警戒区域" in body and hazard.deadline.isoformat() in body
    pdf = client.get(reverse("hazards:notice_board_pdf", args=[world.ent_a.pk]))
    assert (
        pdf.status_code == 200
        and pdf["Content-Type"] == "application/pdf"
        and pdf.content.startswith(b"%PDF")
    )
    other = login(world.user("ent_b"))
    assert other.get(reverse("hazards:notice_board", args=[world.ent_a.pk])).status_code == 404
    assert other.get(reverse("hazards:notice_board_pdf", args=[world.ent_a.pk])).status_code == 404


def test_notice_board_without_major_hazards(world, login) -> None:
    body = (
        login(world.user("ent_a"))
        .get(reverse("hazards:notice_board", args=[world.ent_a.pk]))
        .content.decode()
    )
    assert "目前没有未销号的重大事故隐患" in body


# ---- API -----------------------------------------------------------------------------------------------


@pytest.fixture
def bearer(world):
    def _bearer(username: str) -> dict[str, str]:
        raw, _ = tokens.token_issue(actor=SYSTEM, user=world.user(username), name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _bearer


def _post(client, url, body, headers, **extra):
    return client.post(url, body, content_type="application/json", **headers, **extra)


def test_major_moves_over_the_api(world, client, bearer) -> None:
    ent, dept = bearer("ent_a"), bearer("dept_chem")
    hazard = _confirmed_major(world)
    hid = hazard.pk
    bad = _post(client, f"{API}/{hid}/treatment_plan", {"targets": "目标"}, ent)
    assert bad.status_code == 422
    assert {"methods", "funds_materials", "organisation", "time_requirements", "safety_emergency"} == set(
        bad.json()["error"]["fields"]
    )
    assert _post(client, f"{API}/{hid}/treatment_plan", PLAN_PARTS, dept).status_code == 403
    saved = _post(client, f"{API}/{hid}/treatment_plan", PLAN_PARTS, ent)
    assert (
        saved.status_code == 200
        and saved.json()["plan"]["version"] == 1
        and saved.json()["plan_missing"] == []
    )
    report = {
        "state_and_cause": "阀门失效",
        "severity_and_difficulty": "需停产更换",
        "interim_measures": ["stop_equipment"],
    }
    sent = _post(client, f"{API}/{hid}/submit_report", report, ent)
    assert sent.status_code == 200 and sent.json()["report"]["status"] == "submitted"
    assert _post(client, f"{API}/{hid}/acknowledge_report", {}, ent).status_code == 403
    assert (
        _post(client, f"{API}/{hid}/acknowledge_report", {}, dept).json()["report"]["status"]
        == "acknowledged"
    )
    _assign(world, hazard)
    order = {
        "document_number": "桓应急责停〔2026〕9号",
        "ordered_on": TODAY.isoformat(),
        "ends_on": (TODAY + dt.timedelta(days=400)).isoformat(),
    }
    too_long = _post(client, f"{API}/{hid}/order_suspension", order, dept)
    assert too_long.status_code == 422 and "ends_on" in too_long.json()["error"]["fields"]
    order["ends_on"] = (TODAY + dt.timedelta(days=30)).isoformat()
    first = _post(client, f"{API}/{hid}/order_suspension", order, dept, HTTP_IDEMPOTENCY_KEY="order-key-0001")
    again = _post(client, f"{API}/{hid}/order_suspension", order, dept, HTTP_IDEMPOTENCY_KEY="order-key-0001")
    assert first.status_code == again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert SuspensionOrder.objects.count() == 1
    evaluation = {
        "evaluator": "专家组",
        "summary": "合格",
        "document": {"name": "评估.pdf", "data": base64.b64encode(b"%PDF-1.4\n").decode()},
    }
    assert _post(client, f"{API}/{hid}/submit_evaluation", evaluation, ent).json()["suspension"][
        "has_evaluation_file"
    ]
    applied = _post(client, f"{API}/{hid}/apply_resumption", {"application_text": "申请复产"}, ent).json()
    assert applied["suspension"]["review_due"] == (TODAY + dt.timedelta(days=10)).isoformat()
    assert (
        _post(client, f"{API}/{hid}/pass_review", {"reviewed_on": TODAY.isoformat()}, ent).status_code == 403
    )
    missing = _post(client, f"{API}/{hid}/fail_review", {"reviewed_on": TODAY.isoformat()}, dept)
    assert missing.status_code == 422 and "comment" in missing.json()["error"]["fields"]
    assert (
        _post(client, f"{API}/{hid}/pass_review", {"reviewed_on": TODAY.isoformat()}, dept).status_code == 200
    )
    services.hazard_submit(actor=world.user("ent_a"), hazard=hazard, note="完成", photos=[photo("after")])
    assert _post(client, f"{API}/{hid}/accept", {"comment": "合格"}, dept).json()["status"] == "closed"
    read = client.get(f"{API}/{hid}/major", **dept).json()
    assert read["suspension"]["status"] == "resumed" and read["plan_versions"] == 1
    assert client.get(f"{API}/{hid}/major", **bearer("ent_b")).status_code == 404


def test_api_accept_refused_under_suspension(world, client, bearer) -> None:
    hazard = _assign(world, prepare_major(world.user("ent_a"), _confirmed_major(world)))
    services_major.suspension_order(
        actor=world.user("county_admin"),
        hazard=hazard,
        document_number="文书 3",
        ordered_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=30),
    )
    services.hazard_submit(actor=world.user("ent_a"), hazard=hazard, note="完成", photos=[photo("after")])
    refused = _post(client, f"{API}/{hazard.pk}/accept", {}, bearer("dept_chem"))
    assert refused.status_code == 422 and "suspension" in refused.json()["error"]["fields"]
