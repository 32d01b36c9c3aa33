"""Pages for the front line: the phone card behind a QR code, card editing, printable PDFs, the risk
notice board and who has read which card.

Reads go through selectors (out of scope = 404); writes through `card_services.card_save` / `card_services.card_confirm`
(atomic, audited); `permissions.can_edit_register` decides who may edit (in scope but not allowed = 403).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from safegrid.core.choices import Role
from safegrid.core.models import User
from safegrid.core.scoping import scope_for
from safegrid.core.views import ServiceFormView
from safegrid.enterprises.choices import OrgUnitKind

from .. import permissions
from ..documents import cards_pdf, qr
from ..forms.cards import FORMS
from ..models import CardConfirmation, CardKind, RiskCard, RiskPoint
from ..rules import cards as card_rules
from ..selectors import cards as card_selectors
from ..selectors import points as selectors
from ..services import cards as card_services

# ---- helpers -------------------------------------------------------------------------------------


def _kind(value: str) -> CardKind:
    if value not in CardKind.values:
        raise Http404("未知的卡片类型")
    return CardKind(value)


def _point_url(point: RiskPoint) -> str | None:
    """The register's page for the point, when the register pages provide one."""
    try:
        return reverse("risks:point_detail", args=[point.pk])
    except NoReverseMatch:
        return None


def _client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a forwarded-for header is client-controlled unless a trusted proxy sets it.
    value = request.META.get("REMOTE_ADDR") or ""
    return value or None


def _can_see_confirmations(user: Any, enterprise_id: int) -> bool:
    return permissions.can_edit_register(user, enterprise_id) or scope_for(user).is_government


def _reader_role(user: Any) -> str:
    """The government role a read-only visitor reads the card as ("网格员"), or "" for enterprise staff."""
    scope = scope_for(user)
    if scope.own_enterprise_ids:
        return ""
    for role in (
        Role.GRID_WORKER,
        Role.TOWN_OFFICER,
        Role.DEPT_OFFICER,
        Role.COUNTY_OFFICER,
        Role.COUNTY_ADMIN,
    ):
        if role in scope.roles:
            return str(role.label)
    return ""


def _needs_confirmation(receipt: CardConfirmation | None, version: int) -> bool:
    return receipt is None or receipt.card_version < version


def _page_context(request: HttpRequest, point: RiskPoint) -> dict[str, Any]:
    """The phone page: post card, emergency card (when written), and the user's read receipts."""
    saved = card_selectors.cards_for_point(point)
    post = card_selectors.build_content(point, saved.get(CardKind.POST), CardKind.POST)
    emergency = (
        card_selectors.build_content(point, saved[CardKind.EMERGENCY], CardKind.EMERGENCY)
        if CardKind.EMERGENCY in saved
        else None
    )
    user = request.user
    assert isinstance(user, User)
    shown = [post] + ([emergency] if emergency else [])
    receipts = {c.kind: card_selectors.latest_confirmation(user, point, c.kind) for c in shown}
    pending = [c for c in shown if _needs_confirmation(receipts[c.kind], c.version)]
    latest = max((r.confirmed_at for r in receipts.values() if r is not None), default=None)
    can_edit = permissions.can_edit_register(user, point.enterprise_id)
    stale = [c for c in shown if can_edit and card_selectors.register_changed_since(point, c.card)]
    return {
        "stale": stale,
        "point": point,
        "post": post,
        "emergency": emergency,
        "receipts": receipts,
        "pending": pending,
        "confirmed_at": latest if not pending else None,
        "reconfirm": bool(pending) and any(r is not None for r in receipts.values()),
        "can_confirm": card_selectors.can_confirm(user, point),
        "reader_role": _reader_role(user),
        "can_edit": can_edit,
        "can_see_confirmations": _can_see_confirmations(user, point.enterprise_id),
        "point_url": _point_url(point),
        "qr_url": reverse("risks:card_by_qr", kwargs={"token": point.qr_token}),
    }


