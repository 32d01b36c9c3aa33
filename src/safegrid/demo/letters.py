"""The demo's scanned documents: a written signing delegation (授权委托书) as a one-page PDF.

Real letters are scans of a signed and stamped page; the demo draws the same words with ReportLab's
built-in CJK font, so the delegation pages have a document to open.
"""

from __future__ import annotations

import datetime as dt
import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"


def delegation_letter(
    *, enterprise: str, delegator: str, delegate: str, valid_from: dt.date, valid_until: dt.date
) -> bytes:
    """授权委托书: `delegator` (the legal representative) authorises `delegate` to sign the register book."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    width, height = A4
    page.setTitle("授权委托书")
    page.setFont(FONT, 22)
    page.drawCentredString(width / 2, height - 120, "授权委托书")
    page.setFont(FONT, 13)
    lines = [
        f"委托人：{delegator}（{enterprise}法定代表人）",
        f"受托人：{delegate}",
        "",
        f"兹委托 {delegate} 代表本人签署本企业风险分级管控清单（一企一册），",
        "并报送监管部门备案。受托人在委托期限内签署的一企一册，本人予以认可。",
        "",
        f"委托期限：{valid_from:%Y年%m月%d日} 至 {valid_until:%Y年%m月%d日}",
        "",
        f"委托人（签字）：{delegator}",
        f"单位（盖章）：{enterprise}",
        f"日期：{valid_from:%Y年%m月%d日}",
    ]
    y = height - 190
    for line in lines:
        page.drawString(80, y, line)
        y -= 28
    page.showPage()
    page.save()
    return buffer.getvalue()
