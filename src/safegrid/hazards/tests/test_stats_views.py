"""/hazards/stats/: the figures each role sees (scoped), the breakdowns, the Excel file, refusals."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from safegrid.core.testing import SYSTEM
from safegrid.enterprises.models import Person
from safegrid.hazards import services, stats
from safegrid.hazards.tests.factories import REPORT, photo

pytestmark = pytest.mark.django_db
URL = "/hazards/stats/"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def figures(world: Any) -> Any:
    """Town A: one general hazard closed on time, one major rectifying and already overdue, one reported.
    Town B: one general hazard reported."""
    today = timezone.localdate()

    def report(enterprise: Any, title: str, **data: Any) -> Any:
        return services.hazard_report(
            actor=world.user("county_admin"), enterprise=enterprise, data={**REPORT, "title": title, **data}
        )

    def assign(hazard: Any, deadline: dt.date, start: dt.date) -> Any:
        services.hazard_confirm(actor=SYSTEM, hazard=hazard, level=hazard.level, interim_measures="警戒")
        return services.hazard_assign(
            actor=SYSTEM,
            hazard=hazard,
            responsible_person=Person.objects.filter(enterprise=hazard.enterprise).first(),
            measures="m",
            funds=Decimal(1),
            deadline=deadline,
            plan="p",
            today=start,
        )

    closed = assign(report(world.ent_a, "甲已销号"), today, today)
    services.hazard_submit(actor=SYSTEM, hazard=closed, note="ok", photos=[photo("after")])
    services.hazard_accept(actor=SYSTEM, hazard=closed)
    assign(
        report(world.ent_a, "甲重大逾期", level="major"),
        today - dt.timedelta(days=3),
        today - dt.timedelta(days=9),
    )
    report(world.ent_a, "甲待确认")
    report(world.ent_b, "乙待确认")
    return world


def test_county_sees_every_town_and_the_rates(figures: Any, login: Any) -> None:
    response = login(figures.user("county_admin")).get(URL)
    assert response.status_code == 200
    result = response.context["result"]
    assert response.context["by"] == "town"
    assert {g.name: g.open_total for g in result.groups} == {"索镇街道": 2, "少海街道": 1}
    total = result.total
    assert (total.open_total, total.open_major, total.overdue_now) == (3, 1, 1)
    assert total.count("reported") == 4 and total.count("confirmed") == 2 and total.count("closed") == 1
    assert total.rectification_rate == Decimal("50.0")
    assert total.overdue_rate == Decimal("50.0")  # 1 overdue of 2 with a deadline
    assert total.average_days == Decimal("0.0")
    assert total.on_time_rate is None  # no inspections: no data, not 0 %
    html = response.content.decode()
    assert 'id="hazard-stats-data"' in html and "hazards/stats.js" in html


def test_town_officer_sees_only_its_enterprises(figures: Any, login: Any) -> None:
    response = login(figures.user("town_a")).get(URL, {"by": "enterprise"})
    assert response.status_code == 200
    result = response.context["result"]
    assert [g.name for g in result.groups] == [figures.ent_a.name]
    assert result.total.open_total == 2
    assert figures.ent_b.name not in response.content.decode()
    # another town, as a filter: not found
    assert (
        login(figures.user("town_a")).get(URL, {"by": "enterprise", "town": "370321002"}).status_code == 404
    )
    assert login(figures.user("town_a")).get(URL, {"by": "enterprise", "town": "x"}).status_code == 404


def test_a_town_reads_its_villages_first(figures: Any, login: Any) -> None:
    """A town's default breakdown is its villages (a handful of rows, not its thousands of enterprises)."""
    response = login(figures.user("town_a")).get(URL)
    assert response.status_code == 200 and response.context["by"] == "village"
    result = response.context["result"]
    assert {g.key: g.open_total for g in result.groups} == {figures.ent_a.division_id: 2}
    assert [g.name for g in result.groups] == [figures.village_a.name]
    assert figures.ent_b.name not in response.content.decode()


def test_enterprise_sees_its_own_figures(figures: Any, login: Any) -> None:
    response = login(figures.user("ent_b")).get(URL, {"by": "town"})
    assert response.status_code == 200
    assert response.context["by"] == "enterprise"  # the only breakdown an enterprise has
    assert response.context["result"].total.open_total == 1
    assert [g.name for g in response.context["result"].groups] == [figures.ent_b.name]


def test_sector_breakdown_and_enterprise_within_a_town(figures: Any, login: Any) -> None:
    client = login(figures.user("county_admin"))
    by_sector = client.get(URL, {"by": "sector"}).context["result"]
    assert sum(g.open_total for g in by_sector.groups) >= 3
    within = client.get(URL, {"by": "enterprise", "town": "370321001"}).context["result"]
    assert [g.name for g in within.groups] == [figures.ent_a.name]
    assert within.total.open_total == 2


