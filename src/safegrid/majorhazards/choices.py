"""Labels and code lists of major hazard sources (one enum per list)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    """GB 18218-2018 §3.5–3.6: a production unit ends at its cut-off valves; a storage unit is one tank farm
    (bounded by its fire dike) or one independent warehouse building."""

    PRODUCTION = "production", _("生产单元")
    TANK_FARM = "tank_farm", _("储存单元（罐区）")
    WAREHOUSE = "warehouse", _("储存单元（库区）")


class SourceGrade(models.IntegerChoices):
    """GB 18218-2018 §4.3: grade 1 R ≥ 100, grade 2 50 ≤ R < 100, grade 3 10 ≤ R < 50, grade 4 R < 10."""

    ONE = 1, _("一级")
    TWO = 2, _("二级")
    THREE = 3, _("三级")
    FOUR = 4, _("四级")
