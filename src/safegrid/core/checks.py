"""System checks of the core kits (`manage.py check`, and every command that runs checks)."""

from __future__ import annotations

from typing import Any

from django.core import checks

from . import pdf_fonts


@checks.register()
def pdf_fonts_present(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A warning, not an error: without the font only the PDF downloads fail, the rest runs."""
    return [
        checks.Warning(problem, hint=f"SAFEGRID_PDF_FONTS or {pdf_fonts.INSTALL_HINT}", id="safegrid.W001")
        for problem in pdf_fonts.problems()
    ]
