"""Forms of the units, their substance lines, the enterprise's population and the substance table."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safegrid.core.forms import DateInput, StyledFormMixin

from ..choices import UnitKind
from ..models.sources import CATEGORY_CHOICES, Substance


class UnitForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("单元编码"), max_length=40)
    name = forms.CharField(label=_("单元名称"), max_length=100)
    kind = forms.ChoiceField(
        label=_("单元类型"),
        choices=UnitKind.choices,
        help_text=_("生产单元以切断阀为界；储存单元为一个罐区（以防火堤为界）或一座独立库房"),
    )
    location = forms.CharField(label=_("位置"), max_length=200, required=False)
    latitude = forms.DecimalField(
        label=_("纬度"), max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False
    )
    longitude = forms.DecimalField(
        label=_("经度"), max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False
    )
    description = forms.CharField(
        label=_("单元说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    esd_in_place = forms.BooleanField(label=_("紧急停车系统已装备"), required=False)
    esd_note = forms.CharField(label=_("紧急停车系统说明"), max_length=200, required=False)
    sis_in_place = forms.BooleanField(label=_("独立安全仪表系统（SIS）已配备"), required=False)
    sis_note = forms.CharField(label=_("安全仪表系统说明"), max_length=200, required=False)
    cutoff_in_place = forms.BooleanField(label=_("紧急切断装置已投用"), required=False)
    cutoff_note = forms.CharField(label=_("紧急切断装置说明"), max_length=200, required=False)
    video_in_place = forms.BooleanField(label=_("视频监控已设置"), required=False)
    video_note = forms.CharField(label=_("视频监控说明"), max_length=200, required=False)


class LineForm(StyledFormMixin, forms.Form):
    substance = forms.ModelChoiceField(
        label=_("危险化学品"),
        queryset=Substance.objects.none(),
        error_messages={"invalid_choice": _("未知的危险化学品")},
    )
    design_quantity = forms.DecimalField(
        label=_("设计最大量（吨）"),
        max_digits=14,
        decimal_places=3,
        help_text=_(
            "GB 18218 按设计最大量辨识和分级（储罐、容器、设备、仓库的最大设计存储量），不是现有存量"
        ),
    )
    stock_quantity = forms.DecimalField(
        label=_("现有存量（吨）"), max_digits=14, decimal_places=3, required=False, min_value=Decimal(0)
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, substances: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["substance"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = substances if substances is not None else Substance.objects.all()
        field.label_from_instance = lambda s: (  # type: ignore[method-assign,assignment]
            f"{s.label}{'  CAS ' + s.cas if s.cas else ''}（Q {s.critical_quantity.normalize():f} t）"
        )


class PopulationForm(StyledFormMixin, forms.Form):
    people = forms.IntegerField(
        label=_("厂区边界外500米范围内常住人口（人）"),
        help_text=_("自厂区边界向外扩展500米范围内的常住人口，决定校正系数α"),
        min_value=0,
        error_messages={"min_value": _("人数不能为负数")},
    )
    basis = forms.CharField(label=_("数据来源"), max_length=200, help_text=_("如：村委会户籍登记、现场调查"))
    counted_on = forms.DateField(label=_("统计日期"), widget=DateInput())


class SubstanceForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    variant = forms.CharField(label=_("规格/说明"), max_length=60, required=False)
    aliases = forms.CharField(label=_("别名"), max_length=300, required=False, help_text=_("多个用“、”分隔"))
    cas = forms.CharField(label=_("CAS号"), max_length=20, required=False)
    category = forms.ChoiceField(label=_("危险性类别"), choices=CATEGORY_CHOICES)
    critical_quantity = forms.DecimalField(
        label=_("临界量（吨）"), max_digits=12, decimal_places=3, min_value=Decimal("0.001")
    )
    toxic_gas = forms.BooleanField(label=_("毒性气体"), required=False)
    liquefied_gas = forms.BooleanField(label=_("液化气体"), required=False)
    highly_toxic = forms.BooleanField(label=_("剧毒化学品"), required=False)
