"""Hazard pages: the list, the detail (timeline, photos, the moves this user may make), the report form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from safegrid.api import idempotency
from safegrid.core.forms import add_service_errors
from safegrid.core.lists import Column, Filter, ScopedListView
from safegrid.core.models import User
from safegrid.enterprises import selectors as ent_selectors
from safegrid.regions.selectors import division_choices

from . import permissions, selectors, selectors_major, services, views_major
from .choices import HazardLevel, HazardStatus
from .forms import AssignForm, CommentForm, ConfirmForm, ExtensionForm, RejectForm, ReportForm, SubmitForm
from .rules.closure import days_overdue
from .rules.escalation import step_label
from .services import PhotoIn
from .workflows import HAZARD, HazardAction

A = HazardAction


def _level_html(h: Any) -> SafeString:
    css = "bg-red text-red-fg" if h.level == HazardLevel.MAJOR else "bg-secondary-lt"
    return format_html('<span class="badge {}">{}</span>', css, h.get_level_display())


def _overdue(h: Any) -> int:
    return days_overdue(
        h.deadline,
        timezone.localdate(),
        h.status
        not in (HazardStatus.RECTIFYING, HazardStatus.EXTENSION_REQUESTED, HazardStatus.AWAITING_ACCEPTANCE),
    )


def _deadline_html(h: Any) -> SafeString:
    if h.deadline is None:
        return format_html("{}", "")
    late = _overdue(h)
    if late:
        return format_html(
            '{} <span class="badge bg-red-lt">{}</span>', h.deadline, gettext("逾期 %(n)s 天") % {"n": late}
        )
    return format_html("{}", h.deadline)


def _by_overdue(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    q = selectors.overdue_q()
    return qs.filter(q) if value == "yes" else qs.exclude(q)


def _by_enterprise(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.filter(enterprise_id=int(value)) if value.isdigit() else qs.none()


def _by_major_step(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.filter(selectors_major.major_step_q(value, timezone.localdate()))


YES_NO = [("yes", _("是")), ("no", _("否"))]


class HazardListView(ScopedListView):
    selector = selectors.hazard_list
    title = _("隐患清单")
    export_basename = "hazards"
    detail_url_name = "hazards:detail"
    default_sort = "-reported_at"
    search_fields = ("title__icontains", "location__icontains", "enterprise__name__icontains")
    search_placeholder = _("隐患名称、位置或企业")
    columns = (
        Column("title", _("隐患名称"), sort="title", link=True, css="sg-wrap"),
        Column("enterprise", _("企业"), attr="enterprise.name", sort="enterprise__name", css="sg-wrap"),
        Column("level", _("等级"), attr="get_level_display", html=_level_html, sort="level"),
        Column("status", _("状态"), attr="get_status_display", sort="status"),
        Column("deadline", _("整改期限"), html=_deadline_html, sort="deadline", css="d-none d-md-table-cell"),
        Column("origin", _("来源"), attr="get_origin_display", css="d-none d-lg-table-cell"),
        Column("reported_at", _("登记时间"), sort="reported_at", css="d-none d-lg-table-cell"),
        Column("location", _("位置"), table=False),
        Column("days_to_close", _("整改用时（天）"), table=False),
    )
    filters = (
        Filter("status", _("状态"), "status", choices=lambda user: HazardStatus.choices),
        Filter("level", _("等级"), "level", choices=lambda user: HazardLevel.choices),
        Filter("overdue", _("逾期"), _by_overdue, choices=lambda user: YES_NO),
        Filter("town", _("区划"), "enterprise__division__code__startswith", choices=division_choices),
        Filter("major", _("重大隐患办理"), _by_major_step, choices=lambda user: selectors_major.MAJOR_STEPS),
        Filter("enterprise", _("企业"), _by_enterprise, hidden=True),
    )

    def search_q(self, term: str) -> Q:
        return selectors.search_q(term)  # the same rows as `search_fields`, without a join per hazard

    def create_url(self) -> str | None:
        return reverse("hazards:report")


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required
    return request.user


def _action_forms(
    request: HttpRequest, hazard: Any, bound: dict[str, Any] | None = None
) -> list[tuple[str, str, Any]]:
    """(action, label, form) for each move this user may make now."""
    out = []
    for action, label in HAZARD.available(_actor(request), hazard):
        form = (bound or {}).get(action) or _blank_form(action, request, hazard)
        out.append((action, label, form))
    return out


def _people(request: HttpRequest, hazard: Any) -> Any:
    return ent_selectors.person_list(request.user).filter(enterprise_id=hazard.enterprise_id, active=True)


def _blank_form(action: str, request: HttpRequest, hazard: Any, data: Any = None, files: Any = None) -> Any:
    if action == A.CONFIRM:
        return ConfirmForm(data, initial={"level": hazard.level, "interim_measures": hazard.interim_measures})
    if action == A.REJECT:
        return RejectForm(data)
    if action == A.ASSIGN:
        return AssignForm(data, people=_people(request, hazard))
    if action == A.SUBMIT:
        return SubmitForm(data, files)
    if action == A.REQUEST_EXTENSION:
        return ExtensionForm(data)
    return CommentForm(data)


def render_detail(
    request: HttpRequest,
    hazard: Any,
    bound: dict[str, Any] | None = None,
    status: int = 200,
    major_bound: dict[str, Any] | None = None,
) -> HttpResponse:
    """The hazard's page; `bound`/`major_bound` carry a refused form back to its section (422)."""
    timeline = selectors.hazard_timeline(request.user, hazard)
    for row in timeline:
        row.label = HAZARD.action_label(row.action)  # type: ignore[attr-defined]
    context = {
        "hazard": hazard,
        "title": hazard.title,
        "photos": selectors.hazard_photos(request.user, hazard),
        "timeline": timeline,
        "actions": _action_forms(request, hazard, bound),
        "overdue": _overdue(hazard),
        "criteria": services.criteria_for(hazard.enterprise) if hazard.major_criteria else [],
        "escalated_to": step_label(hazard.escalation_step),
        "supervision": selectors.supervision_of(request.user, hazard),
        "can_supervise": hazard.level == HazardLevel.MAJOR
        and permissions.can_supervise(request.user, hazard.enterprise_id),
        **views_major.major_context(request, hazard, major_bound),
    }
    context["timeline"] = sorted(
        [*timeline, *context.pop("major_timeline", [])], key=lambda row: (row.at, row.pk)
    )
    return render(request, "hazards/detail.html", context, status=status)


