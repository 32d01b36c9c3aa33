"""Jobs and a schedule used by the tests; loaded into `safegrid worker` subprocesses with --load."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from safegrid.jobs import JobContext, JobFailed, job, schedule

WAIT_LIMIT_SECONDS = 120  # a safety stop so a broken test never leaves a job waiting for ever


@job("tests.append_line")
def append_line(ctx: JobContext, *, path: str, text: str = "ran") -> dict[str, Any]:
    """Appends one line per run, so a test can count how often a job really ran."""
    with Path(path).open("a", encoding="utf-8") as f:
        f.write(f"{text} {ctx.uuid}\n")
    return {"summary": "已记录"}


@job("tests.always_fails")
def always_fails(ctx: JobContext, *, reason: str) -> dict[str, Any]:
    raise RuntimeError(reason)


@job("tests.refused")
def refused(ctx: JobContext, *, reason: str) -> dict[str, Any]:
    raise JobFailed(reason)


@job("tests.waits_for_file")
def waits_for_file(ctx: JobContext, *, path: str) -> dict[str, Any]:
    """Reports step 1 of 3, then waits until the test creates `path`."""
    ctx.progress(1, 3, "第一步完成")
    deadline = time.monotonic() + WAIT_LIMIT_SECONDS
    while not Path(path).exists():
        if time.monotonic() > deadline:
            raise JobFailed("测试没有创建约定的文件")
        time.sleep(0.1)
    ctx.progress(3, 3, "全部完成")
    return {"summary": "三步都完成了", "url": "/jobs/", "url_label": "返回任务列表"}


def every_minute(path: str) -> None:
    schedule(
        "tests.every_minute",
        cron="* * * * *",
        job_kind="tests.append_line",
        title="测试：每分钟",
        args={"path": path, "text": "slot"},
    )


# The subprocess test sets this to get a schedule that is due at once (cron slots every minute).
if os.environ.get("SAFEGRID_TEST_SCHEDULE_FILE"):
    every_minute(os.environ["SAFEGRID_TEST_SCHEDULE_FILE"])
