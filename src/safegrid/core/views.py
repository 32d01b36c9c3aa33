"""The shell's pages (sign-in, home, search, audit trail) and the generic service-backed edit views."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, ClassVar

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.http import require_safe

from . import audit, panels, scoping, todos
from .choices import AuditAction
from .forms import add_service_errors
from .lists import Column, Filter, ScopedListView
from .models import AuditEntry, User
from .selectors import audit_entry_list

# ---- sign-in -------------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        return context


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default); the session ends and the user is sent to the sign-in page."""


# ---- generic edit views that save through services -----------------------------------------------


class ServiceFormView(LoginRequiredMixin, View):
    """Show a ModelForm for validation and display; save only through a service.

    Subclasses set `form_class` and implement `get_object()` (None when creating),
    `has_permission(obj)`, `save(form, obj)` (calls the service, returns the saved object) and
    `success_url(obj)`. A ValidationError raised by the service is shown on the form field it
    names; the service is atomic, so nothing is half-saved.
    """

    form_class: ClassVar[type[forms.BaseForm]]
    template_name: ClassVar[str] = "core/form.html"
    title: ClassVar[str | Promise] = ""
    success_message: ClassVar[str | Promise] = _("已保存")

    request: HttpRequest

    def get_object(self) -> Any:
        return None

    def actor(self) -> User:
        """The signed-in user, as services want their actor (LoginRequiredMixin ran first)."""
        user = self.request.user
        assert isinstance(user, User)
        return user

    def has_permission(self, obj: Any) -> bool:
        raise NotImplementedError

    def get_form_kwargs(self, obj: Any) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if issubclass(self.form_class, forms.BaseModelForm) and obj is not None:
            kwargs["instance"] = obj
        return kwargs

    def save(self, form: Any, obj: Any) -> Any:
        raise NotImplementedError

    def success_url(self, obj: Any) -> str:
        raise NotImplementedError

    def cancel_url(self, obj: Any) -> str:
        return self.success_url(obj) if obj is not None else reverse("home")

    def get_title(self, obj: Any) -> str | Promise:
        return self.title

    def get_context(self, form: Any, obj: Any) -> dict[str, Any]:
        return {
            "form": form,
            "object": obj,
            "title": self.get_title(obj),
            "cancel_url": self.cancel_url(obj),
        }

    def _prepare(self) -> Any:
        obj = self.get_object()
        if not self.has_permission(obj):
            raise PermissionDenied(gettext("您没有修改此项的权限"))
        return obj

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self._prepare()
        form = self.form_class(**self.get_form_kwargs(obj))
        return render(request, self.template_name, self.get_context(form, obj))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self._prepare()
        form = self.form_class(data=request.POST, files=request.FILES, **self.get_form_kwargs(obj))
        if form.is_valid():
            try:
                saved = self.save(form, obj)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, str(self.success_message))
                return HttpResponseRedirect(self.success_url(saved))
        return render(request, self.template_name, self.get_context(form, obj), status=200)


class ServiceDeleteView(LoginRequiredMixin, View):
    """Confirm, then delete through a service; a refusal (protected rows) is shown on the page."""

    template_name: ClassVar[str] = "core/confirm_delete.html"
    kind: ClassVar[str | Promise] = ""

    request: HttpRequest

    def get_object(self) -> Any:
        raise NotImplementedError

    def actor(self) -> User:
        user = self.request.user
        assert isinstance(user, User)
        return user

    def has_permission(self, obj: Any) -> bool:
        raise NotImplementedError

    def delete(self, obj: Any) -> None:
        raise NotImplementedError

    def success_url(self, obj: Any) -> str:
        raise NotImplementedError

    def cancel_url(self, obj: Any) -> str:
        raise NotImplementedError

    def _prepare(self) -> Any:
        obj = self.get_object()
        if not self.has_permission(obj):
            raise PermissionDenied(gettext("您没有删除此项的权限"))
        return obj

    def _render(self, obj: Any, error: str = "") -> HttpResponse:
        context = {"object": obj, "kind": self.kind, "cancel_url": self.cancel_url(obj), "error": error}
        return render(self.request, self.template_name, context)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._render(self._prepare())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self._prepare()
        target = self.success_url(obj)
        name = str(obj)
        try:
            self.delete(obj)
        except ValidationError as exc:
            return self._render(obj, "；".join(exc.messages))
        messages.success(request, gettext("已删除：%(name)s") % {"name": name})
        return HttpResponseRedirect(target)


