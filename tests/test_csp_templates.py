"""The CSP allows no inline script, no eval and no inline style, so no template may need them.

A style attribute, a <style> block, an inline event handler (onclick=…), htmx's hx-on (which evaluates
code) or a <script> without src would be refused by the browser: the page would quietly lose its look
or its behaviour. Styles go into static CSS (classes), behaviour into static JS files.
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "safegrid"
FORBIDDEN = {
    "style attribute": re.compile(r"""\sstyle\s*=\s*["'{]""", re.IGNORECASE),
    "<style> block": re.compile(r"<style[\s>]", re.IGNORECASE),
    "inline event handler": re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE),
    "hx-on (evaluates code)": re.compile(r"\s(data-)?hx-on", re.IGNORECASE),
    "hx-vals with js: (evaluates code)": re.compile(r"""hx-vals\s*=\s*["']\s*js:""", re.IGNORECASE),
    "inline <script>": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
}


COMMENTS = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.DOTALL)


def without_comments(text: str) -> str:
    """Template comments blanked out, keeping the line numbers."""
    return COMMENTS.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


def templates() -> list[Path]:
    return sorted(SRC.rglob("templates/**/*.html"))


def test_templates_need_no_unsafe_inline_or_eval() -> None:
    found = templates()
    assert len(found) > 50, "the template search found too few templates"
    problems = [
        f"{path.relative_to(SRC)}:{text[: match.start()].count(chr(10)) + 1}: {what}"
        for path in found
        for text in [without_comments(path.read_text())]
        for what, pattern in FORBIDDEN.items()
        for match in pattern.finditer(text)
    ]
    assert not problems, "refused by the Content-Security-Policy:\n" + "\n".join(problems)


def test_the_checks_catch_what_they_name() -> None:
    samples = {
        "style attribute": '<div style="width: 3%">',
        "<style> block": "<style>.x{}</style>",
        "inline event handler": '<a onclick="go()">',
        "hx-on (evaluates code)": '<form hx-on::after-request="x()">',
        "hx-vals with js: (evaluates code)": """<a hx-vals='js:{a: 1}'>""",
        "inline <script>": "<script>alert(1)</script>",
    }
    for what, sample in samples.items():
        assert FORBIDDEN[what].search(sample), what
    allowed = '<script src="/static/x.js" defer></script><div data-sg-width="3" class="bar">'
    assert not any(pattern.search(allowed) for pattern in FORBIDDEN.values())
