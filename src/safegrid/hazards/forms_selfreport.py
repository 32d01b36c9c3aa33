"""Forms of the self-report pages (the services check everything again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from safegrid.core.forms import StyledFormMixin

from .selfreports import STATEMENT_MAX


class StatementForm(StyledFormMixin, forms.Form):
    statement = forms.CharField(
        label=_("自查情况说明"),
        required=False,
        max_length=STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "col": "col-12"}),
        help_text=_("本期隐患排查治理工作开展情况、重大隐患治理进展、存在的问题和下一步措施"),
    )


class SignForm(StyledFormMixin, forms.Form):
    password = forms.CharField(
        label=_("登录密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "col": "col-12"}),
        help_text=_("签署人用自己的账号签署：请再次输入您的登录密码"),
    )
    fingerprint = forms.CharField(required=False, widget=forms.HiddenInput)


class ReviewForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("意见"),
        required=False,
        max_length=STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "col": "col-12"}),
    )
