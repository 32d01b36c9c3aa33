"""The demo county is the text of the PDFs: every character it puts into a book, a post or emergency card or
a notice board must be in the font it is drawn in (checked in the PDF, against the font file's own cmap), and
every character its registers, cards and catalogue hold must be covered by the configured fonts.

Its own module: the county is built once for the module (up to the registers, all the PDFs print), and the
other font tests need an empty database.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from django.db.models import Count

from safegrid.core import pdf_fonts
from safegrid.demo import builders, names, risk_catalogue
from safegrid.enterprises.models import Enterprise, EnterpriseSector
from safegrid.risks.models import CardKind, RiskPoint
from safegrid.risks.selectors import cards as card_selectors
from safegrid.risks.services import filing as filing_services

from . import pdf_inspect
from .test_pdf_fonts import DEMO_ENTERPRISES, SAMPLE, _documents, _points, _strings

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(module_db: None, django_db_blocker: Any) -> list[Enterprise]:
    """The small demo county up to its risk registers (what the PDFs print), built once for the module."""
    with django_db_blocker.unblock():
        builders.build(enterprises=DEMO_ENTERPRISES, seed=11, until="risk_registers")
        return list(Enterprise.objects.annotate(n=Count("risk_points")).filter(n__gt=0).order_by("-n", "pk"))


def _sample(enterprises: list[Enterprise]) -> list[Enterprise]:
    """The largest registers of the hazardous-chemicals sector (its tank farms give "m³") and of three
    other sectors: rendering and reading back every PDF of all 60 would take minutes; the test below
    checks all 60 enterprises' text against the fonts without rendering."""
    chosen: dict[str, Enterprise] = {}
    by_pk = {e.pk: e for e in enterprises}
    # The chemical sample is the largest register that holds a tank farm's "m³" (which demo plant draws
    # one depends on the demo's random picks).
    with_m3 = RiskPoint.objects.filter(enterprise__in=enterprises, location__contains="m³")
    tank_farm = next((e for e in enterprises if with_m3.filter(enterprise=e).exists()), None)
    if tank_farm is not None:
        chosen["hazardous_chemicals"] = tank_farm
    links = EnterpriseSector.objects.filter(enterprise__in=enterprises).order_by("sector_id")
    for link in sorted(links, key=lambda link: link.sector_id != "hazardous_chemicals"):
        enterprise = by_pk[link.enterprise_id]  # enterprises are largest first
        if link.sector_id not in chosen and enterprise not in chosen.values():
            chosen[link.sector_id] = enterprise
    return list({e.pk: e for e in chosen.values()}.values())[:SAMPLE]


def test_every_character_of_the_demo_pdfs_is_in_its_embedded_font(demo) -> None:
    sample = _sample(demo)
    assert len(sample) == SAMPLE
    seen: dict[str, set[str]] = defaultdict(set)
    for enterprise in sample:
        for kind, pdf in _documents(enterprise).items():
            assert pdf_inspect.problems(pdf) == [], f"{enterprise.name} {kind}"
            fonts = pdf_inspect.fonts_in(pdf)
            assert all(f.subtype == "/TrueType" and f.subset_of for f in fonts.values()), fonts
            seen[kind] |= pdf_inspect.drawn_chars(pdf)
    # "m³" (the chemical sample's 液氯储罐 location) printed as a box in STSong-Light: now drawn and covered.
    assert "³" in seen["book"] and "³" in seen["notice"]
    assert all(seen[kind] for kind in ("book", "notice", "cards-post", "cards-emergency", "card"))


def test_every_character_the_demo_holds_is_covered_by_the_primary_font(demo) -> None:
    """All 60 enterprises' registers, cards and notice rows, and the whole demo catalogue and name lists."""
    chain = pdf_fonts.chain()
    text: list[str] = []
    for enterprise in demo:
        points = _points(enterprise)
        text += _strings(filing_services.build_snapshot(enterprise, points, 1))
        for point in points:
            for kind in CardKind.values:
                content = card_selectors.build_content(point, None, kind)
                text += _strings([content.hazards, content.measures, content.key_points, content.steps])
                text += [content.title, content.post_name, content.enterprise_name, content.level_name]
                text += _strings([(p.name, p.phone) for p in content.phones])
        text += _strings(card_selectors.notice_rows(points))
    text += _strings(risk_catalogue.CATALOGUE)
    text += _strings([getattr(names, n) for n in dir(names) if n.isupper()])
    joined = "".join(text)
    assert chain.missing(joined) == set()
    primary = chain.covers[0]
    assert {c for c in joined if not c.isspace() and ord(c) not in primary} == set()
