"""The national format's pure rules: profiles, every code table both ways, dates, the whole-payload check."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from safegrid.hazards.rules import national as nat
from safegrid.hazards.rules.photos import national_jpeg

TZ = ZoneInfo("Asia/Shanghai")
PROFILES = {p.key: p for p in nat.SHIPPED_PROFILES}
NATIONAL, HAZCHEM = PROFILES["national"], PROFILES["hazchem"]
USCC = "91370321MA3C000018"


@pytest.mark.parametrize(
    ("level", "national", "hazchem"),
    [(1, 0, 1), (2, 1, 2), (3, 2, 3), (4, 3, 4)],
)
def test_risk_levels_both_numberings_both_ways(level: int, national: int, hazchem: int) -> None:
    assert nat.risk_level_out(level, NATIONAL) == national
    assert nat.risk_level_out(level, HAZCHEM) == hazchem
    assert nat.risk_level_in(national, NATIONAL) == level
    assert nat.risk_level_in(hazchem, HAZCHEM) == level


@pytest.mark.parametrize(("profile", "code"), [(NATIONAL, 4), (NATIONAL, -1), (HAZCHEM, 0), (HAZCHEM, 5)])
def test_risk_level_codes_outside_the_target_refused(profile: nat.Profile, code: int) -> None:
    with pytest.raises(ValueError):
        nat.risk_level_in(code, profile)


@pytest.mark.parametrize(
    ("status", "state", "back"),
    [
        ("reported", -1, "reported"),
        ("confirmed", 0, "rectifying"),
        ("rectifying", 0, "rectifying"),
        ("extension", 0, "rectifying"),
        ("awaiting", 1, "awaiting"),
        ("closed", 9, "closed"),
    ],
)
def test_danger_state_both_ways(status: str, state: int, back: str) -> None:
    assert nat.STATE_OUT[status] == state
    assert nat.STATE_IN[state] == back


@pytest.mark.parametrize(
    ("table_out", "table_in", "ours", "theirs"),
    [
        (nat.DANGER_LEVEL_OUT, nat.DANGER_LEVEL_IN, "general", 0),
        (nat.DANGER_LEVEL_OUT, nat.DANGER_LEVEL_IN, "major", 1),
        (nat.MANAGE_TYPE_OUT, nat.MANAGE_TYPE_IN, "on_the_spot", 0),
        (nat.MANAGE_TYPE_OUT, nat.MANAGE_TYPE_IN, "by_deadline", 1),
        (nat.CHECK_STATUS_OUT, nat.CHECK_STATUS_IN, "ok", 0),
        (nat.CHECK_STATUS_OUT, nat.CHECK_STATUS_IN, "finding", 1),
    ],
)
def test_code_tables_both_ways(table_out: dict, table_in: dict, ours: str, theirs: int) -> None:
    assert table_out[ours] == theirs
    assert table_in[theirs] == ours


@pytest.mark.parametrize(
    ("every", "unit", "out"),
    [
        (2, "小时", (2, "小时")),
        (1, "天", (1, "天")),
        (2, "周", (14, "天")),
        (1, "月", (1, "月")),
        (1, "年", (1, "年")),
    ],
)
def test_cycle_out(every: int, unit: str, out: tuple[int, str]) -> None:
    assert nat.cycle_out(every, unit) == out


@pytest.mark.parametrize(
    ("profile", "text"), [(NATIONAL, "2026-03-01 08:05:09"), (HAZCHEM, "20260301080509")]
)
def test_dates_in_each_profile_both_ways(profile: nat.Profile, text: str) -> None:
    moment = dt.datetime(2026, 3, 1, 8, 5, 9, tzinfo=TZ)
    assert nat.format_time(moment, profile, TZ) == text
    assert nat.parse_time(text, profile, TZ) == moment
    assert nat.format_time(moment.astimezone(dt.UTC), profile, TZ) == text  # always county time
    other = HAZCHEM if profile is NATIONAL else NATIONAL
    with pytest.raises(ValueError):
        nat.parse_time(text, other, TZ)


def test_profiles_from_settings_add_and_refuse() -> None:
    got = nat.profiles_from(
        [
            {
                "key": "sd",
                "name": "山东",
                "company_code": "hazchem",
                "levels": "zero_major",
                "date_format": nat.DASHED,
            }
        ]
    )
    assert set(got) == {"national", "hazchem", "sd"}
    with pytest.raises(ValueError, match="levels"):
        nat.profiles_from(
            [{"key": "x", "name": "x", "company_code": "uscc", "levels": "2-5", "date_format": nat.DASHED}]
        )
    with pytest.raises(ValueError, match="unknown keys"):
        nat.profiles_from([{"key": "x", "colour": "red"}])


def _known(**ids: dict[str, int]) -> nat.Known:
    known = nat.Known(company_codes={"uscc": USCC, "hazchem": "370321001"})
    for section, mapping in ids.items():
        known.ids[section].update(mapping)
    return known


def _unit(ident: str = "u-000001", **extra: object) -> dict:
    return {"id": ident, "companyCode": USCC, "riskUnitName": "一号罐区", "deleted": 0, **extra}


def _hazard(**extra: object) -> dict:
    return {
        "id": "h-000001",
        "companyCode": USCC,
        "dangerName": "接地线断开",
        "dangerLevel": 0,
        "registTime": "2026-03-01 08:00:00",
        "registrant": "王",
        "dangerSrc": 1,
        "dangerManageType": 1,
        "hazardDangerType": 3,
        "dangerDesc": "接地线断开",
        "dangerManageDeadline": "2026-03-10 23:59:59",
        "dangerState": 0,
        **extra,
    }


def test_orphan_child_refused_with_its_path() -> None:
    payload = {"units": [_unit()], "hazards": [_hazard(riskMeasureId="m-missing1")]}
    checked = nat.check_payload(payload, NATIONAL, _known(), TZ)
    assert [p for p, _m in checked.problems] == ["hazards[0].riskMeasureId"]
    assert "unknown parent id" in checked.problems[0][1]


def test_parent_in_payload_or_database_accepted() -> None:
    event = {"id": "e-000001", "companyCode": USCC, "riskUnitId": "u-000001", "riskEventName": "超压"}
    in_payload = nat.check_payload({"units": [_unit()], "events": [event]}, NATIONAL, _known(), TZ)
    assert in_payload.problems == []
    in_db = nat.check_payload({"events": [event]}, NATIONAL, _known(units={"u-000001": 7}), TZ)
    assert in_db.problems == []
    assert in_db.rows["events"][0].parents == {"riskUnitId": "u-000001"}


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"companyCode": "91370321MA3C00002X"}, "units[0].companyCode"),
        ({"riskUnitName": ""}, "units[0].riskUnitName"),
        ({"deleted": 2}, "units[0].deleted"),
        ({"createDate": "2026/03/01"}, "units[0].createDate"),
        ({"colour": "red"}, "units[0].colour"),
        ({"riskUnitName": "罐区\x07"}, "units[0].riskUnitName"),
    ],
)
def test_unit_problems_named(change: dict, path: str) -> None:
    checked = nat.check_payload({"units": [_unit(**change)]}, NATIONAL, _known(), TZ)
    assert path in [p for p, _m in checked.problems]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"dangerSrc": 11}, "hazards[0].dangerSrc"),
        ({"hazardDangerType": 0}, "hazards[0].hazardDangerType"),
        ({"dangerLevel": 2}, "hazards[0].dangerLevel"),
        ({"dangerState": 3}, "hazards[0].dangerState"),
        ({"hazardCategory": 4}, "hazards[0].hazardCategory"),
        ({"registTime": "20260301080000"}, "hazards[0].registTime"),
        ({"dangerManageDeadline": ""}, "hazards[0].dangerManageDeadline"),
        ({"dangerState": 9}, "hazards[0].checkAcceptPerson"),
        ({"dangerLevel": 1, "dangerManageType": 0, "dangerState": 9}, "hazards[0].dangerManageType"),
        ({"cost": "-5"}, "hazards[0].cost"),
    ],
)
def test_hazard_codes_and_rules(change: dict, path: str) -> None:
    checked = nat.check_payload({"hazards": [_hazard(**change)]}, NATIONAL, _known(), TZ)
    assert path in [p for p, _m in checked.problems]


def test_measure_classify2_must_belong_to_classify1() -> None:
    measure = {
        "id": "m-000001", "companyCode": USCC, "riskEventId": "e-1", "dataSrc": 2, "riskMeasureDesc": "联锁",
        "classify1": 1, "classify2": "2-1", "troubleshootContent": "联锁投用",
    }  # fmt: skip
    checked = nat.check_payload({"measures": [measure]}, NATIONAL, _known(events={"e-1": 1}), TZ)
    assert [p for p, _m in checked.problems] == ["measures[0].classify2"]


def test_hazchem_profile_checks_the_registration_code_and_its_dates() -> None:
    unit = _unit(companyCode="370321001", createDate="20260301080000")
    assert nat.check_payload({"units": [unit]}, HAZCHEM, _known(), TZ).problems == []
    refused = nat.check_payload({"units": [_unit()]}, HAZCHEM, _known(), TZ)
    assert [p for p, _m in refused.problems] == ["units[0].companyCode"]


def test_kept_fields_are_profile_neutral() -> None:
    raw = {"id": "e-1", "initialRiskLevel": 0, "createDate": "2026-03-01 08:00:00", "createBy": "张"}
    kept = nat.kept_fields(raw, NATIONAL, TZ)
    assert kept == {"initialRiskLevel": 1, "createDate": "2026-03-01T08:00:00+08:00", "createBy": "张"}
    assert nat.kept_value("initialRiskLevel", kept["initialRiskLevel"], HAZCHEM, TZ) == 1
    assert nat.kept_value("createDate", kept["createDate"], HAZCHEM, TZ) == "20260301080000"


def test_national_jpeg_reencodes_and_fits() -> None:
    png = io.BytesIO()
    Image.new("RGBA", (64, 64), (255, 0, 0, 128)).save(png, format="PNG")
    out = national_jpeg(png.getvalue())
    assert Image.open(io.BytesIO(out)).format == "JPEG"
    noisy = io.BytesIO()
    Image.effect_noise((800, 800), 100).convert("RGB").save(noisy, format="JPEG", quality=100)
    small = national_jpeg(noisy.getvalue(), max_bytes=60_000)
    assert len(small) <= 60_000 and Image.open(io.BytesIO(small)).format == "JPEG"
    ok = national_jpeg(small, max_bytes=60_000)
    assert ok == small  # a JPEG within the limit goes out unchanged
    with pytest.raises(ValueError):
        national_jpeg(b"not an image")


def test_two_checks_of_one_task_at_one_time_refused() -> None:
    record = {"companyCode": USCC, "checkTaskId": "t-1", "checkTime": "2026-03-01 08:00:00", "checkStatus": 0}
    payload = {"records": [{**record, "id": "r-0000001"}, {**record, "id": "r-0000002"}]}
    checked = nat.check_payload(payload, NATIONAL, _known(tasks={"t-1": 1}), TZ)
    assert [p for p, _m in checked.problems] == ["records[1].checkTime"]


@pytest.mark.parametrize(
    ("code", "ok"),
    [("370321001", True), ("000000000", True), ("37032100", False), ("3703210011", False), ("37032100A", False),
     ("３７０３２１００１", False)],
)  # fmt: skip
def test_hazchem_registration_code(code: str, ok: bool) -> None:
    from safegrid.enterprises.rules import hazchem_code_problem

    assert (hazchem_code_problem(code) is None) is ok
