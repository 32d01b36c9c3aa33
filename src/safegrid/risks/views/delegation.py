"""签署委托 pages: an enterprise's written signing delegations, recorded and revoked by its legal
representative, read by the enterprise's book keepers and its regulators (the letter included).

Reads through `selectors.delegation` (out of scope = 404), writes through `services.delegation`.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from safegrid.core.forms import add_service_errors
from safegrid.core.models import User
from safegrid.core.scoping import scope_for
from safegrid.enterprises.models import Enterprise
from safegrid.enterprises.selectors import enterprise_get

from .. import permissions
from ..forms.filing import DelegationForm
from ..rules import filing as filing_rules
from ..selectors import delegation as delegation_selectors
from ..services import delegation as delegation_services


def _may_read(user: Any, enterprise_id: int) -> bool:
    """The enterprise's book keepers and signers, and its regulators (who check a signature's basis)."""
    return (
        permissions.can_edit_register(user, enterprise_id)
        or permissions.can_sign_register(user, enterprise_id)
        or delegation_selectors.active_delegation(user, enterprise_id) is not None
        or scope_for(user).is_government
    )


def _enterprise(request: HttpRequest, enterprise_pk: Any) -> Enterprise:
    enterprise = enterprise_get(request.user, enterprise_pk)
    if not _may_read(request.user, enterprise.pk):
        raise PermissionDenied(gettext("签署委托由企业法定代表人登记，企业管理人员和监管部门可以查看"))
    return enterprise


def _delegates(enterprise: Enterprise, actor: User) -> Any:
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__enterprise=enterprise,
            role_assignments__role__in=sorted(permissions.DELEGATE_ROLES),
        )
        .exclude(pk=actor.pk)
        .distinct()
        .order_by("display_name", "username")
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def delegation_page(request: HttpRequest, enterprise_pk: int) -> HttpResponse:
    enterprise = _enterprise(request, enterprise_pk)
    user = request.user
    assert isinstance(user, User)
    can_delegate = permissions.can_delegate_signing(user, enterprise.pk)
    form = None
    if can_delegate:
        form = DelegationForm(
            data=request.POST if request.method == "POST" else None,
            files=request.FILES if request.method == "POST" else None,
            delegates=_delegates(enterprise, user),
            initial={"valid_from": timezone.localdate()},
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(gettext("只有企业法定代表人可以登记签署委托"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                delegation_services.delegation_create(
                    actor=user,
                    enterprise=enterprise,
                    delegate=data["delegate"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    document=data["document"],
                    note=data["note"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, gettext("签署委托已登记"))
                return HttpResponseRedirect(reverse("risks:delegation_list", args=[enterprise.pk]))
    today = timezone.localdate()
    rows = [
        (
            d,
            filing_rules.delegation_active(d.valid_from, d.valid_until, d.revoked_at is not None, today),
        )
        for d in delegation_selectors.enterprise_delegations(user, enterprise.pk)
    ]
    context = {"enterprise": enterprise, "rows": rows, "form": form, "can_delegate": can_delegate}
    return render(request, "risks/filing/delegations.html", context)


@require_safe
@login_required
def delegation_document(request: HttpRequest, pk: int) -> FileResponse:
    delegation = delegation_selectors.delegation_get(request.user, pk)
    if not _may_read(request.user, delegation.enterprise_id):
        raise PermissionDenied(gettext("签署委托由企业法定代表人登记，企业管理人员和监管部门可以查看"))
    try:
        handle = delegation.document.open("rb")
    except FileNotFoundError:
        raise Http404(gettext("委托书文件缺失")) from None
    name = delegation.document.name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(handle, filename=name, content_type=content_type)


@require_POST
@login_required
def delegation_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = delegation_selectors.delegation_get(request.user, pk)
    user = request.user
    assert isinstance(user, User)
    try:
        delegation_services.delegation_revoke(actor=user, delegation=delegation)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, gettext("签署委托已撤销"))
    return HttpResponseRedirect(reverse("risks:delegation_list", args=[delegation.enterprise_id]))
