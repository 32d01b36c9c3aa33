"""Shared helpers of the lifecycle tests: a major unit of enterprise A (hazardous chemicals), a filing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import timezone

from safegrid.core.testing import SYSTEM
from safegrid.enterprises import services as ent_services
from safegrid.majorhazards.models import HazardUnit, SourceFiling
from safegrid.majorhazards.services import lifecycle

PDF = b"%PDF-1.4\n%test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def unit_a(
    world: Any, *, code: str = "A-MH-01", grade: int | None = 2, name: str = "甲液氯罐区"
) -> HazardUnit:
    return HazardUnit.objects.create(
        enterprise=world.ent_a,
        code=code,
        name=name,
        kind="tank_farm",
        is_major=grade is not None,
        grade=grade,
        graded_at=timezone.now() if grade else None,
    )


def filing_data(assessed_on: dt.date | None = None) -> dict[str, Any]:
    return {
        "assessing_org": "甲安全评价公司",
        "assessed_on": assessed_on or timezone.localdate() - dt.timedelta(days=3),
        "report_summary": "辨识为二级重大危险源",
    }


def draft(world: Any, unit: HazardUnit, **data: Any) -> SourceFiling:
    return lifecycle.filing_draft(actor=world.user("ent_a"), unit=unit, data={**filing_data(), **data})


def accepted(world: Any, unit: HazardUnit, assessed_on: dt.date) -> SourceFiling:
    filing = draft(world, unit, assessed_on=assessed_on)
    filing = lifecycle.filing_submit(actor=world.user("ent_a"), filing=filing)
    return lifecycle.filing_accept(actor=world.user("dept_chem"), filing=filing, comment="同意")


def person_a(world: Any, name: str = "孙技术", phone: str = "13800000001", user: Any = None) -> Any:
    person = ent_services.person_create(
        actor=SYSTEM,
        enterprise=world.ent_a,
        data={"name": name, "phone": phone, "job_title": "技术副总", "org_unit": world.post_a},
    )
    if user is not None:
        person.user = user
        person.save(update_fields=["user"])
    return person


def pdf_file() -> lifecycle.FileIn:
    return lifecycle.FileIn(PDF, "report.pdf")


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="JPEG")
    return out.getvalue()
