"""一企一册 pages: the enterprise's own book (compile, sign, file, download) and the regulator's side
(filing status of every enterprise in scope, one filing with its PDF, accept or return).

Reads go through `selectors.filing` (out of scope = 404, the PDF included), writes through the
`services.filing` (atomic, audited); a refusal is shown on the page, nothing half-done.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from safegrid.core.forms import add_service_errors
from safegrid.core.lists import BoundFilter, Column, Filter, ScopedListView
from safegrid.core.models import User
from safegrid.core.params import optional_id
from safegrid.core.scoping import scope_for
from safegrid.enterprises.models import Enterprise
from safegrid.enterprises.selectors import enterprise_get, enterprise_list
from safegrid.regions.models import Division
from safegrid.regions.selectors import department_list, division_choices, sector_choices

from .. import permissions
from ..choices import FilingStatus
from ..documents import filing_stamp
from ..forms.filing import FileForm, ReviewForm, SendBackForm, SignForm
from ..models.filing import RiskRegisterFiling
from ..rules import filing as filing_rules
from ..rules import levels as level_looks
from ..rules.filing import RegisterState
from ..selectors import delegation as delegation_selectors
from ..selectors import filing as filing_selectors
from ..services import filing
from ..workflows import FILING, FilingAction, enterprise_signers

STATUS_CSS: dict[str, str] = {
    FilingStatus.COMPILED: "bg-secondary-lt",
    FilingStatus.TO_SIGN: "bg-yellow-lt text-yellow",
    FilingStatus.SENT_BACK: "bg-red-lt text-red",
    FilingStatus.SIGNED: "bg-azure-lt text-azure",
    FilingStatus.FILED: "bg-blue-lt text-blue",
    FilingStatus.ACCEPTED: "bg-green-lt text-green",
    FilingStatus.RETURNED: "bg-red-lt text-red",
    FilingStatus.SUPERSEDED: "bg-secondary-lt",
}
STATE_CSS: dict[str, str] = {
    RegisterState.NEVER: "bg-secondary-lt",
    RegisterState.COMPILED: "bg-secondary-lt",
    RegisterState.TO_SIGN: "bg-yellow-lt text-yellow",
    RegisterState.SENT_BACK: "bg-red-lt text-red",
    RegisterState.SIGNED: "bg-azure-lt text-azure",
    RegisterState.FILED: "bg-blue-lt text-blue",
    RegisterState.ACCEPTED: "bg-green-lt text-green",
    RegisterState.RETURNED: "bg-red-lt text-red",
    RegisterState.OUTDATED: "bg-orange-lt text-orange",
}
REGISTER_STATE_TEXT: dict[str, Any] = {
    RegisterState.NEVER: _("尚未编制"),
    RegisterState.COMPILED: _("已编制，待提交法定代表人签署"),
    RegisterState.TO_SIGN: _("已提交，待法定代表人签署"),
    RegisterState.SENT_BACK: _("签署人已退回，需修改后重新提交"),
    RegisterState.SIGNED: _("已签署待报送"),
    RegisterState.FILED: _("已报送待审核"),
    RegisterState.ACCEPTED: _("已备案（监管部门已接收）"),
    RegisterState.RETURNED: _("被退回，需修改后重新报送"),
    RegisterState.OUTDATED: _("清单已变更，需重新编制并报送"),
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


# ---- forms ---------------------------------------------------------------------------------------


# ---- badges --------------------------------------------------------------------------------------


def status_badge(status: str | None, label: Any = None) -> SafeString:
    if not status:
        return format_html('<span class="badge bg-secondary-lt">{}</span>', gettext("未备案"))
    text = label if label is not None else dict(FilingStatus.choices).get(status, status)
    return format_html('<span class="badge {}">{}</span>', STATUS_CSS.get(status, "bg-secondary-lt"), text)


def _with_badges(filings: list[RiskRegisterFiling]) -> list[RiskRegisterFiling]:
    for f in filings:
        f.badge = status_badge(f.status, f.get_status_display())  # type: ignore[attr-defined]
        f.book_ready = filing.book_ready(f)  # type: ignore[attr-defined]
    return filings


def _book_job(user: Any, obj: RiskRegisterFiling | None) -> Any:
    """The job rendering `obj`'s book, when it is not done and the user may watch it (else None)."""
    job = obj.book_job if obj is not None else None
    if job is None or job.status == "succeeded":
        return None
    scope = scope_for(user)
    return job if job.created_by_id == getattr(user, "pk", None) or scope.is_county else None


