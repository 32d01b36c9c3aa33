"""Inspection pages, phone first: 我的检查任务 (due now, overdue, done today, the on-time rate) and the check
form of one occurrence (tick each item, note, optional photo; a finding reports a linked hazard)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from safegrid.api import idempotency
from safegrid.core.choices import Role
from safegrid.core.forms import add_service_errors
from safegrid.core.models import User
from safegrid.core.scoping import scope_for

from . import config, inspections, permissions
from . import inspection_selectors as sel
from .choices import OccurrenceStatus
from .forms_inspection import CheckForm, TaskAnchorForm
from .models import Checkpoint
from .rules import inspection, trust
from .services import PhotoIn
from .views_shutdown import state_of

# Service error keys → the check form's fields.
ERROR_FIELDS = {
    "hazard": "hazard_title",
    "hazard.title": "hazard_title",
    "hazard.description": "hazard_description",
    "hazard.hazard_type": "hazard_type",
    "hazard.location": "hazard_title",
}


@login_required
def my_checks_view(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    scope = scope_for(request.user)
    # Regulators see the rates; the lists are for the people who record checks (staff, grid workers).
    checker = bool(scope.own_enterprise_ids) or scope.has_role(Role.GRID_WORKER)
    mine = sel.my_checks(request.user, now) if checker else None
    context = {
        "title": gettext("我的检查任务"),
        "mine": mine,
        "rate": sel.on_time_rate(request.user, now),
        "rate_days": sel.RATE_DAYS,
        "now": now,
        "by_enterprise": sel.rates_by_enterprise(request.user, now)
        if scope_for(request.user).is_government
        else [],
        "shutdowns": [
            (row, *state_of(row, now)) for row in sel.current_shutdowns(request.user, now, limit=10)
        ],
        "can_shutdown": bool(scope.enterprises_with(permissions.MANAGER_ROLES)),
    }
    return render(request, "hazards/checks/mine.html", context)


SCANS_KEY = "hazards.scans"


def remember_scan(request: HttpRequest, checkpoint: Checkpoint) -> None:
    """Keep the scan (risk point → checkpoint and server time) in the session: the server's own record, so
    a check form cannot claim a scan it did not have."""
    scans = dict(request.session.get(SCANS_KEY, {}))
    scans[str(checkpoint.risk_point_id)] = [checkpoint.pk, timezone.now().isoformat()]
    request.session[SCANS_KEY] = scans


def scan_of(request: HttpRequest, point_id: int | None) -> inspections.Scan | None:
    """This session's latest scan of the point's checkpoint, still valid (else None)."""
    if point_id is None:
        return None
    found = request.session.get(SCANS_KEY, {}).get(str(point_id))
    if not found:
        return None
    checkpoint = Checkpoint.objects.filter(pk=found[0], risk_point_id=point_id).first()
    at = dt.datetime.fromisoformat(found[1])
    if checkpoint is None or not trust.scan_valid(at, timezone.now(), config.trust_limits()):
        return None
    return inspections.Scan(checkpoint, at)


def _form_errors(exc: ValidationError) -> ValidationError:
    mapped: dict[str, list[str]] = {}
    for key, msgs in exc.message_dict.items():
        mapped.setdefault(
            ERROR_FIELDS.get(
                key,
                key
                if key in ("photo", "result", "note", "lat", "lon", "accuracy", "device_id")
                else "__all__",
            ),
            [],
        ).extend(msgs)
    return ValidationError(mapped)


@idempotency.form_view
@login_required
def check_view(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = sel.occurrence_get(request.user, pk)  # out of scope: 404
    task = occurrence.task
    now = timezone.now()
    state = inspection.state(
        inspection.Window(occurrence.window_start, occurrence.window_end),
        now,
        done_at=occurrence.done_at,
        grace=config.inspection_grace(),
        is_suspended=occurrence.status == OccurrenceStatus.SUSPENDED,
    )
    if occurrence.status == OccurrenceStatus.MISSED:
        state = inspection.MISSED
    can_check = state in (inspection.DUE, inspection.OVERDUE) and permissions.can_check(
        request.user, task.enterprise_id
    )
    form = CheckForm(
        request.POST or None,
        request.FILES or None,
        items=list(task.check_items),
        item_criteria=dict(task.item_criteria or {}),
    )
    scan = scan_of(request, task.risk_point_id)
    if request.method == "POST":
        if not permissions.can_check(request.user, task.enterprise_id):
            raise PermissionDenied(gettext("该检查现在不能提交"))
        # A check whose time is over or that is done already (another phone, an offline copy sent late)
        # goes on to the service, which refuses it with the reason (422), shown above the record.
        if form.is_valid():
            upload = form.cleaned_data.get("photo")
            photo = PhotoIn(upload.read(), upload.name, "before") if upload else None
            check = inspections.CheckIn(
                items=form.ticked(),
                result=form.cleaned_data["result"],
                note=form.cleaned_data["note"],
                scan=scan,
                lat=form.cleaned_data["lat"],
                lon=form.cleaned_data["lon"],
                accuracy=form.cleaned_data["accuracy"],
                device_time=form.cleaned_data["device_time"],
                device_id=form.cleaned_data["device_id"],
                user_agent=request.headers.get("User-Agent", ""),
                photo=photo,
                hazard=form.hazard(),
            )
            assert isinstance(request.user, User)
            try:
                inspections.check_record(actor=request.user, occurrence=occurrence, check=check)
            except ValidationError as exc:
                add_service_errors(form, _form_errors(exc))
            else:
                messages.success(request, gettext("检查已记录"))
                return HttpResponseRedirect(reverse("hazards:my_checks"))
    context: dict[str, Any] = {
        "title": task.title,
        "occurrence": occurrence,
        "task": task,
        "state": state,
        "form": form,
        "can_check": can_check,
        "record": sel.record_of(request.user, occurrence),
        "scan": scan,
    }
    return render(request, "hazards/checks/check.html", context, status=422 if form.errors else 200)


@login_required
def task_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One inspection task: its cycle; a monthly/yearly task's day (and month) set by the enterprise's managers."""
    task = sel.task_get(request.user, pk)  # out of scope: 404
    anchored = task.cycle_unit in (inspection.MONTH, inspection.YEAR)
    can_edit = anchored and not task.one_off and permissions.is_manager(request.user, task.enterprise_id)
    initial = {"anchor_day": task.anchor_day, "anchor_month": task.anchor_month}
    form = (
        TaskAnchorForm(
            request.POST if request.method == "POST" else None,
            initial=initial,
            yearly=task.cycle_unit == inspection.YEAR,
        )
        if can_edit
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(gettext("只有企业管理人员可以修改按月、按年排查任务的排查日"))
        if form.is_valid():
            assert isinstance(request.user, User)
            try:
                inspections.task_anchor_set(
                    actor=request.user,
                    task=task,
                    anchor_day=form.cleaned_data["anchor_day"],
                    anchor_month=form.cleaned_data.get("anchor_month"),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, gettext("排查日已保存，从下一期起按新的日期生成"))
                return HttpResponseRedirect(reverse("hazards:task", args=[task.pk]))
    context = {
        "title": task.title,
        "task": task,
        "form": form,
        "anchored": anchored,
        "yearly": task.cycle_unit == inspection.YEAR,
        "by_work_days": task.cycle_unit in (inspection.HOUR, inspection.DAY),
    }
    return render(request, "hazards/checks/task.html", context, status=422 if form and form.errors else 200)