# ---- the phone page ------------------------------------------------------------------------------


@require_safe
@login_required
def card_by_qr(request: HttpRequest, token: str) -> HttpResponse:
    """What a worker sees after scanning the code at the post."""
    found = selectors.risk_point_by_qr(request.user, token)
    point = selectors.risk_point_detail(request.user, found.pk)
    return render(request, "risks/cards/phone.html", _page_context(request, point))


@require_safe
@login_required
def card_detail(request: HttpRequest, pk: int) -> HttpResponse:
    point = selectors.risk_point_detail(request.user, pk)
    return render(request, "risks/cards/phone.html", _page_context(request, point))


@require_POST
@login_required
def card_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """「我已阅读并知晓」: one receipt per card shown (post card, and the emergency card when written)."""
    point = selectors.risk_point_by_qr(request.user, token)
    user = request.user
    assert isinstance(user, User)
    if not card_selectors.can_confirm(user, point):
        raise PermissionDenied(gettext("只有本企业人员可以确认岗位风险告知卡"))
    kinds = [CardKind.POST]
    if RiskCard.objects.filter(risk_point=point, kind=CardKind.EMERGENCY).exists():
        kinds.append(CardKind.EMERGENCY)
    agent = request.META.get("HTTP_USER_AGENT", "")
    created = False
    try:
        for kind in kinds:
            result = card_services.card_confirm(
                actor=user, point=point, kind=kind, user_agent=agent, ip=_client_ip(request)
            )
            created = created or result.created
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if created:
            messages.success(
                request,
                gettext("已确认，记录时间 %(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
            )
        else:
            messages.info(request, gettext("您已确认过当前版本"))
    return HttpResponseRedirect(reverse("risks:card_by_qr", kwargs={"token": point.qr_token}))


@require_safe
@login_required
def my_cards(request: HttpRequest) -> HttpResponse:
    """「我的告知卡」: the cards of the points where the user's post works, those still to confirm first."""
    rows = card_selectors.my_cards(request.user)
    scope = scope_for(request.user)
    todo = sum(1 for r in rows if r.state != card_selectors.ReadState.DONE)
    only_todo = request.GET.get("show") == "todo"  # the home page's to-do link: the cards still to confirm
    if only_todo:
        rows = [r for r in rows if r.state != card_selectors.ReadState.DONE]
    context = {
        "rows": rows,
        "only_todo": only_todo,
        "todo": todo,
        "staff": bool(scope.own_enterprise_ids),
        "government": scope.is_government,
    }
    return render(request, "risks/cards/mine.html", context)


# ---- editing -------------------------------------------------------------------------------------


def _initial(point: RiskPoint, card: RiskCard | None, kind: str) -> dict[str, Any]:
    phones = card_selectors.phones_for_card(card.emergency_phones if card else [], point.enterprise)
    if card is None:
        unit = point.org_unit
        return {
            "post": unit.pk if unit is not None and unit.kind == OrgUnitKind.POST else None,
            "emergency_phones": card_rules.phone_lines(phones),
            "review_cycle_months": 12,
        }
    return {
        "post": card.post_id,
        "number": card.number,
        "key_points": card.key_points,
        "emergency_measures": card.emergency_measures,
        "emergency_phones": card_rules.phone_lines(phones),
        "steps": "\n".join(card.steps),
        "start_conditions": card.start_conditions,
        "stop_conditions": card.stop_conditions,
        "duties": card.duties,
        "equipment": card.equipment,
        "review_cycle_months": card.review_cycle_months,
    }


class CardEditView(ServiceFormView):
    """Edit a card's own fields; the register's hazards and measures are edited in the register."""

    success_message = _("卡片已保存，版本已更新，岗位人员需重新确认")

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.kind = _kind(kwargs["kind"])
        # The form depends on the URL's card kind; ServiceFormView reads it from the instance.
        self.form_class = FORMS[self.kind]  # type: ignore[misc]

    def get_object(self) -> RiskPoint:
        return selectors.risk_point_get(self.request.user, self.kwargs["pk"])

    def has_permission(self, obj: RiskPoint) -> bool:
        return permissions.can_edit_register(self.request.user, obj.enterprise_id)

    def get_form_kwargs(self, obj: RiskPoint) -> dict[str, Any]:
        card = RiskCard.objects.filter(risk_point=obj, kind=self.kind).first()
        return {"enterprise_id": obj.enterprise_id, "initial": _initial(obj, card, self.kind)}

    def save(self, form: Any, obj: RiskPoint) -> RiskPoint:
        card_services.card_save(actor=self.actor(), point=obj, kind=self.kind, data=form.service_data())
        return obj

    def success_url(self, obj: RiskPoint) -> str:
        return reverse("risks:card_detail", args=[obj.pk])

    def get_title(self, obj: RiskPoint) -> str | Promise:
        return f"{self.kind.label} · {obj.code} {obj.name}"

    def get_context(self, form: Any, obj: Any) -> dict[str, Any]:
        context = super().get_context(form, obj)
        context["intro"] = gettext(
            "危险因素、可能后果和管控措施取自风险分级管控清单，在清单中修改；这里只填写卡片自己的内容。保存后版本号加一。"
        )
        return context


@require_POST
@login_required
def card_publish(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Issue a new card version after the register changed (workers are asked to confirm again)."""
    card_kind = _kind(kind)
    point = selectors.risk_point_get(request.user, pk)
    user = request.user
    assert isinstance(user, User)
    if not permissions.can_edit_register(user, point.enterprise_id):
        raise PermissionDenied(gettext("您没有修改此项的权限"))
    try:
        card = card_services.card_publish(actor=user, point=point, kind=card_kind)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request, gettext("已发布%(kind)s第 %(v)d 版") % {"kind": card_kind.label, "v": card.version}
        )
    return HttpResponseRedirect(reverse("risks:card_detail", args=[point.pk]))


# ---- printable outputs ---------------------------------------------------------------------------


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
@login_required
def card_pdf(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    card_kind = _kind(kind)
    point = selectors.risk_point_detail(request.user, pk)
    card = card_selectors.cards_for_point(point).get(card_kind)
    if card_kind == CardKind.EMERGENCY and card is None:
        raise Http404("该风险点尚未编写应急处置卡")
    content = card_selectors.build_content(point, card, card_kind)
    png = qr.qr_png(qr.card_url(request, point.qr_token))
    prefix = "emergency-card" if card_kind == CardKind.EMERGENCY else "post-card"
    return _pdf_response(cards_pdf.card_pdf(content, png), f"{prefix}-{point.pk}-v{content.version}.pdf")


@require_safe
@login_required
def card_booklet_pdf(request: HttpRequest, enterprise: int, kind: str) -> HttpResponse:
    """Every active point's card of one kind, one per page (emergency: only points that have one)."""
    card_kind = _kind(kind)
    found, points = selectors.register(request.user, enterprise)
    saved = {
        c.risk_point_id: c
        for c in card_selectors.card_list(request.user).filter(risk_point__in=points, kind=card_kind)
    }
    items = [
        (
            card_selectors.build_content(point, saved.get(point.pk), card_kind),
            qr.qr_png(qr.card_url(request, point.qr_token)),
        )
        for point in points
        if card_kind == CardKind.POST or point.pk in saved
    ]
    title = f"{card_kind.label} {found.name}"
    return _pdf_response(cards_pdf.cards_booklet_pdf(items, title), f"{card_kind.value}-cards-{found.pk}.pdf")


@require_safe
@login_required
def card_qr_png(request: HttpRequest, pk: int) -> HttpResponse:
    point = selectors.risk_point_get(request.user, pk)
    response = HttpResponse(qr.qr_png(qr.card_url(request, point.qr_token)), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="card-qr-{point.pk}.png"'
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _notice(
    request: HttpRequest, enterprise: int
) -> tuple[Any, list[card_selectors.NoticeRow], list[card_selectors.LevelCount]]:
    found, points = selectors.register(request.user, enterprise)
    rows = card_selectors.notice_rows(points)
    return found, rows, card_selectors.level_counts(rows)


@require_safe
@login_required
def notice_board(request: HttpRequest, enterprise: int) -> HttpResponse:
    found, rows, counts = _notice(request, enterprise)
    context = {
        "enterprise": found,
        "rows": rows,
        "counts": counts,
        "today": timezone.localdate(),
        "phones": card_selectors.default_phones(found),
    }
    return render(request, "risks/cards/notice_board.html", context)


@require_safe
@login_required
def notice_board_pdf(request: HttpRequest, enterprise: int) -> HttpResponse:
    found, rows, counts = _notice(request, enterprise)
    data = cards_pdf.notice_board_pdf(found.name, rows, counts, timezone.localdate())
    return _pdf_response(data, f"risk-notice-{found.pk}.pdf")


# ---- the enterprise's cards and read receipts ----------------------------------------------------


@require_safe
@login_required
def card_index(request: HttpRequest, enterprise: int) -> HttpResponse:
    """Every active point of an enterprise with its cards' versions and how many have read them."""
    found, points = selectors.register(request.user, enterprise)
    saved: dict[tuple[int, str], RiskCard] = {
        (c.risk_point_id, c.kind): c
        for c in card_selectors.card_list(request.user).filter(risk_point__in=points)
    }
    receipts: dict[tuple[int, str, int], int] = {}
    for point_id, kind, version in (
        card_selectors.confirmation_list(request.user)
        .filter(risk_point__in=points)
        .values_list("risk_point_id", "kind", "card_version")
    ):
        receipts[(point_id, kind, version)] = receipts.get((point_id, kind, version), 0) + 1
    rows = []
    for point in points:
        post = saved.get((point.pk, CardKind.POST))
        emergency = saved.get((point.pk, CardKind.EMERGENCY))
        version = post.version if post else 1
        rows.append(
            {
                "point": point,
                "level_name": card_rules.level_name(point.level),
                "post": post,
                "post_version": version,
                "emergency": emergency,
                "confirmed": receipts.get((point.pk, CardKind.POST, version), 0),
            }
        )
    # The home page's to-do link: only the cards whose current version no one has confirmed yet.
    only_unconfirmed = request.GET.get("show") == "unconfirmed"
    if only_unconfirmed:
        rows = [r for r in rows if r["confirmed"] == 0]
    context = {
        "enterprise": found,
        "only_unconfirmed": only_unconfirmed,
        "rows": rows,
        "can_edit": permissions.can_edit_register(request.user, found.pk),
        "can_see_confirmations": _can_see_confirmations(request.user, found.pk),
    }
    return render(request, "risks/cards/index.html", context)


@require_safe
@login_required
def card_confirmations(request: HttpRequest, pk: int) -> HttpResponse:
    """Who confirmed which card of a point when, and who on the post has not read the current version."""
    point = selectors.risk_point_detail(request.user, pk)
    if not _can_see_confirmations(request.user, point.enterprise_id):
        raise PermissionDenied(gettext("只有企业安全管理人员和监管人员可以查看确认记录"))
    saved = card_selectors.cards_for_point(point)
    post_card = saved.get(CardKind.POST)
    people = card_selectors.post_people_status(point, post_card)
    confirmations = list(
        card_selectors.confirmation_list(request.user)
        .filter(risk_point=point)
        .order_by("-confirmed_at", "-pk")[:500]
    )
    context = {
        "point": point,
        "post_version": post_card.version if post_card else 1,
        "emergency_version": saved[CardKind.EMERGENCY].version if CardKind.EMERGENCY in saved else None,
        "confirmations": confirmations,
        "people": people,
        "missing": [s for s in people if s.confirmation is None],
        "level_name": card_rules.level_name(point.level),
    }
    return render(request, "risks/cards/confirmations.html", context)