def outdated_badge() -> SafeString:
    return format_html('<span class="badge bg-orange-lt text-orange">{}</span>', gettext("已过期"))


# ---- enterprise side -----------------------------------------------------------------------------


def _own_enterprises(user: Any) -> list[Enterprise]:
    """The user's own enterprises whose book they compile or sign."""
    own = [pk for pk in scope_for(user).own_enterprise_ids if _works_on(user, pk)]
    return list(enterprise_list(user).filter(pk__in=sorted(own)).order_by("name"))


def _mine_context(
    request: HttpRequest,
    enterprise: Enterprise,
    *,
    compile_errors: list[filing.RegisterProblem] | None = None,
    submit_form: FileForm | None = None,
    file_form: FileForm | None = None,
) -> dict[str, Any]:
    user = _user(request)
    filings = _with_badges(filing_selectors.enterprise_filings(user, enterprise.pk))
    revision = filing_selectors.current_revision(enterprise.pk)
    state = filing_selectors.register_state(filings, revision)
    live = next((f for f in filings if f.status != FilingStatus.SUPERSEDED), None)
    latest_returned = next((f for f in filings if f.status == FilingStatus.RETURNED), None)
    actions = {action for action, _label in FILING.available(user, live)} if live is not None else set()
    outdated = live is not None and filing_rules.is_outdated(live.register_revision, revision)
    departments = department_list(user).order_by("id")
    can_submit = FilingAction.SUBMIT in actions and not outdated
    if can_submit and submit_form is None:
        submit_form = FileForm(
            departments=departments, initial={"departments": filing.default_departments(enterprise)}
        )
    if live is not None and FilingAction.FILE in actions and file_form is None:
        file_form = FileForm(
            departments=departments, initial={"departments": filing.default_departments(enterprise)}
        )
    return {
        "enterprise": enterprise,
        "filings": filings,
        "live": live,
        "returned": latest_returned if state == RegisterState.RETURNED else None,
        "state": state,
        "state_text": REGISTER_STATE_TEXT[state],
        "state_css": STATE_CSS[state],
        "revision": revision,
        "outdated": outdated,
        "can_compile": permissions.can_edit_register(user, enterprise.pk),
        "can_submit": can_submit,
        "can_sign": FilingAction.SIGN in actions and not outdated,
        "can_file": FilingAction.FILE in actions and not outdated,
        "book_ready": live is not None and filing.book_ready(live),
        "book_job": _book_job(user, live),
        "compile_errors": compile_errors,
        "submit_form": submit_form,
        # Exactly the points to fix, as a filter of the point list (the same rule as the refusal).
        "compile_fix_url": f"{reverse('risks:point_list')}?enterprise={enterprise.pk}&blocking=yes",
        "file_form": file_form,
        "signers": [u.display_name or u.username for u in enterprise_signers(enterprise.pk)],
        "delegations": [
            d for d in delegation_selectors.enterprise_delegations(user, enterprise.pk) if _is_active(d)
        ],
        "can_delegate": permissions.can_delegate_signing(user, enterprise.pk),
        "own_enterprises": _own_enterprises(user),
    }


def _is_active(delegation: Any) -> bool:
    return filing_rules.delegation_active(
        delegation.valid_from, delegation.valid_until, delegation.revoked_at is not None, timezone.localdate()
    )


def _works_on(user: Any, enterprise_id: int) -> bool:
    return (
        permissions.can_edit_register(user, enterprise_id)
        or permissions.can_sign_register(user, enterprise_id)
        or delegation_selectors.active_delegation(user, enterprise_id) is not None
    )


def _mine_enterprise(request: HttpRequest, enterprise_pk: Any) -> Enterprise:
    """An enterprise whose book the user works on: in scope (else 404) and theirs to edit or sign (else 403)."""
    enterprise = enterprise_get(request.user, enterprise_pk)
    if not _works_on(request.user, enterprise.pk):
        raise PermissionDenied(gettext("一企一册由企业管理员、安全管理员或法定代表人编制和签署"))
    return enterprise


