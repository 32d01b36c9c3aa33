"""The one Tasks-API task: it carries a job's uuid to a worker, which runs the registered function."""

from __future__ import annotations

from django_tasks import task

from .runner import execute


@task()
def run_job(job_uuid: str) -> str | None:
    return execute(job_uuid)