@login_required
def hazard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, selectors.hazard_get(request.user, pk))


def _photos(files: list[Any], kind: str, device_time: Any = None) -> list[PhotoIn]:
    return [PhotoIn(f.read(), f.name, kind, device_time) for f in files]


def _run(action: str, request: HttpRequest, hazard: Any, form: Any) -> Any:
    data, user = form.cleaned_data, _actor(request)
    if action == A.CONFIRM:
        return services.hazard_confirm(actor=user, hazard=hazard, **data)
    if action == A.REJECT:
        return services.hazard_reject(actor=user, hazard=hazard, **data)
    if action == A.ASSIGN:
        return services.hazard_assign(actor=user, hazard=hazard, **data)
    if action == A.SUBMIT:
        return services.hazard_submit(
            actor=user, hazard=hazard, note=data["note"], photos=_photos(data["photos"], "after")
        )
    if action == A.ACCEPT:
        return services.hazard_accept(actor=user, hazard=hazard, comment=data["comment"])
    if action == A.SEND_BACK:
        return services.hazard_send_back(actor=user, hazard=hazard, comment=data["comment"])
    if action == A.REQUEST_EXTENSION:
        return services.hazard_request_extension(actor=user, hazard=hazard, **data)
    if action in (A.APPROVE_EXTENSION, A.REFUSE_EXTENSION):
        return services.hazard_decide_extension(
            actor=user, hazard=hazard, approve=action == A.APPROVE_EXTENSION, comment=data["comment"]
        )
    if action == A.REOPEN:
        return services.hazard_reopen(actor=user, hazard=hazard, comment=data["comment"])
    raise Http404(gettext("没有这个操作"))


@require_POST
@login_required
def hazard_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    hazard = selectors.hazard_get(request.user, pk)  # out of scope: 404 before anything else
    if action not in HAZARD.steps or HAZARD.steps[action].system or action in (A.REPORT, A.FIX_ON_SPOT):
        raise Http404(gettext("没有这个操作"))
    form = _blank_form(action, request, hazard, request.POST, request.FILES)
    if form.is_valid():
        try:
            _run(action, request, hazard, form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("已%(action)s") % {"action": HAZARD.action_label(action)})
            return HttpResponseRedirect(reverse("hazards:detail", args=[hazard.pk]))
    hazard = selectors.hazard_get(request.user, pk)
    return render_detail(request, hazard, {action: form}, status=422)


def _reportable(request: HttpRequest) -> Any:
    qs = ent_selectors.enterprise_list(request.user)
    own = permissions.reporting_enterprise_ids(request.user)
    return qs if own is None else qs.filter(pk__in=sorted(own))


@idempotency.form_view
@login_required
def hazard_report_view(request: HttpRequest) -> HttpResponse:
    enterprises = _reportable(request).order_by("name")
    if not enterprises.exists():
        raise PermissionDenied(gettext("您没有可以登记隐患的企业"))
    chosen = request.POST.get("enterprise") or request.GET.get("enterprise") or ""
    enterprise = enterprises.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    if enterprise is None and enterprises.count() == 1:
        enterprise = enterprises.first()
    criteria = services.criteria_for(enterprise) if enterprise is not None else []
    initial = {"enterprise": enterprise.pk} if enterprise is not None else {}
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        enterprises=enterprises,
        criteria=criteria,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        ent = data.pop("enterprise")
        device_time = data.pop("device_time")  # the phone's clock when the report was made (offline too)
        before = _photos(data.pop("photos"), "before", device_time)
        after = _photos(data.pop("after_photos"), "after", device_time)
        on_spot, measures = data.pop("on_the_spot"), data.pop("measures")
        try:
            if on_spot:
                hazard = services.hazard_fix_on_spot(
                    actor=_actor(request),
                    enterprise=ent,
                    data=data,
                    measures=measures,
                    before=before,
                    after=after,
                )
            else:
                hazard = services.hazard_report(
                    actor=_actor(request), enterprise=ent, data=data, photos=before
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("隐患已登记"))
            return HttpResponseRedirect(reverse("hazards:detail", args=[hazard.pk]))
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "title": gettext("登记隐患"), "cancel_url": reverse("hazards:list")}
    return render(request, "hazards/report.html", context, status=status)


@login_required
def photo_view(request: HttpRequest, pk: int) -> FileResponse:
    photo = selectors.photo_get(request.user, pk)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404(gettext("照片文件缺失")) from None
    return FileResponse(handle)
