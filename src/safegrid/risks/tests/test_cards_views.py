"""Card pages: QR code and its target, scope (404) and permission (403), confirming, editing, PDFs."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from safegrid.core.models import AuditEntry
from safegrid.core.testing import SYSTEM
from safegrid.enterprises import services as ent_services
from safegrid.risks.documents import qr
from safegrid.risks.models import CardConfirmation, CardKind, RiskCard
from safegrid.risks.services import cards as card_services
from safegrid.testworld import World

from .factories import make_factor, make_point
from .test_cards import assessed_point, pdf_pages

pytestmark = pytest.mark.django_db


def _qr_url(point: Any) -> str:
    return reverse("risks:card_by_qr", kwargs={"token": point.qr_token})


def test_qr_png_encodes_the_absolute_card_url(world: World, login: Any) -> None:
    point = assessed_point(world)
    response = login(world.user("ent_a")).get(reverse("risks:card_qr_png", args=[point.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    expected = f"http://testserver/risks/cards/qr/{point.qr_token}/"
    assert qr.card_url(response.wsgi_request, point.qr_token) == expected
    # Read the modules back from the picture and compare with the code for the expected URL.
    image = Image.open(io.BytesIO(response.content)).convert("L")
    matrix = qr.qr_matrix(expected)
    assert image.size == (len(matrix) * qr.BOX_SIZE, len(matrix) * qr.BOX_SIZE)
    half = qr.BOX_SIZE // 2
    pixels = image.tobytes()  # one byte per pixel in mode L
    width = image.size[0]

    def dark(x: int, y: int) -> bool:
        return pixels[(y * qr.BOX_SIZE + half) * width + x * qr.BOX_SIZE + half] < 128

    read = [[dark(x, y) for x in range(len(matrix))] for y in range(len(matrix))]
    assert read == matrix
    assert qr.qr_matrix(expected + "x") != matrix


def test_public_url_setting_wins_over_the_request_host(world: World, settings: Any) -> None:
    settings.SAFEGRID_PUBLIC_URL = "https://aq.example.cn/"
    assert qr.card_url(None, "tok") == "https://aq.example.cn/risks/cards/qr/tok/"


@pytest.mark.parametrize("name", ["grid_a", "post_a", "ent_a", "town_a", "county_admin", "dept_chem"])
def test_qr_page_opens_for_users_in_scope(world: World, login: Any, name: str) -> None:
    point = assessed_point(world)
    response = login(world.user(name)).get(_qr_url(point))
    assert response.status_code == 200
    body = response.content.decode()
    assert "较大风险" in body and "sg-level-orange" in body
    assert "反应釜操作岗" in body and "反应釜超温超压" in body
    assert 'href="tel:119"' in body and 'href="tel:120"' in body
    assert "反应釜温度、压力高高联锁切断进料" in body


@pytest.mark.parametrize("name", ["ent_b", "town_b", "outsider"])
def test_qr_page_is_404_out_of_scope(world: World, login: Any, name: str) -> None:
    point = assessed_point(world)
    client = login(world.user(name))
    assert client.get(_qr_url(point)).status_code == 404
    assert client.post(reverse("risks:card_confirm", kwargs={"token": point.qr_token})).status_code == 404
    assert client.get(reverse("risks:card_qr_png", args=[point.pk])).status_code == 404
    assert client.get(reverse("risks:card_pdf", args=[point.pk, "post"])).status_code == 404
    assert client.get(reverse("risks:notice_board", kwargs={"enterprise": world.ent_a.pk})).status_code == 404


def test_qr_page_needs_login(world: World, client: Any) -> None:
    point = assessed_point(world)
    response = client.get(_qr_url(point))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_worker_confirms_once_per_version(world: World, login: Any) -> None:
    point = assessed_point(world)
    ent_services.person_update(actor=SYSTEM, person=world.person_a, data={"user": world.user("post_a")})
    client = login(world.user("post_a"))
    page = client.get(_qr_url(point)).content.decode()
    assert "我已阅读并知晓" in page
    confirm = reverse("risks:card_confirm", kwargs={"token": point.qr_token})
    response = client.post(confirm, HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14)", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    page = client.get(_qr_url(point)).content.decode()
    assert "我已阅读并知晓" not in page and "已确认 20" in page
    client.post(confirm)
    receipt = CardConfirmation.objects.get()
    assert (receipt.user.username, receipt.person_id, receipt.card_version, receipt.ip) == (
        "post_a",
        world.person_a.pk,
        1,
        "10.1.2.3",
    )
    assert receipt.user_agent.startswith("Mozilla/5.0 (Linux")
    assert (
        AuditEntry.objects.filter(object_type="risks.cardconfirmation", object_id=str(receipt.pk)).count()
        == 1
    )

    # The safety manager changes the card: the worker is asked again and can confirm the new version.
    card_services.card_save(
        actor=world.user("ent_a"), point=point, kind=CardKind.POST, data={"key_points": "先通风后作业"}
    )
    page = client.get(_qr_url(point)).content.decode()
    assert "请阅读后重新确认" in page and "我已阅读并知晓" in page and "先通风后作业" in page
    client.post(confirm)
    assert sorted(CardConfirmation.objects.values_list("card_version", flat=True)) == [1, 2]


def test_government_reader_sees_no_confirm_button_and_cannot_post(world: World, login: Any) -> None:
    point = assessed_point(world)
    client = login(world.user("grid_a"))
    assert "我已阅读并知晓" not in client.get(_qr_url(point)).content.decode()
    assert client.post(reverse("risks:card_confirm", kwargs={"token": point.qr_token})).status_code == 403
    assert not CardConfirmation.objects.exists()


def _edit_url(point: Any, kind: str = "post") -> str:
    return reverse("risks:card_edit", args=[point.pk, kind])


@pytest.mark.parametrize("name", ["post_a", "grid_a", "town_a", "dept_chem"])
def test_card_edit_forbidden_for_read_only_roles(world: World, login: Any, name: str) -> None:
    point = assessed_point(world)
    client = login(world.user(name))
    assert client.get(_edit_url(point)).status_code == 403
    assert (
        client.post(_edit_url(point), {"key_points": "x", "emergency_phones": "火警 119"}).status_code == 403
    )
    assert not RiskCard.objects.exists()


def test_card_edit_out_of_scope_is_404(world: World, login: Any) -> None:
    point = assessed_point(world)
    assert login(world.user("ent_b")).get(_edit_url(point)).status_code == 404


def test_card_edit_saves_and_bumps_version(world: World, login: Any) -> None:
    point = assessed_point(world)
    client = login(world.user("ent_a"))
    form = client.get(_edit_url(point)).content.decode()
    assert "火警 119" in form  # defaults prefilled
    data = {"post": world.post_a.pk, "number": "GW-01", "key_points": "佩戴防毒面具", "emergency_measures": "关闭进料阀",
            "emergency_phones": "火警 119\n值班室 0533-7123456"}  # fmt: skip
    response = client.post(_edit_url(point), data)
    assert response.status_code == 302 and response["Location"] == reverse(
        "risks:card_detail", args=[point.pk]
    )
    card = RiskCard.objects.get(risk_point=point, kind=CardKind.POST)
    assert (card.version, card.number, card.post_id) == (1, "GW-01", world.post_a.pk)
    assert card.emergency_phones == [
        {"name": "火警", "phone": "119"},
        {"name": "值班室", "phone": "0533-7123456"},
    ]
    client.post(_edit_url(point), {**data, "key_points": "佩戴防毒面具\n两人作业"})
    card.refresh_from_db()
    assert card.version == 2


def test_bad_phone_refused_with_message(world: World, login: Any) -> None:
    point = assessed_point(world)
    client = login(world.user("ent_a"))
    response = client.post(_edit_url(point), {"emergency_phones": "值班室 12-34"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "12-34" in body and "不是有效的电话号码" in body and "is-invalid" in body
    response = client.post(_edit_url(point), {"emergency_phones": "只有名称"})
    assert "请写成“名称 电话”" in response.content.decode()
    assert not RiskCard.objects.exists()


def test_emergency_card_edit_splits_steps(world: World, login: Any) -> None:
    point = assessed_point(world)
    client = login(world.user("ent_a"))
    data = {"steps": "1. 停止进料\n\n2. 打开紧急冷却水\n3. 报告班长", "start_conditions": "釜温超过 90 ℃",
            "review_cycle_months": "12", "emergency_phones": "急救 120"}  # fmt: skip
    assert client.post(_edit_url(point, "emergency"), data).status_code == 302
    card = RiskCard.objects.get(kind=CardKind.EMERGENCY)
    assert card.steps == ["停止进料", "打开紧急冷却水", "报告班长"]
    too_many = "\n".join(f"步骤{i}" for i in range(21))
    response = client.post(_edit_url(point, "emergency"), {**data, "steps": too_many})
    assert "最多 20 步" in response.content.decode()
    page = client.get(_qr_url(point)).content.decode()
    assert "打开紧急冷却水" in page and "釜温超过 90 ℃" in page


def test_unknown_kind_is_404(world: World, login: Any) -> None:
    point = assessed_point(world)
    assert login(world.user("ent_a")).get(_edit_url(point, "other")).status_code == 404


def test_pdfs(world: World, login: Any) -> None:
    point = assessed_point(world)
    client = login(world.user("ent_a"))
    for url in (
        reverse("risks:card_pdf", args=[point.pk, "post"]),
        reverse("risks:notice_board_pdf", kwargs={"enterprise": world.ent_a.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF") and b"/Type /Page" in response.content
    assert client.get(reverse("risks:card_pdf", args=[point.pk, "emergency"])).status_code == 404
    card_services.card_save(actor=SYSTEM, point=point, kind=CardKind.EMERGENCY, data={"steps": ["停止进料"]})
    response = client.get(reverse("risks:card_pdf", args=[point.pk, "emergency"]))
    assert response.content.startswith(b"%PDF")


def test_notice_board_page(world: World, login: Any) -> None:
    assessed_point(world)
    response = login(world.user("town_a")).get(
        reverse("risks:notice_board", kwargs={"enterprise": world.ent_a.pk})
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "风险公告栏" in body and "sg-risk-orange" in body and "较大风险" in body and "王操作" in body


def test_confirmations_page_for_editors_and_government(world: World, login: Any) -> None:
    point = assessed_point(world)
    ent_services.person_create(
        actor=SYSTEM, enterprise=world.ent_a, data={"name": "李新人", "org_unit": world.post_a}
    )
    ent_services.person_update(actor=SYSTEM, person=world.person_a, data={"user": world.user("post_a")})
    card_services.card_confirm(actor=world.user("post_a"), point=point, ip="10.0.0.1")
    url = reverse("risks:card_confirmations", args=[point.pk])
    for name in ("ent_a", "town_a", "county_admin"):
        body = login(world.user(name)).get(url).content.decode()
        assert "王操作" in body and "李新人" in body and "1 / 2 人未确认告知卡当前版本" in body
    assert login(world.user("post_a")).get(url).status_code == 403
    assert login(world.user("ent_b")).get(url).status_code == 404


def test_card_index_lists_points_with_versions(world: World, login: Any) -> None:
    point = assessed_point(world)
    card_services.card_save(actor=SYSTEM, point=point, kind=CardKind.POST, data={"key_points": "要点"})
    body = login(world.user("ent_a")).get(reverse("risks:card_index", kwargs={"enterprise": world.ent_a.pk}))
    text = body.content.decode()
    assert point.name in text and "V1" in text and reverse("risks:card_edit", args=[point.pk, "post"]) in text


def test_booklet_has_one_page_per_point(world: World, login: Any) -> None:
    point = assessed_point(world)
    make_point(world, "RP-C02", name="原料库", org_unit=world.post_a)
    card_services.card_save(actor=SYSTEM, point=point, kind=CardKind.EMERGENCY, data={"steps": ["停止进料"]})
    client = login(world.user("ent_a"))
    post = client.get(reverse("risks:card_booklet_pdf", args=[world.ent_a.pk, "post"]))
    assert post.status_code == 200 and pdf_pages(post.content) == 2
    emergency = client.get(reverse("risks:card_booklet_pdf", args=[world.ent_a.pk, "emergency"]))
    assert pdf_pages(emergency.content) == 1
    assert (
        login(world.user("ent_b"))
        .get(reverse("risks:card_booklet_pdf", args=[world.ent_a.pk, "post"]))
        .status_code
        == 404
    )


def test_card_index_and_notice_board_queries_do_not_grow_with_points(
    world: World, login: Any, django_assert_max_num_queries: Any
) -> None:
    assessed_point(world)
    client = login(world.user("ent_a"))
    urls = [
        reverse("risks:card_index", args=[world.ent_a.pk]),
        reverse("risks:notice_board", args=[world.ent_a.pk]),
    ]
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx))
    for i in range(4):
        make_factor(make_point(world, f"RP-Q{i}", name=f"点{i}"))
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200


def test_register_change_offers_a_new_version_to_editors(world: World, login: Any) -> None:
    point = assessed_point(world)
    card_services.card_save(actor=SYSTEM, point=point, kind=CardKind.POST, data={"key_points": "要点"})
    client = login(world.user("ent_a"))
    assert "发布新版本" not in client.get(reverse("risks:card_detail", args=[point.pk])).content.decode()
    make_factor(point, description="搅拌器机械伤害", accident_types=["03"])
    assert "发布新版本" in client.get(reverse("risks:card_detail", args=[point.pk])).content.decode()
    assert "发布新版本" not in login(world.user("post_a")).get(_qr_url(point)).content.decode()
    publish = reverse("risks:card_publish", args=[point.pk, "post"])
    assert login(world.user("post_a")).post(publish).status_code == 403
    client = login(world.user("ent_a"))
    assert client.post(publish).status_code == 302
    card = RiskCard.objects.get(risk_point=point, kind=CardKind.POST)
    assert card.version == 2 and card.key_points == "要点"
    assert AuditEntry.objects.filter(
        object_type="risks.riskcard", object_id=str(card.pk), action="update"
    ).exists()
    assert "发布新版本" not in client.get(reverse("risks:card_detail", args=[point.pk])).content.decode()
