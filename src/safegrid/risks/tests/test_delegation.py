"""Written signing delegations: recorded by the legal representative with the scanned letter, refused
whole on bad input, effective only inside their dates and until revoked; their pages and the letter are
scoped (404) and only the representative writes (403)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from safegrid.core.choices import Role
from safegrid.core.models import AuditEntry, User
from safegrid.core.testing import make_user
from safegrid.risks.models import SigningDelegation
from safegrid.risks.selectors import delegation as delegation_selectors
from safegrid.risks.services import delegation as services
from safegrid.testworld import World

from . import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% scanned letter\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def letter(name: str = "委托书.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _deputy(world: World) -> Any:
    found = User.objects.filter(username="ent_a_admin").first()
    return found or make_user(
        "ent_a_admin", {"role": Role.ENT_ADMIN, "enterprise": world.ent_a}, display_name="王副总"
    )


def _create(world: World, **overrides: Any) -> SigningDelegation:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "actor": factories.legal_rep(world),
        "enterprise": world.ent_a,
        "delegate": _deputy(world),
        "valid_from": today,
        "valid_until": today + dt.timedelta(days=30),
        "document": letter(),
        "note": "2026 年度一企一册签署",
    }
    values.update(overrides)
    return services.delegation_create(**values)


def test_the_legal_representative_records_a_delegation_audited(world: World) -> None:
    delegation = _create(world)
    assert (delegation.delegator_name, delegation.delegate_name) == ("张甲", "王副总")
    assert delegation.document.name.endswith(".pdf")
    with delegation.document.open("rb") as handle:
        assert handle.read() == PDF
    entry = AuditEntry.objects.get(object_type="risks.signingdelegation", object_id=str(delegation.pk))
    assert entry.action == "create" and entry.actor_label == "legal_a"
    today = timezone.localdate()
    deputy = delegation.delegate
    assert delegation_selectors.active_delegation(deputy, world.ent_a.pk) == delegation
    assert (
        delegation_selectors.active_delegation(deputy, world.ent_a.pk, today + dt.timedelta(days=30))
        == delegation
    )
    assert (
        delegation_selectors.active_delegation(deputy, world.ent_a.pk, today + dt.timedelta(days=31)) is None
    )
    assert delegation_selectors.active_delegation(deputy, world.ent_b.pk) is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"document": letter("委托书.pdf", b"MZ\x90\x00not a pdf")},
            "document",
            "文件内容不是 PDF 格式，请上传扫描件原件",
        ),
        ({"document": letter("委托书.exe", PDF)}, "document", "委托书扫描件须为 PDF、JPG 或 PNG 文件"),
        ({"document": None}, "document", "请上传法定代表人签字（盖章）的委托书扫描件"),
        (
            {"valid_until": dt.date(2020, 1, 1), "valid_from": dt.date(2019, 1, 1)},
            "valid_until",
            "委托截止日期已过，无需登记",
        ),
        (
            {"valid_until": dt.date(2020, 1, 1), "valid_from": dt.date(2021, 1, 1)},
            "valid_until",
            "委托截止日期不能早于起始日期",
        ),
        ({"delegate": None}, "delegate", "请选择受托人"),
    ],
)
def test_bad_input_is_refused_whole(
    world: World, overrides: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        _create(world, **overrides)
    assert excinfo.value.message_dict[field] == [message]
    assert not SigningDelegation.objects.exists()


def test_the_delegate_must_be_a_manager_of_the_enterprise(world: World) -> None:
    legal = factories.legal_rep(world)
    for delegate in (world.user("post_a"), world.user("ent_b"), world.user("town_a"), legal):
        with pytest.raises(ValidationError) as excinfo:
            _create(world, delegate=delegate)
        assert "delegate" in excinfo.value.message_dict
    assert _create(world, delegate=world.user("ent_a")).delegate == world.user("ent_a")


@pytest.mark.parametrize("username", ["ent_a", "county_admin", "town_a"])
def test_only_the_legal_representative_delegates(world: World, username: str) -> None:
    with pytest.raises(PermissionDenied):
        _create(world, actor=world.user(username))
    assert not SigningDelegation.objects.exists()


def test_a_revoked_delegation_no_longer_lets_the_delegate_sign(world: World) -> None:
    delegation = _create(world, document=letter("scan.png", PNG))
    with pytest.raises(PermissionDenied):
        services.delegation_revoke(actor=world.user("ent_a"), delegation=delegation)
    revoked = services.delegation_revoke(actor=factories.legal_rep(world), delegation=delegation)
    assert revoked.revoked_by == factories.legal_rep(world) and revoked.revoked_at is not None
    assert delegation_selectors.active_delegation(delegation.delegate, world.ent_a.pk) is None
    with pytest.raises(ValidationError):
        services.delegation_revoke(actor=factories.legal_rep(world), delegation=revoked)


# ---- pages -------------------------------------------------------------------------------------


def test_the_legal_representative_uploads_the_letter_on_the_page(world: World, login: Any) -> None:
    deputy = _deputy(world)
    client = login(factories.legal_rep(world))
    url = reverse("risks:delegation_list", args=[world.ent_a.pk])
    page = client.get(url)
    assert page.status_code == 200 and "登记新的签署委托" in page.content.decode()
    today = timezone.localdate()
    data = {
        "delegate": deputy.pk,
        "valid_from": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=10)).isoformat(),
        "note": "出差期间",
    }
    refused = client.post(url, {**data, "document": letter("委托书.pdf", b"not a pdf at all")})
    assert refused.status_code == 200 and "文件内容不是 PDF 格式" in refused.content.decode()
    assert client.post(url, {**data, "document": letter()}).status_code == 302
    delegation = SigningDelegation.objects.get()
    page = client.get(url).content.decode()
    assert "张甲 委托 王副总" in page and "有效" in page
    document = client.get(reverse("risks:delegation_document", args=[delegation.pk]))
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"
    assert b"".join(document.streaming_content) == PDF
    assert client.post(reverse("risks:delegation_revoke", args=[delegation.pk])).status_code == 302
    assert "已撤销" in client.get(url).content.decode()


def test_delegation_pages_are_scoped_and_only_the_representative_writes(world: World, login: Any) -> None:
    delegation = _create(world)
    url = reverse("risks:delegation_list", args=[world.ent_a.pk])
    document = reverse("risks:delegation_document", args=[delegation.pk])
    revoke = reverse("risks:delegation_revoke", args=[delegation.pk])
    for username in ("ent_b", "town_b", "outsider"):
        client = login(world.user(username))
        assert client.get(url).status_code == 404
        assert client.get(document).status_code == 404
        assert client.post(revoke).status_code == 404
    assert login(world.user("post_a")).get(url).status_code == 403
    for username in ("ent_a", "town_a", "dept_chem", "county_admin"):
        client = login(world.user(username))
        page = client.get(url)
        assert page.status_code == 200 and "登记新的签署委托" not in page.content.decode(), username
        assert client.get(document).status_code == 200
        assert client.post(url, {}).status_code == 403
    assert login(world.user("ent_a")).post(revoke).status_code == 403
    delegation.refresh_from_db()
    assert delegation.revoked_at is None
