"""The 一企一册 PDF: a real PDF, Chinese text extractable, every part present, long text wrapped."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from safegrid.core.testing import PASSWORD, SYSTEM
from safegrid.risks.documents.filing_pdf import TITLE, BookInfo, render_register_pdf
from safegrid.risks.services import filing as filing_services
from safegrid.risks.services import points as services

from .factories import render_books
from .test_filing import complete_register

pytestmark = pytest.mark.django_db

HAVE_POPPLER = shutil.which("pdftotext") is not None and shutil.which("pdfinfo") is not None
LONG = "反应釜夹套冷却水中断导致温度失控，" * 12


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _page_count(pdf: bytes) -> int:
    # Each page object is "/Type /Page" (the page tree is "/Type /Pages").
    return pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type /Page>")


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "book.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _pages(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _snapshot(world) -> dict[str, Any]:
    complete_register(world)
    complete_register(world, code="RP-002", name="液氯储罐区")
    return filing_services.filing_compile(actor=world.user("ent_a"), enterprise=world.ent_a).snapshot


def test_the_book_is_a_pdf_with_every_part(world) -> None:
    snapshot = _snapshot(world)
    pdf = render_register_pdf(
        snapshot,
        BookInfo(version=3, compiled_at="2026-11-28 10:00", status_label="待签署", fingerprint="ab" * 32),
    )
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    # cover, contents, summary, points, signature
    assert _page_count(pdf) >= 5


@pytest.mark.skipif(not HAVE_POPPLER, reason="poppler-utils (pdftotext, pdfinfo) not installed")
def test_the_book_text_names_the_enterprise_points_and_signature(world, tmp_path) -> None:
    complete_register(world)
    complete_register(world, code="RP-002", name="液氯储罐区")
    ent_user = world.user("ent_a")
    filing = filing_services.filing_compile(actor=ent_user, enterprise=world.ent_a)
    filing = filing_services.filing_sign(actor=ent_user, filing=filing, signer_name="张甲", password=PASSWORD)
    filing = filing_services.filing_file(actor=ent_user, filing=filing)
    render_books()  # the book is rendered on the worker
    filing.refresh_from_db()
    with filing.pdf.open("rb") as handle:
        pdf = handle.read()
    text = _text(pdf, tmp_path)
    flat = "".join(text.split())
    for expected in (
        "甲化工有限公司",
        "".join(TITLE.split()),
        world.ent_a.uscc,
        "第1版",
        "已备案待审核",
        "目录",
        "风险四色分级统计",
        "RP-001",
        "液氯储罐区",
        "一般风险",
        "反应釜超温超压",
        "L=3E=6C=7",
        "反应釜温度、压力高高联锁切断进料",
        "车间级",
        "李主任",
        "法定代表人/主要负责人（签字）",
        "张甲",
        "盖章处",
        "县安全生产监督管理局",
        filing.fingerprint,
    ):
        assert expected in flat, expected
    pages = _pages(pdf, tmp_path)
    assert pages >= 5
    assert f"第{pages}页/共{pages}页" in flat


@pytest.mark.skipif(not HAVE_POPPLER, reason="poppler-utils (pdftotext, pdfinfo) not installed")
def test_long_text_wraps_inside_the_page(world, tmp_path) -> None:
    snapshot = copy.deepcopy(_snapshot(world))
    point = snapshot["points"][0]
    point["factors"] = [dict(point["factors"][0], description=LONG, consequences=LONG) for _ in range(12)]
    pdf = render_register_pdf(
        snapshot, BookInfo(version=1, compiled_at="2026-11-28", status_label="待签署", fingerprint="0" * 64)
    )
    pages = _pages(pdf, tmp_path)
    short = render_register_pdf(
        _snapshot_copy_without_factors(snapshot), BookInfo(1, "2026-11-28", "待签署", "0" * 64)
    )
    assert pages > _pages(short, tmp_path)  # the long rows flowed onto more pages instead of being cut
    # Every word of the long text is in the book: wrapped, not clipped.
    flat = "".join(_text(pdf, tmp_path).split())
    assert flat.count("反应釜夹套冷却水中断导致温度失控") >= 12 * 12 * 2


def _snapshot_copy_without_factors(snapshot: dict[str, Any]) -> dict[str, Any]:
    trimmed = copy.deepcopy(snapshot)
    trimmed["points"][0]["factors"] = trimmed["points"][0]["factors"][:1]
    return trimmed


def test_a_point_without_rows_says_so(world) -> None:
    snapshot = copy.deepcopy(_snapshot(world))
    snapshot["points"][0]["measures"] = []
    pdf = render_register_pdf(snapshot, BookInfo(1, "2026-11-28", "待签署", "0" * 64))
    assert pdf.startswith(b"%PDF-")


@pytest.mark.skipif(not HAVE_POPPLER, reason="poppler-utils (pdftotext, pdfinfo) not installed")
def test_a_residual_assessment_is_marked(world, tmp_path) -> None:
    point = complete_register(world)
    factor = point.factors.get()
    services.assess(actor=SYSTEM, factor=factor, kind="residual", method="LS", inputs={"L": 2, "S": 4})
    filing = filing_services.filing_compile(actor=world.user("ent_a"), enterprise=world.ent_a)
    (frozen,) = filing.snapshot["points"][0]["factors"]
    assert (frozen["initial"]["method"], frozen["residual"]["method"], frozen["assessment"]["kind"]) == (
        "LEC",
        "LS",
        "residual",
    )
    render_books()
    filing.refresh_from_db()
    with filing.pdf.open("rb") as handle:
        flat = "".join(_text(handle.read(), tmp_path).split())
    assert "LS（剩余风险）L=2S=4" in flat


@pytest.mark.skipif(not HAVE_POPPLER, reason="poppler-utils (pdftotext, pdfinfo) not installed")
def test_contents_page_numbers_point_at_the_sections(world, tmp_path) -> None:
    snapshot = copy.deepcopy(_snapshot(world))
    first = snapshot["points"][0]
    snapshot["points"] = [dict(first, code=f"RP-{n:03d}") for n in range(1, 31)]
    pdf = render_register_pdf(snapshot, BookInfo(1, "2026-11-28", "待签署", "0" * 64))
    path = tmp_path / "toc.pdf"
    path.write_bytes(pdf)

    def page_text(number: int, *options: str) -> str:
        run = subprocess.run(
            ["pdftotext", *options, "-f", str(number), "-l", str(number), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        )
        return run.stdout

    contents = page_text(2, "-layout")
    assert "目" in contents and "录" in contents
    for code in ("RP-001", "RP-015", "RP-030"):
        line = next(line for line in contents.splitlines() if code in line)
        page = int(line.split()[-1])  # the entry ends with its page number after the dot leader
        assert page > 2
        section = "".join(page_text(page).split())
        assert f"{code}氯乙烯合成反应釜" in section, (code, page)
