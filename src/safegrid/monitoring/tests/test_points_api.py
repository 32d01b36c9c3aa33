"""/api/v1/monitoring/points and limit changes: the scoped, paginated list with limits, the detail, create
(gas defaults, 422 naming the field), the limit-change request and the approve/reject moves."""

from __future__ import annotations

import pytest

from safegrid.core import tokens
from safegrid.core.choices import Role
from safegrid.core.testing import SYSTEM, make_user
from safegrid.monitoring.models import MonitoringPoint
from safegrid.monitoring.services import points as services

pytestmark = pytest.mark.django_db
URL = "/api/v1/monitoring"


@pytest.fixture
def bearer(world):
    def _bearer(user) -> dict[str, str]:
        user = world.user(user) if isinstance(user, str) else user
        raw, _ = tokens.token_issue(actor=SYSTEM, user=user, name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _bearer


def _post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def _points(world):
    a = services.point_create(
        actor=SYSTEM,
        enterprise=world.ent_a,
        data={"code": "A-LT-01", "name": "甲液位", "kind": "level", "h": 8.0, "hh": 9.0,
              "limits_version": "V1", "limits_source": "甲指标"},
    )  # fmt: skip
    b = services.point_create(
        actor=SYSTEM,
        enterprise=world.ent_b,
        data={"code": "B-GC-01", "name": "乙可燃", "kind": "gas_combustible"},
    )
    return a, b


def test_list_is_scoped_and_carries_the_limits(client, world, bearer):
    a, b = _points(world)
    answer = client.get(f"{URL}/points", **bearer("ent_a"))
    assert answer.status_code == 200
    data = answer.json()
    assert data["total"] == 1
    item = data["items"][0]
    assert (item["code"], item["measure_unit"], item["h"], item["hh"], item["ll"]) == (
        "A-LT-01",
        "m",
        8.0,
        9.0,
        None,
    )
    county = client.get(f"{URL}/points?kind=gas_combustible", **bearer("county_admin")).json()
    assert [i["code"] for i in county["items"]] == ["B-GC-01"] and county["items"][0]["hh"] == 50.0
    assert client.get(f"{URL}/points/{b.pk}", **bearer("ent_a")).status_code == 404
    assert client.get(f"{URL}/points?limit=1&offset=0", **bearer("county_admin")).json()["total"] == 2


def test_detail_has_the_latest_value(client, world, bearer):
    a, _ = _points(world)
    answer = client.get(f"{URL}/points/{a.pk}", **bearer("ent_a"))
    assert answer.status_code == 200 and answer.json()["latest"] is None


def test_create_and_field_named_errors(client, world, bearer):
    body = {"enterprise": world.ent_a.pk, "code": "A-O2-01", "name": "氧含量", "kind": "oxygen"}
    answer = _post(client, f"{URL}/points", body, bearer("ent_a"))
    assert answer.status_code == 201, answer.content
    assert (answer.json()["l"], answer.json()["h"]) == (19.5, 23.5)
    again = _post(client, f"{URL}/points", body, bearer("ent_a"))
    assert again.status_code == 422 and "code" in again.json()["error"]["fields"]
    bad = _post(client, f"{URL}/points", {**body, "code": "X", "h": 9, "hh": 8, "limits_version": "V1",
                                         "limits_source": "s"}, bearer("ent_a"))  # fmt: skip
    assert bad.status_code == 422 and "hh" in bad.json()["error"]["fields"]
    other = _post(client, f"{URL}/points", {**body, "enterprise": world.ent_b.pk}, bearer("ent_a"))
    assert other.status_code == 422 and "enterprise" in other.json()["error"]["fields"]
    assert _post(client, f"{URL}/points", body, bearer("town_a")).status_code == 403


def test_limit_change_request_and_approval(client, world, bearer):
    a, _ = _points(world)
    body = {
        "kind": "permanent",
        "h": 8.5,
        "hh": 9.5,
        "version": "V2",
        "source": "甲指标 V2",
        "reason": "改造",
    }
    answer = _post(client, f"{URL}/points/{a.pk}/limit-changes", body, bearer("ent_a"))
    assert answer.status_code == 201, answer.content
    change = answer.json()
    assert change["status"] == "requested"
    own = _post(client, f"{URL}/limit-changes/{change['id']}/approve", {}, bearer("ent_a"))
    assert own.status_code == 403  # never one's own request
    approver = make_user("lr_a", {"role": Role.LEGAL_REP, "enterprise": world.ent_a})
    ok = _post(client, f"{URL}/limit-changes/{change['id']}/approve", {"comment": "同意"}, bearer(approver))
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "approved" and ok.json()["old_h"] == 8.0
    assert MonitoringPoint.objects.get(pk=a.pk).h == 8.5
    history = client.get(f"{URL}/points/{a.pk}/limit-changes", **bearer("ent_a")).json()
    assert [c["version"] for c in history] == ["V2"]


def test_temporary_change_needs_an_expiry_and_reject_a_comment(client, world, bearer):
    a, _ = _points(world)
    body = {"kind": "temporary", "h": 8.5, "hh": 9.5, "version": "T1", "source": "s", "reason": "开车"}
    answer = _post(client, f"{URL}/points/{a.pk}/limit-changes", body, bearer("ent_a"))
    assert answer.status_code == 422 and "expires_at" in answer.json()["error"]["fields"]
    perm = _post(client, f"{URL}/points/{a.pk}/limit-changes", {**body, "kind": "permanent"}, bearer("ent_a"))
    approver = make_user("sm2_a", {"role": Role.SAFETY_MANAGER, "enterprise": world.ent_a})
    no_comment = _post(client, f"{URL}/limit-changes/{perm.json()['id']}/reject", {}, bearer(approver))
    assert no_comment.status_code == 422 and "comment" in no_comment.json()["error"]["fields"]
    rejected = _post(
        client, f"{URL}/limit-changes/{perm.json()['id']}/reject", {"comment": "依据不足"}, bearer(approver)
    )
    assert rejected.json()["status"] == "rejected"
