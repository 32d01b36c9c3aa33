"""/api/v1/checklists: scoped like the pages, writes through the page's service, items replaced whole,
field-named 422s, 403 for who may not edit, shipped lists read-only."""

from __future__ import annotations

import pytest

from safegrid.core import tokens
from safegrid.core.models import AuditEntry
from safegrid.core.testing import SYSTEM
from safegrid.hazards import checklists
from safegrid.hazards.models import ChecklistTemplate
from safegrid.hazards.rules.checklists import ItemIn

pytestmark = pytest.mark.django_db
URL = "/api/v1/checklists"


@pytest.fixture
def bearer(world):
    def _bearer(username: str) -> dict[str, str]:
        raw, _ = tokens.token_issue(actor=SYSTEM, user=world.user(username), name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _bearer


@pytest.fixture
def own_b(world):
    return checklists.checklist_save(
        actor=world.user("ent_b"),
        data={"name": "乙公司塔吊专项检查表", "kind": 7},
        items=[ItemIn("T-01", "塔吊基础无积水")],
        enterprise=world.ent_b,
    )


BODY = {
    "name": "甲公司开车前检查表",
    "kind": 7,
    "basis": "企业开停车管理制度",
    "items": [
        {"code": "K-01", "text": "联锁投用", "basis": "", "criterion": ""},
        {"code": "K-02", "text": "特种作业人员持证上岗", "criterion": "HC-02"},
    ],
}


def test_list_and_detail_are_scoped(world, client, bearer, own_b) -> None:
    county = client.get(URL, {"owner": "county"}, **bearer("ent_a")).json()
    assert county["total"] >= 3 and all(c["owner"] == "county" and c["shipped"] for c in county["items"])
    names = [c["name"] for c in client.get(URL, {"limit": 100}, **bearer("ent_a")).json()["items"]]
    assert own_b.name not in names
    assert own_b.name in [
        c["name"] for c in client.get(URL, {"limit": 100}, **bearer("ent_b")).json()["items"]
    ]
    assert client.get(f"{URL}/{own_b.pk}", **bearer("town_a")).status_code == 404
    detail = client.get(f"{URL}/{own_b.pk}", **bearer("town_b")).json()
    assert detail["items"] == [
        {"number": 1, "code": "T-01", "text": "塔吊基础无积水", "basis": "", "criterion": None}
    ]
    shipped = ChecklistTemplate.objects.get(shipped_code="SHIP-HC121")
    items = client.get(f"{URL}/{shipped.pk}", **bearer("post_a")).json()["items"]
    assert len(items) == 20 and items[0]["criterion"] == "HC-01"


def test_create_replace_and_patch_through_the_service(world, client, bearer) -> None:
    headers = {**bearer("ent_a"), "HTTP_IDEMPOTENCY_KEY": "checklist-0001"}
    created = client.post(
        URL, {**BODY, "enterprise": world.ent_a.pk}, content_type="application/json", **headers
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["owner"] == "enterprise" and [i["criterion"] for i in data["items"]] == [None, "HC-02"]
    again = client.post(
        URL, {**BODY, "enterprise": world.ent_a.pk}, content_type="application/json", **headers
    )
    assert (
        again["Idempotent-Replayed"] == "true"
        and ChecklistTemplate.objects.filter(enterprise=world.ent_a).count() == 1
    )
    pk = data["id"]
    put = client.put(
        f"{URL}/{pk}",
        {
            "name": "甲公司开车前检查表（修订）",
            "kind": 7,
            "items": [{"code": "K-09", "text": "消防通道畅通"}],
        },
        content_type="application/json",
        **bearer("ent_a"),
    )
    assert put.status_code == 200, put.content
    assert [i["code"] for i in put.json()["items"]] == ["K-09"] and put.json()["basis"] == ""
    patch = client.patch(
        f"{URL}/{pk}", {"basis": "新依据"}, content_type="application/json", **bearer("ent_a")
    )
    assert patch.status_code == 200 and patch.json()["basis"] == "新依据"
    assert [i["code"] for i in patch.json()["items"]] == ["K-09"]  # items kept when not given
    assert AuditEntry.objects.filter(object_type="hazards.checklisttemplate", object_id=str(pk)).count() == 3


def test_refusals_are_field_named(world, client, bearer, own_b) -> None:
    post = bearer("ent_a")
    dup = client.post(
        URL,
        {
            **BODY,
            "enterprise": world.ent_a.pk,
            "items": [{"code": "A", "text": "同一项"}, {"code": "A", "text": "同一项"}],
        },
        content_type="application/json",
        **post,
    )
    assert dup.status_code == 422 and "items" in dup.json()["error"]["fields"]
    unknown = client.post(
        URL,
        {**BODY, "enterprise": world.ent_a.pk, "items": [{"code": "A", "text": "x", "criterion": "NOPE"}]},
        content_type="application/json",
        **post,
    )
    assert unknown.status_code == 422 and "items" in unknown.json()["error"]["fields"]
    missing = client.put(f"{URL}/{own_b.pk}", {"kind": 7}, content_type="application/json", **bearer("ent_b"))
    assert missing.status_code == 422 and {"name", "items"} <= set(missing.json()["error"]["fields"])
    other = client.post(URL, {**BODY, "enterprise": world.ent_b.pk}, content_type="application/json", **post)
    assert other.status_code == 422 and "enterprise" in other.json()["error"]["fields"]
    county = client.post(URL, BODY, content_type="application/json", **post)  # a county list: not a manager's
    assert county.status_code == 403
    assert (
        client.patch(
            f"{URL}/{own_b.pk}", {"name": "x"}, content_type="application/json", **bearer("town_b")
        ).status_code
        == 403
    )
    shipped = ChecklistTemplate.objects.get(shipped_code="SHIP-HC121")
    read_only = client.patch(
        f"{URL}/{shipped.pk}", {"name": "x"}, content_type="application/json", **bearer("county_admin")
    )
    assert read_only.status_code == 422
    assert ChecklistTemplate.objects.get(pk=own_b.pk).name == "乙公司塔吊专项检查表"
