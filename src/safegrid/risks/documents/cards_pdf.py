"""Printable cards and the site's risk notice board, in the embedded fonts of `core.pdf_fonts`.

Every card is one page: the body is shrunk to fit if an enterprise writes a lot. Colours always come
with their text (重大风险/较大风险/一般风险/低风险), so a black-and-white printout still says the level.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Image,
    KeepInFrame,
    LongTable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
)

from safegrid.core import pdf_fonts

from ..models import CardKind
from ..rules import levels
from ..selectors.cards import CardContent, LevelCount, NoticeRow

FONT = pdf_fonts.NAMES[0]  # registered by pdf_fonts.chain() before each document is built

LABEL_BG = colors.HexColor("#eef1f5")
GRID = colors.HexColor("#9aa5b1")

BODY = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=17, wordWrap="CJK")
SMALL = ParagraphStyle("small", parent=BODY, fontSize=9, leading=12)
LABEL = ParagraphStyle("label", parent=BODY, fontSize=12, leading=16)
TITLE = ParagraphStyle("title", parent=BODY, fontSize=24, leading=30)
SUBTITLE = ParagraphStyle("subtitle", parent=BODY, fontSize=12, leading=16)
LEVEL_BIG = ParagraphStyle("levelbig", parent=BODY, fontSize=22, leading=28, alignment=TA_CENTER)
CENTER = ParagraphStyle("center", parent=BODY, alignment=TA_CENTER)
CENTER_SMALL = ParagraphStyle("centersmall", parent=SMALL, alignment=TA_CENTER)


def escape(text: str) -> str:
    """Text for a Paragraph: escaped, characters the main font lacks in a fallback font."""
    return pdf_fonts.markup(text)


def _p(text: str, style: ParagraphStyle = BODY, colour: Any = None) -> Paragraph:
    body = escape(text)
    if colour is not None:
        body = f'<font color="{colour.hexval()}">{body}</font>'
    return Paragraph(body, style)


def _lines(items: Sequence[str], empty: str = "—", numbered: bool = False) -> Paragraph:
    if not items:
        return _p(empty)
    parts = [escape(f"{i}. {t}" if numbered else f"● {t}") for i, t in enumerate(items, start=1)]
    return Paragraph("<br/>".join(parts), BODY)


def _fill(level: int | None) -> Any:
    """The level's colour from the one level table (grey when not graded)."""
    return colors.HexColor(levels.look(level).hex)


def _text_colour(level: int | None) -> Any:
    return colors.HexColor(levels.look(level).text_hex)


def _qr_image(png: bytes | None, size: float) -> Flowable:
    if not png:
        return Spacer(size, size)
    return Image(io.BytesIO(png), width=size, height=size)


def _header_band(content: CardContent, width: float) -> Table:
    """The coloured band: card title and enterprise on the left, the level in words on the right."""
    fg = _text_colour(content.level)
    left = [
        _p(content.title, TITLE, fg),
        Spacer(1, 2),
        _p(f"{content.enterprise_name}　{content.post_name}", SUBTITLE, fg),
    ]
    right = [_p(content.level_name, LEVEL_BIG, fg), _p(gettext("风险等级"), CENTER_SMALL, fg)]
    band = Table([[left, right]], colWidths=[width - 48 * mm, 48 * mm])
    band.setStyle(
        pdf_fonts.table_style(
            [
                ("BACKGROUND", (0, 0), (-1, -1), _fill(content.level)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 9),
                ("LINEBEFORE", (1, 0), (1, 0), 1, fg),
            ]
        )
    )
    return band


