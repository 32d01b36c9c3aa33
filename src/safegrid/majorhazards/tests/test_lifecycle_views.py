"""The lifecycle and responsibility pages, the notice board PDF and the API: who sees what (out of scope is
404), the forms and the review buttons, field-named 422s."""

from __future__ import annotations

import base64
import datetime as dt
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from safegrid.core import tokens
from safegrid.core.testing import SYSTEM
from safegrid.majorhazards.models import ResponsiblePerson, SourceFiling
from safegrid.majorhazards.services import lifecycle, responsibility

from .lifecycle_fixtures import PDF, accepted, draft, person_a, unit_a

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
API = "/api/v1/major-hazards"


@pytest.fixture
def bearer(world):
    def _bearer(username: str) -> dict[str, str]:
        raw, _ = tokens.token_issue(actor=SYSTEM, user=world.user(username), name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _bearer


def _pages(unit):
    return [
        reverse("majorhazards:unit_lifecycle", args=[unit.pk]),
        reverse("majorhazards:unit_responsibility", args=[unit.pk]),
        reverse("majorhazards:responsible_board", args=[unit.pk]),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("ent_a", 200),
        ("dept_chem", 200),
        ("town_a", 200),
        ("county_admin", 200),
        ("ent_b", 404),
        ("town_b", 404),
        ("outsider", 404),
    ],
)
def test_unit_pages_are_scoped(world, login, who, status):
    unit = unit_a(world)
    client = login(world.user(who))
    for url in _pages(unit):
        assert client.get(url).status_code == status, url


def test_lifecycle_page_shows_the_filing_its_timeline_and_the_buttons(world, login):
    unit = unit_a(world)
    filing = draft(world, unit)
    lifecycle.filing_submit(actor=world.user("ent_a"), filing=filing)
    page = login(world.user("dept_chem")).get(reverse("majorhazards:unit_lifecycle", args=[unit.pk]))
    text = page.content.decode()
    assert "甲安全评价公司" in text and "处理记录" in text and "提交备案" in text
    assert reverse("majorhazards:filing_act", args=[filing.pk, "accept"]) in text
    assert reverse("majorhazards:filing_act", args=[filing.pk, "return"]) in text
    own = (
        login(world.user("ent_a"))
        .get(reverse("majorhazards:unit_lifecycle", args=[unit.pk]))
        .content.decode()
    )
    assert reverse("majorhazards:filing_act", args=[filing.pk, "accept"]) not in own


