"""Who reviews each sector's 一企一册 filings in the county: read by government users, set by the county admin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from safegrid.core.forms import add_service_errors
from safegrid.core.models import User
from safegrid.core.scoping import scope_for
from safegrid.regions.models import Division

from .. import permissions
from ..forms.filing import ReviewerSettingsForm
from ..selectors import filing as filing_selectors
from ..services import filing_reviewers as services


def _county_code(user: Any) -> str:
    """The county the page sets: the only county in the database, or that of the user's town."""
    scope = scope_for(user)
    codes = scope.division_codes or scope.grid_division_codes
    if codes:
        return codes[0][:6]
    county = Division.objects.filter(level="county").order_by("code").values_list("code", flat=True).first()
    return str(county or "")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def reviewer_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not scope_for(user).is_government and not permissions.can_set_filing_reviewers(user):
        raise PermissionDenied(gettext("备案审核单位设置由县级管理员维护，监管人员可以查看"))
    county = _county_code(user)
    rows = filing_selectors.reviewer_rows(user, county)
    can_edit = permissions.can_set_filing_reviewers(user)
    form = ReviewerSettingsForm(data=request.POST if request.method == "POST" else None, rows=rows)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(gettext("只有县级管理员可以设置一企一册备案的审核单位"))
        if form.is_valid():
            try:
                changed = services.filing_reviewers_save(
                    actor=user, county_code=county, choices=form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, gettext("已保存，%(n)s 个行业领域的审核单位有变化") % {"n": changed}
                )
                return HttpResponseRedirect(reverse("risks:filing_reviewers"))
    context = {
        "form": form,
        "rows": rows,
        "can_edit": can_edit,
        "county": Division.objects.filter(code=county).first(),
    }
    return render(request, "risks/filing/reviewers.html", context)
