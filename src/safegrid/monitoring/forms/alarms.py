"""Forms of the alarm pages: one per move (the services validate and save)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safegrid.core.forms import StyledFormMixin
from safegrid.hazards.rules.codes import HAZARD_TYPES

from ..choices import AlarmRule, DisposalCause


class CommentForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(StyledFormMixin, forms.Form):
    assignee: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("处置人"), queryset=None, empty_label=_("请选择")
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people
        field.label_from_instance = lambda u: u.display_name or u.username  # type: ignore[method-assign,assignment]


class NoteForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("评论"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DisposeForm(StyledFormMixin, forms.Form):
    cause = forms.ChoiceField(label=_("报警原因"), choices=[("", _("请选择")), *DisposalCause.choices])
    note = forms.CharField(
        label=_("处置情况"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ToHazardForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("隐患名称"), max_length=100, required=False)
    hazard_type = forms.TypedChoiceField(
        label=_("隐患类别"),
        choices=[(str(code), label) for code, label in HAZARD_TYPES],
        coerce=int,
        initial="2",
    )


class BypassForm(StyledFormMixin, forms.Form):
    point: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("监测点位"), queryset=None, empty_label=_("请选择")
    )
    rule = forms.ChoiceField(
        label=_("屏蔽规则"), choices=[("", _("整个点位")), *AlarmRule.choices], required=False
    )
    reason = forms.CharField(label=_("旁路原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    starts_at = forms.DateTimeField(
        label=_("开始时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("到期时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, points: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["point"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = points
        field.label_from_instance = lambda p: f"{p.enterprise.name} · {p.code} {p.name}"  # type: ignore[method-assign,assignment]
