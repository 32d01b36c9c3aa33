"""The fonts every SafeGrid PDF is set in: TrueType files, embedded as subsets, with a fallback per character.

A filed 一企一册 must read the same on any PDF reader in ten years, so no PDF may name a font it does not
carry (ReportLab's built-in STSong-Light is such a name: each reader substitutes its own Song face, and
one without m³ or ① prints a box). `settings.SAFEGRID_PDF_FONTS` lists TrueType files, first the one
that sets the text (WenQuanYi Micro Hei: GBK Chinese, ①–⑳, ℃, ≥, ³…), then fallbacks used only for the
characters the first lacks (Droid Sans Fallback for rarer Chinese, DejaVu Sans for other scripts and
symbols). ReportLab embeds only the glyphs a document uses (a subset: `ABCDEF+Name` in the PDF).

Use: `primary()` is the font name for styles and canvases; `markup(text)` escapes text for a Paragraph
and wraps characters the primary font lacks in `<font face="…">`; `draw_string` does the same on a canvas.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import TableStyle

# Names the fonts are registered under in ReportLab (the PDF's BaseFont is the file's own name).
NAMES = ("SafeGridSans", "SafeGridFallback1", "SafeGridFallback2", "SafeGridFallback3")
INSTALL_HINT = "apt-get install fonts-wqy-microhei fonts-droid-fallback fonts-dejavu-core"


@dataclass(frozen=True)
class FontFile:
    """One configured font: a TrueType file (with its index inside a .ttc collection)."""

    name: str
    path: Path
    index: int = 0

    @classmethod
    def parse(cls, name: str, spec: str) -> FontFile:
        path, _, index = spec.partition("#")
        return cls(name, Path(path), int(index) if index.isdigit() else 0)


@dataclass(frozen=True)
class Chain:
    """The registered fonts, primary first, with the characters each one has."""

    fonts: tuple[FontFile, ...]
    covers: tuple[frozenset[int], ...]

    @property
    def primary(self) -> str:
        return self.fonts[0].name

    def font_for(self, char: str) -> str:
        """The first font of the chain that has `char` (the primary when none has it)."""
        code = ord(char)
        for font, cover in zip(self.fonts, self.covers, strict=True):
            if code in cover:
                return font.name
        return self.primary

    def runs(self, text: str) -> Iterator[tuple[str, str]]:
        """`text` cut into (font name, piece) runs, each piece set in one font."""
        current, piece = "", list[str]()
        for char in text:
            name = self.primary if char in "\n\r\t " else self.font_for(char)
            if name != current and piece:
                yield current, "".join(piece)
                piece = []
            current = name
            piece.append(char)
        if piece:
            yield current, "".join(piece)

    def missing(self, text: str) -> set[str]:
        """Characters of `text` that no font of the chain has (they would print as a box)."""
        every = frozenset().union(*self.covers)
        return {c for c in text if not c.isspace() and ord(c) not in every}


def configured() -> list[FontFile]:
    specs: Sequence[str] = settings.SAFEGRID_PDF_FONTS
    if len(specs) > len(NAMES):
        raise ImproperlyConfigured(f"SAFEGRID_PDF_FONTS lists at most {len(NAMES)} fonts")
    return [FontFile.parse(name, spec) for name, spec in zip(NAMES, specs, strict=False)]


def problems() -> list[str]:
    """Why PDFs cannot be rendered as configured (empty when the primary font is usable)."""
    fonts = configured()
    if not fonts:
        return ["SAFEGRID_PDF_FONTS is empty: PDFs need at least one TrueType font covering Chinese"]
    if not fonts[0].path.is_file():
        return [f"PDF font {fonts[0].path} is missing (install it: {INSTALL_HINT})"]
    return []


@functools.cache
def chain() -> Chain:
    """Register the configured fonts with ReportLab once per process (fallbacks that are absent are skipped)."""
    issues = problems()
    if issues:
        raise ImproperlyConfigured(issues[0])
    fonts: list[FontFile] = []
    covers: list[frozenset[int]] = []
    for position, font in enumerate(configured()):
        if position and not font.path.is_file():
            continue
        try:
            face = TTFont(font.name, str(font.path), subfontIndex=font.index)
        except TTFError as exc:
            raise ImproperlyConfigured(f"PDF font {font.path}: {exc}") from exc
        pdfmetrics.registerFont(face)
        fonts.append(font)
        covers.append(_drawable(face))
    return Chain(tuple(fonts), tuple(covers))


def _drawable(font: TTFont) -> frozenset[int]:
    """Characters the font really draws: mapped to a glyph with an outline (WenQuanYi Micro Hei maps ℃,
    Å and Ⅴ to empty glyphs, which print as nothing), and whitespace."""
    face = font.face
    positions = face.glyphPos  # glyph i's outline is bytes glyphPos[i]..glyphPos[i + 1] of 'glyf'
    return frozenset(
        code
        for code, glyph in face.charToGlyph.items()
        if positions[glyph + 1] > positions[glyph] or chr(code).isspace()
    )


def primary() -> str:
    """The name of the font that sets the text (registered on first use)."""
    return chain().primary


def markup(text: str) -> str:
    """`text` escaped for a ReportLab Paragraph; characters the primary font lacks in their fallback font.

    Newlines become line breaks.
    """
    fonts = chain()
    parts = []
    for name, piece in fonts.runs(text):
        body = escape(piece).replace("\n", "<br/>")
        parts.append(body if name == fonts.primary else f'<font face="{name}">{body}</font>')
    return "".join(parts)


def string_width(text: str, size: float) -> float:
    fonts = chain()
    return sum(pdfmetrics.stringWidth(piece, name, size) for name, piece in fonts.runs(text))


def draw_string(canvas: Canvas, x: float, y: float, text: str, size: float, *, right: bool = False) -> None:
    """Draw one line on a canvas in the chain's fonts (right-aligned at x when `right`)."""
    fonts = chain()
    if right:
        x -= string_width(text, size)
    for name, piece in fonts.runs(text):
        canvas.setFont(name, size)
        canvas.drawString(x, y, piece)
        x += pdfmetrics.stringWidth(piece, name, size)


def table_style(commands: Sequence[Any]) -> TableStyle:
    """A TableStyle whose cells use the primary font (ReportLab's cell default is Helvetica, which a
    PDF would then name without embedding it)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), NAMES[0]), *commands])
