"""How each risk level looks, defined once: name, short name, colour word, hex colours and badge class.

Pages show a level with `{% risk_badge level %}` (`risks/templatetags/risk_levels.py`); the PDFs, the
cards and the map read the same table. Names are msgids: translate them where they are shown.
Colours follow the four-colour rule (red/orange/yellow/blue = levels 1–4, DB37/T 2882-2016).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.utils.translation import gettext_noop


@dataclass(frozen=True)
class LevelLook:
    level: int | None
    name: str  # 重大风险
    short: str  # 重大
    colour: str  # red / orange / yellow / blue; grey when not graded
    colour_word: str  # 红
    hex: str  # the fill wherever the level is drawn
    text_hex: str  # readable text on that fill
    area_hex: str  # the lighter fill of a region on the map
    css: str  # the Tabler badge classes of the same colour


# A table reads best as a table (ruff format would put one value per line).
# fmt: off
LOOKS: Final[dict[int, LevelLook]] = {
    # level: level, name, short name, colour, colour word, fill, text on fill, map area fill, badge classes
    1: LevelLook(1, gettext_noop("重大风险"), gettext_noop("重大"), "red",    gettext_noop("红"), "#d63939", "#ffffff", "#eb9c9c", "bg-red text-red-fg"),
    2: LevelLook(2, gettext_noop("较大风险"), gettext_noop("较大"), "orange", gettext_noop("橙"), "#f76707", "#ffffff", "#fbb383", "bg-orange text-orange-fg"),
    3: LevelLook(3, gettext_noop("一般风险"), gettext_noop("一般"), "yellow", gettext_noop("黄"), "#f5c400", "#1d1d1d", "#fae280", "bg-yellow text-yellow-fg"),
    4: LevelLook(4, gettext_noop("低风险"),   gettext_noop("低"),   "blue",   gettext_noop("蓝"), "#206bc4", "#ffffff", "#8fb5e1", "bg-blue text-blue-fg"),
}
NOT_GRADED: Final = LevelLook(None, gettext_noop("未定级"), gettext_noop("未定级"), "grey", gettext_noop("灰"), "#868e96", "#ffffff", "#e9ecef", "bg-secondary-lt")
# fmt: on


def look(level: int | None) -> LevelLook:
    """The look of `level` (1–4), or of "not graded" for None or anything else."""
    return LOOKS.get(level or 0, NOT_GRADED)
