"""The 一企一册 book as a PDF, rendered from a filing's frozen snapshot (never from live rows), so the
book always shows exactly what was compiled, fingerprinted and signed.

ReportLab platypus in the embedded TrueType fonts of `core.pdf_fonts` (subsets, with a fallback per
character, so m³, ℃ and ① print on any reader): an A4 cover,
contents, a four-colour summary (table + bar chart), one section per risk point (hazard factors with
their assessment, control measures, responsibility by tier) and the signature block. Every table
cell is a Paragraph with CJK word wrap so long Chinese text wraps instead of overflowing.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)
from reportlab.platypus.tableofcontents import TableOfContents

from safegrid.core import pdf_fonts

from ..rules import levels, methods

FONT = pdf_fonts.NAMES[0]  # registered by pdf_fonts.chain() before each rendering
TITLE = "安全风险分级管控清单（一企一册）"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

GRID = colors.HexColor("#9aa0ac")
HEADER_FILL = colors.HexColor("#e9ecef")


def _style(name: str, size: float, leading: float | None = None, **extra: Any) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=FONT, fontSize=size, leading=leading or size * 1.35, wordWrap="CJK", **extra
    )


STYLES = {
    "cover_title": _style("cover_title", 24, 34, alignment=TA_CENTER),
    "cover_name": _style("cover_name", 18, 26, alignment=TA_CENTER),
    "cover_line": _style("cover_line", 12, 20, alignment=TA_CENTER),
    "h1": _style("h1", 15, 22, spaceBefore=4, spaceAfter=8),
    "h2": _style("h2", 11.5, 16, spaceBefore=8, spaceAfter=4),
    "body": _style("body", 9.5, 14),
    "note": _style("note", 8, 11, textColor=colors.HexColor("#495057")),
    "cell": _style("cell", 7.6, 10),
    "cell_head": _style("cell_head", 7.6, 10, alignment=TA_CENTER),
    "cell_center": _style("cell_center", 7.6, 10, alignment=TA_CENTER),
    "toc1": _style("toc1", 10.5, 16),
    "toc2": _style("toc2", 9, 13, leftIndent=14),
}


def _text(value: Any) -> str:
    """Plain text for a Paragraph: escaped markup, newlines kept, empty as an em dash."""
    if value is None or value == "":
        return "—"
    return pdf_fonts.markup(str(value))


def _p(value: Any, style: str = "cell", empty: str = "—") -> Paragraph:
    if value is None or value == "":
        return Paragraph(_text(empty) if empty else "", STYLES[style])
    return Paragraph(_text(value), STYLES[style])


@dataclass(frozen=True)
class BookInfo:
    """What the book says about its own filing (the snapshot says what the register holds)."""

    version: int
    compiled_at: str  # already formatted local time
    status_label: str
    fingerprint: str
    signer_name: str = ""
    signed_at: str = ""
    departments: Sequence[str] = field(default_factory=tuple)
    filed_at: str = ""


class _Heading(Paragraph):
    """A paragraph that enters the contents at `toc_level` (see _BookTemplate.afterFlowable)."""

    def __init__(self, text: str, style: ParagraphStyle, toc_level: int, toc_text: str, key: str) -> None:
        super().__init__(text, style)
        self.toc_level = toc_level
        self.toc_text = toc_text
        self.toc_key = key


class _TocMark(Flowable):
    """An invisible mark that enters the contents (for sections whose visible title is a table)."""

    def __init__(self, toc_level: int, toc_text: str, key: str) -> None:
        super().__init__()
        self.toc_level = toc_level
        self.toc_text = toc_text
        self.toc_key = key
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        return None


class _BookTemplate(BaseDocTemplate):
    def __init__(self, buffer: io.BytesIO, footer: str, title: str, author: str) -> None:
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN + 4 * mm,
            title=title,
            author=author,
            subject=TITLE,
            creator="SafeGrid",
            initialFontName=FONT,  # not Helvetica: a PDF names no font it does not embed
        )
        self.footer = footer
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._decorate)])

    def _decorate(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFillColor(colors.HexColor("#6c757d"))
        pdf_fonts.draw_string(canvas, MARGIN, MARGIN - 2 * mm, self.footer, 7.5)
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, _Heading | _TocMark):
            self.canv.bookmarkPage(flowable.toc_key)
            self.canv.addOutlineEntry(flowable.toc_text, flowable.toc_key, level=flowable.toc_level)
            entry = (flowable.toc_level, pdf_fonts.markup(flowable.toc_text), self.page, flowable.toc_key)
            self.notify("TOCEntry", entry)


class _NumberedCanvas(Canvas):
    """Writes "第 n 页 / 共 N 页" once the total is known (pages are buffered until save)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFillColor(colors.HexColor("#495057"))
            text = f"第 {self._pageNumber} 页 / 共 {total} 页"
            pdf_fonts.draw_string(self, PAGE_WIDTH - MARGIN, MARGIN - 2 * mm, text, 8, right=True)
            super().showPage()
        super().save()


