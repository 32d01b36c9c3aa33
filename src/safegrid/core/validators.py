"""Model field validators built on the input rules of `core.text`, so a rule holds on every door
(forms, API, Excel import) through the model's `full_clean`."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .text import phone_problem


def validate_phone(value: str) -> None:
    problem = phone_problem(value)
    if problem:
        raise ValidationError(problem, code="phone")