def _identity(
    content: CardContent, qr: bytes | None, width: float, extra: Sequence[tuple[str, str]]
) -> Table:
    point = content.point
    rows = [
        (gettext("风险点"), f"{point.code} {point.name}"),
        (gettext("岗位"), content.post_name),
        (gettext("位置"), point.location or "—"),
        (gettext("编号 / 版本"), f"{content.number} / V{content.version}"),
        *extra,
    ]
    facts = Table(
        [[_p(k, LABEL), _p(v)] for k, v in rows],
        colWidths=[30 * mm, width - 30 * mm - 36 * mm],
    )
    facts.setStyle(
        pdf_fonts.table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    code = [_qr_image(qr, 30 * mm), _p(gettext("手机扫码查看并确认"), CENTER_SMALL)]
    outer = Table([[facts, code]], colWidths=[width - 36 * mm, 36 * mm])
    outer.setStyle(
        pdf_fonts.table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("BOX", (0, 0), (-1, -1), 0.8, GRID),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return outer


def _sections(rows: Sequence[tuple[str, Flowable]], width: float) -> Table:
    table = Table(
        [[_p(label, LABEL), body] for label, body in rows],
        colWidths=[30 * mm, width - 30 * mm],
    )
    table.setStyle(
        pdf_fonts.table_style(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, GRID),
                ("BACKGROUND", (0, 0), (0, -1), LABEL_BG),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return table


def _hazards(content: CardContent) -> Paragraph:
    if not content.hazards:
        return _p(gettext("尚未辨识危险因素"))
    parts = []
    for h in content.hazards:
        # Bulleted, not numbered: a JHA step carries its own number ("2. 进料：…").
        line = escape("● ")
        if h.step:
            line += f'<font color="#555555">{escape(h.step + "：")}</font>'
        line += escape(h.description)
        extras = []
        if h.level:
            extras.append(escape(h.level_name))
        if h.values:
            extras.append(escape(f"{h.method} {h.values}"))
        if extras:
            line += f' <font size="9.5" color="#555555">{escape("（")}{escape("；").join(extras)}{escape("）")}</font>'
        parts.append(line)
    return Paragraph("<br/>".join(parts), BODY)


def _consequences(content: CardContent) -> Paragraph:
    texts = ["、".join(content.consequences)] if content.consequences else []
    texts += [h.consequences for h in content.hazards if h.consequences]
    seen: list[str] = []
    for t in texts:
        if t and t not in seen:
            seen.append(t)
    return _p("；".join(seen) if seen else "—")


def _phones(content: CardContent, width: float) -> Table:
    cells = [_p(f"{p.name}：{p.phone}") for p in content.phones]
    per_row = 2
    rows = [cells[i : i + per_row] for i in range(0, len(cells), per_row)] or [[_p("—")]]
    for row in rows:
        row.extend([_p("")] * (per_row - len(row)))
    table = Table(rows, colWidths=[(width - 30 * mm - 12) / per_row] * per_row)
    table.setStyle(
        pdf_fonts.table_style([("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1)])
    )
    return table


def _footer(content: CardContent) -> Paragraph:
    updated = content.card.updated_at.date().isoformat() if content.card else ""
    text = gettext("以上内容来自企业风险分级管控清单，扫码可查看最新版本。")
    if updated:
        text += " " + gettext("本卡更新：%(date)s") % {"date": updated}
    return _p(text, SMALL)


def _build(
    pagesize: tuple[float, float], story: list[Flowable], title: str, margin: float = 12 * mm
) -> bytes:
    pdf_fonts.chain()  # registers the fonts (once per process)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=title,
        author="SafeGrid",
        initialFontName=FONT,  # not Helvetica: a PDF names no font it does not embed
    )
    doc.build(story)
    return buffer.getvalue()


MARGIN = 12 * mm


def _page_frame(pagesize: tuple[float, float], parts: list[Flowable]) -> KeepInFrame:
    # Shrink (never split) so a card stays a single page however much the enterprise wrote.
    width, height = pagesize[0] - 2 * MARGIN, pagesize[1] - 2 * MARGIN
    return KeepInFrame(width, height - 1, parts, mode="shrink")


def _post_parts(content: CardContent, qr: bytes | None) -> list[Flowable]:
    """岗位风险告知卡: one A4 page."""
    pagesize = A4
    width = pagesize[0] - 24 * mm
    values = [h for h in content.hazards if h.values]
    extra = [(gettext("风险评价"), "；".join(f"{h.method} {h.values}" for h in values[:2]))] if values else []
    sections: list[tuple[str, Flowable]] = [
        (gettext("危险因素"), _hazards(content)),
        (gettext("可能导致的后果"), _consequences(content)),
        (gettext("预防（管控）措施"), _lines(content.measures, gettext("尚未制定管控措施"))),
        (gettext("安全操作要点"), _lines(content.key_points)),
        (gettext("应急处置措施"), _lines(content.emergency_measures)),
        (gettext("应急电话"), _phones(content, width)),
    ]
    if content.responsible:
        sections.append((gettext("管控责任人"), _p("；".join(f"{t}：{p}" for t, p in content.responsible))))
    parts: list[Flowable] = [
        _header_band(content, width),
        Spacer(1, 4 * mm),
        _identity(content, qr, width, extra),
        Spacer(1, 4 * mm),
        _sections(sections, width),
        Spacer(1, 3 * mm),
        _footer(content),
    ]
    return parts


def _emergency_parts(content: CardContent, qr: bytes | None) -> list[Flowable]:
    """应急处置卡: the first minutes at a key post, one A4 page."""
    pagesize = A4
    width = pagesize[0] - 24 * mm
    extra = [(gettext("评审周期"), gettext("%(n)d 个月") % {"n": content.review_cycle_months})]
    sections: list[tuple[str, Flowable]] = [
        (gettext("启动条件"), _lines(content.start_conditions)),
        (gettext("处置步骤"), _lines(content.steps, gettext("尚未编写处置步骤"), numbered=True)),
        (gettext("终止条件"), _lines(content.stop_conditions)),
        (gettext("岗位职责"), _lines(content.duties)),
        (gettext("应急装备"), _lines(content.equipment)),
        (gettext("注意事项"), _lines(content.emergency_measures)),
        (gettext("联系人及电话"), _phones(content, width)),
    ]
    parts: list[Flowable] = [
        _header_band(content, width),
        Spacer(1, 4 * mm),
        _identity(content, qr, width, extra),
        Spacer(1, 4 * mm),
        _sections(sections, width),
        Spacer(1, 3 * mm),
        _footer(content),
    ]
    return parts


def _card_parts(content: CardContent, qr: bytes | None) -> list[Flowable]:
    if content.kind == CardKind.EMERGENCY:
        return _emergency_parts(content, qr)
    return _post_parts(content, qr)


def card_pdf(content: CardContent, qr: bytes | None) -> bytes:
    """One card on one A4 page."""
    return _build(
        A4, [_page_frame(A4, _card_parts(content, qr))], f"{content.title} {content.point.code}", MARGIN
    )


def cards_booklet_pdf(items: Sequence[tuple[CardContent, bytes | None]], title: str) -> bytes:
    """Several cards, one per A4 page, for printing every post of an enterprise at once."""
    story: list[Flowable] = []
    for content, qr in items:
        if story:
            story.append(PageBreak())
        story.append(_page_frame(A4, _card_parts(content, qr)))
    if not story:
        story.append(_p(gettext("暂无在用的风险点"), TITLE))
    return _build(A4, story, title, MARGIN)


TABLE_BODY = ParagraphStyle("tablebody", parent=BODY, fontSize=10.5, leading=14)
TABLE_CENTER = ParagraphStyle("tablecenter", parent=TABLE_BODY, alignment=TA_CENTER)


def _counts_table(counts: Sequence[LevelCount], width: float) -> Table:
    cells = []
    for c in counts:
        fg = _text_colour(c.level)
        cells.append([_p(c.name, CENTER, fg), _p(str(c.count), LEVEL_BIG, fg)])
    table = Table([cells], colWidths=[width / len(counts)] * len(counts))
    style = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ("INNERGRID", (0, 0), (-1, -1), 2, colors.white),
    ]
    for i, c in enumerate(counts):
        style.append(("BACKGROUND", (i, 0), (i, 0), _fill(c.level)))
    table.setStyle(pdf_fonts.table_style(style))
    return table


def notice_board_pdf(
    enterprise_name: str, rows: Sequence[NoticeRow], counts: Sequence[LevelCount], today: dt.date
) -> bytes:
    """风险公告栏: a four-colour table of the enterprise's active risk points (A4 landscape)."""
    pagesize = landscape(A4)
    width = pagesize[0] - 24 * mm
    head = [gettext("序号"), gettext("风险点编号"), gettext("风险点名称"), gettext("位置"), gettext("风险等级"), gettext("主要危险因素"),
            gettext("管控层级"), gettext("责任人")]  # fmt: skip
    widths = [12 * mm, 30 * mm, 42 * mm, 36 * mm, 24 * mm, None, 20 * mm, 22 * mm]
    fixed = sum(w for w in widths if w is not None)
    col_widths = [w if w is not None else width - fixed for w in widths]
    data: list[list[Any]] = [[_p(h, TABLE_CENTER) for h in head]]
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.6, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), LABEL_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    for i, row in enumerate(rows, start=1):
        fg = _text_colour(row.level)
        data.append(
            [
                _p(str(i), TABLE_CENTER),
                _p(row.point.code, TABLE_BODY),
                _p(row.point.name, TABLE_BODY),
                _p(row.point.location or "—", TABLE_BODY),
                _p(row.level_name, TABLE_CENTER, fg),
                _p("；".join(row.hazards) or "—", TABLE_BODY),
                _p(row.tier or "—", TABLE_CENTER),
                _p(row.person or gettext("未指定"), TABLE_CENTER),
            ]
        )
        style.append(("BACKGROUND", (4, i), (4, i), _fill(row.level)))
    if not rows:
        data.append([_p(gettext("暂无在用的风险点"), CENTER)] + [""] * (len(head) - 1))
        style.append(("SPAN", (0, 1), (-1, 1)))
    table = LongTable(data, colWidths=col_widths, repeatRows=1)
    table.setStyle(pdf_fonts.table_style(style))
    title = gettext("风险公告栏")
    story: list[Flowable] = [
        _p(f"{title}　{enterprise_name}", TITLE),
        Spacer(1, 2 * mm),
        _p(
            gettext("公布日期：%(date)s　风险点共 %(n)d 个") % {"date": today.isoformat(), "n": len(rows)},
            SUBTITLE,
        ),
        Spacer(1, 3 * mm),
        _counts_table(counts, width),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 3 * mm),
        _p(
            gettext("红色：重大风险　橙色：较大风险　黄色：一般风险　蓝色：低风险。发现异常请立即报告。"),
            SMALL,
        ),
    ]
    return _build(pagesize, story, f"{title} {enterprise_name}")
