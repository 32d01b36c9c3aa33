"""Generic list pages: a scoped selector, declared filters, search, whitelisted sorting,
pagination, filters remembered per user, and CSV/XLSX export of exactly what the list shows.

A list page declares what it shows; it never builds its own queryset from a model:

    class EnterpriseListView(ScopedListView):
        selector = selectors.enterprise_list          # user -> scoped QuerySet (the one door)
        prefetch = ("sectors",)
        columns = (Column("name", _("企业名称"), sort="name", link=True), ...)
        filters = (Filter("status", _("经营状态"), "status", choices=lambda user: EnterpriseStatus.choices),)
        search_fields = ("name__icontains", "uscc__icontains")

Every page runs a constant number of SQL queries whatever the number of rows: related rows come
with `related` (select_related) and `prefetch` (prefetch_related), filter choices are one query
each, and the paginator adds one COUNT.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import Field, Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.hashable import make_hashable
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in the stubs
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from . import exports, params

Label = str | Promise
ChoicesFn = Callable[[Any], Iterable[tuple[Any, Any]]]

# GET parameters that belong to the list machinery rather than to a filter.
SEARCH_PARAM = "q"
SORT_PARAM = "sort"
PAGE_PARAM = "page"
EXPORT_PARAM = "export"
RESET_PARAM = "reset"
EXPORT_CHUNK = 2000
ROW_PK = 987654321987  # the stand-in key of `ScopedListView.row_url`


def resolve_attr(obj: Any, path: str) -> Any:
    """Follow a dotted attribute path; call zero-argument callables (get_FOO_display)."""
    value = obj
    for part in path.split("."):
        if value is None:
            return None
        if (
            part.startswith("get_")
            and part.endswith("_display")
            and isinstance(value, Model)
            and _choices_field(type(value), part[4:-8]) is not None
        ):
            value = choice_label(value, part[4:-8])
            continue
        value = getattr(value, part, None)
        if callable(value) and not isinstance(value, Model):
            value = value()
    return value


@functools.lru_cache(maxsize=1024)
def _choice_labels(field: Field[Any, Any], language: str | None) -> dict[Any, str]:
    return {make_hashable(value): str(label) for value, label in field.flatchoices}


@functools.lru_cache(maxsize=1024)
def _choices_field(model: type[Model], name: str) -> Field[Any, Any] | None:
    """The model's field `name` when it has choices (Django's own `get_<name>_display`); None otherwise."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, Field) and field.choices else None


