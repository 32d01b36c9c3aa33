"""The check form of one task occurrence: a pass box per check item, result, note, photo, the finding."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safegrid.core.excel import MAX_FILE_BYTES
from safegrid.core.forms import StyledFormMixin

from .choices import DANGER_SOURCE_CHOICES, HAZARD_TYPE_CHOICES, CheckResult
from .rules.checklists import ItemIn

ITEM_PREFIX = "item_"


class CheckForm(StyledFormMixin, forms.Form):
    result = forms.ChoiceField(
        label=_("检查结果"),
        choices=CheckResult.choices,
        initial=CheckResult.NO_FINDING,
    )
    note = forms.CharField(label=_("检查情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photo = forms.ImageField(
        label=_("现场照片（可选）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    # Filled by static/hazards/check.js from the phone: position (soft presence), its clock and an id
    # kept in the browser's storage. All optional: a phone without GPS still records the check.
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    accuracy = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=0)
    device_time = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    device_id = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)
    hazard_title = forms.CharField(label=_("隐患名称"), max_length=100, required=False)
    hazard_description = forms.CharField(
        label=_("隐患描述"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    hazard_type = forms.TypedChoiceField(
        label=_("隐患类别"), choices=HAZARD_TYPE_CHOICES, coerce=int, initial=8, required=False
    )

    def __init__(
        self, *args: Any, items: list[str], item_criteria: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        criteria = item_criteria or {}
        for i, item in enumerate(items):
            field = forms.BooleanField(label=item, required=False, initial=True)
            if item in criteria:
                field.help_text = _("不合格即为重大隐患（判定标准 %(code)s）") % {"code": criteria[item]}
            self.fields[f"{ITEM_PREFIX}{i}"] = field
        self.order_fields([f"{ITEM_PREFIX}{i}" for i in range(len(items))])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("result") == CheckResult.FINDING:
            for name in ("hazard_title", "hazard_description"):
                if not data.get(name):
                    self.add_error(name, _("发现隐患时请填写隐患名称和描述"))
        return data

    def item_fields(self) -> list[Any]:
        return [self[f"{ITEM_PREFIX}{i}"] for i in range(len(self.items))]

    def other_fields(self) -> list[Any]:
        return [f for f in self if not f.name.startswith(ITEM_PREFIX)]

    def ticked(self) -> dict[str, bool]:
        return {item: bool(self.cleaned_data.get(f"{ITEM_PREFIX}{i}")) for i, item in enumerate(self.items)}

    def hazard(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if data["result"] != CheckResult.FINDING:
            return None
        return {
            "title": data["hazard_title"],
            "description": data["hazard_description"],
            "hazard_type": data["hazard_type"] or 8,
        }


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


ITEMS_HELP = _(
    "每行一个检查项：编号｜检查内容｜依据｜重大隐患判定标准代码（后两项可省略），如 A-01｜安全出口畅通｜｜"
)


def parse_item_lines(text: str) -> list[ItemIn]:
    """Item lines as typed: code｜text｜basis｜criterion (｜ or |), blank lines skipped."""
    found = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("|", "｜").split("｜")] + ["", "", ""]
        found.append(ItemIn(parts[0], parts[1], parts[2], parts[3]))
    return found


def item_lines(items: list[ItemIn]) -> str:
    return "\n".join("｜".join([i.code, i.text, i.basis, i.criterion]).rstrip("｜") for i in items)


class _ChoicesMixin:
    fields: dict[str, Any]

    def _choices(self, name: str, choices: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class ChecklistForm(_ChoicesMixin, StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("检查表名称"), max_length=100)
    kind = forms.TypedChoiceField(label=_("排查类型"), choices=DANGER_SOURCE_CHOICES, coerce=int, initial=3)
    sector_code = forms.ChoiceField(label=_("适用行业"), required=False)
    basis = forms.CharField(label=_("依据"), max_length=200, required=False)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    items = forms.CharField(
        label=_("检查项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "col": "col-12"}),
        help_text=ITEMS_HELP,
    )
    file = forms.FileField(
        label=_("或从 Excel 导入检查项"),
        required=False,
        help_text=_("按“导出 Excel”的格式，整表替换检查项"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    active = forms.BooleanField(label=_("在用"), required=False, initial=True)

    def __init__(self, *args: Any, sectors: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("sector_code", [("", _("所有行业")), *sectors])

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("文件过大"))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("items") or "").strip():
            self.add_error("items", _("请填写检查项或上传 Excel"))
        return data

    def template_data(self) -> dict[str, Any]:
        return {
            k: self.cleaned_data[k] for k in ("name", "kind", "sector_code", "basis", "description", "active")
        }


class InspectionPlanForm(_ChoicesMixin, StyledFormMixin, forms.Form):
    enterprise = forms.TypedChoiceField(label=_("企业"), coerce=int)
    title = forms.CharField(label=_("任务名称"), max_length=200, required=False)
    kind = forms.TypedChoiceField(label=_("排查类型"), coerce=int)
    window_start = forms.DateTimeField(label=_("开始时间"), widget=DateTimeInput())
    window_end = forms.DateTimeField(label=_("截止时间"), widget=DateTimeInput())
    risk_point = forms.TypedChoiceField(
        label=_("风险点（扫码到位验证）"), coerce=int, required=False, empty_value=None
    )
    responsible_post = forms.TypedChoiceField(
        label=_("责任岗位"), coerce=int, required=False, empty_value=None
    )

    def __init__(
        self,
        *args: Any,
        enterprises: list[tuple[int, str]],
        kinds: list[tuple[int, Any]],
        points: list[tuple[int, str]],
        posts: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._choices("enterprise", enterprises)
        self._choices("kind", kinds)
        self._choices("risk_point", [("", "—"), *points])
        self._choices("responsible_post", [("", "—"), *posts])


class TaskAnchorForm(StyledFormMixin, forms.Form):
    """The day (1–31) a monthly/yearly task falls on, and the month of a yearly one; empty: the start's."""

    anchor_month = forms.TypedChoiceField(
        label=_("每年排查月份"),
        choices=[("", _("同任务开始日期"))] + [(m, str(m)) for m in range(1, 13)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    anchor_day = forms.TypedChoiceField(
        label=_("排查日（每月几日）"),
        choices=[("", _("同任务开始日期"))] + [(d, str(d)) for d in range(1, 32)],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("该月没有这一天时（如 2 月 30 日、31 日，4 月 31 日）在当月最后一天排查"),
    )

    def __init__(self, *args: Any, yearly: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not yearly:
            del self.fields["anchor_month"]
        for field in self.fields.values():
            field.widget.attrs["col"] = "col-12"  # the form sits in a narrow side card
