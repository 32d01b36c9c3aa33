"""一企一册 forms: signing, filing with departments, and the review comment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from safegrid.core.forms import StyledFormMixin
from safegrid.regions.models import Department


class SignForm(StyledFormMixin, forms.Form):
    signer_name = forms.CharField(
        label=_("签署人姓名"), max_length=32, help_text=_("须为企业登记的法定代表人或主要负责人")
    )
    password = forms.CharField(
        label=_("您的登录密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("再次输入密码，确认由您本人办理签署"),
    )


class DepartmentsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)  # the full name ("县安全生产监督管理局"), not the short one


class FileForm(StyledFormMixin, forms.Form):
    departments = DepartmentsField(
        label=_("备案部门"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"col": "col-12"}),
        help_text=_("默认为企业所属行业领域的主管部门"),
    )

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["departments"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = departments


class ReviewForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("审核意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "col": "col-12"}),
        help_text=_("退回时必填：写明需要修改的内容"),
    )
