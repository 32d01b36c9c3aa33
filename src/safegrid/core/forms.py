"""Form helpers shared by every app: the input rule on every field, Tabler styling, and service
errors shown on the right field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from .text import TextRefused, clean_text


def _cleaning(field: forms.Field) -> Callable[[Any], Any]:
    """`field.to_python`, preceded by the input rule for every text the browser sent (lists too)."""
    original = field.to_python
    multiline = isinstance(field.widget, forms.Textarea)

    def clean(value: Any) -> Any:
        try:
            return clean_text(value, multiline=multiline)
        except TextRefused as exc:
            raise ValidationError(exc.message, code=exc.code) from None

    def to_python(value: Any) -> Any:
        if isinstance(value, str):
            value = clean(value)
        elif isinstance(value, list | tuple):
            value = [clean(v) if isinstance(v, str) else v for v in value]
        return original(value)

    return to_python


class CleanTextMixin:
    """Every field of the form passes `core.text.clean_text` before its own parsing: control
    characters refused (tab and line breaks allowed in a Textarea), NFC, surrounding spaces stripped,
    so "   " is blank and a required field refuses it. Passwords and files are left as sent."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():
            if isinstance(field, forms.FileField) or isinstance(field.widget, forms.PasswordInput):
                continue
            field.to_python = _cleaning(field)  # type: ignore[method-assign,assignment]  # this form's copy


class StyledFormMixin(CleanTextMixin):
    """Give every widget its Tabler/Bootstrap class and mark invalid fields (and the input rule)."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            if css:
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._mark_invalid()

    def _mark_invalid(self) -> None:
        errors = getattr(self, "_errors", None) or {}
        for name in errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: named fields on the field, the rest on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            field = name if name in form.fields else None
            for error in errors:
                form.add_error(field if field != NON_FIELD_ERRORS else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)
    if isinstance(form, StyledFormMixin):
        form._mark_invalid()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