def _grid_table(
    rows: list[list[Any]], widths: Sequence[float], header_rows: int = 1, extra: Sequence[Any] = ()
) -> Table:
    table = Table(rows, colWidths=list(widths), repeatRows=header_rows)
    table.setStyle(
        pdf_fonts.table_style(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_FILL),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                *extra,
            ]
        )
    )
    return table


def _fill(level: int | None) -> colors.Color:
    """The level's colour from the one level table (grey when not graded)."""
    return colors.HexColor(levels.look(level).hex)


def _level_cell(level: int | None, style: str = "cell_center") -> Paragraph:
    """A level as words in the ink that reads on its colour (the cell background is the colour)."""
    if not level:
        return _p("未评价", style)
    return Paragraph(
        f'<font color="{levels.look(level).text_hex}">{_text(methods.LEVEL_NAMES[level])}</font>',
        STYLES[style],
    )


def _level_name(level: int | None) -> str:
    if not level:
        return "未评价"
    return f"{methods.LEVEL_NAMES[level]}（{levels.look(level).colour_word}）"


# ---- the parts of the book -----------------------------------------------------------------------


def _cover(ent: Mapping[str, Any], info: BookInfo) -> list[Flowable]:
    rows = [
        ["统一社会信用代码", ent.get("uscc", "")],
        ["所属区划", ent.get("division_name", "")],
        ["行业领域", "、".join(ent.get("sectors", []))],
        ["地址", ent.get("address", "")],
        ["法定代表人", ent.get("legal_rep", "")],
        ["主要负责人", ent.get("principal", "")],
        ["版本", f"第 {info.version} 版"],
        ["编制日期", info.compiled_at],
        ["生成时状态", info.status_label],
    ]
    table = _grid_table(
        [[_p(k, "body"), _p(v, "body")] for k, v in rows],
        [42 * mm, 98 * mm],
        header_rows=0,
        extra=[("BACKGROUND", (0, 0), (0, -1), HEADER_FILL), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
    )
    table.hAlign = "CENTER"
    return [
        Spacer(1, 40 * mm),
        Paragraph(_text(ent.get("name", "")), STYLES["cover_name"]),
        Spacer(1, 8 * mm),
        Paragraph(_text(TITLE), STYLES["cover_title"]),
        Spacer(1, 22 * mm),
        table,
        Spacer(1, 30 * mm),
        Paragraph(_text(f"内容摘要（SHA-256）：{info.fingerprint}"), STYLES["note"]),
        Paragraph(
            _text(
                "本册由系统依据企业录入的风险点、危险源、风险评价、管控措施和管控责任自动生成；"
                "内容摘要用于核对册子与备案时的清单一致。下载时系统在封面和末页加注当前备案状态。"
            ),
            STYLES["note"],
        ),
        PageBreak(),
    ]


SECTION_SUMMARY = "一、风险四色分级统计"
SECTION_POINTS = "二、风险点清单"
SECTION_SIGNATURE = "三、签署与备案"


def _point_title(number: int, point: Mapping[str, Any]) -> str:
    return f"{number}. {point.get('code', '')}　{point.get('name', '')}"


def _point_toc_text(number: int, point: Mapping[str, Any]) -> str:
    return f"{_point_title(number, point)}　{_level_name(point.get('level'))}"


def _contents(points: Sequence[Mapping[str, Any]]) -> list[Flowable]:
    """The contents, primed with every entry (page numbers unknown yet).

    ReportLab fills the page numbers on a later pass; priming the entries gives the contents its final
    height on the first pass, so the build settles in two passes instead of three.
    """
    toc = TableOfContents(
        tableStyle=pdf_fonts.table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    toc.levelStyles = [STYLES["toc1"], STYLES["toc2"]]
    toc.dotsMinLevel = 0
    entries = [(0, _text(SECTION_SUMMARY), 0, "summary"), (0, _text(SECTION_POINTS), 0, "points")]
    entries += [(1, _text(_point_toc_text(n, p)), 0, f"point-{n}") for n, p in enumerate(points, start=1)]
    entries.append((0, _text(SECTION_SIGNATURE), 0, "signature"))
    toc._entries = entries  # moved to _lastEntries (what is drawn) by beforeBuild()
    return [Paragraph(_text("目　录"), STYLES["h1"]), toc, PageBreak()]


def _bar_chart(counts: Mapping[int, int]) -> Drawing:
    width, height = CONTENT_WIDTH, 62 * mm
    drawing = Drawing(width, height)
    drawing.initialFontName = FONT  # the renderer's starting font, else Helvetica (named, not embedded)
    chart = VerticalBarChart()
    chart.x, chart.y = 18 * mm, 12 * mm
    chart.width, chart.height = width - 30 * mm, height - 22 * mm
    values = [counts.get(level, 0) for level in methods.LEVELS]
    chart.data = [values]
    chart.categoryAxis.categoryNames = [methods.LEVEL_NAMES[level] for level in methods.LEVELS]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 9
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    top = max(values) if any(values) else 1
    chart.valueAxis.valueMax = top + max(1, top // 5)
    chart.valueAxis.valueStep = max(1, (top + 4) // 5)
    chart.barWidth = 10
    chart.groupSpacing = 18
    chart.bars.strokeColor = None
    for index, level in enumerate(methods.LEVELS):
        chart.bars[(0, index)].fillColor = _fill(level)
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 9
    chart.barLabels.nudge = 6
    drawing.add(chart)
    drawing.add(String(2 * mm, height - 6 * mm, "风险点数量（个）", fontName=FONT, fontSize=8))
    return drawing


def _summary(snapshot: Mapping[str, Any]) -> list[Flowable]:
    summary = snapshot.get("summary", {})
    counts = {level: int(summary.get("levels", {}).get(str(level), 0)) for level in methods.LEVELS}
    total = sum(counts.values())
    header = [_p(h, "cell_head") for h in ("风险等级", "颜色", "风险点数", "占比", "管控层级要求")]
    rows: list[list[Any]] = [header]
    for level in methods.LEVELS:
        share = f"{counts[level] * 100 / total:.1f}%" if total else "—"
        tiers = "、".join(methods.TIER_NAMES[t] for t in methods.REQUIRED_TIERS[level])
        rows.append(
            [
                _level_cell(level),
                _p(levels.look(level).colour_word, "cell_center"),
                _p(counts[level], "cell_center"),
                _p(share, "cell_center"),
                _p(tiers),
            ]
        )
    rows.append(
        [
            _p("合计", "cell_center"),
            _p(""),
            _p(total, "cell_center"),
            _p("100%" if total else "—", "cell_center"),
            _p(""),
        ]
    )
    colour_cells = [
        ("BACKGROUND", (0, i + 1), (0, i + 1), _fill(level)) for i, level in enumerate(methods.LEVELS)
    ]
    table = _grid_table(
        rows, [30 * mm, 18 * mm, 24 * mm, 24 * mm, CONTENT_WIDTH - 96 * mm], extra=colour_cells
    )
    facts = (
        f"在用风险点 {summary.get('points', 0)} 个，危险源 {summary.get('factors', 0)} 项，"
        f"管控措施 {summary.get('measures', 0)} 项，管控责任 {summary.get('tiers', 0)} 项。"
        f"风险等级依 {methods.STANDARD} 评定（1 级最高）。"
    )
    return [
        _Heading(_text(SECTION_SUMMARY), STYLES["h1"], 0, SECTION_SUMMARY, "summary"),
        Paragraph(_text(facts), STYLES["body"]),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 6 * mm),
        _bar_chart(counts),
        PageBreak(),
    ]


def _inputs_text(assessment: Mapping[str, Any] | None) -> str:
    if not assessment:
        return "未评价"
    inputs = assessment.get("inputs", {})
    order = {"LEC": ("L", "E", "C"), "LS": ("L", "S"), "MES": ("M", "E", "S")}.get(
        assessment.get("method", ""), ()
    )
    parts = [f"{k}={inputs[k]}" for k in order if k in inputs]
    kind = "（剩余风险）" if assessment.get("kind") == "residual" else ""
    return f"{assessment.get('method', '')}{kind}\n" + " ".join(parts)


def _factor_table(point: Mapping[str, Any]) -> Table:
    heads = (
        "序号",
        "步骤/检查项目",
        "危险源或潜在事件",
        "类别",
        "事故类型",
        "可能后果",
        "现有管控措施",
        "取值",
        "风险值",
        "等级",
    )
    widths = [8 * mm, 18 * mm, 30 * mm, 12 * mm, 17 * mm, 20 * mm, 26 * mm, 17 * mm, 12 * mm]
    widths.append(CONTENT_WIDTH - sum(widths))
    rows: list[list[Any]] = [[_p(h, "cell_head") for h in heads]]
    extra: list[Any] = []
    for index, factor in enumerate(point.get("factors", []), start=1):
        assessment = factor.get("assessment")
        step = factor.get("step_name", "")
        if factor.get("step_no"):
            step = f"{factor['step_no']}. {step}"
        level = assessment.get("level") if assessment else None
        rows.append(
            [
                _p(index, "cell_center"),
                _p(step),
                _p(factor.get("description")),
                _p(factor.get("category_label")),
                _p("、".join(factor.get("accident_type_labels", []))),
                _p(factor.get("consequences")),
                _p(factor.get("existing_controls")),
                _p(_inputs_text(assessment)),
                _p(assessment.get("score") if assessment else "", "cell_center"),
                _level_cell(level),
            ]
        )
        if level:
            row = len(rows) - 1
            extra.append(("BACKGROUND", (-1, row), (-1, row), _fill(level)))
    if len(rows) == 1:
        rows.append([_p("无危险源", "cell_center")] + [""] * (len(heads) - 1))
        extra.append(("SPAN", (0, 1), (-1, 1)))
    return _grid_table(rows, widths, extra=extra)


def _measure_table(point: Mapping[str, Any]) -> Table:
    heads = ("序号", "措施类别", "管控方式", "管控措施", "排查内容", "排查周期", "责任岗位")
    widths = [8 * mm, 17 * mm, 22 * mm, 45 * mm, 40 * mm, 16 * mm]
    widths.append(CONTENT_WIDTH - sum(widths))
    rows: list[list[Any]] = [[_p(h, "cell_head") for h in heads]]
    extra: list[Any] = []
    for index, measure in enumerate(point.get("measures", []), start=1):
        method = " / ".join(
            x
            for x in (
                measure.get("classify1_label"),
                measure.get("classify2_label"),
                measure.get("classify3"),
            )
            if x
        )
        rows.append(
            [
                _p(index, "cell_center"),
                _p(measure.get("kind_label")),
                _p(method),
                _p(measure.get("description")),
                _p(measure.get("check_content")),
                _p(f"每 {measure.get('check_cycle')} {measure.get('check_cycle_unit')}", "cell_center"),
                _p(measure.get("responsible_post")),
            ]
        )
    if len(rows) == 1:
        rows.append([_p("尚未制定管控措施", "cell_center")] + [""] * (len(heads) - 1))
        extra.append(("SPAN", (0, 1), (-1, 1)))
    return _grid_table(rows, widths, extra=extra)


def _tier_table(point: Mapping[str, Any]) -> Table:
    heads = ("管控层级", "责任单位", "责任人", "职务", "联系电话")
    widths = [24 * mm, 50 * mm, 30 * mm, 34 * mm]
    widths.append(CONTENT_WIDTH - sum(widths))
    rows: list[list[Any]] = [[_p(h, "cell_head") for h in heads]]
    extra: list[Any] = []
    for tier in point.get("tiers", []):
        rows.append(
            [
                _p(tier.get("tier_label"), "cell_center"),
                _p(tier.get("org_unit")),
                _p(tier.get("person")),
                _p(tier.get("job_title")),
                _p(tier.get("phone")),
            ]
        )
    if len(rows) == 1:
        rows.append([_p("尚未落实管控责任", "cell_center")] + [""] * (len(heads) - 1))
        extra.append(("SPAN", (0, 1), (-1, 1)))
    return _grid_table(rows, widths, extra=extra)


def _point_section(number: int, point: Mapping[str, Any]) -> list[Flowable]:
    level = point.get("level")
    title = _point_title(number, point)
    fill = _fill(level)
    ink_hex = levels.look(level).text_hex
    header = Table(
        [
            [
                Paragraph(f'<font color="{ink_hex}">{_text(title)}</font>', _style("ph", 11.5, 15)),
                Paragraph(
                    f'<font color="{ink_hex}">{_text(_level_name(level))}</font>',
                    _style("pl", 11, 15, alignment=2),
                ),
            ]
        ],
        colWidths=[CONTENT_WIDTH - 42 * mm, 42 * mm],
    )
    header.setStyle(
        pdf_fonts.table_style(
            [
                ("BACKGROUND", (0, 0), (-1, -1), fill),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    facts = [
        ("风险点类型", point.get("type_label")),
        ("所属车间/部门", point.get("org_unit")),
        ("位置", point.get("location")),
        ("定级依据", point.get("level_method_version")),
        ("应落实管控层级", "、".join(point.get("required_tier_labels", []))),
    ]
    fact_rows = [
        [_p(k), _p(v), _p(k2), _p(v2)] for (k, v), (k2, v2) in zip(facts[0::2], facts[1::2], strict=False)
    ]
    if len(facts) % 2:
        fact_rows.append([_p(facts[-1][0]), _p(facts[-1][1]), _p("", empty=""), _p("", empty="")])
    fact_table = _grid_table(
        fact_rows,
        [24 * mm, CONTENT_WIDTH / 2 - 24 * mm, 24 * mm, CONTENT_WIDTH / 2 - 24 * mm],
        header_rows=0,
        extra=[("BACKGROUND", (0, 0), (0, -1), HEADER_FILL), ("BACKGROUND", (2, 0), (2, -1), HEADER_FILL)],
    )
    mark = _TocMark(1, _point_toc_text(number, point), f"point-{number}")
    parts: list[Flowable] = [
        CondPageBreak(70 * mm),
        KeepTogether([mark, header, Spacer(1, 2 * mm), fact_table]),
    ]
    if point.get("description"):
        parts.append(Paragraph(_text(point["description"]), STYLES["note"]))
    parts += [
        Paragraph(_text("危险源辨识与风险评价"), STYLES["h2"]),
        _factor_table(point),
        Paragraph(_text("管控措施清单"), STYLES["h2"]),
        _measure_table(point),
        Paragraph(_text("管控责任清单"), STYLES["h2"]),
        _tier_table(point),
        Spacer(1, 6 * mm),
    ]
    return parts


def _signature(ent: Mapping[str, Any], info: BookInfo) -> list[Flowable]:
    signed = bool(info.signer_name)
    rows = [
        [
            _p("法定代表人/主要负责人（签字）", "body"),
            _p(info.signer_name if signed else "（未签署）", "body"),
            Paragraph(f'<font color="#d63939">{_text("盖章处")}</font>', STYLES["cell_center"]),
        ],
        [_p("签署时间", "body"), _p(info.signed_at if signed else "—", "body"), ""],
        [
            _p("备案部门", "body"),
            _p("、".join(info.departments) if info.departments else "（尚未报送）", "body"),
            "",
        ],
        [_p("报送时间", "body"), _p(info.filed_at or "—", "body"), ""],
    ]
    table = Table(rows, colWidths=[50 * mm, CONTENT_WIDTH - 100 * mm, 50 * mm], rowHeights=[14 * mm] * 4)
    table.setStyle(
        pdf_fonts.table_style(
            [
                ("GRID", (0, 0), (1, -1), 0.4, GRID),
                ("BOX", (2, 0), (2, -1), 0.8, colors.HexColor("#d63939")),
                ("SPAN", (2, 0), (2, -1)),
                ("VALIGN", (0, 0), (1, -1), "MIDDLE"),
                ("VALIGN", (2, 0), (2, -1), "BOTTOM"),
                ("BACKGROUND", (0, 0), (0, -1), HEADER_FILL),
            ]
        )
    )
    statement = (
        f"本企业（{ent.get('name', '')}）对本册所列安全风险分级管控清单的真实性、完整性负责，"
        "并按清单落实各级管控责任和管控措施。"
    )
    return [
        CondPageBreak(90 * mm),
        _Heading(_text(SECTION_SIGNATURE), STYLES["h1"], 0, SECTION_SIGNATURE, "signature"),
        Paragraph(_text(statement), STYLES["body"]),
        Spacer(1, 5 * mm),
        table,
        Spacer(1, 4 * mm),
        Paragraph(
            _text(
                f"本册版本：第 {info.version} 版；生成时状态：{info.status_label}；内容摘要：{info.fingerprint}"
            ),
            STYLES["note"],
        ),
    ]


def render_register_pdf(snapshot: Mapping[str, Any], info: BookInfo) -> bytes:
    """The whole book as PDF bytes."""
    pdf_fonts.chain()  # registers the fonts (once per process)
    ent = snapshot.get("enterprise", {})
    buffer = io.BytesIO()
    footer = f"{ent.get('name', '')}　{TITLE}　第 {info.version} 版"
    doc = _BookTemplate(
        buffer, footer=footer, title=f"{ent.get('name', '')} {TITLE}", author=str(ent.get("name", ""))
    )
    story: list[Flowable] = []
    story += _cover(ent, info)
    points = snapshot.get("points", [])
    story += _contents(points)
    story += _summary(snapshot)
    story.append(_Heading(_text(SECTION_POINTS), STYLES["h1"], 0, SECTION_POINTS, "points"))
    for number, point in enumerate(points, start=1):
        story += _point_section(number, point)
    story += _signature(ent, info)
    doc.multiBuild(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()
