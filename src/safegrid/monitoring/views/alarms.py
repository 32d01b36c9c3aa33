"""Alarm pages: /monitoring/alarms/ (scoped list with the open-alarm counts on top), /monitoring/alarms/<id>/
(values, timeline, comments, the moves as forms; POST …/<action>/), /monitoring/bypasses/ (requests and
approvals; POST …/new/, …/<id>/<action>/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from safegrid.core.forms import add_service_errors
from safegrid.core.lists import Column, Filter, ScopedListView
from safegrid.core.models import User
from safegrid.core.scoping import scope_for
from safegrid.enterprises import selectors as ent_selectors
from safegrid.regions.selectors import division_choices

from .. import permissions
from ..choices import AlarmRule, AlarmSeverity, AlarmStatus, BypassStatus
from ..forms.alarms import AssignForm, BypassForm, CommentForm, DisposeForm, NoteForm, ToHazardForm
from ..models import Alarm, PointBypass
from ..selectors import alarms as sel
from ..services import alarms as services
from ..workflows import ALARM, BYPASS

S = AlarmStatus
STATUS_CSS: dict[str, str] = {
    S.ACTIVE_UNACK: "bg-red text-white",
    S.ACTIVE_ACK: "bg-orange-lt",
    S.CLEARED_UNACK: "bg-yellow-lt",
    S.CLEARED_ACK: "bg-green-lt",
    S.CLOSED: "bg-secondary-lt",
}
SEVERITY_CSS: dict[str, str] = {
    AlarmSeverity.HH: "bg-red-lt",
    AlarmSeverity.LL: "bg-red-lt",
    AlarmSeverity.H: "bg-orange-lt",
    AlarmSeverity.L: "bg-orange-lt",
    AlarmSeverity.RATE: "bg-yellow-lt",
    AlarmSeverity.OFFLINE: "bg-secondary-lt",
}
STATE_CHOICES = [
    ("open", _("未消警")),
    ("active", _("报警中")),
    ("unacknowledged", _("未确认")),
    ("cleared", _("已恢复待消警")),
    ("closed", _("已消警")),
]


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _status_html(a: Alarm) -> SafeString:
    return format_html(
        '<span class="badge {}">{}</span>', STATUS_CSS.get(a.status, ""), a.get_status_display()
    )


def _severity_html(a: Alarm) -> SafeString:
    return format_html(
        '<span class="badge {}">{}</span>', SEVERITY_CSS.get(a.severity, ""), a.get_severity_display()
    )


def _value(a: Alarm) -> str:
    return a.last_value_text


def _limit(a: Alarm) -> str:
    return a.limit_text


def _state_filter(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.filter(status__in=sel.STATE_FILTERS[value])


class AlarmListView(ScopedListView):
    selector = sel.alarm_list
    title = _("监测报警")
    export_basename = "alarms"
    detail_url_name = "monitoring:alarm_detail"
    default_sort = "-first_at"
    template_name = "monitoring/alarms/list.html"
    search_fields = ("point__code__icontains", "point__name__icontains", "enterprise__name__icontains")
    search_placeholder = _("点位编码、名称或企业")
    columns = (
        Column(
            "first_at",
            _("报警时间"),
            value=lambda a: timezone.localtime(a.first_at).strftime("%m-%d %H:%M:%S"),
            sort="first_at",
            link=True,
        ),
        Column("enterprise", _("企业"), attr="enterprise.name", sort="enterprise__name", css="sg-wrap"),
        Column("point", _("点位"), value=lambda a: f"{a.point.code} {a.point.name}", css="sg-wrap"),
        Column("severity", _("报警级别"), attr="get_severity_display", html=_severity_html, sort="severity"),
        Column("last_value", _("最近值"), value=_value),
        Column("limit_value", _("报警限值"), value=_limit, css="d-none d-md-table-cell"),
        Column("repeat_count", _("重复次数"), css="d-none d-md-table-cell"),
        Column("status", _("状态"), attr="get_status_display", html=_status_html, sort="status"),
        Column("level", _("推送层级"), attr="get_level_display", css="d-none d-md-table-cell"),
    )
    filters = (
        Filter("state", _("状态"), _state_filter, choices=lambda user: STATE_CHOICES),
        Filter("severity", _("报警级别"), "severity", choices=lambda user: AlarmSeverity.choices),
        Filter("rule", _("报警规则"), "rule", choices=lambda user: AlarmRule.choices),
        Filter("enterprise", _("企业"), "enterprise_id", integer=True, hidden=True),
        Filter("town", _("区划"), "enterprise__division__code__startswith", choices=division_choices),
    )

    def get_extra_context(self) -> dict[str, Any]:
        town = self.request.GET.get("town", "")
        valid_towns = {code for code, _label in division_choices(self.request.user)}
        return {
            "counts": sel.alarm_counts(self.request.user, division_prefix=town if town in valid_towns else "")
        }


def _timeline(alarm: Alarm, user: Any) -> list[dict[str, Any]]:
    return [
        {
            "label": ALARM.action_label(t.action),
            "at": t.at,
            "actor_label": t.actor.display_name or t.actor.username if t.actor else t.actor_label,
            "comment": t.comment,
        }
        for t in sel.alarm_timeline(user, alarm).select_related("actor")
    ]


def _people(request: HttpRequest, alarm: Alarm) -> QuerySet[User]:
    return ent_selectors.enterprise_users(request.user, alarm.enterprise_id)


FORMS = {
    "acknowledge": CommentForm,
    "close": CommentForm,
    "dispose": DisposeForm,
    "to_hazard": ToHazardForm,
}


def _detail(
    request: HttpRequest,
    alarm: Alarm,
    *,
    errors: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _actor(request)
    moves = [(a, label) for a, label in ALARM.available(user, alarm)]
    forms: dict[str, Any] = dict(errors or {})
    offered = {a for a, _label in moves} | {"comment"}
    # a refused move that is not offered now (e.g. 消警 of an active alarm): its reasons go on top
    move_errors = [
        str(message)
        for action, form in forms.items()
        if action not in offered
        for messages_ in form.errors.values()
        for message in messages_
    ]
    for action, _label in moves:
        if action in forms:
            continue
        if action == "assign":
            forms[action] = AssignForm(people=_people(request, alarm), prefix=action)
        elif action == "dispose":
            forms[action] = DisposeForm(
                initial={"cause": alarm.disposal_cause, "note": alarm.disposal_note}, prefix=action
            )
        elif action in FORMS:
            forms[action] = FORMS[action](prefix=action)
    return render(
        request,
        "monitoring/alarms/detail.html",
        {
            "title": gettext("报警：%(point)s") % {"point": f"{alarm.point.code} {alarm.point.name}"},
            "alarm": alarm,
            "status_css": STATUS_CSS.get(alarm.status, ""),
            "severity_css": SEVERITY_CSS.get(alarm.severity, ""),
            "moves": [(a, label, forms.get(a)) for a, label in moves],
            "move_errors": move_errors,
            "timeline": _timeline(alarm, user),
            "comments": sel.alarm_comments(user, alarm),
            "note_form": forms.get("comment") or NoteForm(prefix="comment"),
            "hazard_url": reverse("hazards:detail", args=[alarm.hazard_id]) if alarm.hazard_id else "",
        },
        status=status,
    )


@login_required
@require_safe
def alarm_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, sel.alarm_get(request.user, pk))


def _moved(request: HttpRequest, alarm: Alarm, action: str) -> HttpResponse:
    messages.success(request, gettext("已%(action)s") % {"action": ALARM.action_label(action)})
    return HttpResponseRedirect(reverse("monitoring:alarm_detail", args=[alarm.pk]))


@login_required
@require_POST
def alarm_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    alarm = sel.alarm_get(request.user, pk)
    actor = _actor(request)
    form: Any
    run: Callable[[dict[str, Any]], object]
    if action == "comment":
        form = NoteForm(request.POST, prefix="comment")
        run = lambda data: services.alarm_comment(actor=actor, alarm=alarm, text=data["text"])  # noqa: E731
    elif action == "assign":
        form = AssignForm(request.POST, people=_people(request, alarm), prefix=action)
        run = lambda data: services.alarm_assign(actor=actor, alarm=alarm, assignee=data["assignee"])  # noqa: E731
    elif action == "dispose":
        form = DisposeForm(request.POST, prefix=action)
        run = lambda data: services.alarm_dispose(  # noqa: E731
            actor=actor, alarm=alarm, cause=data["cause"], note=data["note"]
        )
    elif action == "to_hazard":
        form = ToHazardForm(request.POST, prefix=action)
        run = lambda data: services.alarm_to_hazard(  # noqa: E731
            actor=actor,
            alarm=alarm,
            data={"title": data["title"], "hazard_type": data["hazard_type"]},
        )
    elif action in ("acknowledge", "close"):
        form = CommentForm(request.POST, prefix=action)
        service = services.alarm_acknowledge if action == "acknowledge" else services.alarm_close
        run = lambda data: service(actor=actor, alarm=alarm, comment=data["comment"])  # noqa: E731
    else:
        raise Http404
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _moved(request, alarm, action)
    return _detail(request, alarm, errors={action: form}, status=422)


# ---- bypasses -------------------------------------------------------------------------------------------


BYPASS_CSS: dict[str, str] = {
    BypassStatus.REQUESTED: "bg-yellow-lt",
    BypassStatus.APPROVED: "bg-orange-lt",
    BypassStatus.REJECTED: "bg-secondary-lt",
    BypassStatus.EXPIRED: "bg-secondary-lt",
    BypassStatus.REVOKED: "bg-secondary-lt",
}


def _bypass_points(user: Any) -> Any:
    scope = scope_for(user)
    points = sel.points_for_bypass(user)
    if scope.superuser:
        return points
    return points.filter(enterprise_id__in=scope.enterprises_with(permissions.MANAGER_ROLES))


def _bypasses(request: HttpRequest, form: BypassForm | None = None, status: int = 200) -> HttpResponse:
    user = _actor(request)
    rows = sel.bypass_list(user)
    state = request.GET.get("state", "")
    if state in BypassStatus.values:
        rows = rows.filter(status=state)
    points = _bypass_points(user)
    if form is None and points.exists():
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = BypassForm(points=points, initial={"starts_at": now, "ends_at": now + dt.timedelta(hours=8)})
    page = list(rows[:200])
    return render(
        request,
        "monitoring/alarms/bypasses.html",
        {
            "title": gettext("点位旁路"),
            "rows": [
                {"bypass": b, "css": BYPASS_CSS.get(b.status, ""), "moves": BYPASS.available(user, b)}
                for b in page
            ],
            "state": state,
            "states": BypassStatus.choices,
            "form": form,
        },
        status=status,
    )


@login_required
@require_safe
def bypass_list(request: HttpRequest) -> HttpResponse:
    return _bypasses(request)


@login_required
@require_POST
def bypass_new(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    points = _bypass_points(user)
    form = BypassForm(request.POST, points=points)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.bypass_request(
                actor=user,
                point=data["point"],
                rule=data["rule"],
                reason=data["reason"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("旁路申请已提交，待批准"))
            return HttpResponseRedirect(reverse("monitoring:bypasses"))
    return _bypasses(request, form=form, status=422)


BYPASS_MOVES: dict[str, Callable[..., PointBypass]] = {
    "approve": services.bypass_approve,
    "reject": services.bypass_reject,
    "revoke": services.bypass_revoke,
}


@login_required
@require_POST
def bypass_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    bypass: PointBypass = sel.bypass_get(request.user, pk)
    if action not in BYPASS_MOVES:
        raise Http404
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        BYPASS_MOVES[action](actor=_actor(request), bypass=bypass, comment=comment)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _bypasses(request, status=422)
    messages.success(request, gettext("已%(action)s") % {"action": BYPASS.action_label(action)})
    return HttpResponseRedirect(reverse("monitoring:bypasses"))
