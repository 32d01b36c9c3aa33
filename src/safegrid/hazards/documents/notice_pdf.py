"""The workers' notice board of an enterprise's open major hazards (重大事故隐患公示栏), printable on A4
landscape in the embedded fonts of `core.pdf_fonts` (laid out like the risks app's 风险公告栏)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, LongTable, Paragraph, SimpleDocTemplate, Spacer

from safegrid.core import pdf_fonts

if TYPE_CHECKING:
    import datetime as dt

    from ..selectors_major import NoticeRow

FONT = pdf_fonts.NAMES[0]
LABEL_BG = colors.HexColor("#eef1f5")
GRID = colors.HexColor("#9aa5b1")
RED = colors.HexColor("#d63939")

BODY = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=14, wordWrap="CJK")
CENTER = ParagraphStyle("center", parent=BODY, alignment=TA_CENTER)
TITLE = ParagraphStyle("title", parent=BODY, fontSize=24, leading=30)
SUBTITLE = ParagraphStyle("subtitle", parent=BODY, fontSize=12, leading=16)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=9, leading=12)


def _p(text: str, style: ParagraphStyle = BODY, colour: Any = None) -> Paragraph:
    body = pdf_fonts.markup(text)
    if colour is not None:
        body = f'<font color="{colour.hexval()}">{body}</font>'
    return Paragraph(body, style)


def major_notice_pdf(enterprise_name: str, rows: Sequence[NoticeRow], today: dt.date) -> bytes:
    pagesize = landscape(A4)
    width = pagesize[0] - 24 * mm
    head = [gettext("序号"), gettext("隐患名称"), gettext("位置"), gettext("临时管控措施"), gettext("整改期限"),
            gettext("停产停业至"), gettext("整改责任人")]  # fmt: skip
    widths = [12 * mm, 50 * mm, 40 * mm, None, 26 * mm, 26 * mm, 26 * mm]
    fixed = sum(w for w in widths if w is not None)
    data: list[list[Any]] = [[_p(h, CENTER) for h in head]]
    for i, row in enumerate(rows, start=1):
        hazard = row.hazard
        data.append(
            [
                _p(str(i), CENTER),
                _p(hazard.title, BODY, RED),
                _p(hazard.location, BODY),
                _p(row.interim or "—", BODY),
                _p(row.deadline.isoformat() if row.deadline else gettext("待定"), CENTER),
                _p(row.suspended_until.isoformat() if row.suspended_until else "—", CENTER),
                _p(str(hazard.responsible_person or "—"), CENTER),
            ]
        )
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.6, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), LABEL_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if not rows:
        data.append([_p(gettext("目前没有未销号的重大事故隐患"), CENTER)] + [""] * (len(head) - 1))
        style.append(("SPAN", (0, 1), (-1, 1)))
    table = LongTable(data, colWidths=[w if w is not None else width - fixed for w in widths], repeatRows=1)
    table.setStyle(pdf_fonts.table_style(style))
    title = gettext("重大事故隐患公示栏")
    story: list[Flowable] = [
        _p(f"{title}　{enterprise_name}", TITLE),
        Spacer(1, 2 * mm),
        _p(
            gettext("公布日期：%(date)s　未销号的重大事故隐患 %(n)d 项")
            % {"date": today.isoformat(), "n": len(rows)},
            SUBTITLE,
        ),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 3 * mm),
        _p(
            gettext(
                "隐患治理期间，请遵守临时管控措施：不进入警戒区域，不使用已停用的设备设施。发现异常请立即报告。"
            ),
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
        title=f"{title} {enterprise_name}",
        author="SafeGrid",
        initialFontName=FONT,
    )
    doc.build(story)
    return buffer.getvalue()
