"""Pages of point deactivations (点位停用申请): the request form on a point (its "停用" button), the list beside
the limit changes (待审批 first; "待我审批" for an approver), one request with its history, and the
approve/reject moves. Bringing a point back into use is the point page's direct "启用" (views/points.py)."""

from __future__ import annotations

from django import forms
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

from safegrid.core.forms import StyledFormMixin, add_service_errors
from safegrid.core.lists import Column, Filter, ScopedListView
from safegrid.regions.selectors import division_choices

from ..forms.points import DecisionForm
from ..models import DeactivationStatus, PointDeactivation
from ..selectors import points as selectors
from ..services import deactivations as services
from ..workflows_points import POINT_DEACTIVATION, DeactivationAction, can_edit_points
from .decisions import DECIDE_FILTER, DecisionQueueMixin
from .points import actor_of

STATUS_CSS = {
    DeactivationStatus.REQUESTED: "bg-orange-lt",
    DeactivationStatus.APPROVED: "bg-secondary-lt",
    DeactivationStatus.REJECTED: "bg-red-lt",
}


class DeactivationForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("停用原因"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如传感器拆除、装置长期停产；停用后本点位不再报警、不在大屏显示"),
    )


def status_badge(request: PointDeactivation) -> SafeString:
    return format_html(
        '<span class="badge {}">{}</span>',
        STATUS_CSS[DeactivationStatus(request.status)],
        request.get_status_display(),
    )


class DeactivationListView(DecisionQueueMixin, ScopedListView):
    """Deactivation requests in scope; an approver's queue is the 待审批 filter."""

    to_decide = selectors.deactivations_to_decide

    selector = selectors.deactivation_list
    title = _("点位停用申请")
    template_name = "monitoring/points/deactivations.html"
    detail_url_name = "monitoring:deactivation"
    export_basename = "point-deactivations"
    related = ("point", "point__enterprise")
    default_sort = "-requested_at"
    search_fields = ("point__code__icontains", "point__name__icontains", "point__enterprise__name__icontains")
    search_placeholder = _("点位编码、名称或企业名称")
    columns = (
        Column("requested_at", _("申请时间"), sort="requested_at", link=True),
        Column("point", _("点位"), value=lambda d: f"{d.point.code} {d.point.name}", css="sg-wrap"),
        Column("enterprise", _("企业"), attr="point.enterprise.name", css="sg-wrap d-none d-md-table-cell"),
        Column("reason", _("停用原因"), css="sg-wrap"),
        Column("requested_by_name", _("申请人"), css="d-none d-md-table-cell"),
        Column("approved_by_name", _("审批人"), css="d-none d-lg-table-cell"),
        Column("status", _("状态"), attr="get_status_display", html=status_badge, sort="status"),
    )
    filters = (
        Filter("status", _("状态"), "status", choices=lambda user: DeactivationStatus.choices),
        Filter("town", _("区划"), "point__enterprise__division__code__startswith", choices=division_choices),
        Filter("point", _("点位"), "point_id", integer=True, hidden=True),
        DECIDE_FILTER,
    )


@login_required
def deactivation_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The point page's "停用": a request with a reason, in force once another person approves."""
    point = selectors.point_get(request.user, pk)
    if not can_edit_points(request.user, point.enterprise_id):
        raise PermissionDenied(gettext("只有本企业的管理员、安全管理员或县级管理员可以申请停用点位"))
    form = DeactivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.deactivation_request(
                actor=actor_of(request), point=point, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("停用申请已提交，经本企业另一名负责人批准后停用"))
            return HttpResponseRedirect(reverse("monitoring:deactivation", args=[made.pk]))
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": gettext("%(code)s：申请停用") % {"code": point.code},
            "cancel_url": reverse("monitoring:point", args=[point.pk]),
            "intro": gettext(
                "停用后点位不再报警、不在大屏显示，等同屏蔽监测：须由本企业另一名安全管理员、主要负责人或"
                "企业管理员批准，全程留痕。"
            ),
        },
        status=422 if form.errors else 200,
    )


@require_safe
@login_required
def deactivation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.deactivation_get(request.user, pk)
    actions = POINT_DEACTIVATION.available(actor_of(request), found)
    refusal = ""
    if found.status == DeactivationStatus.REQUESTED and not actions:
        try:
            POINT_DEACTIVATION.may(actor_of(request), found, DeactivationAction.APPROVE)
        except PermissionDenied as exc:
            refusal = str(exc)
    return render(
        request,
        "monitoring/points/deactivation.html",
        {
            "title": gettext("停用申请：%(code)s %(name)s")
            % {"code": found.point.code, "name": found.point.name},
            "deactivation": found,
            "badge": status_badge(found),
            "history": [
                (t, POINT_DEACTIVATION.action_label(t.action))
                for t in selectors.deactivation_transitions(found)
            ],
            "actions": actions,
            "form": DecisionForm(),
            "refusal": refusal,
        },
    )


@require_POST
@login_required
def deactivation_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    found = selectors.deactivation_get(request.user, pk)
    if action not in (DeactivationAction.APPROVE, DeactivationAction.REJECT):
        raise Http404(gettext("没有这个操作"))
    form = DecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        if action == DeactivationAction.APPROVE:
            services.deactivation_approve(actor=actor_of(request), request=found, comment=comment)
            messages.success(request, gettext("已批准，点位已停用"))
        else:
            services.deactivation_reject(actor=actor_of(request), request=found, comment=comment)
            messages.success(request, gettext("已驳回"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return HttpResponseRedirect(reverse("monitoring:deactivation", args=[found.pk]))