def test_file_review_and_return_through_the_pages(world, login, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    unit = unit_a(world)
    ent = login(world.user("ent_a"))
    url = reverse("majorhazards:filing_new", args=[unit.pk])
    assert ent.get(url).status_code == 200
    bad = ent.post(url, {"assessing_org": "评价公司", "assessed_on": "2999-01-01", "report_summary": "摘要"})
    assert bad.status_code == 422 and "评估日期不能晚于今天" in bad.content.decode()
    done = ent.post(
        url,
        {
            "assessing_org": "评价公司",
            "assessed_on": (TODAY() - dt.timedelta(days=2)).isoformat(),
            "report_summary": "摘要",
            "report_file": SimpleUploadedFile("r.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert done.status_code == 302
    filing = SourceFiling.objects.get(unit=unit)
    assert ent.get(reverse("majorhazards:filing_report", args=[filing.pk])).status_code == 200
    assert ent.post(reverse("majorhazards:filing_act", args=[filing.pk, "submit"]), {}).status_code == 302
    client.logout()
    reviewer = login(world.user("county_admin"))
    review = reviewer.get(reverse("majorhazards:lifecycle_review"))
    assert review.status_code == 200 and unit.name in review.content.decode()
    refused = reviewer.post(reverse("majorhazards:filing_act", args=[filing.pk, "return"]), {"comment": ""})
    assert refused.status_code == 422 and "须填写意见" in refused.content.decode()
    returned = reviewer.post(
        reverse("majorhazards:filing_act", args=[filing.pk, "return"]),
        {"comment": "补充人口", "next": "review"},
    )
    assert returned.status_code == 302 and returned["Location"] == reverse("majorhazards:lifecycle_review")
    filing.refresh_from_db()
    assert filing.status == "returned" and filing.review_comment == "补充人口"


def test_review_page_is_for_reviewers_and_out_of_scope_moves_are_404(world, login):
    unit = unit_a(world)
    filing = draft(world, unit)
    assert login(world.user("ent_a")).get(reverse("majorhazards:lifecycle_review")).status_code == 403
    other = login(world.user("ent_b"))
    assert other.post(reverse("majorhazards:filing_act", args=[filing.pk, "submit"]), {}).status_code == 404
    assert other.get(reverse("majorhazards:filing_new", args=[unit.pk])).status_code == 404
    assert (
        login(world.user("town_a")).get(reverse("majorhazards:filing_new", args=[unit.pk])).status_code == 403
    )


def test_record_forms(world, login):
    unit = unit_a(world)
    accepted(world, unit, TODAY() - dt.timedelta(days=30))
    ent = login(world.user("ent_a"))
    today = TODAY().isoformat()
    posts = {
        "trigger_new": {
            "kind": "accident",
            "occurred_on": today,
            "description": "事故",
            "deaths": "0",
            "injuries": "9",
        },
        "drill_new": {
            "plan_kind": "onsite",
            "held_on": today,
            "participants": "12",
            "summary": "现场处置演练",
        },
        "test_new": {"facility": "安全阀", "tested_on": today, "result": "pass", "cycle_months": "12"},
        "deregistration_new": {"reason": "装置已拆除"},
    }
    refused = ent.post(reverse("majorhazards:trigger_new", args=[unit.pk]), posts["trigger_new"])
    assert refused.status_code == 422 and "受伤 10 人以上，才须重新评估" in refused.content.decode()
    for name, data in posts.items():
        if name == "trigger_new":
            data = {**data, "injuries": "10"}
        assert ent.get(reverse(f"majorhazards:{name}", args=[unit.pk])).status_code == 200
        assert ent.post(reverse(f"majorhazards:{name}", args=[unit.pk]), data).status_code == 302, name
    page = ent.get(reverse("majorhazards:unit_lifecycle", args=[unit.pk])).content.decode()
    assert "待重新评估" in page and "现场处置演练"[:4] in page and "安全阀" in page and "待审核" in page


def test_due_list(world, login):
    unit = unit_a(world)
    accepted(world, unit, TODAY() - dt.timedelta(days=3 * 365 + 10))
    for who in ("ent_a", "dept_chem"):
        page = login(world.user(who)).get(reverse("majorhazards:lifecycle_due"))
        assert page.status_code == 200 and "重新评估已逾期" in page.content.decode()
    assert (
        unit.name
        not in login(world.user("ent_b")).get(reverse("majorhazards:lifecycle_due")).content.decode()
    )


def test_home_todos(world, login):
    unit = unit_a(world)
    filing = draft(world, unit)
    lifecycle.filing_submit(actor=world.user("ent_a"), filing=filing)
    home = login(world.user("dept_chem")).get("/").content.decode()
    assert "重大危险源备案、核销待审核" in home


def test_responsibility_page_and_naming(world, login):
    unit = unit_a(world)
    person = person_a(world)
    ent = login(world.user("ent_a"))
    url = reverse("majorhazards:responsible_name", args=[unit.pk])
    assert ent.get(url + "?role=2").status_code == 200
    assert (
        ent.post(url, {"role": "2", "person": str(person.pk), "valid_from": TODAY().isoformat()}).status_code
        == 302
    )
    page = ent.get(reverse("majorhazards:unit_responsibility", args=[unit.pk])).content.decode()
    assert (
        "孙技术" in page
        and "13800000001" in page
        and "每季度至少一次" in page
        and "应急厅〔2021〕12号" in page
    )


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_notice_board_pdf_renders_the_names(world, login, tmp_path):
    unit = unit_a(world)
    for role, name, phone in ((1, "张主要", "13800000011"), (3, "李操作", "13800000033")):
        responsibility.responsible_name(
            actor=world.user("ent_a"),
            unit=unit,
            role=role,
            person=person_a(world, name=name, phone=phone),
            valid_from=TODAY(),
        )
    response = login(world.user("dept_chem")).get(reverse("majorhazards:responsible_board", args=[unit.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "board.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for expected in (
        "安全包保责任人公示牌",
        "张主要",
        "13800000011",
        "李操作",
        "技术负责人",
        "未指定",
        unit.name,
        "每周至少一次",
    ):
        assert expected in text.replace(" ", ""), expected


# ---- API ------------------------------------------------------------------------------------------------


def _post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def test_api_filings(world, client, bearer):
    unit = unit_a(world)
    ent = bearer("ent_a")
    url = f"{API}/{unit.pk}/filings"
    bad = _post(client, url, {"assessing_org": "", "assessed_on": None, "report_summary": "x"}, ent)
    assert bad.status_code == 422 and {"assessing_org", "assessed_on"} <= set(bad.json()["error"]["fields"])
    doc = {"name": "r.pdf", "data": "@@@"}
    bad_doc = _post(
        client,
        url,
        {"assessing_org": "公司", "assessed_on": "2026-01-02", "report_summary": "x", "document": doc},
        ent,
    )
    assert bad_doc.status_code == 422 and "document" in bad_doc.json()["error"]["fields"]
    body = {
        "assessing_org": "公司",
        "assessed_on": (TODAY() - dt.timedelta(days=1)).isoformat(),
        "report_summary": "二级",
        "document": {"name": "r.pdf", "data": base64.b64encode(PDF).decode()},
    }
    assert _post(client, url, body, bearer("dept_chem")).status_code == 403
    made = _post(client, url, body, ent)
    assert made.status_code == 200, made.content
    data = made.json()
    assert data["filings"][0]["status"] == "submitted" and data["filings"][0]["has_report_file"] is True
    assert data["state"] == "unfiled"
    assert client.get(url, **bearer("dept_chem")).json()["filings"][0]["assessing_org"] == "公司"
    assert client.get(url, **bearer("ent_b")).status_code == 404
    assert _post(client, url, body, bearer("ent_b")).status_code == 404


def test_api_responsible_persons(world, client, bearer):
    from safegrid.enterprises import services as ent_services

    unit = unit_a(world)
    person = person_a(world)
    url = f"{API}/{unit.pk}/responsible-persons"
    ent = bearer("ent_a")
    other = ent_services.person_create(
        actor=SYSTEM, enterprise=world.ent_b, data={"name": "乙", "phone": "13900000000"}
    )
    refused = _post(client, url, {"role": 2, "person_id": other.pk}, ent)
    assert refused.status_code == 422 and "person_id" in refused.json()["error"]["fields"]
    bad_role = _post(client, url, {"role": 7, "person_id": person.pk}, ent)
    assert bad_role.status_code == 422 and "role" in bad_role.json()["error"]["fields"]
    made = _post(client, url, {"role": 2, "person_id": person.pk}, ent)
    assert made.status_code == 200, made.content
    row = made.json()["persons"][0]
    assert (row["role"], row["name"], row["phone"], row["frequency"]) == (
        2,
        "孙技术",
        "13800000001",
        "每季度至少一次",
    )
    assert row["task_id"] == ResponsiblePerson.objects.get().task_id
    assert client.get(url, **bearer("ent_b")).status_code == 404
    assert client.get(url, **bearer("dept_chem")).json()["persons"][0]["name"] == "孙技术"


def test_pre_event_check_form(world, login):
    unit = unit_a(world)
    responsibility.responsible_name(
        actor=world.user("ent_a"), unit=unit, role=2, person=person_a(world), valid_from=TODAY()
    )
    url = reverse("majorhazards:pre_event_check", args=[unit.pk])
    ent = login(world.user("ent_a"))
    page = ent.get(reverse("majorhazards:unit_responsibility", args=[unit.pk])).content.decode()
    assert url in page
    assert ent.post(url, {"reason": "春节", "due_on": TODAY().isoformat()}).status_code == 302
    assert login(world.user("ent_b")).get(url).status_code == 404


def test_due_list_shows_missed_checks_to_the_regulator(world, login):
    from safegrid.hazards import inspections, rollups
    from safegrid.hazards.models import TaskOccurrence

    unit = unit_a(world)
    row = responsibility.responsible_name(
        actor=world.user("ent_a"),
        unit=unit,
        role=3,
        person=person_a(world),
        valid_from=TODAY() - dt.timedelta(days=14),
    )
    start = timezone.now() - dt.timedelta(days=10)
    occurrence = TaskOccurrence.objects.create(
        task=row.task, enterprise=world.ent_a, window_start=start, window_end=start + dt.timedelta(days=7)
    )
    rollups.occurrences_added([occurrence])
    inspections.occurrences_mark_missed()
    page = login(world.user("dept_chem")).get(reverse("majorhazards:lifecycle_due")).content.decode()
    section = page[page.index('id="missed"') :]
    assert unit.name in section and '<span class="badge bg-red-lt">1</span>' in section
    assert (
        unit.name
        not in login(world.user("town_b")).get(reverse("majorhazards:lifecycle_due")).content.decode()
    )
