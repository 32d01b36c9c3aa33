"""Today's to-dos on the home page ("今日待办"): every app adds what a user must do, core shows them as one list.

Core imports no app, so apps register providers in their `panels` module (imported by
`navigation.autodiscover()`), as they register home panels:

    @todos.register(order=20)
    def hazard_todos(request, today) -> list[Todo]: ...

A provider does its own scoped reads (selectors; counts, never a query per row) and returns one `Todo` per
kind of work with a non-zero count; each links to a list filtered to exactly those items. The home page
shows them overdue first, then due today, then soon (each group in provider order), and "今天没有待办"
when there are none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise


class Urgency(IntEnum):
    """How soon the work is due; the list shows the lowest value first."""

    OVERDUE = 0
    TODAY = 1
    SOON = 2

    @property
    def css(self) -> str:
        return {Urgency.OVERDUE: "red", Urgency.TODAY: "orange", Urgency.SOON: "azure"}[self]


@dataclass(frozen=True)
class Todo:
    label: str | Promise  # what to do, in words ("待审核的一企一册备案")
    count: int
    url: str  # a list filtered to exactly these items
    urgency: Urgency = Urgency.TODAY
    icon: str = ""  # a Tabler icon name (the app's menu icon)
    hint: str | Promise = ""  # one short line under the label (which list, which rule)

    @property
    def urgency_css(self) -> str:
        return self.urgency.css

    @property
    def urgency_name(self) -> str:
        return self.urgency.name.lower()


Provider = Callable[[HttpRequest, Any], list[Todo]]

_PROVIDERS: list[tuple[int, Provider]] = []


def register(order: int = 100) -> Callable[[Provider], Provider]:
    """Register `provider(request, today) -> list[Todo]`; registering the same function again replaces it."""

    def decorator(function: Provider) -> Provider:
        entries = [e for e in _PROVIDERS if e[1].__qualname__ != function.__qualname__]
        _PROVIDERS[:] = sorted([*entries, (order, function)], key=lambda e: e[0])
        return function

    return decorator


def collect(request: HttpRequest, today: Any) -> list[Todo]:
    """Every provider's to-dos with something to do, overdue first, then today, then soon."""
    found: list[tuple[int, int, Todo]] = []
    for position, (_order, provider) in enumerate(_PROVIDERS):
        found.extend(
            (int(todo.urgency), position, todo) for todo in provider(request, today) if todo.count > 0
        )
    found.sort(key=lambda entry: (entry[0], entry[1]))
    return [todo for _urgency, _position, todo in found]


def area(scope: Any) -> str:
    """Which picture the home page draws below the to-dos, from the user's widest role:
    "county" (county roles and sector departments), "town", "grid", "enterprise" (the enterprise's
    managers, legal representative, experts), "post" (workshop/team/post users) or "" (no role)."""
    if scope.everything or scope.all_divisions:
        return "county"
    if scope.division_codes:
        return "town"
    if scope.grid_ids:
        return "grid"
    if scope.enterprise_ids:
        return "enterprise"
    if scope.unit_paths:
        return "post"
    return ""
