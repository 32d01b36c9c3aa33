"""/api/v1/major-hazards: the preview (worked check, 422 naming the field), the list in scope, the detail
with its terms, and the idempotent create."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from safegrid.core import tokens
from safegrid.core.testing import SYSTEM
from safegrid.majorhazards.models import HazardUnit, Substance
from safegrid.majorhazards.services import sources as services
from safegrid.majorhazards.services.sources import LineIn

pytestmark = pytest.mark.django_db
URL = "/api/v1/major-hazards"


@pytest.fixture
def bearer(world):
    def _bearer(username: str) -> dict[str, str]:
        raw, _ = tokens.token_issue(actor=SYSTEM, user=world.user(username), name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _bearer


def _post(client, url, body, headers, **extra):
    return client.post(url, body, content_type="application/json", **headers, **extra)


def test_preview_worked_check(client, bearer) -> None:
    body = {
        "people_exposed": 60,
        "substances": [{"name": "氯", "quantity_t": 20}, {"cas": "67-56-1", "quantity_t": 100}],
    }
    answer = _post(client, f"{URL}/grade", body, bearer("ent_a"))
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert (data["S"], data["is_major"], data["alpha"], data["R"], data["grade"]) == (
        "4.2",
        True,
        "1.5",
        "24.3",
        3,
    )
    assert data["terms"] == [
        {"substance": "氯", "q": "20", "Q": "5", "beta": "4", "q_over_Q": "4"},
        {"substance": "甲醇", "q": "100", "Q": "500", "beta": "1", "q_over_Q": "0.2"},
    ]
    by_category = _post(
        client,
        f"{URL}/grade",
        {"people_exposed": 0, "substances": [{"category": "W2", "quantity_t": 5}]},
        bearer("ent_a"),
    ).json()
    assert by_category["is_major"] is False and by_category["grade"] is None and by_category["S"] == "0.5"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {
                "people_exposed": 60,
                "substances": [{"name": "氯", "quantity_t": 1}, {"name": "氯氯", "quantity_t": 1}],
            },
            "substances[1].name",
        ),
        (
            {"people_exposed": 60, "substances": [{"name": "氯", "quantity_t": -20}]},
            "substances[0].quantity_t",
        ),
        ({"people_exposed": -1, "substances": [{"name": "氯", "quantity_t": 20}]}, "people_exposed"),
        ({"people_exposed": 1, "substances": [{"cas": "0-00-0", "quantity_t": 20}]}, "substances[0].cas"),
        (
            {"people_exposed": 1, "substances": [{"category": "Z9", "quantity_t": 20}]},
            "substances[0].category",
        ),
    ],
)
def test_preview_422_names_the_field(client, bearer, body, field) -> None:
    answer = _post(client, f"{URL}/grade", body, bearer("ent_a"))
    assert answer.status_code == 422
    assert list(answer.json()["error"]["fields"]) == [field]


def _unit(world):
    services.population_set(
        actor=world.user("ent_a"),
        enterprise=world.ent_a,
        people=60,
        basis="登记",
        counted_on=dt.date(2026, 1, 5),
    )
    return services.unit_create(
        actor=world.user("ent_a"),
        enterprise=world.ent_a,
        data={"code": "TK-01", "name": "甲罐区", "kind": "tank_farm"},
        lines=[
            LineIn(Substance.objects.get(name="氯"), Decimal(20)),
            LineIn(Substance.objects.get(name="甲醇"), Decimal(100)),
        ],
    )


def test_list_and_detail_in_scope(world, client, bearer) -> None:
    unit = _unit(world)
    listed = client.get(URL, **bearer("dept_chem")).json()
    assert [u["id"] for u in listed["items"]] == [unit.pk]
    item = listed["items"][0]
    assert item["grade"] == 3 and item["grading"]["R"] == "24.3" and item["grading"]["terms"][0]["Q"] == "5"
    assert [s["substance"] for s in item["substances"]] == ["氯", "甲醇"]
    assert client.get(URL, **bearer("town_b")).json()["total"] == 0
    assert client.get(f"{URL}?grade=1", **bearer("dept_chem")).json()["total"] == 0
    assert (
        client.get(f"{URL}?is_major=true&enterprise={world.ent_a.pk}", **bearer("dept_chem")).json()["total"]
        == 1
    )
    assert client.get(f"{URL}/{unit.pk}", **bearer("ent_a")).json()["grading"]["S"] == "4.2"
    assert client.get(f"{URL}/{unit.pk}", **bearer("ent_b")).status_code == 404


def test_create_is_idempotent_and_refuses_whole(world, client, bearer) -> None:
    ent = bearer("ent_a")
    body = {
        "enterprise": world.ent_a.pk,
        "code": "LPG-01",
        "name": "液化石油气罐区",
        "kind": "tank_farm",
        "substances": [{"name": "液化石油气", "design_quantity_t": 200, "stock_quantity_t": 90}],
    }
    first = _post(client, URL, body, ent, HTTP_IDEMPOTENCY_KEY="mh-create-0001")
    assert first.status_code == 201, first.content
    again = _post(client, URL, body, ent, HTTP_IDEMPOTENCY_KEY="mh-create-0001")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert HazardUnit.objects.filter(code="LPG-01").count() == 1
    assert first.json()["is_major"] is True and first.json()["grade"] is None  # no population recorded
    bad = {
        **body,
        "code": "LPG-02",
        "substances": [
            {"name": "液化石油气", "design_quantity_t": 10},
            {"name": "无此物", "design_quantity_t": 5},
        ],
    }
    answer = _post(client, URL, bad, ent)
    assert answer.status_code == 422 and list(answer.json()["error"]["fields"]) == ["substances[1].name"]
    zero = {**body, "code": "LPG-03", "substances": [{"name": "液化石油气", "design_quantity_t": 0}]}
    answer = _post(client, URL, zero, ent)
    assert answer.status_code == 422 and list(answer.json()["error"]["fields"]) == [
        "substances[0].design_quantity_t"
    ]
    assert not HazardUnit.objects.filter(code__in=["LPG-02", "LPG-03"]).exists()
    other = _post(client, URL, {**body, "code": "X-1"}, bearer("ent_b"))
    assert other.status_code == 422 and "enterprise" in other.json()["error"]["fields"]
    regulator = _post(client, URL, {**body, "code": "X-2"}, bearer("dept_chem"))
    assert regulator.status_code == 403
