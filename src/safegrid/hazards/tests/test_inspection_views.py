"""我的检查任务 and the check form, on the client: lists, submit, refusals, scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from safegrid.hazards import inspections
from safegrid.hazards.choices import OccurrenceStatus
from safegrid.hazards.models import CheckRecord, HiddenHazard, TaskOccurrence
from safegrid.hazards.tests.factories import jpeg
from safegrid.risks.tests.factories import make_measure, make_point

pytestmark = pytest.mark.django_db


@pytest.fixture
def occ(world: Any) -> TaskOccurrence:
    point = make_point(world)
    make_measure(world, point, check_content="液位正常\n阀门无泄漏", check_cycle=1, check_cycle_unit="天")
    inspections.occurrences_generate(day=timezone.localdate())
    return TaskOccurrence.objects.get()


def test_my_checks_lists_the_due_one_and_the_rate(world: Any, login: Any, occ: TaskOccurrence) -> None:
    client = login(world.user("post_a"))
    page = client.get(reverse("hazards:my_checks")).content.decode()
    assert occ.task.title in page and reverse("hazards:check", args=[occ.pk]) in page
    assert 'data-testid="on-time-rate"' in page
    assert occ.task.title not in login(world.user("ent_b")).get(reverse("hazards:my_checks")).content.decode()
    assert login(world.user("ent_b")).get(reverse("hazards:check", args=[occ.pk])).status_code == 404


def test_submit_no_finding(world: Any, login: Any, occ: TaskOccurrence) -> None:
    client = login(world.user("post_a"))
    url = reverse("hazards:check", args=[occ.pk])
    response = client.post(
        url, {"item_0": "on", "item_1": "on", "result": "ok", "presence": "none", "note": "好"}
    )
    assert response.status_code == 302
    occ.refresh_from_db()
    assert occ.status == OccurrenceStatus.DONE
    page = client.get(reverse("hazards:my_checks")).content.decode()
    assert "今日已完成" in page and occ.task.title in page
    assert "未发现隐患" in client.get(url).content.decode()


def test_failed_item_needs_a_finding_then_reports_the_hazard(
    world: Any, login: Any, occ: TaskOccurrence
) -> None:
    client = login(world.user("post_a"))
    url = reverse("hazards:check", args=[occ.pk])
    refused = client.post(url, {"item_0": "on", "result": "ok", "presence": "none"})
    assert refused.status_code == 422 and not CheckRecord.objects.exists()
    missing = client.post(url, {"item_0": "on", "result": "finding", "presence": "none"})
    assert missing.status_code == 422 and "发现隐患时请填写隐患名称和描述" in missing.content.decode()
    done = client.post(
        url,
        {
            "item_0": "on",
            "result": "finding",
            "presence": "qr",
            "hazard_title": "阀门泄漏",
            "hazard_description": "出料阀填料处滴漏",
            "hazard_type": "7",
            "photo": SimpleUploadedFile("a.jpg", jpeg(), content_type="image/jpeg"),
        },
    )
    assert done.status_code == 302
    hazard = HiddenHazard.objects.get()
    assert hazard.inspection_task == occ.task and hazard.check_record is not None
    assert hazard.photos.count() == 1


def test_regulators_see_the_enterprises_rate(world: Any, login: Any, occ: TaskOccurrence) -> None:
    TaskOccurrence.objects.update(
        window_start=occ.window_start - dt.timedelta(days=2), window_end=occ.window_end - dt.timedelta(days=2)
    )
    inspections.occurrences_mark_missed()
    page = login(world.user("town_a")).get(reverse("hazards:my_checks")).content.decode()
    assert "按时排查率最低的企业" in page and world.ent_a.name in page and "0.0%" in page
    page_b = login(world.user("town_b")).get(reverse("hazards:my_checks")).content.decode()
    assert world.ent_a.name not in page_b
