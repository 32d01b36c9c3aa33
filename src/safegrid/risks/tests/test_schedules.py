"""The risks schedules: the regional risk proposal runs as a job, declared monthly."""

from __future__ import annotations

import pytest

from safegrid import jobs
from safegrid.core.audit import SystemActor
from safegrid.jobs import runner
from safegrid.jobs.choices import JobStatus
from safegrid.jobs.registry import schedules
from safegrid.regions.models import Division
from safegrid.risks.models import RegionalRisk
from safegrid.testworld import World

pytestmark = pytest.mark.django_db


def test_the_regional_proposal_runs_as_a_job_for_every_town_and_village(world: World) -> None:
    job = jobs.enqueue(
        "risks.regional_propose",
        title="区域风险建议",
        actor=SystemActor("schedule:test"),
        args={"year": 2026},
    )
    assert runner.execute(str(job.uuid)) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    divisions = Division.objects.filter(level__in=("town", "village")).count()
    assert RegionalRisk.objects.filter(year=2026).count() == divisions == job.result["created"]
    assert job.result["url"] == "/risks/map/regional/" and "2026 年度区域风险建议" in job.result["summary"]
    # Run again: the proposal is recomputed, nothing new is created.
    again = jobs.enqueue(
        "risks.regional_propose",
        title="区域风险建议",
        actor=SystemActor("schedule:test"),
        args={"year": 2026},
    )
    assert runner.execute(str(again.uuid)) == JobStatus.SUCCEEDED
    again.refresh_from_db()
    assert (again.result["created"], again.result["unchanged"]) == (0, divisions)


def test_a_year_the_service_refuses_fails_the_job_without_retry(world: World) -> None:
    job = jobs.enqueue(
        "risks.regional_propose", title="区域风险建议", actor=SystemActor("t"), args={"year": 1990}
    )
    assert runner.execute(str(job.uuid)) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.attempts == 1 and "2000–2100" in job.error


def test_the_regional_proposal_is_scheduled_monthly() -> None:
    entry = next(s for s in schedules() if s.name == "risks.regional_propose")
    assert (entry.cron, entry.job_kind) == ("30 2 1 * *", "risks.regional_propose")
