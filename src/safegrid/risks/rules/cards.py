"""Card rules with no ORM: phone numbers and their `tel:` links, emergency steps, text lines, level names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from . import levels

MAX_STEPS = 20

MAX_STEP_CHARS = 200

MAX_PHONES = 10

MAX_PHONE_NAME_CHARS = 20

REVIEW_CYCLE_RANGE = (1, 60)

# Mainland numbers as people write them: mobile, landline with area code (optional extension),
# 400/800 service lines, short emergency/service numbers (110, 119, 120, 122, 12345, 95xxx).
_PHONE_PATTERNS = (
    re.compile(r"1[3-9]\d{9}"),
    re.compile(r"0\d{2,3}\d{7,8}(?:转\d{1,6}|-\d{1,6})?"),
    re.compile(r"[48]00\d{7}"),
    re.compile(r"1\d{2}"),
    re.compile(r"1\d{4}"),
    re.compile(r"9\d{4}"),
    re.compile(r"\d{7,8}"),  # local landline without area code
)

PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")

_PHONE_LINE = re.compile(r"^(?P<name>.*?)[\s:：,，]+(?P<phone>[\d\s\-()（）转]+)$")


def phone_problem(phone: str) -> str | None:
    """Why `phone` does not look like a phone number, or None when it does."""
    raw = (phone or "").strip()
    if not raw:
        return gettext("电话号码不能为空")
    head, sep, extension = raw.partition("转")
    digits = PHONE_SEPARATORS.sub("", head)
    if sep and not extension.strip().isdigit():
        return gettext("“%(phone)s”的分机号须为数字") % {"phone": raw}
    if not digits.isdigit():
        return gettext("“%(phone)s”不是电话号码：只能包含数字、空格、短横线和括号") % {"phone": raw}
    if sep and not digits.startswith("0"):
        return gettext("“%(phone)s”不是电话号码：分机号须跟在带区号的座机号码后") % {"phone": raw}
    core = digits
    # "0533-1234567-8" → strip a trailing extension written with a dash.
    parts = [p for p in re.split(r"[\s\-]", head.strip()) if p]
    if len(parts) == 3 and parts[0].startswith("0") and len(parts[2]) <= 6:
        core = parts[0] + parts[1]
    if any(pattern.fullmatch(core) for pattern in _PHONE_PATTERNS):
        return None
    return gettext("“%(phone)s”不是有效的电话号码（手机 11 位，座机带区号，或 119、120 等短号）") % {
        "phone": raw
    }


def tel_href(phone: str) -> str:
    """The `tel:` link for a phone number (digits only; an extension becomes a pause)."""
    head, sep, extension = phone.partition("转")
    digits = "".join(ch for ch in head if ch.isdigit())
    if sep and extension.strip().isdigit():
        digits += "," + extension.strip()
    return f"tel:{digits}"


def parse_phone_lines(text: str) -> list[dict[str, str]]:
    """Lines such as "火警 119" or "安全管理员：13800000000" → [{"name", "phone"}]; refuses bad lines.

    Raises ValidationError naming `emergency_phones` with every problem, line by line.
    """
    phones: list[dict[str, str]] = []
    problems: list[str] = []
    lines = [line.strip() for line in (text or "").splitlines()]
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        match = _PHONE_LINE.match(line)
        if not match or not match.group("name").strip():
            problems.append(gettext("第 %(n)d 行：请写成“名称 电话”，例如“火警 119”") % {"n": number})
            continue
        phones.append({"name": match.group("name").strip(), "phone": match.group("phone").strip()})
    if problems:
        raise ValidationError({"emergency_phones": problems})
    return phones


def phones_problems(phones: object) -> list[str]:
    """Everything wrong with a list of {"name", "phone"} entries (empty when it is fine)."""
    if not isinstance(phones, list):
        return [gettext("应急电话须为列表")]
    problems: list[str] = []
    if len(phones) > MAX_PHONES:
        problems.append(gettext("应急电话最多 %(n)d 个") % {"n": MAX_PHONES})
    for entry in phones:
        if not isinstance(entry, Mapping) or set(entry) != {"name", "phone"}:
            problems.append(gettext("应急电话每项须包含名称和电话"))
            continue
        name, phone = str(entry["name"]).strip(), str(entry["phone"]).strip()
        if not name:
            problems.append(gettext("电话“%(phone)s”缺少名称") % {"phone": phone})
        elif len(name) > MAX_PHONE_NAME_CHARS:
            problems.append(
                gettext("名称“%(name)s”过长（最多 %(n)d 字）") % {"name": name, "n": MAX_PHONE_NAME_CHARS}
            )
        problem = phone_problem(phone)
        if problem:
            problems.append(problem)
    return problems


def split_steps(text: str) -> list[str]:
    """One step per non-empty line, with leading "1." / "1、" / "（1）" numbering removed."""
    steps = []
    for line in (text or "").splitlines():
        cleaned = re.sub(r"^\s*(?:[（(]?\d{1,2}[)）.、．]|\d{1,2}\s)\s*", "", line).strip()
        if cleaned:
            steps.append(cleaned)
    return steps


def steps_problems(steps: object) -> list[str]:
    if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
        return [gettext("处置步骤须为文字列表")]
    problems: list[str] = []
    if len(steps) > MAX_STEPS:
        problems.append(
            gettext("处置步骤最多 %(n)d 步（现有 %(count)d 步）") % {"n": MAX_STEPS, "count": len(steps)}
        )
    for number, step in enumerate(steps, start=1):
        if not step.strip():
            problems.append(gettext("第 %(n)d 步为空") % {"n": number})
        elif len(step) > MAX_STEP_CHARS:
            problems.append(
                gettext("第 %(n)d 步过长（最多 %(max)d 字）") % {"n": number, "max": MAX_STEP_CHARS}
            )
    return problems


def phone_lines(phones: Iterable[Mapping[str, str]]) -> str:
    """The textarea form of a phone list (inverse of `parse_phone_lines`)."""
    return "\n".join(f"{p['name']} {p['phone']}" for p in phones)


def absolute_url(base: str, path: str) -> str:
    """Join a site base ("https://host" or "https://host/prefix/") and an absolute path."""
    return base.rstrip("/") + "/" + path.lstrip("/")


def text_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def level_colour(level: int | None) -> str:
    return levels.look(level).colour


def level_name(level: int | None) -> str:
    return gettext(levels.LOOKS[level].name) if level in levels.LOOKS else gettext("未评价")
