"""The register import through a real `safegrid worker` subprocess: queued, progress on the page, result."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safegrid.core.excel import XLSX_TYPE
from safegrid.enterprises.models import ImportJob
from safegrid.jobs.choices import JobStatus
from safegrid.jobs.models import Job
from safegrid.jobs.tests.test_worker_processes import Workers, wait_for
from safegrid.notifications.models import Notification
from safegrid.risks.models import RiskPoint
from safegrid.testworld import World

from .test_register_excel import FACTOR, MEASURE, POINT, TIER, good_sheets, workbook_bytes

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers(tmp_path) -> Iterator[Workers]:
    pool = Workers(tmp_path)
    yield pool
    pool.stop()


def test_an_upload_is_imported_by_the_worker_with_progress_on_the_page(
    world: World, login: Any, workers: Workers
) -> None:
    points = [dict(POINT, code=f"RP-{n:03}", name=f"风险点{n}") for n in range(1, 31)]
    factors = [dict(FACTOR, point=p["code"]) for p in points]
    sheets = good_sheets(
        **{
            "风险点": points,
            "危险源": factors,
            "管控措施": [dict(MEASURE, point="RP-001")],
            "管控责任": [dict(TIER, point="RP-001")],
        }
    )
    content = workbook_bytes(world, sheets)
    client = login(world.user("ent_a"))
    response = client.post(
        reverse("risks:excel_import"),
        {
            "enterprise": world.ent_a.pk,
            "file": SimpleUploadedFile("清单.xlsx", content, content_type=XLSX_TYPE),
        },
    )
    assert response.status_code == 302
    upload = ImportJob.objects.get(created_by=world.user("ent_a"))
    assert upload.job is not None and upload.job.status == JobStatus.QUEUED
    url = response["Location"]
    queued = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'hx-get="{url}"' in queued and "job-progress" in queued  # the job's bar, polled by the page

    workers.start(1)
    wait_for(lambda: not Job.objects.get(pk=upload.job_id).is_active, "the preview job finished")
    assert workers.alive(), workers.logs()
    job = Job.objects.get(pk=upload.job_id)
    assert job.status == JobStatus.SUCCEEDED, (job.error, workers.logs())
    assert (job.attempts, job.done, job.total) == (1, 62, 62), workers.logs()  # 30 + 30 + measure + tier
    previewed = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in previewed and 'data-testid="register-preview"' in previewed
    assert not RiskPoint.objects.filter(enterprise=world.ent_a).exists()  # nothing before confirming

    assert client.post(reverse("risks:excel_import_confirm", args=[upload.pk])).status_code == 302
    upload.refresh_from_db()
    assert upload.job is not None and upload.job.kind == "risks.import_register"
    wait_for(lambda: not Job.objects.get(pk=upload.job_id).is_active, "the import job finished")
    job = Job.objects.get(pk=upload.job_id)
    assert job.status == JobStatus.SUCCEEDED, (job.error, workers.logs())
    assert (job.done, job.total) == (62, 62), workers.logs()
    done = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and "风险点：新建 30" in done
    assert RiskPoint.objects.filter(enterprise=world.ent_a).count() == 30
    assert Notification.objects.filter(recipient=world.user("ent_a"), kind="imports.finished").count() == 1
