"""Cards: pure helpers, content built from the register, the save and confirm services, the PDFs."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from safegrid.core.audit import verify
from safegrid.core.models import AuditEntry
from safegrid.core.testing import SYSTEM
from safegrid.enterprises import services as ent_services
from safegrid.risks.choices import ControlTier
from safegrid.risks.documents import cards_pdf, qr
from safegrid.risks.models import CardConfirmation, CardKind, RiskCard, RiskPoint
from safegrid.risks.rules import cards as card_rules
from safegrid.risks.selectors import cards as card_selectors
from safegrid.risks.selectors import points as selectors
from safegrid.risks.services import cards as card_services
from safegrid.risks.services import points as services
from safegrid.testworld import World

from .factories import make_factor, make_measure, make_point, workshop_a

# ---- pure helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    ["119", "120", "13800138000", "138 0013 8000", "0533-7123456", "(0533)7123456", "400-810-1234", "12345",
     "95598", "0533-7123456转802", "7123456"],
)  # fmt: skip
def test_phone_numbers_accepted(phone: str) -> None:
    assert card_rules.phone_problem(phone) is None


@pytest.mark.parametrize("phone", ["", "abc", "12", "1380013800", "23800138000", "119a", "13800138000转x"])
def test_bad_phone_numbers_refused_with_the_number_in_the_message(phone: str) -> None:
    problem = card_rules.phone_problem(phone)
    assert problem
    if phone:
        assert phone in problem


def test_tel_href_keeps_digits_and_extension() -> None:
    assert card_rules.tel_href("0533-712 3456") == "tel:05337123456"
    assert card_rules.tel_href("0533-7123456转802") == "tel:05337123456,802"


def test_phone_lines_round_trip_and_bad_lines_named() -> None:
    text = "火警 119\n\n安全管理员 张三：13800138000\n急救，120"
    phones = card_rules.parse_phone_lines(text)
    assert phones == [
        {"name": "火警", "phone": "119"},
        {"name": "安全管理员 张三", "phone": "13800138000"},
        {"name": "急救", "phone": "120"},
    ]
    assert card_rules.parse_phone_lines(card_rules.phone_lines(phones)) == phones
    with pytest.raises(ValidationError) as info:
        card_rules.parse_phone_lines("119\n火警 119")
    assert "第 1 行" in info.value.message_dict["emergency_phones"][0]


def test_split_steps_drops_numbering_and_empty_lines() -> None:
    assert card_rules.split_steps("1. 停止进料\n\n2、打开冷却水\n（3）报告班长\n  \n疏散人员") == [
        "停止进料",
        "打开冷却水",
        "报告班长",
        "疏散人员",
    ]


def test_steps_problems() -> None:
    assert card_rules.steps_problems(["a"] * card_rules.MAX_STEPS) == []
    assert card_rules.steps_problems(["a"] * (card_rules.MAX_STEPS + 1))
    assert "第 2 步为空" in card_rules.steps_problems(["a", "  "])[0]
    assert card_rules.steps_problems("a") == ["处置步骤须为文字列表"]


def test_absolute_url_joins_base_and_path() -> None:
    assert (
        card_rules.absolute_url("https://a.example/", "/risks/cards/qr/x/")
        == "https://a.example/risks/cards/qr/x/"
    )
    assert card_rules.absolute_url("https://a.example/sg", "/r/") == "https://a.example/sg/r/"


# ---- building a risk point for ent_a -------------------------------------------------------------


def assessed_point(world: World, code: str = "RP-C01") -> RiskPoint:
    """A point on ent_a's post (so the post user sees it) with an LEC-assessed factor, a measure and a tier."""
    point = make_point(world, code, org_unit=world.post_a)
    factor = make_factor(point)
    services.assess(
        actor=SYSTEM, factor=factor, kind="initial", method="LEC", inputs={"L": 3, "E": 6, "C": 15}
    )
    make_measure(world, point)
    services.tier_assign(
        actor=SYSTEM, point=point, tier=ControlTier.POST, org_unit=world.post_a, person=world.person_a
    )
    return RiskPoint.objects.get(pk=point.pk)


def _detail(world: World, point: RiskPoint) -> RiskPoint:
    return selectors.risk_point_detail(world.user("county_admin"), point.pk)


@pytest.mark.django_db
def test_post_card_content_comes_from_the_register(world: World) -> None:
    point = assessed_point(world)
    content = card_selectors.build_content(_detail(world, point), None, CardKind.POST)
    assert content.level == 2 and content.colour == "orange" and content.level_name == "较大风险"
    assert content.post_name == "反应釜操作岗"
    assert [h.description for h in content.hazards] == ["反应釜超温超压"]
    assert content.hazards[0].values == "L=3 E=6 C=15 D=270"
    assert content.consequences == ["容器爆炸", "火灾"]
    assert content.measures == ["反应釜温度、压力高高联锁切断进料"]
    assert content.responsible == [("岗位级", "王操作")]
    assert [(p.name, p.phone) for p in content.phones] == [("火警", "119"), ("急救", "120")]
    assert content.version == 1 and content.number == "GW-RP-C01"


