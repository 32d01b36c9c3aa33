"""The self-report (自查自报): generation from the rollups, signing and submission, the regulator's review,
the daily watch with a controlled clock (the county day is passed in), and the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from safegrid.core.choices import AuditAction, Role
from safegrid.core.models import AuditEntry
from safegrid.core.testing import PASSWORD, make_user
from safegrid.enterprises.models import Enterprise
from safegrid.hazards import selfreport_selectors, selfreport_watch, selfreports, services
from safegrid.hazards.config import deadlines
from safegrid.hazards.models import HazardMonthStat, HazardSelfReport, SelfReportNotice, SelfReportTransition
from safegrid.hazards.models_selfreport import SelfReportStatus
from safegrid.hazards.rules import selfreport as rules
from safegrid.jobs.registry import schedules
from safegrid.notifications.models import Notification

from .factories import reported

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def period():
    """The quarter the test's hazards are reported in (today's): generated "after" it ends."""
    return rules.period_of(timezone.localdate(), rules.QUARTER)


@pytest.fixture
def after(period):
    return period.end + dt.timedelta(days=1)


@pytest.fixture
def legal_a(world):
    return make_user("legal_a", {"role": Role.LEGAL_REP, "enterprise": world.ent_a}, display_name="张甲")


def _draft(world, period, after, statement="本季度开展日常排查 90 次，发现一般隐患 2 项，已整改 1 项。"):
    report = selfreports.selfreport_generate(
        actor=world.user("ent_a"), enterprise=world.ent_a, period=period, today=after
    )
    if statement:
        report = selfreports.selfreport_statement_save(
            actor=world.user("ent_a"), report=report, statement=statement
        )
    return report


def _submit(report, signer, today):
    return selfreports.selfreport_submit(
        actor=signer,
        report=report,
        password=PASSWORD,
        fingerprint_seen=selfreports.fingerprint(report),
        today=today,
    )


# ---- generation ------------------------------------------------------------------------------------


def test_figures_come_from_the_rollups(world, period, after):
    first = reported(world, title="储罐区静电接地线断开")
    reported(world, title="消防通道堆放杂物")
    services.hazard_confirm(actor=world.user("ent_a"), hazard=first, level="general")
    report = _draft(world, period, after)
    general = report.figures["hazards"]["general"]
    assert (general["found"], general["confirmed"], general["closed"], general["open"]) == (2, 1, 0, 2)
    assert general["rectification_rate"] == "0.0"
    assert report.figures["hazards"]["major"]["found"] == 0
    assert report.figures["hazards"]["total"]["found"] == 2
    assert report.figures["period"]["key"] == period.key
    assert report.due_date == rules.due_date(period, deadlines())
    assert report.status == SelfReportStatus.DRAFT
    # Refreshing reads the rollups again, not the hazards: emptied rollups give empty figures.
    HazardMonthStat.objects.all().delete()
    report = selfreports.selfreport_refresh(actor=world.user("ent_a"), report=report, today=after)
    assert report.figures["hazards"]["total"]["found"] == 0
    assert list(report.transitions.values_list("action", flat=True)) == ["generate", "refresh"]


def test_generation_refused_whole(world, period, after):
    with pytest.raises(ValidationError) as exc:  # the quarter has not ended
        selfreports.selfreport_generate(
            actor=world.user("ent_a"), enterprise=world.ent_a, period=period, today=period.end
        )
    assert "period" in exc.value.message_dict
    for name in ("post_a", "grid_a", "town_a", "ent_b", "county_admin"):
        with pytest.raises(PermissionDenied):
            selfreports.selfreport_generate(
                actor=world.user(name), enterprise=world.ent_a, period=period, today=after
            )
    earlier = rules.previous(rules.previous(period))  # ended before enterprise A was registered
    with pytest.raises(ValidationError):
        selfreports.selfreport_generate(
            actor=world.user("ent_a"), enterprise=world.ent_a, period=earlier, today=after
        )
    _draft(world, period, after)
    with pytest.raises(ValidationError):
        _draft(world, period, after)
    assert HazardSelfReport.objects.count() == 1


def test_statement_refuses_bad_text_and_is_only_for_drafts(world, period, after, legal_a):
    report = _draft(world, period, after, statement="")
    with pytest.raises(ValidationError) as exc:
        selfreports.selfreport_statement_save(actor=world.user("ent_a"), report=report, statement="说明\x00")
    assert "statement" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        selfreports.selfreport_statement_save(actor=world.user("post_a"), report=report, statement="说明")
    report = selfreports.selfreport_statement_save(actor=world.user("ent_a"), report=report, statement="说明")
    _submit(report, legal_a, after)
    with pytest.raises(ValidationError):
        selfreports.selfreport_statement_save(actor=world.user("ent_a"), report=report, statement="改")


# ---- signing and submission --------------------------------------------------------------------------


def test_only_the_principal_signs_with_their_password(world, period, after, legal_a):
    report = _draft(world, period, after)
    with pytest.raises(PermissionDenied):  # the safety manager prepares but does not sign
        _submit(report, world.user("ent_a"), after)
    with pytest.raises(ValidationError) as exc:
        selfreports.selfreport_submit(
            actor=legal_a,
            report=report,
            password="wrong",
            fingerprint_seen=selfreports.fingerprint(report),
            today=after,
        )
    assert "password" in exc.value.message_dict
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, object_id=str(report.pk)).count() == 1
    report.refresh_from_db()
    assert report.status == SelfReportStatus.DRAFT and report.signed_by is None


def test_the_signer_signs_what_they_saw(world, period, after, legal_a):
    report = _draft(world, period, after)
    seen = selfreports.fingerprint(report)
    selfreports.selfreport_statement_save(actor=world.user("ent_a"), report=report, statement="改过的说明")
    with pytest.raises(ValidationError) as exc:
        selfreports.selfreport_submit(
            actor=legal_a, report=report, password=PASSWORD, fingerprint_seen=seen, today=after
        )
    assert "fingerprint" in exc.value.message_dict
    report.refresh_from_db()
    assert report.status == SelfReportStatus.DRAFT


def test_a_statement_is_required(world, period, after, legal_a):
    report = _draft(world, period, after, statement="")
    with pytest.raises(ValidationError) as exc:
        _submit(report, legal_a, after)
    assert "statement" in exc.value.message_dict


@pytest.mark.parametrize(("offset", "late"), [(0, 0), (1, 1), (10, 10)])
def test_lateness_from_the_due_date(world, period, after, legal_a, offset, late):
    report = _draft(world, period, after)
    day = report.due_date + dt.timedelta(days=offset)
    report = _submit(report, legal_a, day)
    assert report.status == SelfReportStatus.SUBMITTED
    assert report.days_late == late
    assert report.signer_name == "张甲" and report.signed_by == legal_a


def test_submission_notifies_the_regulators(world, period, after, legal_a):
    _submit(_draft(world, period, after), legal_a, after)
    told = set(
        Notification.objects.filter(kind="hazards.self_report_submitted").values_list(
            "recipient__username", flat=True
        )
    )
    assert "town_a" in told and "dept_chem" in told
    assert "town_b" not in told and "ent_b" not in told


def test_review_return_and_revise(world, period, after, legal_a):
    report = _submit(_draft(world, period, after), legal_a, period.end + dt.timedelta(days=20))
    assert report.days_late > 0
    with pytest.raises(PermissionDenied):
        selfreports.selfreport_receive(actor=world.user("town_b"), report=report)
    with pytest.raises(PermissionDenied):
        selfreports.selfreport_receive(actor=world.user("ent_a"), report=report)
    with pytest.raises(ValidationError):
        selfreports.selfreport_return(actor=world.user("town_a"), report=report, comment=" ")
    report = selfreports.selfreport_return(
        actor=world.user("town_a"), report=report, comment="重大隐患情况未说明"
    )
    assert report.status == SelfReportStatus.RETURNED
    assert Notification.objects.filter(
        kind="hazards.self_report_reviewed", recipient=world.user("ent_a")
    ).exists()
    first = report.first_submitted_at
    report = selfreports.selfreport_revise(actor=world.user("ent_a"), report=report, today=after)
    assert report.status == SelfReportStatus.DRAFT and report.signed_by is None
    report = _submit(report, legal_a, after)  # re-signed early: lateness stays that of the first submission
    assert report.first_submitted_at == first and report.days_late > 0
    report = selfreports.selfreport_receive(actor=world.user("dept_chem"), report=report)
    assert report.status == SelfReportStatus.RECEIVED and report.reviewed_by == world.user("dept_chem")
    actions = list(SelfReportTransition.objects.filter(report=report).values_list("action", flat=True))
    assert actions == ["generate", "submit", "return", "revise", "submit", "receive"]
    with pytest.raises(ValidationError):  # not from "received"
        selfreports.selfreport_return(actor=world.user("town_a"), report=report, comment="再退回")


# ---- the daily watch ----------------------------------------------------------------------------------


def _registered_long_ago(enterprise):
    Enterprise.objects.filter(pk=enterprise.pk).update(created_at=timezone.now() - dt.timedelta(days=800))
    enterprise.refresh_from_db()


def test_watch_reminds_before_and_marks_missing_after_the_due_date(world, legal_a):
    _registered_long_ago(world.ent_a)
    period = rules.quarter(2026, 3)  # due 2026-10-15
    reminders = SelfReportNotice.objects.filter(
        kind="reminder", enterprise=world.ent_a, year=2026, quarter=3
    ).all
    selfreport_watch.self_report_watch(today=dt.date(2026, 10, 7))
    assert not reminders().exists()
    selfreport_watch.self_report_watch(today=dt.date(2026, 10, 8))
    selfreport_watch.self_report_watch(today=dt.date(2026, 10, 8))  # a second run sends nothing new
    assert list(reminders().values_list("days_before", flat=True)) == [7]
    reminded = Notification.objects.filter(kind="hazards.self_report_reminder")
    assert set(reminded.values_list("recipient__username", flat=True)) == {"ent_a", "legal_a"}
    assert selfreport_selectors.missing(world.user("town_a"), period, dt.date(2026, 10, 15)).count() == 0
    result = selfreport_watch.self_report_watch(today=dt.date(2026, 10, 16))
    assert result.missing["2026-Q3"] == 1
    assert SelfReportNotice.objects.filter(kind="missing", enterprise=world.ent_a, quarter=3).count() == 1
    digest = Notification.objects.filter(
        kind="hazards.self_report_missing", recipient=world.user("town_a"), text__startswith="2026年第3季度"
    )
    assert digest.count() == 1 and "新增 1 家" in digest.get().text
    assert digest.get().url.endswith("?period=2026-Q3")
    assert not Notification.objects.filter(
        kind="hazards.self_report_missing", recipient=world.user("town_b")
    ).exists()
    assert selfreport_watch.self_report_watch(today=dt.date(2026, 10, 17)).missing["2026-Q3"] == 0
    assert list(selfreport_selectors.missing(world.user("town_a"), period, dt.date(2026, 10, 16))) == [
        world.ent_a
    ]
    assert not selfreport_selectors.missing(world.user("town_b"), period, dt.date(2026, 10, 16)).exists()
    # A late report leaves the missing list at once and is listed as late.
    report = selfreports.selfreport_generate(
        actor=world.user("ent_a"), enterprise=world.ent_a, period=period, today=dt.date(2026, 10, 20)
    )
    report = selfreports.selfreport_statement_save(actor=world.user("ent_a"), report=report, statement="补报")
    report = _submit(report, legal_a, dt.date(2026, 10, 20))
    assert report.days_late == 5
    assert not selfreport_selectors.missing(world.user("town_a"), period, dt.date(2026, 10, 20)).exists()


def test_watch_skips_closed_enterprises_and_the_start_date(world, settings):
    _registered_long_ago(world.ent_a)
    period = rules.quarter(2026, 3)
    Enterprise.objects.filter(pk=world.ent_a.pk).update(status="closed")
    assert (
        not selfreport_selectors.missing(None, period, dt.date(2026, 10, 16))
        .filter(pk=world.ent_a.pk)
        .exists()
    )
    Enterprise.objects.filter(pk=world.ent_a.pk).update(status="operating")
    settings.SAFEGRID_SELF_REPORT_START = "2026-10-01"
    assert not selfreport_selectors.missing(None, period, dt.date(2026, 10, 16)).exists()


def test_the_watch_is_scheduled_daily():
    found = {s.name: s for s in schedules()}
    assert found["hazards.self_report_watch"].job_kind == "hazards.self_report_watch"


# ---- pages -----------------------------------------------------------------------------------------------


def test_enterprise_page_generates_and_signs(world, login, legal_a):
    _registered_long_ago(world.ent_a)
    today = timezone.localdate()
    current = rules.current_periods(today, deadlines())
    page = login(world.user("ent_a")).get(reverse("hazards:self_reports"))
    assert page.status_code == 200
    text = page.content.decode()
    assert current[0].label in text and "生成报告" in text
    response = login(world.user("ent_a")).post(
        reverse("hazards:self_report_generate"), {"enterprise": world.ent_a.pk, "period": current[-1].key}
    )
    report = HazardSelfReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "hazards:self_report", args=[report.pk]
    )
    client = login(world.user("ent_a"))
    client.post(
        reverse("hazards:self_report_act", args=[report.pk, "statement"]), {"statement": "季度排查情况良好"}
    )
    report.refresh_from_db()
    assert report.statement == "季度排查情况良好"
    detail = login(legal_a).get(reverse("hazards:self_report", args=[report.pk]))
    assert "签署并报送" in detail.content.decode()
    bad = login(legal_a).post(
        reverse("hazards:self_report_act", args=[report.pk, "submit"]),
        {"password": "wrong", "fingerprint": selfreports.fingerprint(report)},
    )
    assert bad.status_code == 422 and "密码不正确" in bad.content.decode()
    ok = login(legal_a).post(
        reverse("hazards:self_report_act", args=[report.pk, "submit"]),
        {"password": PASSWORD, "fingerprint": selfreports.fingerprint(report)},
    )
    assert ok.status_code == 302
    report.refresh_from_db()
    assert report.status == SelfReportStatus.SUBMITTED


def test_regulator_list_filters_export_pdf_and_scope(world, login, period, after, legal_a):
    report = _submit(_draft(world, period, after), legal_a, after)
    town = login(world.user("town_a"))
    listing = town.get(reverse("hazards:self_reports"), {"status": "submitted", "period": period.key})
    assert listing.status_code == 200 and world.ent_a.name in listing.content.decode()
    empty = town.get(reverse("hazards:self_reports"), {"late": "yes"})
    assert world.ent_a.name not in empty.content.decode()
    export = town.get(reverse("hazards:self_reports"), {"export": "xlsx"})
    assert export.status_code == 200 and "spreadsheetml" in export["Content-Type"]
    pdf = town.get(reverse("hazards:self_report_pdf", args=[report.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "查收" in town.get(reverse("hazards:self_report", args=[report.pk])).content.decode()
    response = town.post(reverse("hazards:self_report_act", args=[report.pk, "return"]), {"comment": ""})
    assert response.status_code == 422
    town.post(reverse("hazards:self_report_act", args=[report.pk, "receive"]), {"comment": "已查收"})
    report.refresh_from_db()
    assert report.status == SelfReportStatus.RECEIVED
    other = login(world.user("town_b"))
    assert other.get(reverse("hazards:self_report", args=[report.pk])).status_code == 404
    assert other.get(reverse("hazards:self_report_pdf", args=[report.pk])).status_code == 404
    assert world.ent_a.name not in other.get(reverse("hazards:self_reports")).content.decode()


def test_missing_page_and_todos(world, login):
    _registered_long_ago(world.ent_a)
    today = timezone.localdate()
    period = rules.latest_overdue(today, rules.QUARTER, deadlines())
    url = reverse("hazards:self_reports_missing")
    bare = login(world.user("town_a")).get(url)  # always one period: the latest overdue quarter by default
    assert bare.status_code == 302 and bare["Location"].endswith(f"?period={period.key}")
    page = login(world.user("town_a")).get(url, {"period": period.key})
    assert page.status_code == 200 and world.ent_a.name in page.content.decode()
    export = login(world.user("town_a")).get(url, {"period": period.key, "export": "xlsx"})
    assert export.status_code == 200 and "spreadsheetml" in export["Content-Type"]
    other = login(world.user("town_b")).get(url, {"period": period.key})
    assert world.ent_a.name not in other.content.decode()
    todo_link = f"{url}?period={period.key}"
    home = login(world.user("town_a")).get("/").content.decode()
    assert todo_link in home and "待查收的自查自报" not in home  # a count of 0 is hidden
    assert todo_link not in login(world.user("town_b")).get("/").content.decode()
    assert "自查自报已过截止日未报送" in login(world.user("ent_a")).get("/").content.decode()


# ---- the API -------------------------------------------------------------------------------------------


def _bearer(user):
    from safegrid.core import tokens
    from safegrid.core.testing import SYSTEM

    raw, _ = tokens.token_issue(actor=SYSTEM, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_lists_in_scope_and_the_principal_submits(world, client, legal_a):
    _registered_long_ago(world.ent_a)
    period = rules.latest_overdue(timezone.localdate(), rules.QUARTER, deadlines())
    report = selfreports.selfreport_generate(actor=world.user("ent_a"), enterprise=world.ent_a, period=period)
    selfreports.selfreport_statement_save(actor=world.user("ent_a"), report=report, statement="本期情况")
    url = "/api/v1/hazard-self-reports"
    listed = client.get(url, {"status": "draft"}, **_bearer(world.user("town_a"))).json()
    assert [r["id"] for r in listed["items"]] == [report.pk]
    assert listed["items"][0]["period"] == period.key
    assert client.get(url, **_bearer(world.user("town_b"))).json()["items"] == []
    assert client.get(f"{url}/{report.pk}", **_bearer(world.user("town_b"))).status_code == 404
    assert client.get(url, {"period": "2026-Q9"}, **_bearer(world.user("town_a"))).status_code == 422
    detail = client.get(f"{url}/{report.pk}", **_bearer(legal_a)).json()
    body = {"password": PASSWORD, "fingerprint": detail["fingerprint"]}
    denied = client.post(
        f"{url}/{report.pk}/submit", body, content_type="application/json", **_bearer(world.user("ent_a"))
    )
    assert denied.status_code == 403
    wrong = client.post(
        f"{url}/{report.pk}/submit",
        {**body, "password": "nope"},
        content_type="application/json",
        **_bearer(legal_a),
    )
    assert wrong.status_code == 422 and "password" in wrong.content.decode()
    done = client.post(f"{url}/{report.pk}/submit", body, content_type="application/json", **_bearer(legal_a))
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "submitted" and done.json()["days_late"] > 0
