"""The notice board of a major hazard source's three responsible persons (重大危险源安全包保责任人公示牌),
printable on A4 landscape in the embedded fonts of `core.pdf_fonts` (laid out like the hazards app's
公示栏): the unit and its grade, then one column per role with the name, job title, phone and duties."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepInFrame, Paragraph, SimpleDocTemplate, Spacer, Table

from safegrid.core import pdf_fonts

FONT = pdf_fonts.NAMES[0]  # registered by pdf_fonts.chain() before the document is built
LABEL_BG = colors.HexColor("#eef1f5")
GRID = colors.HexColor("#9aa5b1")
RED = colors.HexColor("#d63939")

BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, wordWrap="CJK")
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.5, leading=11.5)
DUTY = ParagraphStyle("duty", parent=BODY, fontSize=10.5, leading=15)
CENTER = ParagraphStyle("center", parent=BODY, alignment=TA_CENTER, fontSize=12, leading=16)
NAME = ParagraphStyle("name", parent=BODY, alignment=TA_CENTER, fontSize=20, leading=26)
TITLE = ParagraphStyle("title", parent=BODY, fontSize=24, leading=30, alignment=TA_CENTER)
SUBTITLE = ParagraphStyle("subtitle", parent=BODY, fontSize=12, leading=16, alignment=TA_CENTER)


@dataclass(frozen=True)
class BoardPerson:
    role: str
    name: str
    job_title: str
    phone: str
    duties: str
    frequency: str


def _p(text: str, style: ParagraphStyle = BODY, colour: Any = None) -> Paragraph:
    body = pdf_fonts.markup(text).replace("\n", "<br/>")
    if colour is not None:
        body = f'<font color="{colour.hexval()}">{body}</font>'
    return Paragraph(body, style)


def board_pdf(
    *,
    enterprise: str,
    unit: str,
    grade: str,
    persons: Sequence[BoardPerson | None],
    roles: Sequence[str],
    today: dt.date,
) -> bytes:
    """`persons` in role order (None where no one is named yet), `roles` their labels."""
    pagesize = landscape(A4)
    width = pagesize[0] - 24 * mm
    column = width / max(len(roles), 1)
    head = [_p(role, CENTER) for role in roles]
    names = [_p(p.name if p else gettext("未指定"), NAME, None if p else RED) for p in persons]
    titles = [_p(p.job_title or "—" if p else "—", CENTER) for p in persons]
    phones = [_p(gettext("电话：%(phone)s") % {"phone": p.phone} if p else "—", CENTER) for p in persons]
    checks = [_p(gettext("排查：%(f)s") % {"f": p.frequency} if p else "—", CENTER) for p in persons]
    duties: list[Any] = [
        KeepInFrame(column - 4 * mm, 95 * mm, [_p(p.duties, DUTY)], mode="shrink")
        if p and p.duties
        else _p("—", CENTER)
        for p in persons
    ]
    table = Table([head, names, titles, phones, checks, duties], colWidths=[column] * len(roles))
    table.setStyle(
        pdf_fonts.table_style(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), LABEL_BG),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("VALIGN", (0, -1), (-1, -1), "TOP"),
            ]
        )
    )
    title = gettext("重大危险源安全包保责任人公示牌")
    story: list[Flowable] = [
        _p(title, TITLE),
        Spacer(1, 2 * mm),
        _p(f"{enterprise}　{unit}　{grade}", SUBTITLE),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 3 * mm),
        _p(
            gettext(
                "依据：《危险化学品企业重大危险源安全包保责任制办法（试行）》（应急厅〔2021〕12号）。公布日期：%(date)s"
            )
            % {"date": today.isoformat()},
            SMALL,
        ),
    ]
    pdf_fonts.chain()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"{title} {unit}",
        author="SafeGrid",
        initialFontName=FONT,
    )
    doc.build(story)
    return buffer.getvalue()