@pytest.mark.django_db
def test_default_phones_add_the_safety_manager(world: World) -> None:
    ent_services.enterprise_update(
        actor=SYSTEM,
        enterprise=world.ent_a,
        data={"safety_manager": "刘安", "safety_manager_phone": "13900001111"},
    )
    world.ent_a.refresh_from_db()
    phones = card_selectors.phones_for_card([{"name": "值班室", "phone": "0533-7123456"}, {"name": "消防", "phone": "119"}],
                                   world.ent_a)  # fmt: skip
    assert phones == [
        {"name": "值班室", "phone": "0533-7123456"},
        {"name": "消防", "phone": "119"},
        {"name": "急救", "phone": "120"},
        {"name": "安全管理员 刘安", "phone": "13900001111"},
    ]


# ---- card_save -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_card_save_creates_then_bumps_version_with_audit(world: World) -> None:
    point = assessed_point(world)
    actor = world.user("ent_a")
    card = card_services.card_save(
        actor=actor,
        point=point,
        kind=CardKind.POST,
        data={
            "key_points": "佩戴防护面罩",
            "emergency_phones": [{"name": "值班室", "phone": "0533-7123456"}],
        },
    )
    assert card.version == 1
    card = card_services.card_save(
        actor=actor, point=point, kind=CardKind.POST, data={"key_points": "佩戴防护面罩\n巡检"}
    )
    assert card.version == 2 and card.key_points == "佩戴防护面罩\n巡检"
    entries = AuditEntry.objects.filter(object_type="risks.riskcard", object_id=str(card.pk)).order_by("id")
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].after == {"key_points": "佩戴防护面罩\n巡检", "version": 2}
    assert entries[1].actor_label == "ent_a"
    assert verify().ok


@pytest.mark.django_db
def test_card_save_refuses_bad_input_whole(world: World) -> None:
    point = assessed_point(world)
    with pytest.raises(ValidationError) as info:
        card_services.card_save(
            actor=SYSTEM,
            point=point,
            kind=CardKind.EMERGENCY,
            data={
                "emergency_phones": [{"name": "值班室", "phone": "12ab"}],
                "steps": ["关阀"] * 21,
                "review_cycle_months": 0,
            },
        )
    errors = info.value.message_dict
    assert "12ab" in errors["emergency_phones"][0]
    assert "最多 20 步" in errors["steps"][0]
    assert "review_cycle_months" in errors
    assert not RiskCard.objects.exists()
    with pytest.raises(ValidationError) as info:
        card_services.card_save(
            actor=SYSTEM, point=point, kind=CardKind.EMERGENCY, data={"steps": ["关阀", ""]}
        )
    assert "第 2 步为空" in info.value.message_dict["steps"][0]
    with pytest.raises(ValidationError) as info:
        card_services.card_save(actor=SYSTEM, point=point, kind=CardKind.POST, data={"steps": ["关阀"]})
    assert "steps" in info.value.message_dict


@pytest.mark.django_db
def test_card_post_must_be_a_post_of_the_same_enterprise(world: World) -> None:
    point = assessed_point(world)
    workshop = workshop_a(world)
    with pytest.raises(ValidationError) as info:
        card_services.card_save(actor=SYSTEM, point=point, kind=CardKind.POST, data={"post": workshop})
    assert "岗位" in info.value.message_dict["post"][0]
    other = ent_services.org_unit_create(
        actor=SYSTEM,
        enterprise=world.ent_b,
        parent=world.ent_b.org_units.get(parent__isnull=True),
        data={"kind": "workshop", "name": "乙车间"},
    )
    with pytest.raises(ValidationError) as info:
        card_services.card_save(actor=SYSTEM, point=point, kind=CardKind.POST, data={"post": other})
    assert info.value.message_dict["post"] == ["岗位不属于该企业"]


