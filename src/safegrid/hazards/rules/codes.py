"""The national code tables a hidden hazard carries (REFERENCE §4, §9): where it came from (`dangerSrc`),
its type (`hazardDangerType`), its level (`dangerLevel`) and how it is handled (`dangerManageType`).

Kept as data: `choices.py` and the models read their choices from here, so a code and its label exist once.
"""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext_lazy as _

# dangerSrc: the kind of inspection that found the hazard (1–10).
DANGER_SOURCES: Final = (
    (1, _("日常排查")),
    (2, _("综合性排查")),
    (3, _("专业性排查")),
    (4, _("季节性排查")),
    (5, _("重点时段及节假日前排查")),
    (6, _("事故类比排查")),
    (7, _("复产复工前排查")),
    (8, _("外聘专家诊断式排查")),
    (9, _("管控措施失效")),
    (10, _("其他")),
)
DANGER_SOURCE_CODES: Final = frozenset(code for code, _label in DANGER_SOURCES)

# hazardDangerType: 1 safety … 8 other.
HAZARD_TYPES: Final = (
    (1, _("安全")),
    (2, _("工艺")),
    (3, _("电气")),
    (4, _("仪表")),
    (5, _("消防")),
    (6, _("总图")),
    (7, _("设备")),
    (8, _("其他")),
)
HAZARD_TYPE_CODES: Final = frozenset(code for code, _label in HAZARD_TYPES)

GENERAL: Final = "general"
MAJOR: Final = "major"
LEVELS: Final = ((GENERAL, _("一般隐患")), (MAJOR, _("重大隐患")))
# The national upload's dangerLevel numbers (per-target profiles may renumber them).
NATIONAL_LEVEL: Final = {GENERAL: 0, MAJOR: 1}

ON_THE_SPOT: Final = "on_the_spot"
BY_DEADLINE: Final = "by_deadline"
HANDLING: Final = ((ON_THE_SPOT, _("即查即改")), (BY_DEADLINE, _("限期整改")))
NATIONAL_HANDLING: Final = {ON_THE_SPOT: 0, BY_DEADLINE: 1}
