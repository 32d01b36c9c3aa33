"""Pages of event sources (video channels and personnel-positioning zones, models/events.py):
/monitoring/event-sources/ (scoped list with the people in each zone and its open alarms; Excel/CSV export),
…/<id>/ (limits, people in the zone, the latest events, open alarms, why its alarms are paused),
…/new/ and …/<id>/edit/ (through services/events.py, as the API)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from safegrid.core.forms import add_service_errors
from safegrid.core.lists import Column, Filter, ScopedListView
from safegrid.enterprises import selectors as ent_selectors
from safegrid.majorhazards.models import HazardUnit
from safegrid.majorhazards.selectors import sources as unit_selectors

from ..forms.events import EVENT_KIND_CHOICES, EventSourceForm
from ..models import EventSource
from ..rules.points import PointKind
from ..selectors import events as selectors
from ..selectors import wall as wall_selectors
from ..services import events as services
from ..services import points as point_services
from ..workflows_points import can_edit_points
from .alarms import SEVERITY_CSS, STATUS_CSS
from .points import actor_of, editable_enterprises, enterprise_for_new
from .wall import pause_text

EVENT_TYPE_LABELS: dict[str, Any] = {
    "video_offline": _("视频离线"),
    "video_online": _("视频恢复"),
    "headcount": _("区域人数"),
    "enter": _("进入区域"),
    "leave": _("离开区域"),
    "motionless": _("人员静止"),
    "moving": _("恢复移动"),
}


def _zone_number(name: str) -> Any:
    def value(s: EventSource) -> Any:
        if s.point.kind != PointKind.ZONE:
            return "—"
        number = getattr(s, name)
        return "—" if number is None else number

    return value


def _name_html(s: EventSource) -> SafeString:
    """The name, and a 停用 badge on a source out of use (the status column is in the export only)."""
    if s.point.active:
        return format_html("{}", s.point.name)
    return format_html('{} <span class="badge bg-secondary-lt">{}</span>', s.point.name, gettext("停用"))


def _open_alarms_html(s: Any) -> SafeString:
    if not s.open_alarms:
        return format_html('<span class="text-secondary">{}</span>', 0)
    query = urlencode({"state": "open", "enterprise": s.enterprise_id, "q": s.point.code})
    return format_html(
        '<a class="badge bg-red text-white" href="{}?{}" data-testid="source-open-alarms">{}</a>',
        reverse("monitoring:alarms"),
        query,
        s.open_alarms,
    )


def _enterprise_choices(user: Any) -> list[tuple[str, str]]:
    with_sources = selectors.source_list(user).values("enterprise_id")
    rows = ent_selectors.enterprise_list(user).filter(pk__in=with_sources).order_by("name")[:500]
    return [(str(e.pk), e.name) for e in rows]


class EventSourceListView(ScopedListView):
    """The video channels and positioning zones the user may see, each with its limits, the people in the
    zone now and its open alarms (two subqueries of the one SELECT: no query per row)."""

    selector = selectors.source_rows
    title = _("视频与人员定位")
    detail_url_name = "monitoring:event_source"
    export_basename = "event-sources"
    default_sort = "enterprise"
    search_fields = ("point__code__icontains", "point__name__icontains", "point__enterprise__name__icontains")
    search_placeholder = _("编码、名称或企业名称")
    columns = (
        Column("code", _("编码"), attr="point.code", sort="point__code", link=True),
        Column("name", _("名称"), attr="point.name", sort="point__name", css="sg-wrap", html=_name_html),
        Column("kind", _("类型"), attr="point.get_kind_display", sort="point__kind"),
        Column(
            "enterprise",
            _("企业"),
            attr="point.enterprise.name",
            sort="point__enterprise__name",
            css="sg-wrap",
        ),
        Column("rated_headcount", _("额定人数（人）"), value=_zone_number("rated_headcount")),
        Column(
            "max_stay_minutes",
            _("最长滞留时间（分钟）"),
            value=_zone_number("max_stay_minutes"),
            css="d-none d-md-table-cell",
        ),
        Column(
            "motionless_seconds",
            _("静止报警阈值（秒）"),
            value=_zone_number("motionless_seconds"),
            css="d-none d-md-table-cell",
        ),
        Column(
            "headcount",
            _("区域内人数"),
            value=lambda s: s.headcount if s.point.kind == PointKind.ZONE else "—",
            sort="headcount",
        ),
        Column("open_alarms", _("未消警报警"), html=_open_alarms_html, sort="open_alarms"),
        Column(
            "active",
            _("状态"),
            value=lambda s: gettext("在用") if s.point.active else gettext("停用"),
            table=False,
        ),
    )
    filters = (
        Filter("enterprise", _("企业"), "enterprise_id", choices=_enterprise_choices),
        Filter("kind", _("类型"), "point__kind", choices=lambda user: EVENT_KIND_CHOICES),
    )

    def create_url(self) -> str | None:
        return (
            reverse("monitoring:event_source_new")
            if editable_enterprises(self.request.user).exists()
            else None
        )

    def get_extra_context(self) -> dict[str, Any]:
        return {
            "list_note": gettext(
                "视频通道上报在线/离线事件；人员定位区域上报人数和人员进出、静止事件，超员、超时滞留、人员静止按下列限值报警。"
            )
        }


@require_safe
@login_required
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    source = selectors.source_get(user, pk)
    point = source.point
    now = timezone.now()
    bypasses, shutdowns = wall_selectors.pause_spans(user, [point], now)
    alarms = selectors.open_alarms_of(user, source)
    return render(
        request,
        "monitoring/events/detail.html",
        {
            "title": f"{point.code} {point.name}",
            "source": source,
            "point": point,
            "is_zone": point.kind == PointKind.ZONE,
            "presence": selectors.presence_of(user, source),
            "events": [
                {"event": e, "label": EVENT_TYPE_LABELS.get(e.type, e.type)}
                for e in selectors.latest_events_of(user, source)
            ],
            "events_shown": selectors.SOURCE_EVENTS_SHOWN,
            "alarms": [
                {
                    "alarm": a,
                    "severity_css": SEVERITY_CSS.get(a.severity, ""),
                    "status_css": STATUS_CSS.get(a.status, ""),
                }
                for a in alarms
            ],
            "pauses": [
                (p.kind.value, pause_text(p)) for p in wall_selectors.pauses_of(point, bypasses, shutdowns)
            ],
            "can_edit": can_edit_points(user, point.enterprise_id),
            "now": now,
        },
    )


def _units(user: Any, enterprise_id: int) -> QuerySet[HazardUnit]:
    return unit_selectors.unit_list(user).filter(enterprise_id=enterprise_id).order_by("code")


def _require_editor(user: Any, enterprise_id: int) -> None:
    if not can_edit_points(user, enterprise_id):
        raise PermissionDenied(gettext(point_services.DENIED))


def _form_page(request: HttpRequest, form: Any, title: str, cancel: str, intro: str) -> HttpResponse:
    return render(
        request,
        "core/form.html",
        {"form": form, "title": title, "cancel_url": cancel, "intro": intro},
        status=422 if form.errors else 200,
    )


INTRO = _(
    "视频通道只需编码和名称；人员定位区域至少填写额定人数、最长滞留时间或静止报警阈值之一（留空的不报警）。修改留痕。"
)


@login_required
def source_new(request: HttpRequest) -> HttpResponse:
    """A new video channel or zone: of `?enterprise=<id>`, or of the user's only enterprise, else choose."""
    enterprise = enterprise_for_new(
        request, gettext("新增视频通道或人员定位区域"), reverse("monitoring:event_source_new")
    )
    if isinstance(enterprise, HttpResponse):
        return enterprise
    _require_editor(request.user, enterprise.pk)
    form = EventSourceForm(request.POST or None, units=_units(request.user, enterprise.pk))
    if request.method == "POST" and form.is_valid():
        try:
            source = services.event_source_create(
                actor=actor_of(request), enterprise=enterprise, data=dict(form.cleaned_data)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("事件源已保存"))
            return HttpResponseRedirect(reverse("monitoring:event_source", args=[source.pk]))
    return _form_page(
        request,
        form,
        gettext("%(name)s：新增视频通道或人员定位区域") % {"name": enterprise.name},
        reverse("monitoring:event_sources"),
        str(INTRO),
    )


@login_required
def source_edit(request: HttpRequest, pk: int) -> HttpResponse:
    source = selectors.source_get(request.user, pk)
    point = source.point
    _require_editor(request.user, point.enterprise_id)
    initial = {
        "kind": point.kind,
        "code": point.code,
        "name": point.name,
        "unit": point.unit_id,
        "location": point.location,
        **{name: getattr(source, name) for name in services.ZONE_FIELDS},
    }
    form = EventSourceForm(
        request.POST or None,
        initial=initial,
        units=_units(request.user, point.enterprise_id),
        fixed_kind=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.event_source_update(actor=actor_of(request), source=source, data=dict(form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("事件源已保存"))
            return HttpResponseRedirect(reverse("monitoring:event_source", args=[source.pk]))
    return _form_page(
        request,
        form,
        gettext("修改事件源：%(code)s") % {"code": point.code},
        reverse("monitoring:event_source", args=[source.pk]),
        str(INTRO),
    )
