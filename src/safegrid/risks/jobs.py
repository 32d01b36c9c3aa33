"""Background jobs of the risks app (registered with safegrid.jobs; autodiscovered)."""

from __future__ import annotations

from typing import Any

from safegrid.jobs import JobContext, job

from .services import register_import


@job(register_import.JOB_KIND)
def import_register(ctx: JobContext, *, upload_id: int) -> dict[str, Any]:
    """Import one uploaded risk register workbook (see `services.register_import`)."""
    return register_import.register_import_run(ctx, upload_id)