def test_outsider_is_refused(figures: Any, login: Any) -> None:
    assert login(figures.user("outsider")).get(URL).status_code == 404


def test_excel_export_holds_the_page_numbers(figures: Any, login: Any) -> None:
    response = login(figures.user("county_admin")).get(URL, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(
        io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))
    )
    year = timezone.localdate().year
    sheet = book[f"{year}年按镇街"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    by_name = {r[0]: r for r in rows}
    assert by_name["索镇街道"][1:4] == [1, 1, 1]  # open general, open major, overdue now
    assert by_name["合计"][7] in (50, Decimal("50.0"), "50.0")
    assert len(list(book[f"{year}年逐月"].iter_rows(min_row=2))) == 12


def test_years_offered_include_this_year(figures: Any) -> None:
    assert timezone.localdate().year in stats.years(figures.user("county_admin"))


def test_stats_in_the_menu(figures: Any, login: Any) -> None:
    html = login(figures.user("town_a")).get(reverse("hazards:list")).content.decode()
    assert URL in html


def _norm(fig: stats.Figures) -> tuple[Any, ...]:
    """What the page shows of a figure (zero counters and empty levels left out)."""
    return (
        {k: v for k, v in fig.counts.items() if v},
        {
            level: {s: n for s, n in states.items() if n}
            for level, states in fig.open_now.items()
            if any(states.values())
        },
        fig.overdue_now,
        fig.overdue_in_year,
        {k: v for k, v in fig.inspections.items() if v},
    )


@pytest.mark.parametrize("username", ["county_admin", "dept_chem", "town_a"])
def test_town_and_sector_breakdowns_agree_with_the_per_enterprise_sums(figures: Any, username: Any) -> None:
    """The town and sector pages sum the rollups per group, level and month in one pass; their total and
    monthly trend equal those summed enterprise by enterprise, this year and last (rows of last year and
    of several months included: open hazards of any month count now, the rest only in their year)."""
    from safegrid.hazards import rollups
    from safegrid.hazards.models_stats import HazardMonthStat, InspectionMonthStat

    year = timezone.localdate().year
    last = dt.date(year - 1, 11, 1)
    rollups.add_counts(
        HazardMonthStat,
        ("enterprise_id", "month", "level"),
        {
            (figures.ent_a.pk, last, "general"): {
                "reported": 2,
                "confirmed": 2,
                "open_rectifying": 1,
                "closed": 1,
            },
            (figures.ent_b.pk, dt.date(year, 2, 1), "major"): {"reported": 1, "confirmed": 1, "closed": 1},
        },
    )
    rollups.add_counts(
        InspectionMonthStat,
        ("enterprise_id", "month"),
        {
            (figures.ent_a.pk, dt.date(year, 3, 1)): {"on_time": 5, "missed": 1},
            (figures.ent_b.pk, dt.date(year, 3, 1)): {"late": 2},
            (figures.ent_a.pk, last): {"on_time": 7},
        },
    )
    user = figures.user(username)
    for y in (year, year - 1):
        per_enterprise = stats.statistics(user, year=y, by=stats.BY_ENTERPRISE)
        assert per_enterprise.total.open_total or username == "dept_chem"
        for by in (stats.BY_TOWN, stats.BY_VILLAGE, stats.BY_SECTOR):
            result = stats.statistics(user, year=y, by=by)
            assert _norm(result.total) == _norm(per_enterprise.total), (by, y)
            assert [_norm(m) for m in result.months] == [_norm(m) for m in per_enterprise.months], (by, y)
        by_town = stats.statistics(user, year=y, by=stats.BY_TOWN)
        for group in by_town.groups:
            town = stats.statistics(
                user, year=y, by=stats.BY_ENTERPRISE, town=stats.town_in_scope(user, group.key)
            )
            assert _norm(group) == _norm(town.total), (group.key, y)


def test_years_are_those_with_rows_in_scope(figures: Any) -> None:
    from safegrid.hazards import rollups
    from safegrid.hazards.models_stats import HazardMonthStat, InspectionMonthStat

    year = timezone.localdate().year
    rollups.add_counts(
        HazardMonthStat,
        ("enterprise_id", "month", "level"),
        {(figures.ent_b.pk, dt.date(year - 4, 6, 1), "general"): {"reported": 1}},
    )
    rollups.add_counts(
        InspectionMonthStat,
        ("enterprise_id", "month"),
        {(figures.ent_a.pk, dt.date(year - 2, 3, 1)): {"missed": 1}},
    )
    assert stats.years(figures.user("county_admin")) == [year, year - 2, year - 4]  # not year - 1, year - 3
    assert stats.years(figures.user("town_a")) == [year, year - 2]  # town B's year not offered
    assert stats.years(figures.user("town_b")) == [year, year - 4]
