"""What risks adds to other pages: the register's summary on the enterprise page (slot "enterprise_detail"),
the home page's to-dos (filings to review, sign or redo; register gaps; cards to confirm; regions due for
review) and its picture (red/orange risks and filing progress; the enterprise's own register)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safegrid.core import todos
from safegrid.core.panels import register
from safegrid.core.scoping import restrict, scope_for
from safegrid.enterprises.models import Enterprise

from . import permissions
from .choices import FilingStatus, RiskLevel
from .models import RegisterRevision, RiskRegisterFiling
from .selectors import cards as card_selectors
from .selectors import filing as filing_selectors
from .selectors import points as selectors
from .selectors import regional as regional_selectors
from .views.filing import REGISTER_STATE_TEXT, STATE_CSS
from .views.points import missing_tiers_q, no_measures_q


@register("enterprise_detail", order=10)
def enterprise_risk_panel(request: HttpRequest, enterprise: Enterprise) -> str | None:
    user: Any = request.user
    points = selectors.risk_point_list(user).filter(enterprise=enterprise, active=True).order_by()
    counts = dict(points.values_list("level").annotate(n=Count("pk")).values_list("level", "n"))
    levels = [
        {"level": int(value), "label": label, "count": counts.get(value, 0)}
        for value, label in RiskLevel.choices
    ]
    filings = list(filing_selectors.filing_list(user).filter(enterprise=enterprise).order_by("-version")[:5])
    state = filing_selectors.register_state(filings, filing_selectors.current_revision(enterprise.pk))
    live = next((f for f in filings if f.status != "superseded"), None)
    context = {
        "enterprise": enterprise,
        "levels": levels,
        "unassessed": counts.get(None, 0),
        "total": sum(counts.values()),
        "state_text": REGISTER_STATE_TEXT[state],
        "state_css": STATE_CSS[state],
        "live_filing": live,
        "can_edit": permissions.can_edit_register(user, enterprise.pk),
        "can_file": permissions.can_edit_register(user, enterprise.pk)
        or permissions.can_sign_register(user, enterprise.pk),
    }
    return render_to_string("risks/panels/_enterprise.html", context, request=request)


# ---- the home page: today's to-dos and the area's picture ----------------------------------------


def _one_or_list(filings: list[RiskRegisterFiling], one: str, many: str) -> str:
    """The filing's own page when there is one, else the list (filtered to the enterprise when only one)."""
    if len(filings) == 1:
        return reverse(one, args=[filings[0].pk])
    enterprises = {f.enterprise_id for f in filings}
    url = reverse(many)
    return f"{url}?enterprise={enterprises.pop()}" if len(enterprises) == 1 else url


@todos.register(order=10)
def filing_todos(request: HttpRequest, today: dt.date) -> list[todos.Todo]:
    """Books to review (regulators, by the county's setting per sector), to sign (the legal representative
    or a delegate), sent back or returned (the enterprise's register keepers)."""
    user: Any = request.user
    found: list[todos.Todo] = []
    if permissions.can_review_filings(user):
        count = filing_selectors.to_review(user).count()
        found.append(
            todos.Todo(
                _("一企一册备案待审核"),
                count,
                f"{reverse('risks:filing_status')}?review=mine",
                todos.Urgency.TODAY,
                "file-check",
                hint=_("接收或退回企业报送的风险清单"),
            )
        )
    scope = scope_for(user)
    if scope.enterprise_ids:
        waiting = list(
            filing_selectors.to_sign(user, today).select_related(None).only("pk", "enterprise_id")[:2]
        )
        if waiting:
            count = filing_selectors.to_sign(user, today).count() if len(waiting) > 1 else 1
            found.append(
                todos.Todo(
                    _("一企一册待您签署"),
                    count,
                    _one_or_list(waiting, "risks:filing_sign", "risks:filing_mine"),
                    todos.Urgency.TODAY,
                    "signature",
                    hint=_("审阅后签署，或写明意见退回编制人"),
                )
            )
        back = list(
            filing_selectors.sent_back(user).select_related(None).only("pk", "enterprise_id", "status")[:50]
        )
        for status, label in (
            (FilingStatus.RETURNED, _("一企一册被监管部门退回，需修改后重新编制")),
            (FilingStatus.SENT_BACK, _("一企一册被退回，需修改后重新提交签署")),
        ):
            rows = [f for f in back if f.status == status]
            if rows:
                found.append(
                    todos.Todo(
                        label,
                        len(rows),
                        _one_or_list(rows, "risks:filing_detail", "risks:filing_mine"),
                        todos.Urgency.TODAY,
                        "file-alert",
                    )
                )
    return found


