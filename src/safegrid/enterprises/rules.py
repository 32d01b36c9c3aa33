"""Pure rules for enterprises: USCC (GB 32100-2015) validation, the division an enterprise may belong
to, and certificate expiry status."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_METHOD = "GB32100-2015"


def uscc_check_char(first17: str) -> str:
    """The 18th character for the first 17 (which must already be in the alphabet)."""
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    c = 31 - total % 31
    return USCC_ALPHABET[0 if c == 31 else c]


def uscc_problem(code: str) -> str | None:
    """None when `code` is a valid 统一社会信用代码, else a Chinese message saying why not."""
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位，实际为 {len(code)} 位"
    for position, ch in enumerate(code, start=1):
        if ch not in USCC_ALPHABET:
            return f"第 {position} 位字符“{ch}”不合法（只允许数字和除 I、O、S、V、Z 外的大写字母）"
    if not code[2:8].isdigit():
        return "第 3–8 位应为登记管理机关行政区划码（6 位数字）"
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return f"校验位错误：第 18 位应为“{expected}”，实际为“{code[17]}”"
    return None


HAZCHEM_CODE_LENGTH = 9


def hazchem_code_problem(code: str) -> str | None:
    """None when `code` is a 危险化学品登记信息管理系统 enterprise code (9 digits, REFERENCE §9), else why not.

    Some provinces' national-format upload identifies the enterprise by this code instead of the USCC."""
    if len(code) != HAZCHEM_CODE_LENGTH:
        return f"危险化学品登记编号应为 {HAZCHEM_CODE_LENGTH} 位数字，实际为 {len(code)} 位"
    if not code.isascii() or not code.isdigit():
        return "危险化学品登记编号只能由数字组成"
    return None


# GB/T 2260 codes: 6 digits a county, 9 a town/street, 12 a village/community.
COUNTY_CODE_LENGTH = 6


def enterprise_division_problem(code: str) -> str | None:
    """None when an enterprise may belong to division `code`: a town/street or a village/community,
    never the county itself (属地管理 needs a town that answers for it)."""
    if len(code) <= COUNTY_CODE_LENGTH:
        return "企业须归属到镇/街道或村/社区，不能直接归属县"
    return None


def make_uscc(body17: str) -> str:
    """Complete a 17-character body with its check character (demo data, tests)."""
    return body17 + uscc_check_char(body17)


class ExpiryStatus(StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    NO_EXPIRY = "no_expiry"


def expiry_status(expires_on: dt.date | None, today: dt.date, warning_days: int = 30) -> ExpiryStatus:
    """A certificate expires at the end of `expires_on`; within `warning_days` of it, it is expiring."""
    if expires_on is None:
        return ExpiryStatus.NO_EXPIRY
    if expires_on < today:
        return ExpiryStatus.EXPIRED
    if (expires_on - today).days <= warning_days:
        return ExpiryStatus.EXPIRING
    return ExpiryStatus.VALID


# Certificate expiry reminders: days before expiry at which the enterprise is told (0 = expires today).
REMINDER_DAYS: tuple[int, ...] = (30, 7, 0)


def reminder_threshold(days_left: int, thresholds: tuple[int, ...] = REMINDER_DAYS) -> int | None:
    """The reminder due for a certificate `days_left` days before expiry: the nearest threshold at or
    above it (5 days left → the 7-day reminder), so a day the scan missed is caught up by the next run.
    None when it has expired or is not yet within the widest threshold."""
    if days_left < 0:
        return None
    return min((t for t in thresholds if days_left <= t), default=None)
