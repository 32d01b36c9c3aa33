"""一企一册 forms: submitting for signature (with the departments), signing, sending back, filing, the
review comment, signing delegations and who reviews each sector's filings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from safegrid.core.forms import DateInput, StyledFormMixin
from safegrid.core.models import User
from safegrid.regions.models import Department, Sector

from ..choices import FilingReviewerKind


class SignForm(StyledFormMixin, forms.Form):
    password = forms.CharField(
        label=_("您的登录密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("再次输入您本人的登录密码，确认由您本人签署"),
    )


class SendBackForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("退回意见"),
        widget=forms.Textarea(attrs={"rows": 3, "col": "col-12"}),
        help_text=_("写明需要修改的内容，编制人修改后重新提交"),
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


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name or obj.username)


class DelegationForm(StyledFormMixin, forms.Form):
    delegate = UserChoiceField(
        label=_("受托人"),
        queryset=User.objects.none(),
        help_text=_("本企业的管理员、安全管理员或主要负责人账号"),
    )
    valid_from = forms.DateField(label=_("委托起始日期"), widget=DateInput())
    valid_until = forms.DateField(label=_("委托截止日期"), widget=DateInput())
    document = forms.FileField(
        label=_("委托书扫描件"),
        help_text=_("法定代表人签字（盖章）的书面委托书，PDF、JPG 或 PNG，不超过 10 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    note = forms.CharField(label=_("委托事项说明"), max_length=200, required=False)

    def __init__(self, *args: Any, delegates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["delegate"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = delegates


class ReviewerSettingsForm(StyledFormMixin, forms.Form):
    """One choice per sector: its department reviews, or the towns do (delegated)."""

    def __init__(self, *args: Any, rows: list[tuple[Sector, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for sector, reviewer in rows:
            self.fields[sector.code] = forms.ChoiceField(
                label=sector.name, choices=FilingReviewerKind.choices, initial=reviewer
            )