@require_safe
@login_required
def filing_mine(request: HttpRequest) -> HttpResponse:
    """The enterprise's own 一企一册: where it stands, its versions, and the next step."""
    chosen = optional_id(request.GET.get("enterprise"))
    if chosen is not None:
        enterprise = _mine_enterprise(request, chosen)
    else:
        own = _own_enterprises(request.user)
        if len(own) != 1:
            return render(request, "risks/filing/pick.html", {"enterprises": own})
        enterprise = own[0]
    return render(request, "risks/filing/mine.html", _mine_context(request, enterprise))


def _mine_url(enterprise_id: int) -> str:
    return f"{reverse('risks:filing_mine')}?enterprise={enterprise_id}"


@require_POST
@login_required
def filing_compile_view(request: HttpRequest, enterprise_pk: int) -> HttpResponse:
    enterprise = _mine_enterprise(request, enterprise_pk)
    try:
        created = filing.filing_compile(actor=_user(request), enterprise=enterprise)
    except ValidationError as exc:
        problems = getattr(exc, "problems", None) or [filing.RegisterProblem(m) for m in exc.messages]
        context = _mine_context(request, enterprise, compile_errors=problems)
        return render(request, "risks/filing/mine.html", context)
    messages.success(
        request,
        gettext("已编制第 %(version)s 版一企一册，请核对后提交法定代表人签署") % {"version": created.version},
    )
    return HttpResponseRedirect(_mine_url(enterprise.pk))


@require_POST
@login_required
def filing_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The compiler submits the book for signature; the signers are notified."""
    target = filing_selectors.filing_get(request.user, pk)
    enterprise = _mine_enterprise(request, target.enterprise_id)
    form = FileForm(data=request.POST, departments=department_list(request.user).order_by("id"))
    if form.is_valid():
        try:
            filing.filing_submit(
                actor=_user(request), filing=target, departments=list(form.cleaned_data["departments"])
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("已提交第 %(version)s 版，已通知法定代表人审阅签署") % {"version": target.version},
            )
            return HttpResponseRedirect(_mine_url(enterprise.pk))
    return render(request, "risks/filing/mine.html", _mine_context(request, enterprise, submit_form=form))


def _sign_context(
    request: HttpRequest,
    obj: RiskRegisterFiling,
    *,
    sign_form: SignForm | None = None,
    send_back_form: SendBackForm | None = None,
) -> dict[str, Any]:
    user = _user(request)
    actions = {action for action, _label in FILING.available(user, obj)}
    revision = filing_selectors.current_revision(obj.enterprise_id)
    outdated = filing_rules.is_outdated(obj.register_revision, revision)
    delegation = None
    if not permissions.can_sign_register(user, obj.enterprise_id):
        delegation = delegation_selectors.active_delegation(user, obj.enterprise_id)
    summary = obj.summary or {}
    levels = summary.get("levels", {})
    return {
        "filing": obj,
        "enterprise": obj.enterprise,
        "status_badge": status_badge(obj.status, obj.get_status_display()),
        "can_sign": FilingAction.SIGN in actions and not outdated,
        "can_send_back": FilingAction.SEND_BACK in actions,
        "outdated": outdated,
        "delegation": delegation,
        "signer_display": user.display_name or user.username,
        "sign_form": sign_form or SignForm(),
        "send_back_form": send_back_form or SendBackForm(),
        "departments": list(obj.departments.all()),
        "summary": summary,
        "level_counts": [
            {"level": look.level, "count": int(levels.get(str(look.level), 0)), "name": gettext(look.name)}
            for look in level_looks.LOOKS.values()
        ],
        "book_ready": filing.book_ready(obj),
        "book_job": _book_job(user, obj),
    }


def _signer_filing(request: HttpRequest, pk: int) -> RiskRegisterFiling:
    """A filing the user may sign or send back: in scope (else 404) and theirs to sign (else 403)."""
    obj = filing_selectors.filing_get(request.user, pk)
    if not FILING.may(request.user, obj, FilingAction.SIGN):  # type: ignore[arg-type]
        raise PermissionDenied(FILING.step(FilingAction.SIGN).denied_message)
    return obj


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def filing_sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The signer's one screen: the book to review (PDF, counts), sign with their own password, or send back."""
    obj = _signer_filing(request, pk)
    if request.method != "POST":
        return render(request, "risks/filing/sign.html", _sign_context(request, obj))
    form = SignForm(data=request.POST)
    if form.is_valid():
        try:
            signed = filing.filing_sign(
                actor=_user(request), filing=obj, password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("已签署第 %(version)s 版，并已报送备案部门审核") % {"version": signed.version},
            )
            return HttpResponseRedirect(reverse("risks:filing_detail", args=[signed.pk]))
    obj = filing_selectors.filing_get(request.user, pk)
    return render(request, "risks/filing/sign.html", _sign_context(request, obj, sign_form=form))


