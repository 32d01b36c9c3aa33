"""The notifications app's part of the test world (see safegrid.testworld): a notification for town B."""

from __future__ import annotations

from typing import TYPE_CHECKING

from safegrid.core.testing import Leaks

from .kinds import IMPORT_FINISHED
from .services import notify

if TYPE_CHECKING:
    from safegrid.testworld import World

TEXT = "乙镇街企业名单导入完成（测试标记）"


def extend_world(world: World) -> Leaks:
    """One unread notification for town_b; its id is walked (open marks read: must be refused to others)."""
    [sent] = notify([world.user("town_b")], IMPORT_FINISHED.key, None, TEXT, url="/")
    return Leaks(markers=[TEXT], ids={"pk": [sent.pk]})
