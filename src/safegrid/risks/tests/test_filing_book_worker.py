"""The 一企一册 book rendered by a real `safegrid worker` process, then downloaded from the page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.urls import reverse

from safegrid.jobs.choices import JobStatus
from safegrid.jobs.tests.test_worker_processes import Workers, wait_for
from safegrid.risks.models import RiskRegisterFiling
from safegrid.risks.services import filing as filing_services

from .test_filing import complete_register

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers(transactional_db, tmp_path) -> Iterator[Workers]:
    pool = Workers(tmp_path)
    yield pool
    pool.stop()


def test_the_worker_renders_the_compiled_book(world, workers, login, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # the worker's, through SAFEGRID_VAR_DIR below
    complete_register(world)
    ent_user = world.user("ent_a")
    with transaction.atomic():  # the job reaches the queue when this commits
        filing = filing_services.filing_compile(actor=ent_user, enterprise=world.ent_a)
    client = login(ent_user)
    pdf = reverse("risks:filing_pdf", args=[filing.pk])
    assert client.get(pdf).status_code == 302  # not rendered yet: back to the page with a message

    workers.start(1, SAFEGRID_VAR_DIR=str(tmp_path))

    def rendered() -> bool:
        job = RiskRegisterFiling.objects.select_related("book_job").get(pk=filing.pk).book_job
        assert job is not None and job.status != JobStatus.FAILED, workers.logs()
        return job.status == JobStatus.SUCCEEDED

    wait_for(rendered, "the worker rendered the book")
    response = client.get(pdf)
    assert response.status_code == 200, workers.logs()
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    page = client.get(reverse("risks:filing_detail", args=[filing.pk])).content.decode()
    assert 'data-testid="book-job"' not in page and pdf in page