# ---- card_confirm --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_confirmation_recorded_once_per_version_with_audit(world: World) -> None:
    point = assessed_point(world)
    worker = world.user("post_a")
    ent_services.person_update(actor=SYSTEM, person=world.person_a, data={"user": worker})
    first = card_services.card_confirm(
        actor=worker, point=point, user_agent="Mozilla/5.0 (iPhone)", ip="10.0.0.8"
    )
    assert first.created
    again = card_services.card_confirm(actor=worker, point=point, user_agent="x", ip="10.0.0.9")
    assert not again.created and again.confirmation.pk == first.confirmation.pk
    receipt = first.confirmation
    assert (receipt.card_version, receipt.person_id, receipt.ip, receipt.user_agent) == (
        1,
        world.person_a.pk,
        "10.0.0.8",
        "Mozilla/5.0 (iPhone)",
    )
    assert CardConfirmation.objects.count() == 1
    entries = AuditEntry.objects.filter(object_type="risks.cardconfirmation")
    assert [(e.action, e.actor_label, e.enterprise_id) for e in entries] == [
        ("create", "post_a", world.ent_a.pk)
    ]

    # A new version of the card asks for a new confirmation.
    card = card_services.card_save(
        actor=world.user("ent_a"), point=point, kind=CardKind.POST, data={"key_points": "新要点"}
    )
    assert card.version == 2
    newer = card_services.card_confirm(actor=worker, point=point)
    assert newer.created and newer.confirmation.card_version == 2
    assert CardConfirmation.objects.count() == 2

    statuses = card_selectors.post_people_status(_detail(world, point), card)
    assert [(s.person.name, s.confirmation is not None) for s in statuses] == [("王操作", True)]


@pytest.mark.django_db
def test_first_saved_card_is_newer_than_what_was_confirmed(world: World) -> None:
    point = assessed_point(world)
    card_services.card_confirm(
        actor=world.user("post_a"), point=point
    )  # read the register-only card (version 1)
    card = card_services.card_save(
        actor=SYSTEM, point=point, kind=CardKind.POST, data={"key_points": "佩戴防护面罩"}
    )
    assert card.version == 2


@pytest.mark.django_db
def test_people_who_have_not_confirmed_are_listed(world: World) -> None:
    point = assessed_point(world)
    ent_services.person_create(
        actor=SYSTEM, enterprise=world.ent_a, data={"name": "李新人", "org_unit": world.post_a}
    )
    ent_services.person_update(actor=SYSTEM, person=world.person_a, data={"user": world.user("post_a")})
    card_services.card_confirm(actor=world.user("post_a"), point=point)
    statuses = card_selectors.post_people_status(_detail(world, point), None)
    assert {s.person.name: s.confirmation is not None for s in statuses} == {"王操作": True, "李新人": False}


@pytest.mark.django_db
def test_government_users_cannot_confirm(world: World) -> None:
    point = assessed_point(world)
    with pytest.raises(ValidationError):
        card_services.card_confirm(actor=world.user("grid_a"), point=point)
    assert not CardConfirmation.objects.exists()


# ---- notice board and PDFs -----------------------------------------------------------------------


@pytest.mark.django_db
def test_notice_rows_and_counts(world: World) -> None:
    assessed_point(world)
    make_point(world, "RP-C02", name="原料库")  # not assessed yet
    _, points = selectors.register(world.user("county_admin"), world.ent_a.pk)
    rows = card_selectors.notice_rows(points)
    assert [(r.point.code, r.level_name, r.tier, r.person) for r in rows] == [
        ("RP-C01", "较大风险", "岗位级", "王操作"),
        ("RP-C02", "未评价", "", ""),
    ]
    assert [(c.name, c.count) for c in card_selectors.level_counts(rows)] == [
        ("重大风险", 0),
        ("较大风险", 1),
        ("一般风险", 0),
        ("低风险", 0),
    ]


def pdf_pages(data: bytes) -> int:
    assert data.startswith(b"%PDF")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.pdf"
        path.write_bytes(data)
        try:
            out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        except FileNotFoundError:
            return data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


@pytest.mark.django_db
def test_card_pdfs_are_single_pages_even_when_long(world: World) -> None:
    point = assessed_point(world)
    card_services.card_save(
        actor=SYSTEM,
        point=point,
        kind=CardKind.EMERGENCY,
        data={
            "steps": [f"第{i}步：检查并关闭相应阀门，向班长报告现场情况" for i in range(20)],
            "start_conditions": "泄漏",
        },
    )
    detail = _detail(world, point)
    saved = card_selectors.cards_for_point(detail)
    png = qr.qr_png("https://example.cn/risks/cards/qr/x/")
    post = cards_pdf.card_pdf(card_selectors.build_content(detail, None, CardKind.POST), png)
    emergency = cards_pdf.card_pdf(
        card_selectors.build_content(detail, saved[CardKind.EMERGENCY], CardKind.EMERGENCY), png
    )
    assert pdf_pages(post) == 1
    assert pdf_pages(emergency) == 1
    _, points = selectors.register(world.user("county_admin"), world.ent_a.pk)
    rows = card_selectors.notice_rows(points)
    import datetime as dt

    board = cards_pdf.notice_board_pdf(
        world.ent_a.name, rows, card_selectors.level_counts(rows), dt.date(2026, 11, 28)
    )
    assert pdf_pages(board) == 1
