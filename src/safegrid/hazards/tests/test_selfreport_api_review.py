"""The regulator's receive (查收) and return (退回) of a submitted self-report through the API: the page's
services, permission-checked (403), field-named refusals (422), scoped (404)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from safegrid.core import tokens
from safegrid.core.choices import Role
from safegrid.core.testing import PASSWORD, SYSTEM, make_user
from safegrid.hazards import selfreports
from safegrid.hazards.config import deadlines
from safegrid.hazards.models import SelfReportTransition
from safegrid.hazards.rules import selfreport as rules

from .test_selfreport import _registered_long_ago

pytestmark = pytest.mark.django_db
URL = "/api/v1/hazard-self-reports"


def bearer(user):
    raw, _ = tokens.token_issue(actor=SYSTEM, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def submitted(world):
    legal = make_user("legal_a", {"role": Role.LEGAL_REP, "enterprise": world.ent_a}, display_name="张甲")
    _registered_long_ago(world.ent_a)
    period = rules.latest_overdue(timezone.localdate(), rules.QUARTER, deadlines())
    report = selfreports.selfreport_generate(actor=world.user("ent_a"), enterprise=world.ent_a, period=period)
    report = selfreports.selfreport_statement_save(
        actor=world.user("ent_a"), report=report, statement="本期情况"
    )
    return selfreports.selfreport_submit(
        actor=legal, report=report, password=PASSWORD, fingerprint_seen=selfreports.fingerprint(report)
    )


def post(client, path, body, user):
    return client.post(f"{URL}{path}", body, content_type="application/json", **bearer(user))


def test_return_needs_a_comment_and_only_a_regulator_of_the_enterprise(world, client, submitted):
    pk = submitted.pk
    assert post(client, f"/{pk}/return", {"comment": "x"}, world.user("ent_a")).status_code == 403
    assert post(client, f"/{pk}/return", {"comment": "x"}, world.user("town_b")).status_code == 404
    empty = post(client, f"/{pk}/return", {"comment": ""}, world.user("town_a"))
    assert empty.status_code == 422 and "comment" in empty.json()["error"]["fields"]
    done = post(
        client, f"/{pk}/return", {"comment": "第三季度漏报一项重大隐患，请补充"}, world.user("town_a")
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "returned" and done.json()["review_comment"].startswith("第三季度")
    again = post(client, f"/{pk}/receive", {}, world.user("town_a"))  # returned: nothing to receive
    assert again.status_code == 422
    log = SelfReportTransition.objects.filter(report_id=pk).order_by("id")
    assert list(log.values_list("action", flat=True))[-1] == "return"


def test_receive(world, client, submitted):
    pk = submitted.pk
    assert post(client, f"/{pk}/receive", {}, world.user("ent_a")).status_code == 403
    assert post(client, f"/{pk}/receive", {}, world.user("town_b")).status_code == 404
    done = post(client, f"/{pk}/receive", {"comment": "已查收"}, world.user("town_a"))
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "received" and done.json()["reviewed_at"]
    twice = post(client, f"/{pk}/receive", {}, world.user("town_a"))
    assert twice.status_code == 422
