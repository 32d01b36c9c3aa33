"""The hazards app's part of the test world (see safegrid.testworld): a hazard of enterprise B with a photo.

Reported by B's safety manager through the services and confirmed, so its transitions, photo and audit rows
exist; the scope walk checks none of it reaches a user of town A.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from PIL import Image

from safegrid.core.testing import Leaks

from . import services
from .services import PhotoIn

if TYPE_CHECKING:
    from safegrid.testworld import World

TITLE = "乙塔吊基础积水（测试标记）"
DESCRIPTION = "乙工地塔吊基础积水未排（测试标记）"


def extend_world(world: World) -> Leaks:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "orange").save(out, format="JPEG")
    hazard = services.hazard_report(
        actor=world.user("ent_b"),
        enterprise=world.ent_b,
        data={
            "title": TITLE,
            "location": "乙工地 2 号塔吊",
            "description": DESCRIPTION,
            "source": 1,
            "hazard_type": 7,
        },
        photos=[PhotoIn(out.getvalue(), "b.jpg", "before")],
    )
    leaks = Leaks(markers=[TITLE, DESCRIPTION])
    leaks.add_ids("pk", hazard.pk)
    leaks.add_ids("hazard_id", hazard.pk)
    leaks.add_ids("pk", *hazard.photos.values_list("pk", flat=True))
    return leaks