@todos.register(order=30)
def register_todos(request: HttpRequest, today: dt.date) -> list[todos.Todo]:
    """What the register keepers must complete (one aggregate query) and the cards their workers have
    not confirmed; a worker's own cards to confirm."""
    user: Any = request.user
    scope = scope_for(user)
    found: list[todos.Todo] = []
    editable = sorted(permissions.editable_enterprise_ids(user))
    if editable:
        points = selectors.risk_point_list(user).filter(enterprise_id__in=editable, active=True).order_by()
        gaps = points.aggregate(
            unassessed=Count("pk", filter=Q(level__isnull=True)),
            missing=Count("pk", filter=missing_tiers_q()),
            no_measures=Count("pk", filter=no_measures_q()),
            unconfirmed=Count("pk", filter=card_selectors.unconfirmed_q()),
        )
        url = reverse("risks:point_list")
        found += [
            todos.Todo(
                _("风险点未评估定级"), gaps["unassessed"], f"{url}?level=none&active=yes", icon="list-check"
            ),
            todos.Todo(
                _("风险点缺少管控措施"),
                gaps["no_measures"],
                f"{url}?no_measures=yes&active=yes",
                icon="list-check",
            ),
            todos.Todo(
                _("风险点缺少管控层级责任人"),
                gaps["missing"],
                f"{url}?missing=yes&active=yes",
                icon="list-check",
            ),
        ]
        if gaps["unconfirmed"]:
            index = (
                reverse("risks:card_index", args=[editable[0]]) + "?show=unconfirmed"
                if len(editable) == 1
                else reverse("risks:point_list")
            )
            found.append(
                todos.Todo(
                    _("告知卡尚无岗位人员确认"),
                    gaps["unconfirmed"],
                    index,
                    todos.Urgency.SOON,
                    "cards",
                    hint=_("提醒岗位人员扫码阅读并确认"),
                )
            )
    if scope.unit_paths:
        todo = sum(1 for row in card_selectors.my_cards(user) if row.state != card_selectors.ReadState.DONE)
        found.append(
            todos.Todo(
                _("我的告知卡待确认"),
                todo,
                f"{reverse('risks:my_cards')}?show=todo",
                todos.Urgency.TODAY,
                "cards",
                hint=_("打开卡片，读完后点击“我已阅读并知晓”"),
            )
        )
    return found


@todos.register(order=40)
def regional_todos(request: HttpRequest, today: dt.date) -> list[todos.Todo]:
    """Regions whose periodic review is overdue or (red/orange) due soon, for those who set the level."""
    if not permissions.can_set_regional_risk(request.user):
        return []
    counts = regional_selectors.review_counts(request.user, today)
    if counts["year"] is None:
        return []
    url = f"{reverse('risks:regional_list')}?year={counts['year']}"
    return [
        todos.Todo(
            _("区域风险复核已逾期"),
            counts["overdue"],
            f"{url}&view=overdue",
            todos.Urgency.OVERDUE,
            "map-pin",
        ),
        todos.Todo(
            _("重大、较大风险区域即将到期复核"),
            counts["due"],
            f"{url}&view=due",
            todos.Urgency.SOON,
            "map-pin",
            hint=_("分析研判并确定等级"),
        ),
    ]


@register("home", order=20)
def home_risks(request: HttpRequest, today: dt.date) -> str | None:
    """Red and orange risks and filing progress (by town and sector for the county, by village for a town);
    the register of their own enterprise for enterprise staff."""
    user: Any = request.user
    picture = todos.area(scope_for(user))
    if picture in ("county", "town"):
        levels = restrict(RegisterRevision.objects.all(), user).aggregate(
            red=Coalesce(Sum("points_level1"), 0),
            orange=Coalesce(Sum("points_level2"), 0),
            red_enterprises=Count("pk", filter=Q(risk_level=1)),
            orange_enterprises=Count("pk", filter=Q(risk_level=2)),
        )
        groups = [("town", _("各镇街一企一册备案进度"))] if picture == "county" else []
        groups += [("village", _("各村（社区）一企一册备案进度"))] if picture == "town" else []
        groups += [("sector", _("各行业领域一企一册备案进度"))]
        context = {
            **levels,
            "progress": [(key, title, filing_selectors.progress_rows(user, key)) for key, title in groups],
        }
        return render_to_string("risks/panels/_home_area.html", context, request=request)
    if picture == "enterprise":
        scope = scope_for(user)
        own = Enterprise.objects.filter(pk__in=sorted(scope.enterprise_ids)).order_by("name", "pk")
        parts = [enterprise_risk_panel(request, enterprise) for enterprise in own]
        return "".join(f'<div class="mb-3">{part}</div>' for part in parts if part)
    return None
