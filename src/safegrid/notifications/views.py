from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services


@login_required
@require_GET
def notification_list_view(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    rows = selectors.notification_list(request.user, unread_only=unread_only)
    page = Paginator(rows, settings.SAFEGRID_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page_obj": page, "paginator": page.paginator, "unread_only": unread_only},
    )


@login_required
@require_GET
def notification_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Following a notification marks it read and goes where it points (back to the list if nowhere)."""
    notification = selectors.notification_get(request.user, pk)
    services.notification_open(actor=request.user, notification=notification)  # type: ignore[arg-type]
    target = notification.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all_view(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(actor=request.user)  # type: ignore[arg-type]
    if count:
        messages.success(request, _("已将 %(count)d 条消息标为已读") % {"count": count})
    return HttpResponseRedirect(reverse("notifications:list"))
