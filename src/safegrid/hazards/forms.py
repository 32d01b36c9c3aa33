"""Hazard forms: the report form (photo first) and one small form per workflow move."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safegrid.core.forms import DateInput, StyledFormMixin
from safegrid.enterprises.models import Enterprise, Person
from safegrid.regions.models import Department

from .choices import DANGER_SOURCE_CHOICES, HAZARD_TYPE_CHOICES, HazardLevel, RejectReason, SupervisionLevel


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input; each is checked by the service (image, ≤ 10 MB)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


class ReportForm(StyledFormMixin, forms.Form):
    photos = MultiplePhotoField(label=_("隐患照片（整改前）"))
    enterprise: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Enterprise.objects.none(), label=_("企业")
    )
    title = forms.CharField(label=_("隐患名称"), max_length=100)
    location = forms.CharField(label=_("隐患位置"), max_length=200)
    description = forms.CharField(label=_("隐患描述"), widget=forms.Textarea(attrs={"rows": 3}))
    cause = forms.CharField(label=_("隐患原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    source = forms.TypedChoiceField(label=_("排查类型"), choices=DANGER_SOURCE_CHOICES, coerce=int, initial=1)
    hazard_type = forms.TypedChoiceField(
        label=_("隐患类别"), choices=HAZARD_TYPE_CHOICES, coerce=int, initial=1
    )
    major_criteria = forms.MultipleChoiceField(
        label=_("符合的重大隐患判定标准（如有）"), required=False, widget=forms.CheckboxSelectMultiple
    )
    on_the_spot = forms.BooleanField(label=_("已即查即改（当场整改完毕）"), required=False)
    measures = forms.CharField(
        label=_("当场整改措施"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    after_photos = MultiplePhotoField(label=_("整改后照片（即查即改）"))
    device_time = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, enterprises: Any, criteria: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = enterprises
        crit = self.fields["major_criteria"]
        assert isinstance(crit, forms.MultipleChoiceField)
        crit.choices = [(c.code, f"{c.number}. {c.text}") for c in criteria]


class ConfirmForm(StyledFormMixin, forms.Form):
    level = forms.ChoiceField(label=_("隐患等级"), choices=HazardLevel.choices)
    interim_measures = forms.CharField(
        label=_("临时管控措施（重大隐患必填）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    comment = forms.CharField(label=_("意见"), required=False)


class RejectForm(StyledFormMixin, forms.Form):
    reason = forms.ChoiceField(label=_("驳回原因"), choices=RejectReason.choices)
    comment = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(StyledFormMixin, forms.Form):
    responsible_person: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Person.objects.none(), label=_("整改责任人"), required=False
    )
    measures = forms.CharField(label=_("整改措施"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    funds = forms.DecimalField(label=_("整改资金（元）"), required=False, min_value=0, decimal_places=2)
    deadline = forms.DateField(label=_("整改期限"), required=False, widget=DateInput())
    plan = forms.CharField(label=_("应急预案"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["responsible_person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people


class SubmitForm(StyledFormMixin, forms.Form):
    photos = MultiplePhotoField(label=_("整改后照片"))
    note = forms.CharField(label=_("整改情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionForm(StyledFormMixin, forms.Form):
    new_deadline = forms.DateField(label=_("申请延期至"), required=False, widget=DateInput())
    reason = forms.CharField(label=_("延期理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SupervisionForm(StyledFormMixin, forms.Form):
    level = forms.ChoiceField(
        label=_("督办层级"), choices=SupervisionLevel.choices, initial=SupervisionLevel.COUNTY
    )
    authority = forms.CharField(label=_("督办单位"), max_length=100)
    department: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Department.objects.all(), label=_("督办部门（本县）"), required=False
    )
    document_number = forms.CharField(label=_("督办文号"), max_length=64)
    listed_on = forms.DateField(label=_("挂牌日期"), widget=DateInput())
    planned_completion = forms.DateField(label=_("要求完成日期"), widget=DateInput())
    requirements = forms.CharField(
        label=_("督办要求"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SignOffForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("解除督办意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
