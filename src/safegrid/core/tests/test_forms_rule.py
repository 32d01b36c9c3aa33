"""Every form of the product applies the input rule (`core.forms.CleanTextMixin`): a new form that
forgets it fails here."""

from __future__ import annotations

import importlib
import pkgutil

from django import forms

import safegrid
from safegrid.core.forms import CleanTextMixin

SKIPPED_PARTS = {"tests", "migrations", "management", "testing"}


def _product_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(safegrid.__path__, "safegrid."):
        if not SKIPPED_PARTS & set(module.name.split(".")) and module.name != "safegrid.asgi":
            importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    pending = list(forms.BaseForm.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("safegrid.") and ".tests." not in cls.__module__:
            found.append(cls)
    return found


def test_every_form_cleans_its_text():
    found = _product_forms()
    assert len(found) >= 20
    missing = sorted(
        f"{cls.__module__}.{cls.__qualname__}" for cls in found if not issubclass(cls, CleanTextMixin)
    )
    assert not missing, missing


def test_a_form_field_refuses_control_characters_and_strips(db):
    from safegrid.enterprises.forms import PersonForm

    form = PersonForm(data={"name": "  Cafe\u0301  ", "job_title": "工\x1b", "phone": "", "active": "on"})
    assert not form.is_valid()
    assert list(form.errors) == ["job_title"] and "U+001B" in form.errors["job_title"][0]
    assert form.cleaned_data["name"] == "Caf\u00e9"  # NFC, stripped
    blank = PersonForm(data={"name": "\u3000 ", "active": "on"})
    assert not blank.is_valid() and list(blank.errors) == ["name"]
