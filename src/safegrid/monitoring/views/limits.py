"""Pages of limit changes: the request form on a point, the queue (待审批 first; filters by status and kind),
one change with its old and new values and its history, and the approve/reject moves."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from safegrid.core.forms import add_service_errors
from safegrid.core.lists import Column, Filter, ScopedListView
from safegrid.regions.selectors import division_choices

from ..forms.points import DecisionForm, LimitChangeForm
from ..models import LimitChange, LimitChangeKind, LimitChangeStatus
from ..rules.limits import LimitSet, differences
from ..selectors import points as selectors
from ..services import limits as services
from ..workflows_points import LIMIT_CHANGE, LimitAction, can_edit_points
from .decisions import DECIDE_FILTER, DecisionQueueMixin
from .points import actor_of, limits_text

STATUS_CSS = {
    LimitChangeStatus.REQUESTED: "bg-orange-lt",
    LimitChangeStatus.APPROVED: "bg-green-lt",
    LimitChangeStatus.REJECTED: "bg-red-lt",
    LimitChangeStatus.EXPIRED: "bg-secondary-lt",
    LimitChangeStatus.SUPERSEDED: "bg-secondary-lt",
}
FIELD_LABELS = {
    "ll": "LL",
    "l": "L",
    "h": "H",
    "hh": "HH",
    "rate_limit": _("变化速率限值（每分钟）"),
    "deadband": _("死区"),
    "version": _("限值版本"),
    "source": _("限值来源"),
}


def status_badge(change: LimitChange) -> SafeString:
    return format_html(
        '<span class="badge {}">{}</span>',
        STATUS_CSS[LimitChangeStatus(change.status)],
        change.get_status_display(),
    )


def _in_force_text(change: LimitChange) -> str:
    if change.status == LimitChangeStatus.APPROVED and change.applied_at is None:
        return gettext("待生效")
    return ""


class LimitChangeListView(DecisionQueueMixin, ScopedListView):
    """Limit changes in scope; an approver's queue is the 待审批 filter."""

    to_decide = selectors.limit_changes_to_decide

    selector = selectors.limit_change_list
    title = _("限值变更")
    template_name = "monitoring/points/changes.html"
    detail_url_name = "monitoring:limit_change"
    export_basename = "limit-changes"
    related = ("point", "point__enterprise")
    default_sort = "-requested_at"
    search_fields = ("point__code__icontains", "point__name__icontains", "point__enterprise__name__icontains")
    search_placeholder = _("点位编码、名称或企业名称")
    columns = (
        Column("requested_at", _("申请时间"), sort="requested_at", link=True),
        Column("point", _("点位"), value=lambda c: f"{c.point.code} {c.point.name}", css="sg-wrap"),
        Column("enterprise", _("企业"), attr="point.enterprise.name", css="sg-wrap d-none d-md-table-cell"),
        Column("kind", _("变更类型"), attr="get_kind_display", sort="kind"),
        Column("version", _("限值版本")),
        Column("requested_by_name", _("申请人"), css="d-none d-md-table-cell"),
        Column("approved_by_name", _("审批人"), css="d-none d-lg-table-cell"),
        Column("expires_at", _("到期时间"), sort="expires_at", css="d-none d-lg-table-cell"),
        Column(
            "status",
            _("状态"),
            value=lambda c: f"{c.get_status_display()} {_in_force_text(c)}".strip(),
            html=lambda c: format_html("{} {}", status_badge(c), _in_force_text(c)),
            sort="status",
        ),
    )
    filters = (
        Filter("status", _("状态"), "status", choices=lambda user: LimitChangeStatus.choices),
        Filter("kind", _("变更类型"), "kind", choices=lambda user: LimitChangeKind.choices),
        Filter("town", _("区划"), "point__enterprise__division__code__startswith", choices=division_choices),
        Filter("point", _("点位"), "point_id", integer=True, hidden=True),
        DECIDE_FILTER,
    )


@login_required
def change_new(request: HttpRequest, pk: int) -> HttpResponse:
    point = selectors.point_get(request.user, pk)
    if not can_edit_points(request.user, point.enterprise_id):
        raise PermissionDenied(gettext("只有本企业的管理员、安全管理员或县级管理员可以申请变更限值"))
    initial = {
        "kind": LimitChangeKind.PERMANENT,
        "ll": point.ll,
        "l": point.l,
        "h": point.h,
        "hh": point.hh,
        "rate_limit": point.rate_limit,
        "deadband": point.deadband,
        "source": point.limits_source,
    }
    form = LimitChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        values = LimitSet(
            ll=d["ll"],
            l=d["l"],
            h=d["h"],
            hh=d["hh"],
            rate_limit=d["rate_limit"],
            deadband=d["deadband"] or 0.0,
            version=d["version"],
            source=d["source"],
        )
        try:
            change = services.limit_change_request(
                actor=actor_of(request),
                point=point,
                kind=d["kind"],
                values=values,
                reason=d["reason"],
                effective_from=d["effective_from"],
                expires_at=d["expires_at"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("限值变更已提交，经本企业另一名负责人批准后生效"))
            return HttpResponseRedirect(reverse("monitoring:limit_change", args=[change.pk]))
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": gettext("%(code)s：申请变更限值") % {"code": point.code},
            "cancel_url": reverse("monitoring:point", args=[point.pk]),
            "intro": gettext(
                "现行限值 %(limits)s（版本 %(version)s）。篡改监测数据违法：每次变更须由本企业另一名安全管理员、"
                "主要负责人或企业管理员批准，全程留痕；临时变更到期自动恢复。"
            )
            % {"limits": limits_text(point), "version": point.limits_version or "—"},
        },
        status=422 if form.errors else 200,
    )


def _rows(change: LimitChange) -> list[dict[str, Any]]:
    old = change.old_set
    if old is None:
        point = change.point
        old = services.current_set(point)
    return [
        {"label": FIELD_LABELS[name], "old": before, "new": after}
        for name, before, after in differences(old, change.new_set)
    ]


@require_safe
@login_required
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    change = selectors.limit_change_get(request.user, pk)
    actions = LIMIT_CHANGE.available(actor_of(request), change)
    refusal = ""
    if change.status == LimitChangeStatus.REQUESTED and not actions:
        try:
            LIMIT_CHANGE.may(actor_of(request), change, LimitAction.APPROVE)
        except PermissionDenied as exc:
            refusal = str(exc)
    return render(
        request,
        "monitoring/points/change.html",
        {
            "title": gettext("限值变更：%(code)s %(version)s")
            % {"code": change.point.code, "version": change.version},
            "change": change,
            "badge": status_badge(change),
            "rows": _rows(change),
            "restore": change.restore_set,
            "history": [(t, LIMIT_CHANGE.action_label(t.action)) for t in selectors.transitions_of(change)],
            "actions": actions,
            "form": DecisionForm(),
            "refusal": refusal,
        },
    )


@require_POST
@login_required
def change_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    change = selectors.limit_change_get(request.user, pk)
    if action not in (LimitAction.APPROVE, LimitAction.REJECT):
        raise Http404(gettext("没有这个操作"))
    form = DecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        if action == LimitAction.APPROVE:
            services.limit_change_approve(actor=actor_of(request), change=change, comment=comment)
            messages.success(request, gettext("已批准"))
        else:
            services.limit_change_reject(actor=actor_of(request), change=change, comment=comment)
            messages.success(request, gettext("已驳回"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return HttpResponseRedirect(reverse("monitoring:limit_change", args=[change.pk]))
