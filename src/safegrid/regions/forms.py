"""Forms for grids. They validate and display; regions.services does the saving."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from safegrid.core.choices import Role
from safegrid.core.forms import StyledFormMixin
from safegrid.core.models import User

from .models import Division, Grid

_INDENT = {"county": "", "town": "　", "village": "　　"}


class GridForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Grid
        fields = ("code", "name", "division", "worker_name", "worker_phone", "worker")

    def __init__(self, *args: Any, divisions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if divisions is not None:
            cast(forms.ModelChoiceField, self.fields["division"]).queryset = divisions.exclude(level="county")
        self.fields["division"].label_from_instance = _division_label  # type: ignore[attr-defined]
        # Only accounts that hold the grid-worker role can be linked to a grid.
        cast(forms.ModelChoiceField, self.fields["worker"]).queryset = User.objects.filter(
            is_active=True, role_assignments__role=Role.GRID_WORKER
        ).distinct()


def _division_label(division: Division) -> str:
    return f"{_INDENT.get(division.level, '')}{division.name}（{division.code}）"
