"""Jobs pages: the list (county admins see all, others their own), a job's progress, retry."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from safegrid.core.scoping import scope_for

from . import selectors, services
from .choices import JobStatus
from .models import Job
from .permissions import can_retry_jobs


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in JobStatus.values:
        status = ""
    page = Paginator(selectors.job_list(request.user, status=status), 25).get_page(request.GET.get("page"))
    is_county = scope_for(request.user).is_county
    return render(
        request,
        "jobs/job_list.html",
        {
            "page_obj": page,
            "paginator": page.paginator,
            "jobs": page.object_list,
            "status": status,
            "statuses": JobStatus.choices,
            "is_county": is_county,
            "can_retry": can_retry_jobs(request.user),
            "schedules": selectors.schedule_rows(request.user) if is_county else [],
        },
    )


@login_required
@require_GET
def job_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    job = selectors.job_get(request.user, uuid)
    context = {"job": job, "can_retry": _can_retry(request, job)}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "jobs/_progress.html", context)
    return render(request, "jobs/job_detail.html", context)


@login_required
@require_GET
def job_status(request: HttpRequest, uuid: Any) -> JsonResponse:
    job = selectors.job_get(request.user, uuid)
    return JsonResponse(
        {
            "uuid": str(job.uuid),
            "kind": job.kind,
            "title": job.title,
            "status": job.status,
            "status_label": job.get_status_display(),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "message": job.message,
            "result": job.result,
            "error": job.error,
            "attempts": job.attempts,
            "max_attempts": job.max_attempts,
        },
        json_dumps_params={"ensure_ascii": False},
    )


@login_required
@require_POST
def job_retry(request: HttpRequest, uuid: Any) -> HttpResponse:
    job = selectors.job_get(request.user, uuid)
    try:
        services.job_retry(actor=request.user, job=job)  # type: ignore[arg-type]
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("已重新排队：%(title)s") % {"title": job.title})
    return redirect("jobs:detail", uuid=job.uuid)


def _can_retry(request: HttpRequest, job: Job) -> bool:
    return job.status == JobStatus.FAILED and can_retry_jobs(request.user)
