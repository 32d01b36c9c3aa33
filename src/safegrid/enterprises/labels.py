"""Drop-down labels that tell apart units and people with the same name.

An enterprise has 反应釜操作岗 in three workshops and 乙班 in each: a bare name does not say which. A
unit reads as its path below the company ("合成车间 / 甲班 / 反应釜操作岗"), a person with their job
and unit ("王操作 · 操作工（合成车间 / 甲班 / 反应釜操作岗）"). The names of an enterprise's units are
read once per form (one query), not once per option.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext

from .choices import OrgUnitKind
from .models import OrgUnit, Person

SEPARATOR = " / "


class UnitPaths:
    """Path labels for one form: caches each enterprise's unit names on first use."""

    def __init__(self) -> None:
        self._names: dict[int, dict[int, tuple[str, str]]] = {}

    def _enterprise(self, enterprise_id: int) -> dict[int, tuple[str, str]]:
        if enterprise_id not in self._names:
            rows = OrgUnit.objects.filter(enterprise_id=enterprise_id).values_list("pk", "name", "kind")
            self._names[enterprise_id] = {pk: (name, kind) for pk, name, kind in rows}
        return self._names[enterprise_id]

    def unit(self, unit: OrgUnit) -> str:
        """ "合成车间 / 甲班 / 反应釜操作岗"; the company unit reads as its own name."""
        names = self._enterprise(unit.enterprise_id)
        parts = []
        for part in unit.path.split("/"):
            if not part.isdigit():
                continue
            name, kind = names.get(int(part), ("?", ""))
            if kind != OrgUnitKind.COMPANY:
                parts.append(name)
        return SEPARATOR.join(parts) or unit.name

    def person(self, person: Person) -> str:
        head = f"{person.name} · {person.job_title}" if person.job_title else person.name
        if person.org_unit is None:
            return gettext("%(person)s（未登记所在单位）") % {"person": head}
        return gettext("%(person)s（%(unit)s）") % {"person": head, "unit": self.unit(person.org_unit)}


def _field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


def label_units(form: forms.BaseForm, *names: str) -> None:
    """Label the named unit drop-downs of `form` by their path."""
    paths = UnitPaths()
    for name in names:
        _set_label(_field(form, name), paths.unit)


def label_people(form: forms.BaseForm, *names: str) -> None:
    """Label the named person drop-downs of `form` with their job and unit path; the queryset gets
    its units in the same query."""
    paths = UnitPaths()
    for name in names:
        field = _field(form, name)
        if field.queryset is not None:
            field.queryset = field.queryset.select_related("org_unit")
        _set_label(field, paths.person)


def _set_label(field: forms.ModelChoiceField[Any], label: Callable[[Any], str]) -> None:
    field.label_from_instance = label  # type: ignore[method-assign,assignment]
