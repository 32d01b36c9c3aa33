"""A self-report as a printable PDF (A4), from its stored figures, in the embedded fonts of `core.pdf_fonts`.

Small enough to render in the request (one or two pages): the heading, the enterprise and period, the
hazard table by level, the inspections, the major hazards and listed supervision, the statement and the
signature block with the report's state.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from safegrid.core import pdf_fonts

from ..models_selfreport import HazardSelfReport

MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
GRID = colors.HexColor("#9aa0ac")
HEAD = colors.HexColor("#e9ecef")


def _style(name: str, size: float, **extra: Any) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=pdf_fonts.primary(), fontSize=size, leading=size * 1.4, wordWrap="CJK", **extra
    )


def _p(value: Any, style: ParagraphStyle) -> Paragraph:
    text = "—" if value is None or value == "" else str(value)
    return Paragraph(pdf_fonts.markup(text), style)


def _table(rows: Sequence[Sequence[Any]], widths: Sequence[float], cell: ParagraphStyle) -> Table:
    data = [[_p(v, cell) for v in row] for row in rows]
    table = Table(data, colWidths=list(widths), repeatRows=1)
    table.setStyle(
        pdf_fonts.table_style(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), HEAD),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _rate(value: Any) -> str:
    return "—" if value in (None, "") else f"{value}%"


def _hazard_rows(h: Mapping[str, Mapping[str, Any]]) -> list[list[Any]]:
    head = [
        "隐患等级",
        "排查发现",
        "已销号",
        "其中按期",
        "逾期销号",
        "未销号",
        "逾期未改",
        "整改率",
        "平均整改天数",
    ]
    rows: list[list[Any]] = [head]
    for key, label in (("general", "一般隐患"), ("major", "重大隐患"), ("total", "合计")):
        b = h.get(key, {})
        rows.append(
            [
                label,
                b.get("found", 0),
                b.get("closed", 0),
                b.get("closed_on_time", 0) + b.get("closed_on_spot", 0),
                b.get("closed_late", 0),
                b.get("open", 0),
                b.get("overdue", 0),
                _rate(b.get("rectification_rate")),
                b.get("average_days") or "—",
            ]
        )
    return rows


def _info(report: HazardSelfReport, cell: ParagraphStyle) -> Table:
    rows = [
        ["企业名称", report.enterprise.name, "统一社会信用代码", report.enterprise.uscc],
        [
            "统计期间",
            f"{report.period_start:%Y-%m-%d} 至 {report.period_end:%Y-%m-%d}",
            "报送截止日",
            f"{report.due_date:%Y-%m-%d}",
        ],
        [
            "数据生成时间",
            f"{timezone.localtime(report.figures_at):%Y-%m-%d %H:%M}",
            "统计口径",
            report.method_version,
        ],
    ]
    table = Table(
        [[_p(v, cell) for v in row] for row in rows], colWidths=[WIDTH * w for w in (0.16, 0.34, 0.2, 0.3)]
    )
    table.setStyle(
        pdf_fonts.table_style(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("BACKGROUND", (0, 0), (0, -1), HEAD),
                ("BACKGROUND", (2, 0), (2, -1), HEAD),
            ]
        )
    )
    return table


def render_self_report_pdf(report: HazardSelfReport) -> bytes:
    pdf_fonts.chain()
    title = _style("title", 16, alignment=TA_CENTER, spaceAfter=6)
    h2 = _style("h2", 11, spaceBefore=8, spaceAfter=4)
    body = _style("body", 9.5)
    cell = _style("cell", 8.5)
    f: Mapping[str, Any] = report.figures or {}
    story: list[Any] = [
        _p(f"生产安全事故隐患排查治理情况自查自报（{report.period.label}）", title),
        _info(report, cell),
        _p("一、隐患排查治理情况", h2),
        _table(_hazard_rows(f.get("hazards", {})), [22 * mm] + [(WIDTH - 22 * mm) / 8] * 8, cell),
    ]
    open_now = f.get("open_now", {})
    story.append(Spacer(1, 3))
    story.append(
        _p(
            f"截至数据生成日：未销号一般隐患 {open_now.get('general', 0)} 项，重大隐患 {open_now.get('major', 0)} 项，"
            f"其中超过整改期限 {open_now.get('overdue', 0)} 项。",
            body,
        )
    )
    i = f.get("inspections", {})
    story += [
        _p("二、排查任务完成情况", h2),
        _table(
            [
                ["应检次数", "按时完成", "超时完成", "漏检", "停用检修暂停", "按时排查率"],
                [
                    i.get("due", 0),
                    i.get("on_time", 0),
                    i.get("late", 0),
                    i.get("missed", 0),
                    i.get("suspended", 0),
                    _rate(i.get("on_time_rate")),
                ],
            ],
            [WIDTH / 6] * 6,
            cell,
        ),
        _p("三、重大事故隐患及挂牌督办", h2),
    ]
    majors = f.get("major_hazards", [])
    if majors:
        rows = [["隐患名称", "登记日期", "整改期限", "状态", "销号日期", "挂牌督办文号"]]
        rows += [
            [m["title"], m["reported_on"], m["deadline"], m["status_label"], m["closed_on"], m["listed"]]
            for m in majors
        ]
        story.append(_table(rows, [WIDTH * 0.3] + [WIDTH * 0.14] * 5, cell))
    else:
        story.append(_p("本期无重大事故隐患。", body))
    sup = f.get("supervision", [])
    if sup:
        rows = [["督办文号", "督办单位", "隐患", "挂牌日期", "要求完成", "解除督办"]]
        rows += [
            [
                s["document_number"],
                f"{s['level_label']} {s['authority']}",
                s["hazard"],
                s["listed_on"],
                s["planned_completion"],
                s["signed_off_on"],
            ]
            for s in sup
        ]
        story += [Spacer(1, 4), _table(rows, [WIDTH / 6] * 6, cell)]
    story += [_p("四、自查情况说明", h2), _p(report.statement, body), _p("五、签署", h2)]
    signed = (
        f"{report.signer_name}　{timezone.localtime(report.signed_at):%Y-%m-%d %H:%M}"
        if report.signed_at
        else "未签署"
    )
    state = report.get_status_display()
    if report.reviewed_at:
        state += f"（{timezone.localtime(report.reviewed_at):%Y-%m-%d %H:%M}）"
    story.append(_p(f"主要负责人签署：{signed}　　状态：{state}", body))
    if report.days_late:
        story.append(_p(f"首次报送逾期 {report.days_late} 天。", body))
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{report.enterprise.name} {report.period.label} 自查自报",
    ).build(story)
    return out.getvalue()
