import datetime as dt

import pytest

from safegrid.enterprises import rules

D = dt.date(2026, 11, 28)


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",
        "91110000600037341L",
        "91370321MA3C0000" + "1" + rules.uscc_check_char("91370321MA3C00001")[0],
    ],
)
def test_valid_uscc(code):
    code = code if len(code) == 18 else code[:17] + rules.uscc_check_char(code[:17])
    assert rules.uscc_problem(code) is None


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("9135010", "18 位"),
        ("91350100M000100Y44", "校验位错误"),
        ("91350100M00O100Y43", "第 12 位字符“O”不合法"),
        ("913501I0M000100Y43", "第 7 位字符“I”不合法"),
        ("91AB0100M000100Y43", "行政区划码"),
    ],
)
def test_invalid_uscc_says_why(code, fragment):
    problem = rules.uscc_problem(code)
    assert problem is not None and fragment in problem


def test_check_char_31_maps_to_zero():
    # Find a body whose weighted sum is divisible by 31: the check character must then be "0".
    body = "00000000000000000"
    assert rules.uscc_check_char(body) == "0"


@pytest.mark.parametrize(
    ("expires", "status"),
    [
        (None, rules.ExpiryStatus.NO_EXPIRY),
        (D - dt.timedelta(days=1), rules.ExpiryStatus.EXPIRED),
        (D, rules.ExpiryStatus.EXPIRING),
        (D + dt.timedelta(days=30), rules.ExpiryStatus.EXPIRING),
        (D + dt.timedelta(days=31), rules.ExpiryStatus.VALID),
    ],
)
def test_expiry_status_boundaries(expires, status):
    assert rules.expiry_status(expires, D, 30) is status
