"""Code lists for risk grading and control, with their sources (REFERENCE.md §3, §9)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .rules import methods
from .rules.levels import LOOKS


class RiskPointType(models.TextChoices):
    """DB37/T 2882-2016: what a risk point is."""

    FACILITY = "facility", _("设施/部位/场所/区域")
    ACTIVITY = "activity", _("操作及作业活动")


class IdentificationMethod(models.TextChoices):
    SCL = "SCL", _("安全检查表法（SCL）")
    JHA = "JHA", _("工作危害分析法（JHA）")


class HazardCategory(models.TextChoices):
    """GB/T 13861-2022 top-level categories of hazardous and harmful factors."""

    PEOPLE = "people", _("人的因素")
    THINGS = "things", _("物的因素")
    ENVIRONMENT = "environment", _("环境因素")
    MANAGEMENT = "management", _("管理因素")


class AccidentType(models.TextChoices):
    """GB 6441-1986 accident types (the 20 categories), used as the possible consequence."""

    OBJECT_STRIKE = "01", _("物体打击")
    VEHICLE = "02", _("车辆伤害")
    MACHINERY = "03", _("机械伤害")
    LIFTING = "04", _("起重伤害")
    ELECTRIC_SHOCK = "05", _("触电")
    DROWNING = "06", _("淹溺")
    BURN = "07", _("灼烫")
    FIRE = "08", _("火灾")
    FALL = "09", _("高处坠落")
    COLLAPSE = "10", _("坍塌")
    ROOF_FALL = "11", _("冒顶片帮")
    WATER_INRUSH = "12", _("透水")
    BLASTING = "13", _("放炮")
    EXPLOSIVE = "14", _("火药爆炸")
    GAS_EXPLOSION = "15", _("瓦斯爆炸")
    BOILER_EXPLOSION = "16", _("锅炉爆炸")
    VESSEL_EXPLOSION = "17", _("容器爆炸")
    OTHER_EXPLOSION = "18", _("其它爆炸")
    POISONING = "19", _("中毒和窒息")
    OTHER_INJURY = "20", _("其它伤害")


ACCIDENT_TYPE_SOURCE = "GB 6441-1986"
HAZARD_CATEGORY_SOURCE = "GB/T 13861-2022"


class RiskLevel(models.IntegerChoices):
    """The seed's four levels; 1 is the most dangerous (stored as the number)."""

    MAJOR = 1, _(LOOKS[1].name)
    LARGE = 2, _(LOOKS[2].name)
    GENERAL = 3, _(LOOKS[3].name)
    LOW = 4, _(LOOKS[4].name)

    @property
    def colour(self) -> str:
        return methods.LEVEL_COLOURS[int(self.value)]


class RiskColour(models.TextChoices):
    RED = "red", _(LOOKS[1].colour_word)
    ORANGE = "orange", _(LOOKS[2].colour_word)
    YELLOW = "yellow", _(LOOKS[3].colour_word)
    BLUE = "blue", _(LOOKS[4].colour_word)


class ControlTier(models.TextChoices):
    COMPANY = "company", _("公司级")
    WORKSHOP = "workshop", _("车间级")
    TEAM = "team", _("班组级")
    POST = "post", _("岗位级")


class AssessmentKind(models.TextChoices):
    INITIAL = "initial", _("初始风险")
    RESIDUAL = "residual", _("剩余风险")


class AssessmentMethod(models.TextChoices):
    LEC = "LEC", _("作业条件危险性分析法（LEC）")
    LS = "LS", _("风险矩阵分析法（LS）")
    MES = "MES", _("风险程度分析法（MES）")


class LsVariant(models.TextChoices):
    A = "A", _("方案 A：20–25 重大，15–16 较大，9–12 一般，≤8 低")
    B = "B", _("方案 B：≥17 重大，13–16 较大，8–12 一般，≤7 低")
    C = "C", _("方案 C：20–25 重大，9–16 较大，4–8 一般，1–3 低")


class MeasureKind(models.TextChoices):
    """The seed's six kinds of control measures."""

    INSTITUTIONAL = "institutional", _("制度管理")
    ENGINEERING = "engineering", _("物理工程")
    ONLINE_MONITORING = "online_monitoring", _("在线监测")
    VIDEO = "video", _("视频监控")
    AUTOMATION = "automation", _("自动化控制")
    EMERGENCY = "emergency", _("应急管理")


class Classify1(models.IntegerChoices):
    """National upload `classify1`."""

    ENGINEERING = 1, _("工程技术")
    MAINTENANCE = 2, _("维护保养")
    OPERATION = 3, _("操作行为")
    EMERGENCY = 4, _("应急措施")


class Classify2(models.TextChoices):
    """National upload `classify2`; the part before the dash is its `classify1`."""

    PROCESS_CONTROL = "1-1", _("工艺控制")
    KEY_EQUIPMENT = "1-2", _("关键设备/部件")
    SAFETY_ACCESSORIES = "1-3", _("安全附件")
    SAFETY_INSTRUMENTS = "1-4", _("安全仪表")
    ENGINEERING_OTHER = "1-5", _("其他（工程技术）")
    ROTATING = "2-1", _("动设备")
    STATIC = "2-2", _("静设备")
    MAINTENANCE_OTHER = "2-3", _("其他（维护保养）")
    QUALIFICATIONS = "3-1", _("人员资质")
    OPERATING_RECORDS = "3-2", _("操作记录")
    SHIFT_HANDOVER = "3-3", _("交接班")
    OPERATION_OTHER = "3-4", _("其他（操作行为）")
    EMERGENCY_FACILITIES = "4-1", _("应急设施")
    PPE = "4-2", _("个体防护")
    FIRE_FACILITIES = "4-3", _("消防设施")
    EMERGENCY_PLAN = "4-4", _("应急预案")
    EMERGENCY_OTHER = "4-5", _("其他（应急措施）")


def classify2_parent(code: str) -> int | None:
    """The classify1 a classify2 code belongs to ("2-3" → 2), or None for an unknown code."""
    if code not in Classify2.values:
        return None
    return int(code.split("-", 1)[0])


class CheckCycleUnit(models.TextChoices):
    """National upload `checkCycleUnit` (the values are the upload's own words)."""

    HOUR = "小时", _("小时")
    DAY = "天", _("天")
    MONTH = "月", _("月")
    YEAR = "年", _("年")


class WorkDayType(models.IntegerChoices):
    EVERY_DAY = 0, _("每天")
    WORKING_DAYS = 1, _("工作日")
    NON_WORKING_DAYS = 2, _("节假日/休息日")


class FilingStatus(models.TextChoices):
    """Where one version of the 一企一册 book stands (the filing workflow's states, risks/workflows.py)."""

    COMPILED = "compiled", _("已编制待提交签署")
    TO_SIGN = "to_sign", _("待法定代表人签署")
    SENT_BACK = "sent_back", _("签署人已退回")
    SIGNED = "signed", _("已签署待备案")
    FILED = "filed", _("已备案待审核")
    ACCEPTED = "accepted", _("已接收")
    RETURNED = "returned", _("已退回")
    SUPERSEDED = "superseded", _("已被新版本替代")


class FilingReviewerKind(models.TextChoices):
    """Who accepts or returns the 一企一册 filings of a sector's enterprises (a county setting per sector)."""

    DEPARTMENT = "department", _("行业主管部门")
    TOWN = "town", _("属地镇街（受委托）")


class DataSource(models.IntegerChoices):
    """National upload `dataSrc`: how a measure is checked."""

    AUTOMATED = 1, _("自动化监控")
    INSPECTION = 2, _("隐患排查")
