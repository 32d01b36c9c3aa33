"""Load the reference sectors and departments (also done by migration 0002; this is for flushed test DBs)."""

from __future__ import annotations

from .choices import DEPARTMENTS, SECTORS
from .models import Department, Sector


def ensure_reference_data() -> None:
    by_code = {}
    for order, (code, name) in enumerate(SECTORS, start=1):
        by_code[code], _ = Sector.objects.update_or_create(
            code=code, defaults={"name": name, "sort_order": order}
        )
    for code, name, short, sectors in DEPARTMENTS:
        dept, _ = Department.objects.update_or_create(
            code=code,
            defaults={"name": name, "short_name": short, "is_safety_office": code == "safety_office"},
        )
        dept.sectors.set([by_code[s] for s in sectors])
