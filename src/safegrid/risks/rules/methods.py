"""Reference data for risk grading, kept as data with its source (REFERENCE.md §3, §9).

Pure Python: `rules/assessment.py` computes with these tables and never hard-codes a number of its own.
Every table carries the label of the standard it comes from, and every computed result stores a
`method_version` built from these labels so that it can be explained and recomputed later.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from .levels import LOOKS

STANDARD: Final = "DB37T2882-2016"
"""Shandong DB37/T 2882-2016, guideline for risk grading and control (安全生产风险分级管控体系通则)."""

NATIONAL_UPLOAD: Final = "双重预防数字化数据接入规范(2022)"
"""The national digital dual-prevention upload format (levels 0 = major … 3 = low)."""

LEVELS: Final = (1, 2, 3, 4)
"""Risk levels as the seed numbers them: 1 is the most dangerous."""

# Names and colours come from the one level table (`rules.levels`), which also holds how each is drawn.
LEVEL_COLOURS: Final[dict[int, str]] = {level: look.colour for level, look in LOOKS.items()}
LEVEL_NAMES: Final[dict[int, str]] = {level: look.name for level, look in LOOKS.items()}
LEVEL_SOURCE: Final = STANDARD


def _d(value: str) -> Decimal:
    return Decimal(value)


# --- LEC (Graham–Kinney): D = L × E × C -------------------------------------------------------
LEC_SOURCE: Final = f"LEC/{STANDARD}"
LEC_L: Final[dict[Decimal, str]] = {
    _d("10"): "完全可以预料",
    _d("6"): "相当可能",
    _d("3"): "可能，但不经常",
    _d("1"): "可能性小，完全意外",
    _d("0.5"): "很不可能，可以设想",
    _d("0.2"): "极不可能",
    _d("0.1"): "实际不可能",
}
LEC_E: Final[dict[Decimal, str]] = {
    _d("10"): "连续暴露",
    _d("6"): "每天工作时间内暴露",
    _d("3"): "每周一次或偶然暴露",
    _d("2"): "每月一次暴露",
    _d("1"): "每年几次暴露",
    _d("0.5"): "非常罕见地暴露",
}
LEC_C: Final[dict[Decimal, str]] = {
    _d("100"): "大灾难，许多人死亡",
    _d("40"): "灾难，数人死亡",
    _d("15"): "非常严重，一人死亡",
    _d("7"): "严重，重伤",
    _d("3"): "重大，致残",
    _d("1"): "引人注目，需要救护",
}
# Minimum D for levels 1, 2, 3 (a value on a threshold goes to the more dangerous band).
LEC_DEFAULT_THRESHOLDS: Final = (_d("320"), _d("160"), _d("70"))

# --- LS risk matrix: R = L × S -----------------------------------------------------------------
LS_SOURCE: Final = f"LS/{STANDARD}"
LS_L: Final[dict[int, str]] = {
    5: "无管控措施或无法察觉",
    4: "管控措施失效",
    3: "无防护或曾经发生过",
    2: "能及时发现且措施有效",
    1: "措施完善，极不可能发生",
}
LS_S: Final[dict[int, str]] = {
    5: "违法；一人以上死亡；直接经济损失 50 万元以上；两套以上装置停工；国内影响",
    4: "潜在违法；重伤或多人受伤；较大经济损失；一套装置停工；行业内影响",
    3: "不符合公司规章制度；轻伤；一定经济损失；设备部分停工；地区影响",
    2: "不符合公司操作规程；急救处理；少量经济损失；公司内影响",
    1: "完全符合；无伤亡；无损失；无影响",
}
# Minimum R per level 1, 2, 3 for each configurable variant; anything lower is level 4.
# Products of two integers 1–5 never equal 13, 14, 17, 18, 19, 21–24, so the gaps in the printed
# ranges (e.g. variant A "15–16" then "20–25") are unreachable; a threshold table maps every product.
LS_VARIANTS: Final[dict[str, tuple[int, int, int]]] = {
    "A": (20, 15, 9),  # 20–25 → 1; 15–16 → 2; 9–12 → 3; ≤ 8 → 4 (default)
    "B": (17, 13, 8),  # ≥ 17 → 1; 13–16 → 2; 8–12 → 3; ≤ 7 → 4
    "C": (20, 9, 4),  # 20–25 → 1; 9–16 → 2; 4–8 → 3; 1–3 → 4
}
LS_DEFAULT_VARIANT: Final = "A"

# --- MES: R = M × E × S ------------------------------------------------------------------------
MES_SOURCE: Final = f"MES/{STANDARD}"
MES_M: Final[dict[int, str]] = {
    5: "无控制措施",
    3: "有减轻后果的应急措施",
    1: "有预防措施且有效",
}
MES_E: Final = LEC_E
MES_S: Final[dict[int, str]] = {
    10: "多人死亡",
    8: "一人死亡或多人重伤",
    4: "一人重伤或多人轻伤",
    2: "一人轻伤",
    1: "无伤亡",
}
# Exclusive lower bounds for levels 1, 2, 3: R > 180 → 1; 91–180 → 2; 51–90 → 3; ≤ 50 → 4.
MES_BOUNDS_EXCLUSIVE: Final = (_d("180"), _d("90"), _d("50"))

# --- Control tiers (管控层级) -------------------------------------------------------------------
TIERS: Final = ("company", "workshop", "team", "post")
TIER_NAMES: Final[dict[str, str]] = {
    "company": "公司级",
    "workshop": "车间级",
    "team": "班组级",
    "post": "岗位级",
}
REQUIRED_TIERS: Final[dict[int, tuple[str, ...]]] = {
    1: ("company", "workshop", "team", "post"),
    2: ("company", "workshop", "team", "post"),
    3: ("workshop", "team", "post"),
    4: ("team", "post"),
}
TIER_SOURCE: Final = STANDARD

# --- JHA (job hazard analysis) ------------------------------------------------------------------
JHA_MAX_STEPS: Final = 10
