"""Test helpers: photos as bytes and hazards in a given state."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from PIL import Image

from safegrid.core.testing import SYSTEM
from safegrid.hazards import services
from safegrid.hazards.choices import HazardLevel, HazardStatus, Origin
from safegrid.hazards.models import HiddenHazard
from safegrid.hazards.services import PhotoIn


def jpeg(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(out, format="JPEG")
    return out.getvalue()


def photo(kind: str = "before", colour: str = "red") -> PhotoIn:
    return PhotoIn(jpeg(colour), f"{kind}.jpg", kind)


REPORT = {
    "title": "储罐区静电接地线断开",
    "location": "罐区 T-101",
    "description": "储罐静电接地线断开，未恢复",
    "cause": "巡检不到位",
    "source": 1,
    "hazard_type": 3,
}


def hazard_in(
    enterprise: Any,
    status: str,
    *,
    level: str = HazardLevel.GENERAL,
    origin: str = Origin.GRID,
    **fields: Any,
) -> HiddenHazard:
    """A hazard placed directly in `status` (for permission tables; the services test the moves)."""
    return HiddenHazard.objects.create(
        enterprise=enterprise,
        origin=origin,
        status=status,
        level=level,
        reporter_name="tests",
        reported_at=timezone.now(),
        **{**REPORT, **fields},
    )


def reported(world: Any, **data: Any) -> HiddenHazard:
    return services.hazard_report(
        actor=world.user("grid_a"), enterprise=world.ent_a, data={**REPORT, **data}, photos=[photo()]
    )


__all__ = ["SYSTEM", "HazardStatus", "hazard_in", "jpeg", "photo", "reported"]