@require_POST
@login_required
def filing_send_back_view(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _signer_filing(request, pk)
    form = SendBackForm(data=request.POST)
    if form.is_valid():
        try:
            filing.filing_send_back(actor=_user(request), filing=obj, comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, gettext("已退回第 %(version)s 版，编制人将按意见修改") % {"version": obj.version}
            )
            return HttpResponseRedirect(reverse("risks:filing_detail", args=[obj.pk]))
    obj = filing_selectors.filing_get(request.user, pk)
    return render(request, "risks/filing/sign.html", _sign_context(request, obj, send_back_form=form))


@require_POST
@login_required
def filing_file_view(request: HttpRequest, pk: int) -> HttpResponse:
    """File a book signed before signing filed it at once (versions signed under the old workflow)."""
    target = filing_selectors.filing_get(request.user, pk)
    enterprise = _mine_enterprise(request, target.enterprise_id)
    form = FileForm(data=request.POST, departments=department_list(request.user).order_by("id"))
    if form.is_valid():
        try:
            filing.filing_file(
                actor=_user(request), filing=target, departments=list(form.cleaned_data["departments"])
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("已报送备案，等待监管部门审核"))
            return HttpResponseRedirect(_mine_url(enterprise.pk))
    return render(request, "risks/filing/mine.html", _mine_context(request, enterprise, file_form=form))


# ---- shared: detail and PDF ----------------------------------------------------------------------


def _reviewers_text(obj: RiskRegisterFiling) -> str:
    """Who reviews this enterprise's filing under the county's setting, in words."""
    sectors, config = filing_selectors.review_setting_for(obj.enterprise_id)
    kinds = filing_rules.reviewing_kinds(sectors, config)
    parts = []
    if filing_rules.ReviewerKind.DEPARTMENT in kinds:
        parts.append(gettext("行业主管部门（备案部门）"))
    if filing_rules.ReviewerKind.TOWN in kinds:
        town = (
            Division.objects.filter(code=str(obj.enterprise.division_id)[:9])
            .values_list("name", flat=True)
            .first()
        )
        parts.append(gettext("%(town)s（受县委托）") % {"town": town or gettext("属地镇街")})
    return gettext("、").join(parts)


def _detail_context(
    request: HttpRequest, obj: RiskRegisterFiling, review_form: ReviewForm | None = None
) -> dict[str, Any]:
    user = _user(request)
    versions = _with_badges(filing_selectors.enterprise_filings(user, obj.enterprise_id))
    current = next((f for f in versions if f.pk == obj.pk), obj)
    revision = filing_selectors.current_revision(obj.enterprise_id)
    can_review = bool(
        {FilingAction.ACCEPT, FilingAction.RETURN} & {a for a, _label in FILING.available(user, obj)}
    )
    summary = obj.summary or {}
    levels = summary.get("levels", {})
    actions = {a for a, _label in FILING.available(user, obj)}
    return {
        "reviewers_text": _reviewers_text(obj),
        "can_sign": FilingAction.SIGN in actions,
        "filing": current,
        "enterprise": obj.enterprise,
        "versions": versions,
        "departments": list(current.departments.all()),
        "outdated": obj.status != FilingStatus.SUPERSEDED
        and filing_rules.is_outdated(obj.register_revision, revision),
        "status_badge": status_badge(obj.status, obj.get_status_display()),
        "level_counts": [
            {"level": look.level, "count": int(levels.get(str(look.level), 0)), "name": gettext(look.name)}
            for look in level_looks.LOOKS.values()
        ],
        "points": [
            {
                "code": p.get("code"),
                "name": p.get("name"),
                "level": p.get("level"),
                "level_name": p.get("level_name"),
            }
            for p in (obj.snapshot or {}).get("points", [])
        ],
        "summary": summary,
        "can_review": can_review,
        "review_form": review_form or (ReviewForm() if can_review else None),
        "is_own": obj.enterprise_id in scope_for(user).own_enterprise_ids,
        "book_ready": filing.book_ready(obj),
        "book_job": _book_job(user, obj),
    }


@require_safe
@login_required
def filing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = filing_selectors.filing_get(request.user, pk)
    return render(request, "risks/filing/detail.html", _detail_context(request, obj))


@require_safe
@login_required
def filing_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    obj = filing_selectors.filing_get(request.user, pk)
    if not filing.book_ready(obj):
        job = obj.book_job
        if job is not None and job.status == "failed":
            text = gettext("第 %(version)s 版册子生成失败，请联系县级管理员在“后台任务”中重新执行")
        else:
            text = gettext("第 %(version)s 版册子正在生成，请稍候片刻再下载")
        messages.warning(request, text % {"version": obj.version})
        return HttpResponseRedirect(reverse("risks:filing_detail", args=[obj.pk]))
    try:
        with obj.pdf.open("rb") as handle:
            book = handle.read()
    except FileNotFoundError:
        raise Http404("册子文件缺失") from None
    # The stored book is the one compiled/signed/filed; the download says where the filing stands now.
    stamp = filing_stamp.stamp_for_filing(
        obj,
        current_revision=filing_selectors.current_revision(obj.enterprise_id),
        departments=[d.name for d in obj.departments.all()],
        now=timezone.localtime(),
    )
    content = filing_stamp.stamp_book(book, stamp, obj.enterprise.name)
    name = f"{obj.enterprise.name}-一企一册-第{obj.version}版-{stamp.title}.pdf"
    response = FileResponse(
        io.BytesIO(content), as_attachment=True, filename=name, content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"  # the stamp is the state at this moment
    return response


def _review(request: HttpRequest, pk: int, accept: bool) -> HttpResponse:
    obj = filing_selectors.filing_get(request.user, pk)  # out of scope: 404 before any permission check
    form = ReviewForm(data=request.POST)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if accept:
                filing.filing_accept(actor=_user(request), filing=obj, comment=comment)
            else:
                filing.filing_return(actor=_user(request), filing=obj, comment=comment)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            text = (
                gettext("已接收第 %(version)s 版备案")
                if accept
                else gettext("已退回第 %(version)s 版，企业将按意见修改")
            )
            messages.success(request, text % {"version": obj.version})
            return HttpResponseRedirect(reverse("risks:filing_detail", args=[obj.pk]))
    obj = filing_selectors.filing_get(request.user, pk)
    return render(request, "risks/filing/detail.html", _detail_context(request, obj, review_form=form))


@require_POST
@login_required
def filing_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, accept=True)


@require_POST
@login_required
def filing_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, accept=False)


