"""A downloaded 一企一册 says where its filing stands now: accepted (by whom, when), returned (with the
comment), outdated, superseded or waiting — on a seal on the cover and on a status page at the end."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from safegrid.risks.documents import filing_stamp
from safegrid.risks.models import RiskRegisterFiling
from safegrid.risks.services import filing as filing_services

from . import pdf_inspect
from .factories import make_measure, render_books
from .test_filing import complete_register
from .test_filing_views import _filed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _download(login, user, filing: RiskRegisterFiling) -> tuple[bytes, PdfReader]:
    response = login(user).get(reverse("risks:filing_pdf", args=[filing.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    pdf = b"".join(response.streaming_content)
    return pdf, PdfReader(io.BytesIO(pdf))


def _flat(text: str) -> str:
    return "".join(text.split())


def _cover_and_last(reader: PdfReader) -> tuple[str, str]:
    return _flat(reader.pages[0].extract_text()), _flat(reader.pages[-1].extract_text())


def test_a_filed_book_says_it_waits_for_review(world, login) -> None:
    complete_register(world)
    filing = _filed(world)
    render_books()
    filing.refresh_from_db()
    with filing.pdf.open("rb") as handle:
        stored_pages = len(PdfReader(handle).pages)
    pdf, reader = _download(login, world.user("ent_a"), filing)
    assert len(reader.pages) == stored_pages + 1  # the status page
    cover, last = _cover_and_last(reader)
    assert "已备案待审核" in cover and "等待监管部门审核" in cover
    assert "备案状态页" in last and filing.fingerprint in last
    assert reader.outline, "the book's bookmarks are kept"
    assert pdf_inspect.problems(pdf) == []


def test_an_accepted_book_says_accepted_by_whom_and_when(world, login) -> None:
    complete_register(world)
    filing = _filed(world)
    reviewer = world.user("dept_chem")
    filing = filing_services.filing_accept(actor=reviewer, filing=filing, comment="内容完整，予以接收")
    render_books()
    when = timezone.localtime(filing.reviewed_at).strftime("%Y-%m-%d%H:%M")
    for username in ("ent_a", "county_admin"):
        pdf, reader = _download(login, world.user(username), filing)
        cover, last = _cover_and_last(reader)
        assert "已接收" in cover and f"接收：{reviewer}" in cover and when in cover
        assert "已备案待审核" in cover  # the book's own cover row: the state it was rendered in
        assert "生成时状态" in cover
        assert f"接收人{reviewer}" in last and f"接收时间{when}" in last
        assert "内容完整，予以接收" in last
        assert pdf_inspect.problems(pdf) == []


def test_a_returned_book_says_returned_with_the_comment(world, login) -> None:
    complete_register(world)
    filing = _filed(world)
    filing = filing_services.filing_return(
        actor=world.user("dept_chem"), filing=filing, comment="请补充应急管理类措施"
    )
    render_books()
    _pdf, reader = _download(login, world.user("ent_a"), filing)
    cover, last = _cover_and_last(reader)
    assert "已退回" in cover and "须按审核意见修改后重新报送" in cover
    assert "请补充应急管理类措施" in last


def test_an_accepted_book_whose_register_changed_says_outdated(world, login) -> None:
    point = complete_register(world)
    filing = filing_services.filing_accept(actor=world.user("dept_chem"), filing=_filed(world))
    render_books()
    make_measure(world, point, description="巡检时检查安全阀铅封")
    _pdf, reader = _download(login, world.user("dept_chem"), filing)
    cover, last = _cover_and_last(reader)
    assert "已过期" in cover and "原状态：已接收" in cover and "清单已修改，应重新编制" in cover
    assert "本版内容已不是最新" in last


def test_a_superseded_book_names_its_successor(world, login) -> None:
    complete_register(world)
    first = filing_services.filing_accept(actor=world.user("dept_chem"), filing=_filed(world))
    second = _filed(world)
    render_books()
    first.refresh_from_db()
    _pdf, reader = _download(login, world.user("ent_a"), first)
    cover, last = _cover_and_last(reader)
    assert "已被新版本替代" in cover and f"已由第{second.version}版替代" in cover
    assert f"替代版本第{second.version}版" in last


def test_the_stamp_is_chinese_whatever_the_reader_s_language(world) -> None:
    complete_register(world)
    filing = _filed(world)
    from django.utils import translation

    with translation.override("en"):
        stamp = filing_stamp.stamp_for_filing(
            filing, current_revision=filing.register_revision, departments=[], now=timezone.now()
        )
    assert stamp.title == "已备案待审核"
    assert stamp.rows[0] == ("当前状态", "已备案待审核")


def test_stamping_a_long_book_stays_quick(world) -> None:
    """A 120-point book: the download adds well under a second (measured, not assumed)."""
    import time

    from safegrid.risks.documents.filing_pdf import BookInfo, render_register_pdf

    complete_register(world)
    snapshot = filing_services.build_snapshot(world.ent_a, filing_services._register_points(world.ent_a), 1)
    snapshot["points"] = snapshot["points"] * 120
    book = render_register_pdf(
        snapshot,
        BookInfo(version=1, compiled_at="2026-01-01 08:00", status_label="待签署", fingerprint="a" * 64),
    )
    filing = _filed(world)
    stamp = filing_stamp.stamp_for_filing(
        filing, current_revision=filing.register_revision, departments=["应急管理局"], now=timezone.now()
    )
    started = time.perf_counter()
    stamped = filing_stamp.stamp_book(book, stamp, "甲企业")
    elapsed = time.perf_counter() - started
    assert len(PdfReader(io.BytesIO(stamped)).pages) == len(PdfReader(io.BytesIO(book)).pages) + 1
    print(f"stamped a {len(book) // 1024} KB book in {elapsed:.2f} s")
    assert elapsed < 5.0, elapsed  # generous: a shared two-core CI machine