# ---- home and search: assembled from what apps register (core imports no app) -----------------


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Every role's home: "今日待办" first (apps' `todos` providers), then the area's picture (the panel slot
    "home", obj: today; `core.todos.area` says which picture the user's role gets)."""
    today = timezone.localdate()
    pictures, counted_at = _home_pictures(request, today)
    context = {
        "todos": todos.collect(request, today),
        "home_panels": pictures,
        "counted_at": counted_at,
        "today": today,
    }
    return render(request, "core/home.html", context)


CACHED_PICTURES = frozenset({"county", "town"})


def _home_pictures(request: HttpRequest, today: dt.date) -> tuple[list[SafeString], dt.datetime | None]:
    """The area's picture; a county's or town's kept SAFEGRID_HOME_PICTURE_SECONDS for everyone with the
    same scope, roles and language (its panels hold no per-user content and no form), with when it was
    counted. Enterprise, grid and post pictures are small and per person: always drawn afresh."""
    seconds = settings.SAFEGRID_HOME_PICTURE_SECONDS
    scope = scoping.scope_for(request.user)
    if seconds <= 0 or todos.area(scope) not in CACHED_PICTURES:
        return panels.render("home", request, today), None
    parts = (scoping.scope_key(request.user), sorted(scope.roles), scope.superuser, get_language(), today)
    key = "home-picture:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    cached = cache.get(key)
    if cached is None:
        cached = ([str(p) for p in panels.render("home", request, today)], timezone.now())
        cache.set(key, cached, seconds)
    html, counted_at = cached
    return [mark_safe(p) for p in html], counted_at  # noqa: S308 - panels rendered by Django templates


SEARCH_MAX_LENGTH = 64


@require_safe
@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Apps add result cards to the panel slot "search" (obj: the search term, never empty)."""
    term = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    results = panels.render("search", request, term) if term else []
    return render(request, "core/search.html", {"search_q": term, "search_panels": results})


# ---- audit trail ---------------------------------------------------------------------------------


def _object_type_label(entry: AuditEntry) -> str:
    try:
        return str(apps.get_model(entry.object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return entry.object_type


def _changed_fields(entry: AuditEntry) -> str:
    data = entry.after if entry.action != AuditAction.DELETE else entry.before
    if not isinstance(data, dict):
        return ""
    if entry.action == AuditAction.UPDATE:
        return "、".join(sorted(data))
    return ""


def _object_type_choices(user: Any) -> list[tuple[str, str]]:
    return [(label, str(name)) for label, name in audit.object_types()]


class AuditListView(ScopedListView):
    selector = audit_entry_list
    title = _("审计日志")
    export_basename = "audit"
    default_sort = "-at"
    remember_filters = False
    columns = (
        Column(
            "at", _("时间"), sort="id", value=lambda e: timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S")
        ),
        Column("actor_label", _("操作人"), sort="actor_label"),
        Column("action", _("动作"), attr="get_action_display", sort="action"),
        Column("object_type", _("对象类型"), value=_object_type_label),
        Column("object_repr", _("对象"), link=True, css="sg-wrap"),
        Column("changed", _("修改的字段"), value=_changed_fields, css="d-none d-md-table-cell"),
        Column("request_id", _("请求编号"), css="d-none d-xl-table-cell"),
    )
    filters = (
        Filter("action", _("动作"), "action", choices=lambda user: AuditAction.choices),
        Filter("type", _("对象类型"), "object_type", choices=_object_type_choices),
        Filter("enterprise", _("企业"), "enterprise_id", hidden=True, integer=True),
    )
    search_fields = ("object_repr__icontains", "actor_label__icontains")
    search_placeholder = _("对象名称或操作人")

    def row_url(self, obj: Any) -> str | None:
        if obj.enterprise_id:
            return reverse("enterprises:enterprise_detail", args=[obj.enterprise_id])
        return None

    def get_extra_context(self) -> dict[str, Any]:
        return {
            "list_note": gettext(
                "审计日志只增不改，每条记录与上一条以哈希相连，可用 safegrid audit verify 校验。"
            )
        }