# ---- regulator side: filing status of every enterprise in scope ----------------------------------

STATUS_FILTER_CHOICES = (
    ("none", _("未备案")),
    ("filed", _("待审核")),
    ("accepted", _("已接收")),
    ("returned", _("已退回")),
    ("outdated", _("已过期")),
)


def _by_filing_status(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    if value == "none":
        return qs.filter(filing_status__isnull=True)
    if value == "outdated":
        return qs.filter(filing_outdated=True)
    if value in (FilingStatus.FILED, FilingStatus.ACCEPTED, FilingStatus.RETURNED):
        return qs.filter(filing_status=value)
    return qs


def _status_text(ent: Any) -> str:
    if not ent.filing_status:
        return gettext("未备案")
    return str(dict(FilingStatus.choices).get(ent.filing_status, ent.filing_status))


def _status_html(ent: Any) -> SafeString:
    badge = status_badge(ent.filing_status)
    if ent.filing_outdated:
        return format_html("{} {}", badge, outdated_badge())
    return badge


def _sector_names(ent: Enterprise) -> str:
    return "、".join(s.name for s in ent.sectors.all())


def _filed_at(ent: Any) -> str:
    return timezone.localtime(ent.filing_filed_at).strftime("%Y-%m-%d") if ent.filing_filed_at else ""


def _review_choices(user: Any) -> list[tuple[str, Any]]:
    return [("mine", _("待我审核"))] if permissions.can_review_filings(user) else []


class FilingStatusListView(ScopedListView):
    selector = filing_selectors.filing_status_list
    prefetch = ("sectors",)
    title = _("一企一册备案情况")
    export_basename = "register-filings"
    default_sort = "name"
    search_fields = ("name__icontains", "uscc__icontains")
    search_placeholder = _("企业名称或统一社会信用代码")
    columns = (
        Column("name", _("企业名称"), sort="name", link=True, css="sg-wrap"),
        Column("uscc", _("统一社会信用代码"), sort="uscc", css="d-none d-md-table-cell"),
        Column(
            "division", _("所属区划"), attr="division.name", sort="division_id", css="d-none d-md-table-cell"
        ),
        Column("sectors", _("行业领域"), value=_sector_names, css="d-none d-lg-table-cell"),
        Column("filing_status", _("备案状态"), value=_status_text, html=_status_html, sort="filing_status"),
        Column(
            "outdated",
            _("清单已变更"),
            value=lambda e: gettext("是") if e.filing_outdated else gettext("否"),
            table=False,
        ),
        Column("filing_version", _("版本"), sort="filing_version", css="d-none d-lg-table-cell text-end"),
        Column(
            "filed_at", _("报送日期"), value=_filed_at, sort="filing_filed_at", css="d-none d-md-table-cell"
        ),
        Column("legal_rep", _("法定代表人"), table=False),
    )
    filters = (
        Filter("status", _("备案状态"), _by_filing_status, choices=lambda user: STATUS_FILTER_CHOICES),
        Filter("division", _("区划"), "division__code__startswith", choices=division_choices),
        Filter("sector", _("行业领域"), "sectors__code", choices=sector_choices),
        # The home page's to-do link: the filed books this user reviews (the county setting per sector);
        # applied in `filtered_queryset`, which knows the user.
        Filter("review", _("审核"), lambda qs, value: qs, choices=_review_choices),
    )

    def filtered_queryset(self, bound: list[BoundFilter]) -> QuerySet[Any]:
        qs = super().filtered_queryset(bound)
        if any(b.name == "review" and b.value == "mine" for b in bound):
            mine = filing_selectors.to_review(self.request.user).values("enterprise_id")
            qs = qs.filter(filing_status=FilingStatus.FILED, pk__in=mine)
        return qs

    def row_url(self, obj: Any) -> str | None:
        if obj.filing_id:
            return reverse("risks:filing_detail", args=[obj.filing_id])
        return reverse("enterprises:enterprise_detail", args=[obj.pk])

    template_name = "risks/filing/status_list.html"

    def status_counts(self) -> dict[str, int]:
        """The scope's bucket counts, read once per request (the buttons and the paginator's count)."""
        if not hasattr(self, "_status_counts"):
            self._status_counts = filing_status_counts(self.request.user)
        return self._status_counts

    def count_rows(self, bound: list[BoundFilter]) -> int | None:
        """From the bucket counts when no division or sector narrows the list (they count the scope)."""
        values = {b.name: b.value for b in bound if b.value}
        if set(values) - {"status"}:
            return None
        return self.status_counts()[values.get("status", "total")]

    def get_extra_context(self) -> dict[str, Any]:
        counts = self.status_counts()
        return {
            "status_counts": [(value, label, counts[value]) for value, label in STATUS_FILTER_CHOICES],
            "current_status": self.request.GET.get("status", ""),
            "list_note": gettext(
                "显示每家企业最近一次报送的一企一册（待审核、已接收或已退回）。"
                "“已过期”表示企业在该版编制后又修改了风险清单，需要重新编制报送。"
            ),
        }


def filing_status_counts(user: Any) -> dict[str, int]:
    """How many enterprises in the user's scope fall in each status bucket (`selectors.filing`)."""
    return filing_selectors.filing_status_counts(user)
