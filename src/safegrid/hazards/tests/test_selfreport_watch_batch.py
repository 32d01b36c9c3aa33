"""The self-report watch looks recipients up in batches: the queries on role assignments do not grow with
the number of missing enterprises (each with its own safety manager), and everyone is still told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safegrid.core.choices import Role
from safegrid.core.models import RoleAssignment
from safegrid.core.testing import SYSTEM, make_user
from safegrid.enterprises import services as ent_services
from safegrid.enterprises.models import Enterprise
from safegrid.enterprises.rules import make_uscc
from safegrid.hazards import selfreport_watch
from safegrid.hazards.config import deadlines
from safegrid.hazards.models import SelfReportNotice
from safegrid.notifications.models import Notification
from safegrid.regions.models import Sector

pytestmark = pytest.mark.django_db
TABLE = RoleAssignment._meta.db_table


def add_enterprises(world, first: int, count: int) -> None:
    chem = Sector.objects.get(code="hazardous_chemicals")
    build = Sector.objects.get(code="building_construction")
    for n in range(first, first + count):
        enterprise = ent_services.enterprise_create(
            actor=SYSTEM,
            data={
                "name": f"批量测试企业{n:02d}有限公司",
                "uscc": make_uscc(f"91370321MA3D{n:05d}"),
                "division": world.ent_a.division if n % 2 else world.ent_b.division,
                "legal_rep": f"负责人{n}",
            },
            sectors=[chem if n % 3 else build],
        )
        make_user(f"manager{n:02d}", {"role": Role.SAFETY_MANAGER, "enterprise": enterprise})
    Enterprise.objects.update(created_at=timezone.now() - dt.timedelta(days=1200))


def role_queries(day: dt.date) -> tuple[int, dict[str, int]]:
    with CaptureQueriesContext(connection) as captured:
        marked = selfreport_watch.missing_mark(today=day, deadlines=deadlines())
    return sum(TABLE in q["sql"] for q in captured.captured_queries), marked


def test_missing_notice_recipients_are_looked_up_in_a_fixed_number_of_queries(world) -> None:
    add_enterprises(world, 0, 2)
    small, marked = role_queries(dt.date(2026, 10, 16))  # 2026-Q3 (and the year 2025) missing
    assert marked["2026-Q3"] == 4
    add_enterprises(world, 2, 22)
    large, marked = role_queries(dt.date(2027, 1, 16))  # 2026-Q4 missing for all 26
    assert marked["2026-Q4"] == 26
    assert large == small and large <= 8
    # every missing enterprise's manager was told, and each regulator got one digest per period
    told = Notification.objects.filter(kind="hazards.self_report_missing", text__startswith="2026年第4季度")
    managers = {f"manager{n:02d}" for n in range(24)}
    assert managers <= set(told.values_list("recipient__username", flat=True))
    town_a = told.filter(recipient=world.user("town_a"))
    assert town_a.filter(object_type="").count() == 1 and "新增 13 家" in town_a.get(object_type="").text
    chem_officer = told.filter(recipient=world.user("dept_chem"), object_type="")
    assert chem_officer.count() == 1
    assert SelfReportNotice.objects.filter(kind="missing", quarter=4, year=2026).count() == 26
