"""Special-work and daily-commitment pages.

Enterprise: /majorhazards/special-works/ (list), new/ (the filing form, phone first), <id>/ (analyses,
pauses, state, timeline, the moves), commitments/new/ (today's commitment, prefilled, differences shown),
commitments/history/ (its commitments, the board address). Public: board/<token>/ (no login). Regulator:
commitments/ (one day: posted / late / missing / counts disagreeing with the filings), special-works/today/
(today's 特级/一级 hot work and confined-space entries), map/high-risk-works.json (the risk map's layer).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
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
from safegrid.hazards.permissions import REGULATOR_ROLES
from safegrid.regions.selectors import division_choices, division_get, sector_choices
from safegrid.risks import map_layers

from .. import work_config
from ..forms.work import CommitmentForm, GasAnalysisForm, MoveForm, SpecialWorkForm
from ..models import SafetyCommitment, SpecialWork
from ..models.work import ACTIVE_STATUSES, SpecialWorkStatus, WorkType
from ..rules import work as rules
from ..selectors import work as sel
from ..services import work as services

S = SpecialWorkStatus
STATUS_CSS: dict[str, str] = {
    S.FILED: "bg-blue-lt",
    S.IN_PROGRESS: "bg-orange-lt",
    S.PAUSED: "bg-yellow-lt",
    S.COMPLETED: "bg-green-lt",
    S.CANCELLED: "bg-secondary-lt",
}
STATE_LABELS = {
    "posted": _("按时发布"),
    "late": _("逾期发布"),
    "missing": _("未发布"),
    "pending": _("待发布"),
}
STATE_CSS = {
    "posted": "bg-green-lt",
    "late": "bg-orange-lt",
    "missing": "bg-red-lt",
    "pending": "bg-secondary-lt",
}


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _regulator(user: Any) -> bool:
    scope = scope_for(user)
    return bool(scope.superuser or scope.has_role(*REGULATOR_ROLES))


def _status_html(w: SpecialWork) -> SafeString:
    return format_html(
        '<span class="badge {}">{}</span>', STATUS_CSS.get(w.status, ""), w.get_status_display()
    )


def _interval(w: SpecialWork) -> str:
    start, end = timezone.localtime(w.start), timezone.localtime(w.end)
    tail = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%m-%d %H:%M}"
    return f"{start:%m-%d %H:%M}–{tail}"


def _type_html(w: SpecialWork) -> SafeString:
    css = "bg-red-lt" if w.high_risk else "bg-azure-lt"
    return format_html('<span class="badge {}">{}</span>', css, w.type_label)


def _high_risk_filter(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.filter(sel.HIGH_RISK_Q) if value == "yes" else qs.exclude(sel.HIGH_RISK_Q)


def _day_filter(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    try:
        return sel.touching(qs, dt.date.fromisoformat(value))
    except ValueError:
        return qs.none()


YES_NO = [("yes", _("是")), ("no", _("否"))]


def _work_columns(with_enterprise: bool = True) -> tuple[Column, ...]:
    return (
        Column("permit_number", _("作业票编号"), sort="permit_number", link=True),
        Column("work_type", _("作业类型"), attr="type_label", html=_type_html, sort="work_type"),
        *(
            (Column("enterprise", _("企业"), attr="enterprise.name", sort="enterprise__name", css="sg-wrap"),)
            if with_enterprise
            else ()
        ),
        Column("place", _("作业地点"), css="sg-wrap"),
        Column("start", _("作业时间"), value=_interval, sort="start"),
        Column("status", _("状态"), attr="get_status_display", html=_status_html, sort="status"),
        Column("watcher_name", _("监护人"), css="d-none d-md-table-cell"),
    )


class SpecialWorkListView(ScopedListView):
    selector = sel.special_work_list
    title = _("特殊作业报备")
    export_basename = "special-works"
    detail_url_name = "majorhazards:special_work"
    default_sort = "-start"
    search_fields = ("permit_number__icontains", "place__icontains", "enterprise__name__icontains")
    search_placeholder = _("作业票编号、地点或企业")
    columns = _work_columns()
    filters = (
        Filter("day", _("作业日期"), _day_filter, placeholder=_("YYYY-MM-DD")),
        Filter("work_type", _("作业类型"), "work_type", choices=lambda user: WorkType.choices),
        Filter("status", _("状态"), "status", choices=lambda user: SpecialWorkStatus.choices),
        Filter("high_risk", _("高风险作业"), _high_risk_filter, choices=lambda user: YES_NO),
        Filter("town", _("区划"), "enterprise__division__code__startswith", choices=division_choices),
    )

    def create_url(self) -> str | None:
        return (
            reverse("majorhazards:special_work_new")
            if sel.enterprises_filing(self.request.user).exists()
            else None
        )


class TodayHighRiskView(ScopedListView):
    """The regulator's list: today's 特级/一级 hot work and confined-space entries in scope."""

    selector = sel.special_work_list
    title = _("今日高风险作业")
    export_basename = "special-works-today"
    detail_url_name = "majorhazards:special_work"
    default_sort = "start"
    remember_filters = False
    search_fields = ("permit_number__icontains", "place__icontains", "enterprise__name__icontains")
    search_placeholder = _("作业票编号、地点或企业")
    columns = _work_columns()
    filters = (
        Filter("work_type", _("作业类型"), "work_type", choices=lambda user: WorkType.choices[:2]),
        Filter("town", _("区划"), "enterprise__division__code__startswith", choices=division_choices),
        Filter("sector", _("行业"), "enterprise__sectors__code", choices=sector_choices),
    )

    def get_base_queryset(self) -> QuerySet[Any]:
        return sel.high_risk_on(self.request.user, timezone.localdate())

    def get_extra_context(self) -> dict[str, Any]:
        return {
            "list_note": gettext(
                "今天（%(day)s）作业时段涉及当日的特级、一级动火作业和受限空间作业，已取消的不列出；报备后即时更新。"
            )
            % {"day": timezone.localdate().isoformat()}
        }


@login_required
def special_work_new(request: HttpRequest) -> HttpResponse:
    enterprises = sel.enterprises_filing(request.user)
    if not enterprises.exists():
        raise PermissionDenied(services.NOT_MANAGER)
    form = SpecialWorkForm(request.POST or None, enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        try:
            work = services.special_work_file(
                actor=_actor(request), enterprise=form.cleaned_data["enterprise"], data=form.service_data()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("特殊作业已报备：%(permit)s") % {"permit": work.permit_number})
            return HttpResponseRedirect(reverse("majorhazards:special_work", args=[work.pk]))
    return render(
        request,
        "majorhazards/work/special_work_form.html",
        {
            "title": gettext("报备特殊作业"),
            "form": form,
            "cancel_url": reverse("majorhazards:special_works"),
            "limits": work_config.limits(),
        },
        status=422 if request.method == "POST" else 200,
    )


def _timeline(work: SpecialWork) -> list[dict[str, Any]]:
    return [
        {
            "label": services.SPECIAL_WORK.action_label(t.action),
            "at": t.at,
            "actor_label": t.actor.get_full_name() or t.actor.username if t.actor else t.actor_label,
            "comment": t.comment,
        }
        for t in work.transitions.select_related("actor").order_by("at", "pk")
    ]


def _detail(
    request: HttpRequest,
    work: SpecialWork,
    analysis_form: GasAnalysisForm | None = None,
    move_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_manage = services.can_manage_work(user, work.enterprise_id)
    moves = (
        [
            (action, label)
            for action, label in services.SPECIAL_WORK.available(_actor(request), work)
            if action in services.MOVES
        ]
        if can_manage
        else []
    )
    if analysis_form is None and can_manage and work.status in ACTIVE_STATUSES:
        analysis_form = GasAnalysisForm(initial={"at": timezone.localtime().replace(second=0, microsecond=0)})
    return render(
        request,
        "majorhazards/work/special_work_detail.html",
        {
            "title": gettext("特殊作业：%(permit)s") % {"permit": work.permit_number},
            "work": work,
            "status_css": STATUS_CSS.get(work.status, ""),
            "analyses": sel.analyses_of(work),
            "pauses": sel.pauses_of(work),
            "timeline": _timeline(work),
            "moves": moves,
            "move_form": MoveForm(),
            "move_errors": move_errors or [],
            "analysis_form": analysis_form if can_manage and work.status in ACTIVE_STATUSES else None,
            "limits": work_config.limits(),
        },
        status=status,
    )


@login_required
def special_work_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, sel.special_work_get(request.user, pk))


@login_required
@require_POST
def special_work_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    work = sel.special_work_get(request.user, pk)
    form = GasAnalysisForm(request.POST)
    if form.is_valid():
        try:
            services.gas_analysis_record(actor=_actor(request), work=work, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("气体分析已记录"))
            return HttpResponseRedirect(reverse("majorhazards:special_work", args=[work.pk]))
    return _detail(request, work, analysis_form=form, status=422)


@login_required
@require_POST
def special_work_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    work = sel.special_work_get(request.user, pk)
    if action not in services.MOVES:
        raise Http404
    form = MoveForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.special_work_move(actor=_actor(request), work=work, action=action, comment=comment)
    except ValidationError as exc:
        return _detail(request, work, move_errors=exc.messages, status=422)
    messages.success(
        request, gettext("已%(action)s") % {"action": services.SPECIAL_WORK.action_label(action)}
    )
    return HttpResponseRedirect(reverse("majorhazards:special_work", args=[work.pk]))


# ---- the commitment (enterprise) ----------------------------------------------------------------------


def _posting_enterprise(request: HttpRequest) -> Any:
    enterprises = sel.enterprises_posting(request.user)
    chosen = request.GET.get("enterprise", "")
    if chosen.isdigit():
        found = enterprises.filter(pk=int(chosen)).first()
        if found is None:
            raise Http404
        return found, enterprises
    first = enterprises.first()
    if first is None:
        raise Http404(gettext("您所在的企业没有登记构成重大危险源的单元"))
    return first, enterprises


@login_required
def commitment_new(request: HttpRequest) -> HttpResponse:
    enterprise, enterprises = _posting_enterprise(request)
    today = timezone.localdate()
    posted = sel.commitment_for(enterprise, today)
    if posted is not None:
        messages.info(request, gettext("今日安全承诺公告已发布"))
        return HttpResponseRedirect(reverse("majorhazards:commitment", args=[posted.pk]))
    prefill = services.commitment_prefill(enterprise, today)
    may_post = services.can_post_commitment(request.user, enterprise.pk)
    form = CommitmentForm(request.POST or None, initial=prefill)
    if request.method == "POST":
        if not may_post:
            raise PermissionDenied(services.NOT_PRINCIPAL)
        if form.is_valid():
            try:
                commitment = services.commitment_post(
                    actor=_actor(request), enterprise=enterprise, day=today, data=form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, gettext("今日安全承诺公告已发布"))
                return HttpResponseRedirect(reverse("majorhazards:commitment", args=[commitment.pk]))
    filed = {name: prefill[name] for name in rules.COUNT_FIELDS}
    counts = []
    for name in rules.COUNT_FIELDS:
        field = form[name]
        value = field.value()
        try:
            differs = int(value) != filed[name]
        except (TypeError, ValueError):
            differs = False
        if differs:
            widget = form.fields[name].widget
            widget.attrs["class"] = (
                f"{widget.attrs.get('class', '')} border-danger text-danger fw-bold".strip()
            )
        counts.append({"field": field, "filed": filed[name], "differs": differs})
    deadline = work_config.commitment_deadline()
    return render(
        request,
        "majorhazards/work/commitment_form.html",
        {
            "title": gettext("发布今日安全承诺公告"),
            "form": form,
            "enterprise": enterprise,
            "enterprises": enterprises,
            "today": today,
            "deadline": deadline,
            "late_now": rules.deadline_passed(timezone.localtime(), today, deadline),
            "counts": counts,
            "any_difference": any(c["differs"] for c in counts),
            "filings_url": f"{reverse('majorhazards:special_works')}?day={today.isoformat()}",
            "may_post": may_post,
            "cancel_url": reverse("majorhazards:commitment_history"),
        },
        status=422 if request.method == "POST" else 200,
    )


def _commitment_state_html(c: SafetyCommitment) -> SafeString:
    state = "late" if c.late else "posted"
    return format_html('<span class="badge {}">{}</span>', STATE_CSS[state], STATE_LABELS[state])


def _differences_text(c: SafetyCommitment) -> str:
    return "、".join(rules.COUNT_LABELS[name] for name in c.differences) if c.differences else ""


def _counts_text(c: Any) -> str:
    return gettext("特级 %(s)s / 一级 %(o)s / 二级 %(t)s / 受限 %(c)s / 其他 %(x)s") % {
        "s": c.hot_special,
        "o": c.hot_one,
        "t": c.hot_two,
        "c": c.confined_space,
        "x": c.other_special,
    }


class CommitmentHistoryView(ScopedListView):
    selector = sel.commitment_list
    title = _("安全承诺公告记录")
    export_basename = "safety-commitments"
    detail_url_name = "majorhazards:commitment"
    template_name = "majorhazards/work/commitment_history.html"
    default_sort = "-day"
    search_fields = ("enterprise__name__icontains", "principal_name__icontains")
    search_placeholder = _("企业或负责人")
    columns = (
        Column("day", _("日期"), sort="day", link=True),
        Column("enterprise", _("企业"), attr="enterprise.name", sort="enterprise__name", css="sg-wrap"),
        Column(
            "late",
            _("发布情况"),
            value=lambda c: str(STATE_LABELS["late" if c.late else "posted"]),
            html=_commitment_state_html,
            sort="late",
        ),
        Column("posted_at", _("发布时间"), sort="posted_at", css="d-none d-md-table-cell"),
        Column("counts", _("动火/受限/其他作业"), value=_counts_text, css="d-none d-lg-table-cell"),
        Column("differences", _("与报备不一致"), value=_differences_text),
        Column("principal_name", _("主要负责人"), css="d-none d-md-table-cell"),
    )
    filters = (
        Filter(
            "late",
            _("逾期发布"),
            "late",
            choices=lambda user: [("True", gettext("是")), ("False", gettext("否"))],
        ),
        Filter(
            "differs",
            _("与报备不一致"),
            lambda qs, v: qs.exclude(differences=[]) if v == "yes" else qs.filter(differences=[]),
            choices=lambda user: YES_NO,
        ),
        Filter("town", _("区划"), "enterprise__division__code__startswith", choices=division_choices),
    )

    def get_extra_context(self) -> dict[str, Any]:
        user: Any = self.request.user
        boards = []
        for enterprise in sel.enterprises_posting(user):
            board = sel.board_of(user, enterprise)
            boards.append(
                {
                    "enterprise": enterprise,
                    "board": board,
                    "url": board_url(self.request, board.token) if board else "",
                    "can_issue": services.can_issue_board(user, enterprise.pk),
                    "today": sel.commitment_for(enterprise, timezone.localdate()),
                }
            )
        return {"boards": boards, "new_url": reverse("majorhazards:commitment_new")}


@login_required
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = sel.commitment_get(request.user, pk)
    filed = commitment.filed_counts or {}
    rows = [
        {
            "label": rules.COUNT_LABELS[name],
            "entered": getattr(commitment, name),
            "filed": filed.get(name, 0),
            "differs": name in (commitment.differences or []),
        }
        for name in rules.COUNT_FIELDS
    ]
    return render(
        request,
        "majorhazards/work/commitment_detail.html",
        {
            "title": gettext("安全承诺公告：%(day)s") % {"day": commitment.day.isoformat()},
            "c": commitment,
            "rows": rows,
            "filings_url": f"{reverse('majorhazards:special_works')}?day={commitment.day.isoformat()}",
        },
    )


# ---- the public board --------------------------------------------------------------------------------


def board_url(request: HttpRequest, token: str) -> str:
    path = reverse("majorhazards:board", args=[token])
    base = str(getattr(settings, "SAFEGRID_PUBLIC_URL", "") or "").rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


@require_safe
def board(request: HttpRequest, token: str) -> HttpResponse:
    """The enterprise's public commitment board: today's commitment in large text (no login)."""
    found = sel.board_by_token(request.user, token)
    today = timezone.localdate()
    commitment = sel.commitment_for(found.enterprise, today)
    response = render(
        request,
        "majorhazards/work/board.html",
        {"enterprise": found.enterprise, "c": commitment, "today": today, "now": timezone.localtime()},
    )
    response["Cache-Control"] = "no-store"
    response["Refresh"] = "300"  # a gate screen picks up the day's commitment without anyone touching it
    return response


@login_required
@require_POST
def board_issue(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = ent_selectors.enterprise_get(request.user, enterprise_id)
    if not services.can_issue_board(request.user, enterprise.pk):
        raise PermissionDenied(services.NOT_MANAGER)
    services.board_issue(actor=_actor(request), enterprise=enterprise)
    messages.success(request, gettext("承诺公告屏地址已签发，原地址（如有）已作废"))
    return HttpResponseRedirect(reverse("majorhazards:commitment_history"))


# ---- the regulator's day page ----------------------------------------------------------------------------


def _state_html(e: Any) -> SafeString:
    state = e.state
    return format_html('<span class="badge {}">{}</span>', STATE_CSS[state], STATE_LABELS[state])


def _mismatch_html(e: Any) -> SafeString:
    if e.c_id is None:
        return format_html("{}", "")
    if not e.mismatch:
        return format_html('<span class="text-secondary">{}</span>', gettext("一致"))
    return format_html('<span class="badge bg-red-lt">{}</span>', _mismatch_text(e))


def _mismatch_text(e: Any) -> str:
    if e.c_id is None or not e.mismatch:
        return ""
    return "、".join(
        f"{rules.COUNT_LABELS[name]} {getattr(e, 'c_' + name)}/{getattr(e, 'f_' + name)}"
        for name in rules.COUNT_FIELDS
        if getattr(e, "c_" + name) != getattr(e, "f_" + name)
    )


class CommitmentDayView(ScopedListView):
    """The county's commitments of one day: every enterprise in scope that must post, its state, and
    whether its counts agree with its special-work filings now."""

    selector = sel.required_enterprises
    title = _("安全承诺公告监管")
    export_basename = "safety-commitments-day"
    template_name = "majorhazards/work/commitment_day.html"
    default_sort = "name"
    remember_filters = False
    search_fields = ("name__icontains",)
    search_placeholder = _("企业名称")
    columns = (
        Column("name", _("企业"), sort="name", css="sg-wrap", link=True),
        Column(
            "division",
            _("所属区划"),
            attr="division.name",
            sort="division__code",
            css="d-none d-md-table-cell",
        ),
        Column("state", _("发布情况"), value=lambda e: str(STATE_LABELS[e.state]), html=_state_html),
        Column("c_posted_at", _("发布时间"), sort="c_posted_at", css="d-none d-md-table-cell"),
        Column("c_principal", _("承诺人"), css="d-none d-lg-table-cell"),
        Column("mismatch", _("与报备比对（填报/报备）"), value=_mismatch_text, html=_mismatch_html),
        Column("c_explanation", _("不一致说明"), css="d-none d-lg-table-cell sg-wrap"),
    )
    filters = (
        Filter("day", _("日期"), lambda qs, value: qs, hidden=True),
        Filter("state", _("发布情况"), lambda qs, value: qs, choices=lambda user: list(STATE_LABELS.items())),
        Filter(
            "mismatch",
            _("与报备不一致"),
            lambda qs, v: qs.filter(mismatch=(v == "yes")),
            choices=lambda user: YES_NO,
        ),
        Filter("town", _("区划"), "division__code__startswith", choices=division_choices),
        Filter("sector", _("行业"), "sectors__code", choices=sector_choices),
    )

    def day(self) -> dt.date:
        try:
            chosen = dt.date.fromisoformat(self.request.GET.get("day", ""))
        except ValueError:
            return timezone.localdate()
        return min(chosen, timezone.localdate())

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not _regulator(request.user):
            raise PermissionDenied(gettext("只有监管部门可以查看全县安全承诺公告情况"))
        if request.GET.get("day") != self.day().isoformat():
            query = request.GET.copy()
            query["day"] = self.day().isoformat()
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        return super().get(request, *args, **kwargs)

    def get_base_queryset(self) -> QuerySet[Any]:
        day = self.day()
        qs = sel.day_board(self.request.user, day)
        state = self.request.GET.get("state", "")
        return sel.state_filter(qs, state, day) if state in STATE_LABELS else qs

    def row_url(self, obj: Any) -> str | None:
        return reverse("majorhazards:commitment", args=[obj.c_id]) if obj.c_id else None

    def rows(self, objects: Any) -> list[dict[str, Any]]:
        day, now = self.day(), timezone.now()
        objects = list(objects)
        for e in objects:
            e.state = sel.state_of(e, day, now)
        return super().rows(objects)

    def export_rows(self, qs: QuerySet[Any]) -> Any:
        day, now = self.day(), timezone.now()
        columns = [c for c in self.columns if c.export]
        for e in qs.iterator(chunk_size=2000):
            e.state = sel.state_of(e, day, now)
            yield [c.get_value(e) for c in columns]

    def get_extra_context(self) -> dict[str, Any]:
        day = self.day()
        qs = sel.day_board(self.request.user, day)
        now = timezone.now()
        summary = dict.fromkeys(STATE_LABELS, 0)
        mismatched = 0
        for row in qs.values("c_id", "c_late", "mismatch"):
            summary[sel.state_of(SimpleNamespace(**row), day, now)] += 1
            mismatched += bool(row["mismatch"])
        return {
            "day": day,
            "previous": (day - dt.timedelta(days=1)).isoformat(),
            "next": (day + dt.timedelta(days=1)).isoformat() if day < timezone.localdate() else "",
            "deadline": work_config.commitment_deadline(),
            "summary": [(key, STATE_LABELS[key], STATE_CSS[key], n) for key, n in summary.items()],
            "mismatched": mismatched,
        }


# ---- the map layer -------------------------------------------------------------------------------------

MAX_ITEMS = 300


def _map_visible(user: Any) -> bool:
    scope = scope_for(user)
    return bool(scope.is_government or scope.own_enterprise_ids or scope.superuser)


def register_map_layer() -> None:
    map_layers.register(
        map_layers.MapLayer(
            key="high-risk-works",
            label=_("今日高风险作业"),
            url_name="majorhazards:map_high_risk",
            colour="#f76707",
            symbol="triangle",
            order=20,
            visible=_map_visible,
        )
    )


@require_safe
@login_required
def high_risk_json(request: HttpRequest) -> JsonResponse:
    user = request.user
    code = request.GET.get("division", "")
    works = sel.high_risk_on(user, timezone.localdate())
    if code:
        if not (code.isascii() and code.isdigit() and len(code) <= 12):
            raise Http404(gettext("不存在或无权查看"))
        division = division_get(user, code)  # 404 when out of scope
        works = works.filter(enterprise__division__code__startswith=division.code)
    rows = list(works.order_by("start", "pk")[:MAX_ITEMS])
    markers, unplaced = [], 0
    for w in rows:
        lat = w.latitude if w.latitude is not None else w.enterprise.lat
        lon = w.longitude if w.longitude is not None else w.enterprise.lon
        if lat is None or lon is None:
            unplaced += 1
            continue
        markers.append(
            {
                "name": f"{w.type_label} {w.permit_number}",
                "lat": float(lat),
                "lon": float(lon),
                "url": reverse("majorhazards:special_work", args=[w.pk]),
                "lines": [
                    w.enterprise.name,
                    f"{w.type_label}：{w.place}",
                    f"{_interval(w)} · {w.get_status_display()}",
                    gettext("监护人：%(name)s") % {"name": w.watcher_name},
                ],
            }
        )
    items = [
        {
            "text": f"{w.type_label} · {w.place}",
            "note": f"{w.enterprise.name} · {_interval(w)} · {w.get_status_display()}",
            "url": reverse("majorhazards:special_work", args=[w.pk]),
        }
        for w in rows
    ]
    return JsonResponse(
        {"markers": markers, "items": items, "unplaced": unplaced},
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )
