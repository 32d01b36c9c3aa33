"""The current state stamped on a downloaded 一企一册 book: a seal on the cover and a status page at the end.

The stored book is the one rendered when it was compiled, signed or filed (its text, fingerprint and
signature block never change afterwards). Accepting or returning a filing, a later change to the register
(the book is outdated) or a newer version (superseded) happen after that, so the download adds them: the
cover gets a coloured seal saying the state, by whom and when, and a last page lists the whole record
(filed with, reviewer, comment, the change counter, when the copy was downloaded). Both are drawn in the
embedded fonts of `core.pdf_fonts` and merged into the stored PDF with pypdf; bookmarks are kept.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from pypdf import PdfReader, PdfWriter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from safegrid.core import pdf_fonts

from ..choices import FilingStatus
from ..models.filing import RiskRegisterFiling
from ..rules import filing as filing_rules

FONT = pdf_fonts.NAMES[0]
TIME_FORMAT = "%Y-%m-%d %H:%M"
OUTDATED = "outdated"

# Seal colours: green accepted, red returned, orange outdated, grey superseded, blue waiting.
INK = {
    FilingStatus.ACCEPTED: "#2f9e44",
    FilingStatus.RETURNED: "#d63939",
    OUTDATED: "#f76707",
    FilingStatus.SUPERSEDED: "#6c757d",
    FilingStatus.FILED: "#206bc4",
    FilingStatus.SIGNED: "#206bc4",
    FilingStatus.COMPILED: "#206bc4",
}


@dataclass(frozen=True)
class BookStamp:
    state: str  # a FilingStatus value, or "outdated"
    title: str  # "已接收", "已退回", "已过期"…
    seal_lines: tuple[str, ...]  # the cover seal under the title: who and when
    rows: tuple[tuple[str, str], ...]  # the status page: label, value
    printed_at: str

    @property
    def ink(self) -> str:
        return INK.get(self.state, "#206bc4")


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime(TIME_FORMAT) if value else ""


def _person(user: object | None) -> str:
    return str(user) if user is not None else ""


def stamp_for_filing(
    filing: RiskRegisterFiling,
    *,
    current_revision: int,
    departments: Sequence[str],
    now: dt.datetime,
) -> BookStamp:
    """What the downloaded book must say about itself now (Chinese: it is a filed document)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _stamp(filing, current_revision, departments, now)


def _stamp(
    filing: RiskRegisterFiling, current_revision: int, departments: Sequence[str], now: dt.datetime
) -> BookStamp:
    status = FilingStatus(filing.status)
    reviewer = _person(filing.reviewed_by)
    reviewed = _when(filing.reviewed_at)
    outdated = status not in (FilingStatus.SUPERSEDED, FilingStatus.RETURNED) and filing_rules.is_outdated(
        filing.register_revision, current_revision
    )
    state = OUTDATED if outdated else status.value
    title = "已过期" if outdated else str(status.label)
    rows: list[tuple[str, str]] = [
        ("当前状态", title),
        ("版本", f"第 {filing.version} 版"),
        ("编制时间", _when(filing.compiled_at)),
        ("签署", "　".join(x for x in (filing.signer_name, _when(filing.signed_at)) if x) or "未签署"),
        ("报送", _when(filing.filed_at) or "未报送"),
        ("备案部门", "、".join(departments) or "—"),
    ]
    seal: list[str] = []
    if status in (FilingStatus.ACCEPTED, FilingStatus.RETURNED):
        action = "接收" if status == FilingStatus.ACCEPTED else "退回"
        rows.append((f"{action}人", reviewer or "—"))
        rows.append((f"{action}时间", reviewed or "—"))
        if filing.review_comment:
            rows.append(("审核意见", filing.review_comment))
        seal.append(f"{action}：{reviewer}　{reviewed}")
        if status == FilingStatus.RETURNED:
            seal.append("须按审核意见修改后重新报送")
    elif status == FilingStatus.FILED:
        seal += [f"报送：{_when(filing.filed_at)}", "等待监管部门审核"]
    elif status == FilingStatus.SUPERSEDED:
        newer = filing.superseded_by
        if newer is not None:
            rows.append(("替代版本", f"第 {newer.version} 版"))
            seal.append(f"已由第 {newer.version} 版替代")
        seal.append("本版仅供查阅")
    else:
        seal.append("尚未报送监管部门")
    if outdated:
        rows.append(
            (
                "清单变更",
                f"本版编制时为清单第 {filing.register_revision} 次修改，现已为第 {current_revision} 次；"
                "本版内容已不是最新，应以企业重新编制报送的版本为准",
            )
        )
        seal = [f"原状态：{status.label}", *seal[:1], "清单已修改，应重新编制"]
    printed = now.strftime(TIME_FORMAT)
    rows.append(("下载时间", printed))
    rows.append(("内容摘要（SHA-256）", filing.fingerprint))
    return BookStamp(state, title, tuple(x for x in seal if x), tuple(rows), printed)


# ---- drawing -------------------------------------------------------------------------------------

SEAL_WIDTH = 70 * mm
SEAL_HEIGHT = 30 * mm


def _seal_pdf(stamp: BookStamp, page_width: float, page_height: float) -> bytes:
    """One transparent page holding the seal, placed in the cover's empty top margin (right side)."""
    pdf_fonts.chain()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(page_width, page_height), initialFontName=FONT)
    ink = colors.HexColor(stamp.ink)
    x = page_width - 16 * mm - SEAL_WIDTH
    y = page_height - 14 * mm - SEAL_HEIGHT
    canvas.setStrokeColor(ink)
    canvas.setFillColor(colors.white)
    canvas.setLineWidth(1.6)
    canvas.roundRect(x, y, SEAL_WIDTH, SEAL_HEIGHT, 3 * mm, stroke=1, fill=1)
    canvas.setFillColor(ink)
    pdf_fonts.draw_string(canvas, x + 5 * mm, y + SEAL_HEIGHT - 10 * mm, stamp.title, 17)
    canvas.setFillColor(colors.HexColor("#1d273b"))
    for n, line in enumerate(stamp.seal_lines[:3]):
        pdf_fonts.draw_string(canvas, x + 5 * mm, y + SEAL_HEIGHT - 16 * mm - n * 4.6 * mm, line, 8.5)
    canvas.setFillColor(colors.HexColor("#6c757d"))
    pdf_fonts.draw_string(
        canvas, x + SEAL_WIDTH - 3 * mm, y + 2 * mm, f"下载于 {stamp.printed_at}", 6.5, right=True
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _status_page_pdf(stamp: BookStamp, enterprise: str) -> bytes:
    pdf_fonts.chain()
    body = ParagraphStyle("stamp_body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
    head = ParagraphStyle("stamp_head", parent=body, fontSize=16, leading=24)
    note = ParagraphStyle(
        "stamp_note", parent=body, fontSize=8, leading=12, textColor=colors.HexColor("#495057")
    )
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        initialFontName=FONT,
    )
    width = A4[0] - 32 * mm
    cells = [
        [Paragraph(pdf_fonts.markup(k), body), Paragraph(pdf_fonts.markup(v), body)] for k, v in stamp.rows
    ]
    # the current state: white on the seal's colour
    cells[0][1] = Paragraph(f'<font color="#ffffff">{pdf_fonts.markup(stamp.rows[0][1])}</font>', body)
    table = Table(cells, colWidths=[40 * mm, width - 40 * mm])
    table.setStyle(
        pdf_fonts.table_style(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa0ac")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#e9ecef")),
                ("BACKGROUND", (1, 0), (1, 0), colors.HexColor(stamp.ink)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    title = pdf_fonts.markup(f"备案状态页　{stamp.title}")
    doc.build(
        [
            Paragraph(f'<font color="{stamp.ink}">{title}</font>', head),
            Paragraph(pdf_fonts.markup(enterprise), body),
            Spacer(1, 5 * mm),
            table,
            Spacer(1, 5 * mm),
            Paragraph(
                pdf_fonts.markup(
                    "本页及封面印记由系统在下载时依据备案记录生成，反映下载时的备案状态；"
                    "册子正文为编制时生成、经签署报送的原件，内容摘要与备案记录一致。"
                ),
                note,
            ),
        ]
    )
    return buffer.getvalue()


def stamp_book(book: bytes, stamp: BookStamp, enterprise: str) -> bytes:
    """The stored book with the seal on its cover and the status page appended."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(book)))
    cover = writer.pages[0]
    width, height = float(cover.mediabox.width), float(cover.mediabox.height)
    cover.merge_page(PdfReader(io.BytesIO(_seal_pdf(stamp, width, height))).pages[0])
    writer.append(PdfReader(io.BytesIO(_status_page_pdf(stamp, enterprise))))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
