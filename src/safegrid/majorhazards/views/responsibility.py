"""Pages of a major hazard source's three responsible persons (包保): the unit's responsibility page (who,
their duties and phones, their checks done and missed), naming a person, and the printable notice board."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_safe

from safegrid.enterprises.models import Person

from .. import config
from ..documents.board_pdf import BoardPerson, board_pdf
from ..forms.lifecycle import PreEventCheckForm, ResponsibleForm
from ..lifecycle_workflows import is_manager
from ..models import HazardUnit
from ..rules import lifecycle as rules
from ..rules.lifecycle import ResponsibleRole
from ..selectors import lifecycle as selectors
from ..services import responsibility as services
from .lifecycle import _actor, _form_page


def panel_context(user: Any, unit: HazardUnit) -> dict[str, Any]:
    """What `majorhazards/responsibility/_unit_panel.html` needs: include it with these names in the context."""
    return {
        "unit": unit,
        "roles": selectors.role_checks(unit),
        "may_name": is_manager(user, unit.enterprise_id)
        and unit.is_major
        and not selectors.is_deregistered(unit),
    }


@require_safe
@login_required
def unit_responsibility(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(request.user, pk)
    context = panel_context(request.user, unit) | {
        "title": gettext("安全包保责任人"),
        "history": selectors.persons_of(request.user, unit),
        "duties_source": rules.DUTIES_SOURCE,
    }
    return render(request, "majorhazards/responsibility/unit.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def responsible_name(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(request.user, pk)  # out of scope: 404 first
    if not is_manager(request.user, unit.enterprise_id):
        raise PermissionDenied(gettext("只有本企业的管理员或安全管理员可以指定包保责任人"))
    people = Person.objects.filter(enterprise_id=unit.enterprise_id, active=True).order_by("name")
    try:
        role = int(request.GET.get("role", "") or 0)
    except ValueError:
        role = 0
    initial: dict[str, Any] = {"valid_from": timezone.localdate()}
    if role in (r.value for r in ResponsibleRole):
        initial["role"] = role
    cfg = config.lifecycle()
    intro = "；".join(
        f"{rules.ROLE_LABELS[r]}：{rules.check_frequency(r, cfg).label()}（{rules.frequency_source(r)}）"
        for r in ResponsibleRole
    )
    return _form_page(
        request,
        form_class=ResponsibleForm,
        title=gettext("指定包保责任人：%(unit)s") % {"unit": unit.name},
        back=_back(unit.pk),
        run=lambda d: services.responsible_name(actor=_actor(request), unit=unit, **d),
        success=gettext("已指定包保责任人，其排查任务已生成"),
        initial=initial,
        intro=intro,
        form_kwargs={"people": people},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def pre_event_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The technical person's targeted check before a major event, key period or holiday."""
    unit = selectors.unit_get(request.user, pk)  # out of scope: 404 first
    if not is_manager(request.user, unit.enterprise_id):
        raise PermissionDenied(gettext("只有本企业的管理员或安全管理员可以安排节前排查"))
    return _form_page(
        request,
        form_class=PreEventCheckForm,
        title=gettext("安排节前（重大活动前）排查：%(unit)s") % {"unit": unit.name},
        back=_back(unit.pk),
        run=lambda d: services.pre_event_check_schedule(actor=_actor(request), unit=unit, **d),
        success=gettext("已安排技术负责人排查"),
        initial={"due_on": timezone.localdate()},
        intro=gettext(
            "技术负责人须在重大活动、重点时段和节假日前进行重大危险源安全风险隐患排查（应急厅〔2021〕12号第九条）"
        ),
    )


def _back(unit_id: int) -> str:
    from django.urls import reverse

    return reverse("majorhazards:unit_responsibility", args=[unit_id])


@require_safe
@login_required
def board(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice board (公示牌) of the unit's three responsible persons, as a PDF to print."""
    unit = selectors.unit_get(request.user, pk)
    cfg = config.lifecycle()
    now = selectors.current_persons(unit)
    persons = [
        BoardPerson(
            rules.ROLE_LABELS[role],
            row.name,
            row.job_title,
            row.phone,
            row.duties,
            rules.check_frequency(role, cfg).label(),
        )
        if (row := now.get(role.value)) is not None
        else None
        for role in ResponsibleRole
    ]
    data = board_pdf(
        enterprise=unit.enterprise.name,
        unit=f"{unit.code} {unit.name}",
        grade=unit.get_grade_display() + gettext("重大危险源") if unit.grade else gettext("重大危险源"),
        persons=persons,
        roles=[rules.ROLE_LABELS[r] for r in ResponsibleRole],
        today=timezone.localdate(),
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="responsible-persons-{unit.pk}.pdf"'
    return response
