"""The input rule (`core.text`) and query parameters (`core.params`), as tables."""

from __future__ import annotations

import pytest

from safegrid.core.params import MAX_ID, BadParam, optional_id, parse_id, search_text
from safegrid.core.text import MAX_TEXT_CHARS, TextRefused, clean_text, phone_problem, visible

# Every character the rule refuses in any field: C0 but tab/LF/CR, DEL, C1, surrogates, U+FFFE/F.
ALWAYS_REFUSED = [
    *(chr(c) for c in range(0x00, 0x20) if chr(c) not in "\t\n\r"),
    "\x7f",
    *(chr(c) for c in range(0x80, 0xA0)),
    "\ud800",
    "\udfff",
    "\ufffe",
    "\uffff",
]


@pytest.mark.parametrize("char", ALWAYS_REFUSED, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("multiline", [False, True])
def test_control_characters_surrogates_and_noncharacters_are_refused(char, multiline):
    with pytest.raises(TextRefused) as refused:
        clean_text(f"王{char}五", multiline=multiline)
    assert refused.value.code == "control_character"
    assert "U+" in refused.value.message or "NUL" in refused.value.message


@pytest.mark.parametrize("char", ["\t", "\n", "\r"])
def test_tab_and_line_breaks_only_in_multi_line_text(char):
    with pytest.raises(TextRefused) as refused:
        clean_text(f"a{char}b")
    assert refused.value.code == "single_line"
    assert clean_text(f"a{char}b", multiline=True) == ("a\nb" if char == "\r" else f"a{char}b")


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("  王五  ", "王五"),
        ("\u3000王五\u3000", "王五"),  # full-width spaces too
        ("   ", ""),  # blank after stripping is empty
        ("", ""),
        ("e\u0301", "\u00e9"),  # NFC: one spelling for one name
        ("=HYPERLINK(1)", "=HYPERLINK(1)"),  # text as typed: exports neutralise formulas
        ("😀 化工", "😀 化工"),  # astral characters are fine (not surrogates in Python text)
    ],
)
def test_normalised_and_stripped(given, stored):
    assert clean_text(given) == stored


def test_multi_line_line_breaks_become_newlines_and_the_ends_are_stripped():
    assert clean_text("\r\n第一行\r\n第二行\r\n\t", multiline=True) == "第一行\n第二行"


def test_longer_than_an_excel_cell_is_refused():
    assert clean_text("字" * MAX_TEXT_CHARS) == "字" * MAX_TEXT_CHARS
    with pytest.raises(TextRefused) as refused:
        clean_text("字" * (MAX_TEXT_CHARS + 1))
    assert refused.value.code == "too_long"


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("13800000000", True),
        ("0533-8000000", True),
        ("+86 138 0000 0000", True),
        ("(0533)8000000", True),
        ("（0533）8000000", True),
        ("0533-8000000转123", True),
        ("0533-8000000 ext. 12", True),
        ("12345", True),
        ("", True),  # blank: whether it is required is the field's business
        ("abc", False),
        ("1234", False),  # too short to be a number
        ("138-0000-000a", False),
        ("=1+1", False),
        ("1" * 33, False),
        ("++8613800000000", False),
    ],
)
def test_phone_rule(phone, ok):
    assert (phone_problem(phone) is None) is ok


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1", 1), (" 42 ", 42), (str(MAX_ID), MAX_ID)],
)
def test_ids_in_range(raw, value):
    assert parse_id(raw) == value
    assert optional_id(raw) == value


@pytest.mark.parametrize(
    "raw", ["0", "-1", "1.5", "abc", "１２", str(MAX_ID + 1), "99999999999999999999", "9" * 400, "1e3"]
)
def test_ids_out_of_range_or_not_numbers(raw):
    with pytest.raises(BadParam):
        parse_id(raw)
    assert optional_id(raw) is None


def test_absent_id_and_search_terms():
    assert optional_id(None) is None and optional_id("  ") is None
    assert search_text(None) == "" and search_text("  化工 ") == "化工"
    assert len(search_text("字" * 500)) == 100
    with pytest.raises(BadParam):
        search_text("a\x00b")


def test_refused_characters_are_quoted_back_visibly():
    assert visible("王\x00五\x01\x1f\x7f") == "王␀五␁␟␡"
    assert visible("a\x85\ud800\uffffb") == "a\ufffd\ufffd\ufffdb"
    assert visible("\t\n") == "␉␊"
    assert visible("正常文字 =1") == "正常文字 =1"