def choice_label(obj: Model, name: str) -> Any:
    """`obj.get_<name>_display()` from a table built once per field and language. Django's own rebuilds
    the choices dict on every call, translating each label: on a list page that is most of a row's cost."""
    field = obj._meta.get_field(name)
    value = getattr(obj, field.attname)  # type: ignore[union-attr]
    return _choice_labels(field, get_language()).get(make_hashable(value), value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Column:
    """One column of a list and of its export.

    `value` gives the plain value (for the cell and the export); `html` optionally renders the cell
    (badges); `sort` is the ORM ordering for this column, and only columns with one are sortable.
    """

    key: str
    label: Label
    attr: str = ""
    sort: str = ""
    value: Callable[[Any], Any] | None = None
    html: Callable[[Any], SafeString] | None = None
    link: bool = False
    export: bool = True
    table: bool = True  # False: in the export only
    css: str = ""

    def get_value(self, obj: Any) -> Any:
        if self.value is not None:
            return self.value(obj)
        return resolve_attr(obj, self.attr or self.key)


@dataclass(frozen=True)
class Filter:
    """A GET parameter that narrows the list.

    `lookup` is an ORM lookup taking the value (`"status"`, `"division__code__startswith"`) or a
    function `(queryset, value) -> queryset`. With `choices` (a function of the user), only listed
    values are applied, so a hand-edited URL can never raise a 500 or probe other scopes. An `integer`
    filter (an id) is parsed by `core.params.parse_id` first: a value that no row can have gives an
    empty list that says why, and the lookup always receives a valid id (as text).
    """

    name: str
    label: Label
    lookup: str | Callable[[QuerySet[Any], str], QuerySet[Any]]
    choices: ChoicesFn | None = None
    placeholder: Label = ""
    hidden: bool = False  # applied and kept in the URL, but not offered as a control
    integer: bool = False

    def apply(self, queryset: QuerySet[Any], value: str) -> QuerySet[Any]:
        if callable(self.lookup):
            return self.lookup(queryset, value)
        return queryset.filter(**{self.lookup: value})


@dataclass
class BoundFilter:
    name: str
    label: Label
    value: str
    choices: list[tuple[str, str]] | None
    placeholder: Label
    hidden: bool = False
    problem: str = ""  # why the value cannot be applied (the list is then empty and says so)

    @property
    def options_html(self) -> SafeString:
        """The drop-down's `<option>`s, the chosen one selected. Built here rather than by a template
        loop: a county's division and grid filters hold hundreds of options, and a template renders
        each in several nodes."""
        return options_html(self.choices or (), self.value)


def _escape(value: Any) -> str:
    """`conditional_escape` without its lazy-text wrapper, which costs more than the escaping on the hot
    path of a list (hundreds of options, hundreds of cells): safe text stays as it is."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def options_html(choices: Iterable[tuple[str, str]], chosen: str) -> SafeString:
    parts = _option_parts(tuple(choices))
    return mark_safe(  # noqa: S308  # every value and label escaped by _option_parts
        "".join(f"{start}{' selected' if value == chosen else ''}{end}" for value, start, end in parts)
    )


@functools.lru_cache(maxsize=256)
def _option_parts(choices: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str, str], ...]:
    """Each option escaped once per distinct choice list: a county's division and grid drop-downs are the
    same few hundred options on every page."""
    return tuple(
        (value, f'<option value="{_escape(value)}"', f">{_escape(label)}</option>")
        for value, label in choices
    )


@dataclass
class Header:
    label: Label
    css: str
    sort_value: str  # the value `sort` takes when the header is clicked ("" = not sortable)
    direction: str  # "asc", "desc" or ""


@dataclass
class Cell:
    value: Any
    html: SafeString | None
    url: str | None
    css: str

    def text(self) -> str:
        """The value as `{{ value|default_if_none:"" }}` shows it: local time, localized, escaped."""
        if self.value is None:
            return ""
        return _escape(localize(template_localtime(self.value)))

    def td(self) -> str:
        if self.html is not None:
            inner = str(self.html)
        elif self.url:
            inner = f'<a href="{_escape(self.url)}">{self.text()}</a>'
        else:
            inner = self.text()
        return f'<td class="{_css(self.css)}">{inner}</td>'


@functools.lru_cache(maxsize=512)
def _css(css: str) -> str:
    return html.escape(css)  # a column's classes: a handful of constants


def cells_html(cells: Iterable[Cell]) -> SafeString:
    """A row's `<td>`s, built in Python: 25 rows × 10 cells are ~1,500 template nodes otherwise."""
    return mark_safe("".join(cell.td() for cell in cells))  # noqa: S308  # Cell.td escapes its parts


DEEP_OFFSET = 200  # from here on a page first walks only the sort keys, then fetches its rows


def seek_page(rows: Any) -> Any:
    """A deep page (`OFFSET` ≥ DEEP_OFFSET) in two steps: the page's primary keys from the ordered
    keys alone — an index walk when an index matches the sort, without the row's joins, annotations and
    per-row subqueries — then those rows by key, in the same order. Same page, same URL (`page=N`)."""
    if not isinstance(rows, QuerySet) or (rows.query.low_mark or 0) < DEEP_OFFSET:
        return rows
    keys = list(rows.values_list("pk", flat=True))
    fetched = {obj.pk: obj for obj in _unsliced(rows).filter(pk__in=keys)}
    return [fetched[k] for k in keys if k in fetched]


def _unsliced(rows: QuerySet[Any]) -> QuerySet[Any]:
    clone = rows._chain()  # type: ignore[attr-defined]
    clone.query.clear_limits()
    return clone.order_by()


class ScopedListView(LoginRequiredMixin, View):
    """Base class for every list page (see the module docstring)."""

    selector: ClassVar[Callable[[Any], QuerySet[Any]]]
    columns: ClassVar[Sequence[Column]] = ()
    filters: ClassVar[Sequence[Filter]] = ()
    search_fields: ClassVar[Sequence[str]] = ()
    search_placeholder: ClassVar[Label] = _("搜索")
    related: ClassVar[Sequence[str]] = ()
    prefetch: ClassVar[Sequence[Any]] = ()
    default_sort: ClassVar[str] = ""
    detail_url_name: ClassVar[str] = ""
    title: ClassVar[Label] = ""
    export_basename: ClassVar[str] = "export"
    remember_filters: ClassVar[bool] = True
    template_name: ClassVar[str] = "core/list.html"

    request: HttpRequest
    _row_url_template: list[str] | None = None  # set on the instance: one view object per request

    # ---- hooks -------------------------------------------------------------------------------

    def get_base_queryset(self) -> QuerySet[Any]:
        # Functions stored on the class come back unbound, so `selector` may be a plain function.
        qs = type(self).selector(self.request.user)
        if self.related:
            qs = qs.select_related(*self.related)
        if self.prefetch:
            qs = qs.prefetch_related(*self.prefetch)
        return qs

    def row_url(self, obj: Any) -> str | None:
        if not self.detail_url_name:
            return None
        # Reversed once per page with a stand-in key, then filled in per row (a reverse is ~40 µs).
        template = self._row_url_template
        if template is None:
            template = self._row_url_template = reverse(self.detail_url_name, args=[ROW_PK]).split(
                str(ROW_PK)
            )
        if len(template) != 2:  # the stand-in also occurs elsewhere in the path: reverse per row
            return reverse(self.detail_url_name, args=[obj.pk])
        return f"{template[0]}{obj.pk}{template[1]}"

    def create_url(self) -> str | None:
        """The "new" button's target when the user may create; None hides it."""
        return None

    def get_extra_context(self) -> dict[str, Any]:
        return {}

    def page_objects(self, objects: Any) -> Any:
        """The page's rows before their cells are built: a list may label them in bulk here (one query or a
        cached map for the page) rather than through a join or a prefetch per list."""
        return objects

    def search_q(self, term: str) -> Q:
        """The rows the search term matches: any of `search_fields` (a list may shape it for speed)."""
        q = Q()
        for lookup in self.search_fields:
            q |= Q(**{lookup: term})
        return q

    def count_rows(self, bound: list[BoundFilter]) -> int | None:
        """The number of rows the list shows, when the view knows it cheaper than a COUNT over the
        rows (counters kept beside the data); None lets the paginator count."""
        return None

    # ---- filtering, searching, sorting -------------------------------------------------------

    def _session_key(self) -> str:
        match = self.request.resolver_match
        return f"safegrid:list:{match.view_name if match else self.request.path}"

    def _state_keys(self) -> set[str]:
        return {f.name for f in self.filters} | {SEARCH_PARAM, SORT_PARAM}

    def bind_filters(self) -> list[BoundFilter]:
        bound = []
        for f in self.filters:
            choices = (
                [(str(k), str(v)) for k, v in f.choices(self.request.user)] if f.choices is not None else None
            )
            value = self.request.GET.get(f.name, "").strip()
            if choices is not None and value not in {k for k, _ in choices}:
                value = ""
            problem = ""
            if value and f.integer:
                try:
                    value = str(params.parse_id(value))
                except params.BadParam as exc:
                    problem = gettext("%(label)s：%(problem)s") % {"label": f.label, "problem": exc.message}
            bound.append(BoundFilter(f.name, f.label, value, choices, f.placeholder, f.hidden, problem))
        return bound

    def search_term(self) -> tuple[str, str]:
        """The search term as the input rule leaves it, and why it cannot be searched for ('' if it can)."""
        try:
            return params.search_text(self.request.GET.get(SEARCH_PARAM)), ""
        except params.BadParam as exc:
            return "", gettext("%(label)s：%(problem)s") % {"label": _("搜索"), "problem": exc.message}

    def problems(self, bound: list[BoundFilter]) -> list[str]:
        """Why the list shows nothing: filters and a search term no row can match."""
        found = [b.problem for b in bound if b.problem]
        _term, problem = self.search_term()
        return [*found, problem] if problem else found

    def sort_whitelist(self) -> dict[str, str]:
        return {c.key: c.sort for c in self.columns if c.sort}

    def current_sort(self) -> str:
        raw = self.request.GET.get(SORT_PARAM, "") or self.default_sort
        key = raw.lstrip("-")
        return raw if key in self.sort_whitelist() else self.default_sort

    def filtered_queryset(self, bound: list[BoundFilter]) -> QuerySet[Any]:
        qs = self.get_base_queryset()
        if self.problems(bound):
            return qs.none()
        by_name = {f.name: f for f in self.filters}
        for b in bound:
            if b.value:
                qs = by_name[b.name].apply(qs, b.value)
        term, _problem = self.search_term()
        if term and self.search_fields:
            qs = qs.filter(self.search_q(term))
        sort = self.current_sort()
        if sort:
            field = self.sort_whitelist()[sort.lstrip("-")]
            descending = sort.startswith("-")
            # A stable tie-breaker keeps pages from overlapping.
            qs = qs.order_by(f"-{field}" if descending else field, "-pk" if descending else "pk")
        return qs

    # ---- rows, headers, export ---------------------------------------------------------------

    def table_columns(self) -> list[Column]:
        return [c for c in self.columns if c.table]

    def headers(self) -> list[Header]:
        sort = self.current_sort()
        out = []
        for c in self.table_columns():
            if not c.sort:
                out.append(Header(c.label, c.css, "", ""))
                continue
            if sort == c.key:
                out.append(Header(c.label, c.css, f"-{c.key}", "asc"))
            elif sort == f"-{c.key}":
                out.append(Header(c.label, c.css, c.key, "desc"))
            else:
                out.append(Header(c.label, c.css, c.key, ""))
        return out

    def rows(self, objects: Iterable[Any]) -> list[dict[str, Any]]:
        rows = []
        for obj in objects:
            url = self.row_url(obj)
            cells = [
                Cell(
                    c.get_value(obj),
                    c.html(obj) if c.html is not None else None,
                    url if c.link else None,
                    c.css,
                )
                for c in self.table_columns()
            ]
            rows.append({"object": obj, "url": url, "cells": cells, "cells_html": cells_html(cells)})
        return rows

    def export_rows(self, qs: QuerySet[Any]) -> Iterator[list[Any]]:
        columns = [c for c in self.columns if c.export]
        for obj in qs.iterator(chunk_size=EXPORT_CHUNK):
            yield [c.get_value(obj) for c in columns]

    def export(self, fmt: str, qs: QuerySet[Any]) -> HttpResponseBase:
        headers = [str(c.label) for c in self.columns if c.export]
        rows = self.export_rows(qs)
        if fmt == "csv":
            return exports.csv_response(headers, rows, self.export_basename)
        return exports.xlsx_response(headers, rows, self.export_basename, str(self.title))

    # ---- the request -------------------------------------------------------------------------

    def _remembered_redirect(self) -> HttpResponse | None:
        """Restore the user's last filters on a bare visit; store them on a filtered one."""
        if not self.remember_filters:
            return None
        session = self.request.session
        key = self._session_key()
        get = self.request.GET
        if RESET_PARAM in get:
            session.pop(key, None)
            return HttpResponseRedirect(self.request.path)
        state = {k: v for k, v in get.items() if k in self._state_keys() and v}
        if state:
            if session.get(key) != state:  # unchanged filters: no session write on every visit
                session[key] = state
        elif not get and session.get(key):
            query = QueryDict(mutable=True)
            query.update(session[key])
            return HttpResponseRedirect(f"{self.request.path}?{query.urlencode()}")
        elif set(get) - {PAGE_PARAM, EXPORT_PARAM} == set() and get:
            pass  # paging or exporting an unfiltered list keeps the memory as it is
        else:
            session.pop(key, None)
        return None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.args, self.kwargs = args, kwargs
        redirect = self._remembered_redirect()
        if redirect is not None:
            return redirect
        bound = self.bind_filters()
        qs = self.filtered_queryset(bound)
        fmt = request.GET.get(EXPORT_PARAM, "")
        if fmt in exports.EXPORT_FORMATS:
            return self.export(fmt, qs)
        paginator = Paginator(qs, settings.SAFEGRID_PAGE_SIZE)
        problems = self.problems(bound)
        term, _problem = self.search_term()
        known = None if term or problems else self.count_rows(bound)
        if known is not None:
            paginator.count = known  # type: ignore[misc]  # the cached_property, filled in
        page: Page[Any] = paginator.get_page(request.GET.get(PAGE_PARAM))
        page.object_list = self.page_objects(seek_page(page.object_list))
        context = {
            "title": self.title,
            "headers": self.headers(),
            "rows": self.rows(page.object_list),
            "page_obj": page,
            "paginator": paginator,
            "filters": bound,
            "active_filters": sum(1 for b in bound if b.value),
            "visible_filters": [b for b in bound if not b.hidden],
            "hidden_filters": [b for b in bound if b.hidden and b.value],
            "search_enabled": bool(self.search_fields),
            "search_placeholder": self.search_placeholder,
            "q": term,
            "filter_problems": problems,
            "sort": self.current_sort(),
            "create_url": self.create_url(),
            "export_formats": exports.EXPORT_FORMATS,
        }
        context.update(self.get_extra_context())
        return render(request, self.template_name, context)
