"""The English catalogue covers every translatable string, and templates hold no untranslated Chinese.

Strings are extracted the way `makemessages` does it: templates through Django's own `templatize` (the
function makemessages feeds to xgettext), Python through its syntax tree. No gettext tools are needed.
"""

from __future__ import annotations

import ast
import gettext as stdlib_gettext
import re
from pathlib import Path

import polib
import pytest
from django.template.base import Lexer, TokenType
from django.urls import reverse
from django.utils.translation.template import templatize

from safegrid import jobs
from safegrid.core.testing import SYSTEM
from safegrid.jobs import runner
from safegrid.jobs.tests import worker_jobs  # noqa: F401  (registers the test job kinds)
from safegrid.notifications.services import notify
from safegrid.risks.services import points as services
from safegrid.risks.tests.factories import make_factor, make_measure, make_point

SRC = Path(__file__).resolve().parent.parent / "src" / "safegrid"
CATALOGUE = SRC / "locale" / "en" / "LC_MESSAGES"

GETTEXT_FUNCTIONS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
# A translatable constant inside a tag or variable, e.g. |default:_("（空）").
TRANSLATED_CONSTANT = re.compile(r"""_\((?:"[^"]*"|'[^']*')\)""")
PY_STRING = re.compile(r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")
TEMPLATIZED_CALL = re.compile(
    r"\b(?P<function>_|n?p?gettext)\((?P<args>(?:\s*" + PY_STRING.pattern + r"\s*,?)+)"
)
# Chinese that is deliberately not translated: (template, text).
NOT_TRANSLATED = {
    ("core/_language_form.html", "中文"),  # a language is offered under its own name
    ("core/base.html", "安"),  # the brand mark, a logo glyph
    ("core/_auth_base.html", "安"),
}


def _msgid(function: str, args: list[str]) -> tuple[str | None, str]:
    """(context, msgid) from a gettext call's literal arguments."""
    if function.startswith("np") or function.startswith("p"):
        return args[0], args[1]
    return None, args[0]


def _template_messages(path: Path) -> set[tuple[str | None, str]]:
    # templatize() blanks out everything but the translatable strings, which it writes as
    # ` gettext('…') `, ` pgettext('ctx', '…') `, ` ngettext('…', '…', count) ` (reprs of str).
    found: set[tuple[str | None, str]] = set()
    for call in TEMPLATIZED_CALL.finditer(templatize(path.read_text(), origin=str(path))):
        args = [ast.literal_eval(literal) for literal in PY_STRING.findall(call.group("args"))]
        found.add(_msgid(call.group("function"), args))
    return found


def _python_messages(path: Path) -> set[tuple[str | None, str]]:
    found: set[tuple[str | None, str]] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name not in GETTEXT_FUNCTIONS:
            continue
        args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if args and len(args) >= (2 if name.startswith(("p", "np")) else 1):
            found.add(_msgid(name, args))
    return found


def _source_files(pattern: str) -> list[Path]:
    return sorted(p for p in SRC.rglob(pattern) if "migrations" not in p.parts and "tests" not in p.parts)


def _extracted() -> dict[tuple[str | None, str], str]:
    """Every translatable (context, msgid) in the source → the first file it appears in."""
    messages: dict[tuple[str | None, str], str] = {}
    for path in _source_files("*.html"):
        for key in _template_messages(path):
            messages.setdefault(key, str(path.relative_to(SRC)))
    for path in _source_files("*.py"):
        for key in _python_messages(path):
            messages.setdefault(key, str(path.relative_to(SRC)))
    return messages


def test_extraction_finds_template_and_python_strings() -> None:
    messages = _extracted()
    assert (None, "风险点清单（%(total)s）") in messages  # blocktranslate with a variable
    assert (None, "（空）") in messages  # a _("…") constant in a filter argument
    assert (None, "重大风险") in messages  # choices.py, gettext_lazy
    assert len(messages) > 800


def test_gettext_is_only_imported_under_names_makemessages_extracts() -> None:
    # makemessages passes xgettext a fixed list of keywords: `gettext as _g` hides every string from it.
    aliased = [
        f"{path.relative_to(SRC)}: {alias.name} as {alias.asname}"
        for path in _source_files("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.asname and alias.asname not in GETTEXT_FUNCTIONS
    ]
    assert not aliased, aliased


def test_every_message_has_an_english_translation() -> None:
    catalogue = polib.pofile(str(CATALOGUE / "django.po"))
    entries = {(e.msgctxt, e.msgid): e for e in catalogue if not e.obsolete}
    problems = []
    for key, where in sorted(_extracted().items(), key=lambda item: item[1]):
        entry = entries.get(key)
        if entry is None:
            problems.append(f"{where}: {key[1]!r} is not in the catalogue (run makemessages)")
        elif "fuzzy" in entry.flags:
            problems.append(f"{where}: {key[1]!r} is fuzzy: {entry.msgstr!r}")
        elif not (entry.msgstr.strip() or all(s.strip() for s in entry.msgstr_plural.values())):
            problems.append(f"{where}: {key[1]!r} has no English text")
    assert not problems, "\n".join(problems)


def test_compiled_catalogue_matches_the_po_file() -> None:
    with (CATALOGUE / "django.mo").open("rb") as mo:
        compiled = stdlib_gettext.GNUTranslations(mo)
    stale = [
        e.msgid
        for e in polib.pofile(str(CATALOGUE / "django.po"))
        if e.translated() and not e.msgid_plural and not e.msgctxt and compiled.gettext(e.msgid) != e.msgstr
    ]
    assert not stale, f"django.mo is stale (run `safegrid compilemessages`): {stale[:5]}"


def test_templates_hold_no_untranslated_chinese() -> None:
    problems = []
    for path in _source_files("*.html"):
        name = str(path.relative_to(SRC)).split("/templates/", 1)[1]
        inside_block = False
        for token in Lexer(path.read_text()).tokenize():
            words = token.contents.split()
            tag = words[0] if token.token_type == TokenType.BLOCK and words else ""
            if tag in ("blocktranslate", "blocktrans"):
                inside_block = True
            elif tag in ("endblocktranslate", "endblocktrans"):
                inside_block = False
            if inside_block or tag in ("translate", "trans") or token.token_type == TokenType.COMMENT:
                continue
            untranslated = [
                text
                for text in CJK.findall(TRANSLATED_CONSTANT.sub("", token.contents))
                if (name, text) not in NOT_TRANSLATED
            ]
            if untranslated:
                problems.append(f"{name}:{token.lineno}: {untranslated} in {token.contents.strip()[:80]!r}")
    assert not problems, "Chinese outside {% translate %}:\n" + "\n".join(problems)


# ---- the risk pages in English --------------------------------------------------------------------


@pytest.mark.django_db
def test_risk_pages_render_in_english_after_switching_language(world, login) -> None:
    point = make_point(world)
    factor = make_factor(point)
    services.assess(
        actor=SYSTEM, factor=factor, kind="initial", method="LEC", inputs={"L": 3, "E": 6, "C": 7}
    )
    make_measure(world, point)
    client = login(world.user("ent_a"))
    switched = client.post(reverse("set_language"), {"language": "en", "next": reverse("risks:point_list")})
    assert switched.status_code == 302

    listing = client.get(reverse("risks:point_list")).content.decode()
    assert "Risk point register" in listing and "General risk" in listing
    assert "风险点清单" not in listing

    detail = client.get(reverse("risks:point_detail", args=[point.pk])).content.decode()
    for english in ("Hazard identification and assessment", "Control measures", "Every 2 hour(s)"):
        assert english in detail
    assert "危险源辨识与评价" not in detail and "管控措施清单" not in detail

    filing = client.get(reverse("risks:filing_mine")).content.decode()
    assert "One Enterprise, One Register" in filing and "一企一册" not in filing


# ---- background jobs and notifications in English -----------------------------------------------


def _switch_to_english(client, next_url: str) -> None:
    assert client.post(reverse("set_language"), {"language": "en", "next": next_url}).status_code == 302


@pytest.mark.django_db
def test_job_pages_render_in_english(world, login) -> None:
    admin = world.user("county_admin")
    failed = jobs.enqueue("tests.refused", title="甲镇的任务", actor=admin, args={"reason": "甲"})
    runner.execute(str(failed.uuid))
    client = login(admin)
    _switch_to_english(client, reverse("jobs:list"))

    listing = client.get(reverse("jobs:list")).content.decode()
    for english in (
        "Background jobs",
        "Scheduled jobs",
        "Run times (cron)",
        "Next run",
        "Failed",
        "Run again",
    ):
        assert english in listing
    assert "后台任务" not in listing and "重新执行" not in listing and "定时任务" not in listing

    detail = client.get(reverse("jobs:detail", args=[failed.uuid])).content.decode()
    assert "Failed (attempts made: 1)" in detail and "Started by" in detail
    assert "执行失败" not in detail and "发起方" not in detail


@pytest.mark.django_db
def test_notification_page_renders_in_english(world, login) -> None:
    user = world.user("ent_a")
    notify([user], "risks.filing_accepted", None, "第 1 版已接收")
    client = login(user)
    _switch_to_english(client, reverse("notifications:list"))

    page = client.get(reverse("notifications:list")).content.decode()
    for english in ("Notifications", "Mark all as read", "Unread", "One Enterprise, One Register accepted"):
        assert english in page
    assert "消息通知" not in page and "一企一册已接收" not in page
    assert "第 1 版已接收" in page  # the message itself is stored text, shown as written
