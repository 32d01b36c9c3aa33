"""Reading back the fonts of a PDF (pypdf) and the fonts' own character maps (fontTools), for tests.

Independent of ReportLab, which wrote the PDF: what a reader will find in the file is what is checked.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from fontTools.ttLib import TTCollection, TTFont
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from safegrid.core import pdf_fonts

SUBSET_TAG = re.compile(r"^[A-Z]{6}\+(.+)$")


@dataclass
class PdfFont:
    base_font: str
    subtype: str
    embedded: bool  # a FontFile, FontFile2 or FontFile3 stream in its descriptor
    chars: set[str] = field(default_factory=set)

    @property
    def subset_of(self) -> str | None:
        """The font's own name when the PDF holds a subset of it (BaseFont "ABCDEF+Name")."""
        match = SUBSET_TAG.match(self.base_font)
        return match.group(1) if match else None


def _embedded(font: Any) -> bool:
    descriptor = font.get("/FontDescriptor")
    if descriptor is None and "/DescendantFonts" in font:
        descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def fonts_in(pdf: bytes) -> dict[str, PdfFont]:
    """Every font a page of the PDF names, with the characters drawn in it."""
    reader = PdfReader(io.BytesIO(pdf))
    fonts: dict[str, PdfFont] = {}
    drawn: dict[str, set[str]] = defaultdict(set)

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if font is not None and text:
            drawn[str(font.get("/BaseFont")).lstrip("/")].update(text)

    for page in reader.pages:
        resources = page.get("/Resources")
        for ref in (resources.get_object().get("/Font") or {}).values() if resources else []:
            font = ref.get_object()
            name = str(font.get("/BaseFont")).lstrip("/")
            fonts.setdefault(name, PdfFont(name, str(font.get("/Subtype")), _embedded(font)))
        page.extract_text(visitor_text=visit)
    for name, chars in drawn.items():
        fonts[name].chars |= {c for c in chars if not c.isspace()}
    return fonts


@cache
def font_files() -> dict[str, frozenset[int]]:
    """The configured PDF fonts by the name ReportLab gives their subsets, with the characters each file's
    own cmap maps to a glyph that has an outline."""
    chain = pdf_fonts.chain()
    out: dict[str, frozenset[int]] = {}
    for font in chain.fonts:
        face = pdfmetrics.getFont(font.name).face  # type: ignore[attr-defined]
        name = face.name.decode() if isinstance(face.name, bytes) else str(face.name)
        name += getattr(face, "subfontNameX", b"").decode()  # "-0" for a font inside a .ttc
        if font.path.suffix.lower() in (".ttc", ".otc"):
            tt = TTCollection(str(font.path)).fonts[font.index]
        else:
            tt = TTFont(str(font.path), fontNumber=font.index)
        glyphs = tt["glyf"]
        out[name] = frozenset(
            code
            for code, glyph in tt.getBestCmap().items()
            if glyphs[glyph].numberOfContours != 0 or chr(code).isspace()  # an empty glyph prints nothing
        )
    return out


def problems(pdf: bytes) -> list[str]:
    """Everything that would make the PDF look different elsewhere or print a box: fonts not embedded
    or not subset, fonts that are not SafeGrid's, and characters missing from the font they are drawn in."""
    files = font_files()
    found: list[str] = []
    for font in fonts_in(pdf).values():
        if not font.embedded:
            found.append(f"{font.base_font}: not embedded")
            continue
        own = font.subset_of
        if own is None:
            found.append(f"{font.base_font}: embedded whole, not as a subset")
            continue
        cmap = files.get(own)
        if cmap is None:
            found.append(f"{font.base_font}: not one of the configured PDF fonts {sorted(files)}")
            continue
        missing = sorted(c for c in font.chars if ord(c) not in cmap)
        if missing:
            found.append(f"{font.base_font}: no (or an empty) glyph for {''.join(missing)!r}")
    return found


def drawn_chars(pdf: bytes) -> set[str]:
    return set().union(*(f.chars for f in fonts_in(pdf).values()))
