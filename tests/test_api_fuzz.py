"""Property-based fuzzing of the whole API from its OpenAPI document (Schemathesis), in-process (WSGI).

Every operation of /api/v1/ is called with generated requests — valid and invalid bodies, query
strings and path values — as two roles: the county admin (reads and writes everything) and an
enterprise user (their own enterprise). Each call must answer without a server error and with a
status and body the document declares (`response_schema_conformance`, `status_code_conformance`,
`content_type_conformance`). Token revocation (DELETE /auth/token) is left out: it would end the
token the run uses.

The example count per operation is bounded (SAFEGRID_FUZZ_EXAMPLES, default 8, besides Schemathesis'
boundary cases: limits, limit + 1, missing fields) and the examples
are derandomised, so CI runs the same requests every time; SAFEGRID_FUZZ_RANDOM=1 draws new ones
(and a larger count digs deeper, e.g. SAFEGRID_FUZZ_EXAMPLES=200 before a release).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from safegrid.apiroot.api import api
from safegrid.core import tokens

EXAMPLES = int(os.environ.get("SAFEGRID_FUZZ_EXAMPLES", "8"))
RANDOM = os.environ.get("SAFEGRID_FUZZ_RANDOM") == "1"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

pytestmark = pytest.mark.fuzz


def _schema() -> schemathesis.schemas.BaseSchema:
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = WSGIHandler()  # in-process: the whole middleware stack, CSRF included
    return schema.exclude(method="DELETE", path="/api/v1/auth/token")


schema = _schema()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """A real WSGI request closes the database connection when it ends; the test's transaction
    must outlive it (Django's test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _register(world) -> None:
    """Enterprise A's register in brief (a point, a factor with its assessment, a measure, a tier),
    so the risk routes have rows to read and write: lighter than every app's world extension."""
    from safegrid.core.testing import SYSTEM
    from safegrid.risks.services import points as risks

    point = risks.risk_point_create(
        actor=SYSTEM, enterprise=world.ent_a, data={"code": "RP-1", "name": "反应釜", "type": "facility"}
    )
    factor = risks.hazard_factor_add(
        actor=SYSTEM, point=point, data={"method": "SCL", "description": "超温超压", "category": "things"}
    )
    risks.assess(actor=SYSTEM, factor=factor, kind="initial", method="LS", inputs={"L": 3, "S": 4})
    risks.measure_add(
        actor=SYSTEM,
        point=point,
        data={
            "kind": "institutional",
            "classify1": 3,
            "classify2": "3-1",
            "description": "联锁投用检查",
            "check_content": "联锁投用状态",
            "check_cycle": 1,
            "check_cycle_unit": "天",
            "responsible_post": world.post_a,
            "hazard_factor": factor,
        },
    )
    risks.tier_assign(actor=SYSTEM, point=point, tier="post", person=world.person_a, org_unit=world.post_a)


@pytest.fixture(params=["county_admin", "ent_a"])
def bearer(request, db):
    """A token of one of the two roles, in the two-town world with a risk register."""
    from safegrid.testworld import build_world

    world = build_world()
    _register(world)
    user = world.user(request.param)
    raw, _token = tokens.token_issue(actor=user, user=user, name="fuzz")
    return {"Authorization": f"Bearer {raw}"}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOM,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
def test_api_answers_as_documented(case, bearer):
    case.call_and_validate(headers=bearer, checks=CHECKS)
