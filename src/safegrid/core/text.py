"""The one input rule for text: every string that enters SafeGrid passes `clean_text`.

Forms (`core.forms.CleanTextMixin`, part of `StyledFormMixin`), API bodies and query strings
(`safegrid.api.schemas.InputSchema`) and Excel imports (`core.excel.columns.Column.parse`) all call it,
and later doors (MQTT) will too. What it does, in order:

1. refuses control characters — C0 (U+0000–U+001F) except tab and line breaks in multi-line fields,
   DEL (U+007F), C1 (U+0080–U+009F) — lone surrogates (U+D800–U+DFFF, which no encoder can write)
   and the non-characters U+FFFE/U+FFFF. These break XML (Excel exports), PostgreSQL (NUL) and UTF-8;
2. normalises to Unicode NFC, so one name has one spelling;
3. strips surrounding whitespace (the full-width space U+3000 included); a multi-line text has its line
   breaks normalised to "\\n";
4. refuses text longer than an Excel cell can hold (32,767 characters).

What is left blank after stripping is the empty string, so a required field refuses "   ".
`phone_problem` is the one rule for telephone numbers.

Pure: no Django import beyond translation, so the rules stay testable with tables.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

# Excel's limit for one cell; longer text cannot be exported, so it cannot come in.
MAX_TEXT_CHARS = 32_767

_SINGLE_LINE_REFUSED = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_MULTI_LINE_REFUSED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"\r\n?")

# Digits, spaces, "-", brackets around an area code, a leading "+", an optional extension
# ("转 123", "ext. 123", "#123"): 0533-8000000, 13800000000, +86 138 0000 0000, (0533)8000000-12.
_PHONE = re.compile(r"\+?[0-9(（][0-9 ()（）-]{3,28}[0-9](?:\s*(?:转|分机|ext\.?|x|#)\s*[0-9]{1,6})?", re.I)
PHONE_MAX_LENGTH = 32


class TextRefused(ValueError):
    """The text breaks the input rule; the message (Chinese) says why."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _describe(char: str) -> str:
    point = ord(char)
    if point == 0:
        return _("空字符（NUL）")
    if 0xD800 <= point <= 0xDFFF:
        return _("无效的 Unicode 代理字符 U+%(code)04X") % {"code": point}
    return _("控制字符 U+%(code)04X") % {"code": point}


def clean_text(value: str, *, multiline: bool = False, max_chars: int = MAX_TEXT_CHARS) -> str:
    """`value` as SafeGrid stores it, or TextRefused (see the module docstring)."""
    refused = (_MULTI_LINE_REFUSED if multiline else _SINGLE_LINE_REFUSED).search(value)
    if refused is not None:
        char = refused.group()
        if char in "\r\n\t" and not multiline:
            raise TextRefused(_("此处只能填写一行文字，不能包含换行或制表符"), "single_line")
        raise TextRefused(
            _("不能包含%(what)s；请删除后重新填写（常见于从其他软件复制的文字）") % {"what": _describe(char)},
            "control_character",
        )
    text = unicodedata.normalize("NFC", value)
    if multiline:
        text = _LINE_BREAKS.sub("\n", text)
    text = text.strip()
    if len(text) > max_chars:
        raise TextRefused(
            _("不能超过 %(max)s 个字（实际 %(n)s 个）") % {"max": max_chars, "n": len(text)}, "too_long"
        )
    return text


_VISIBLE = {**{c: 0x2400 + c for c in range(0x20)}, 0x7F: 0x2421}
_INVISIBLE = re.compile(r"[\x80-\x9f\ud800-\udfff\ufffe\uffff]")


def visible(text: str) -> str:
    """`text` with what the rule refuses shown as a symbol (C0 as ␀␁…, DEL as ␡, the rest as �): for
    quoting a refused value back in a message or an error table, which must itself be storable."""
    return _INVISIBLE.sub("\ufffd", text.translate(_VISIBLE))


def phone_problem(value: str) -> str | None:
    """Why `value` is not a telephone number (None when it is one; blank is the caller's business)."""
    if not value:
        return None
    if len(value) > PHONE_MAX_LENGTH or not _PHONE.fullmatch(value):
        return _(
            "电话号码格式不正确：只能填写数字、空格、“-”、括号、开头的“+”和分机号（如 0533-8000000 或 13800000000）"
        )
    return None
