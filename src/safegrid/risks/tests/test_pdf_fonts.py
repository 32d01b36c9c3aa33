"""No missing glyphs in any PDF, and every font embedded as a subset (an archived filing reads the same
on any reader).

Fallback fonts, missing fonts and what a PDF names; the demo county's text is checked in
test_pdf_fonts_demo.py (these helpers are shared with it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from safegrid.core import pdf_fonts
from safegrid.enterprises.models import Enterprise
from safegrid.risks.documents import cards_pdf
from safegrid.risks.documents.filing_pdf import BookInfo, render_register_pdf
from safegrid.risks.models import CardKind
from safegrid.risks.selectors import cards as card_selectors
from safegrid.risks.selectors.points import with_register
from safegrid.risks.services import filing as filing_services

from . import pdf_inspect

pytestmark = pytest.mark.django_db

DEMO_ENTERPRISES = 60
SAMPLE = 4  # enterprises whose PDFs are rendered and read back
INFO = BookInfo(
    version=2,
    compiled_at="2026-03-01 09:30",
    status_label="已报送，待审核",
    fingerprint="0f" * 32,
    signer_name="张建国",
    signed_at="2026-03-02 10:00",
    departments=("桓台县应急管理局",),
    filed_at="2026-03-02 10:05",
)


def _strings(value: Any) -> Iterator[str]:
    """Every string inside nested data (dicts, lists, tuples, dataclasses)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name))


def _points(enterprise: Enterprise) -> list[Any]:
    return list(with_register(enterprise.risk_points.filter(active=True)).order_by("code", "id"))


def _documents(enterprise: Enterprise) -> dict[str, bytes]:
    """The PDFs a user downloads for one enterprise, built as the views and the book job build them."""
    points = _points(enterprise)
    snapshot = filing_services.build_snapshot(enterprise, points, 1)
    rows = card_selectors.notice_rows(points)
    cards = {
        kind: [(card_selectors.build_content(p, None, kind), None) for p in points]
        for kind in CardKind.values
    }
    return {
        "book": render_register_pdf(snapshot, INFO),
        "notice": cards_pdf.notice_board_pdf(
            enterprise.name, rows, card_selectors.level_counts(rows), dt_today()
        ),
        **{f"cards-{kind}": cards_pdf.cards_booklet_pdf(items, kind) for kind, items in cards.items()},
        "card": cards_pdf.card_pdf(cards[CardKind.POST][0][0], None),
    }


def dt_today() -> dt.date:
    return dt.date(2026, 3, 1)


def test_symbols_the_registers_use_have_a_drawn_glyph() -> None:
    chain = pdf_fonts.chain()
    for char in "m³≥≤①②⑩⑳±×°μ㎡·—…《》【】、。；：（）％":
        assert chain.font_for(char) == chain.primary, char
    # WenQuanYi Micro Hei maps ℃ to an empty glyph: it comes from a fallback that draws it.
    assert chain.font_for("℃") != chain.primary
    assert chain.missing("℃") == set()


def test_a_symbol_with_an_empty_glyph_in_the_primary_font_is_drawn_from_a_fallback(world) -> None:
    from .test_filing import complete_register

    point = complete_register(world)
    point.location = "反应釜旁，温度 ≥ 120 ℃ 报警"
    point.save(update_fields=["location"])
    rows = card_selectors.notice_rows(_points(world.ent_a))
    pdf = cards_pdf.notice_board_pdf("甲企业", rows, card_selectors.level_counts(rows), dt_today())
    assert pdf_inspect.problems(pdf) == []
    assert "℃" in pdf_inspect.drawn_chars(pdf)


def test_a_character_the_primary_font_lacks_is_drawn_in_a_fallback_font(world) -> None:
    chain = pdf_fonts.chain()
    if len(chain.fonts) < 2:
        pytest.skip("only one PDF font configured")
    extra = next(chr(c) for c in sorted(chain.covers[-1] - chain.covers[0]) if chr(c).isprintable())
    assert chain.font_for(extra) != chain.primary
    from .test_filing import complete_register

    complete_register(world, name=f"储罐区{extra}号")
    enterprise = world.ent_a
    pdf = render_register_pdf(filing_services.build_snapshot(enterprise, _points(enterprise), 1), INFO)
    assert pdf_inspect.problems(pdf) == []
    assert extra in pdf_inspect.drawn_chars(pdf)
    holders = [f for f in pdf_inspect.fonts_in(pdf).values() if extra in f.chars]
    assert holders and all("WenQuanYi" not in f.base_font for f in holders)


def test_no_pdf_names_a_font_it_does_not_carry(world) -> None:
    """ReportLab starts every page and table cell in Helvetica unless told otherwise."""
    from .test_filing import complete_register

    complete_register(world)
    points = _points(world.ent_a)
    rows = card_selectors.notice_rows(points)
    for pdf in (
        render_register_pdf(filing_services.build_snapshot(world.ent_a, points, 1), INFO),
        cards_pdf.notice_board_pdf("甲企业", rows, card_selectors.level_counts(rows), dt_today()),
        cards_pdf.cards_booklet_pdf([], "空"),
    ):
        fonts = pdf_inspect.fonts_in(pdf)
        assert fonts and all(f.embedded and f.subset_of for f in fonts.values()), fonts


def test_a_missing_primary_font_is_a_clear_configuration_problem(settings) -> None:
    settings.SAFEGRID_PDF_FONTS = ["/nonexistent/font.ttc"]
    assert "fonts-wqy-microhei" in pdf_fonts.problems()[0]
    from django.core.checks import run_checks

    assert any(m.id == "safegrid.W001" for m in run_checks())
