"""Regional review: the list links to the adjust form and shows basis and due dates; red/orange regions
whose review is due are reminded (once per threshold) to the county and the town, on a daily schedule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from safegrid import jobs
from safegrid.core.testing import SYSTEM
from safegrid.jobs.testing import run_queued
from safegrid.notifications.models import Notification
from safegrid.risks.models import RegionalReviewReminder, RegionalRisk
from safegrid.risks.rules.regional import review_reminder
from safegrid.risks.services import regional as regional_services
from safegrid.risks.tests.test_map_views import mapped
from safegrid.testworld import World

__all__ = ["mapped"]


@pytest.mark.parametrize(
    ("days_left", "threshold"),
    [(30, None), (15, None), (14, 14), (13, 14), (1, 14), (0, 0), (-1, 0), (-40, 0)],
)
def test_review_reminder_threshold(days_left: int, threshold: int | None) -> None:
    assert review_reminder(days_left) == threshold


def _row(world: World, level: int, due_in: int) -> RegionalRisk:
    row = RegionalRisk.objects.get(division=world.town_a, year=2026)
    today = timezone.localdate()
    RegionalRisk.objects.filter(pk=row.pk).update(
        level=level, next_review_on=today + dt.timedelta(days=due_in)
    )
    row.refresh_from_db()
    return row


@pytest.mark.django_db
def test_the_list_opens_the_adjust_form_and_shows_basis_and_due_date(mapped: World, login: Any) -> None:
    row = _row(mapped, 1, 5)
    adjust = reverse("risks:regional_adjust", args=[row.pk])
    page = login(mapped.user("county_admin")).get(reverse("risks:regional_list"), {"year": 2026})
    body = page.content.decode()
    assert f'href="{adjust}"' in body and "确定/调整" in body
    assert "5 天后到期" in body and row.next_review_on.isoformat() in body
    assert "风险指数 1 ≥ 红色阈值 0.3" in body  # the basis (also under the name on a phone)
    town = login(mapped.user("town_a")).get(reverse("risks:regional_list"), {"year": 2026}).content.decode()
    assert adjust not in town and "确定/调整" not in town  # a town reads; its rows lead to the map
    assert f"{reverse('risks:map')}?division={row.division_id}" in town


@pytest.mark.django_db
def test_a_red_region_s_review_is_reminded_14_days_before_and_when_due(mapped: World) -> None:
    row = _row(mapped, 1, 10)
    today = timezone.localdate()
    assert regional_services.regional_review_reminders_send(day=today) == {14: 1, 0: 0}
    notes = Notification.objects.filter(kind="risks.regional_review_due")
    recipients = {n.recipient.username for n in notes}
    assert (
        {"county_admin", "town_a"} <= recipients and "town_b" not in recipients and "ent_a" not in recipients
    )
    note = notes.first()
    assert note is not None and "红色（重大）" in note.text and "还有 10 天" in note.text
    assert note.url == reverse("risks:regional_adjust", args=[row.pk])
    # once per threshold, however often the scan runs
    assert regional_services.regional_review_reminders_send(day=today) == {14: 0, 0: 0}
    due = row.next_review_on
    assert regional_services.regional_review_reminders_send(day=due) == {14: 0, 0: 1}
    assert "今天到期复核" in Notification.objects.filter(kind="risks.regional_review_due").latest("pk").text
    assert regional_services.regional_review_reminders_send(day=due + dt.timedelta(days=3)) == {14: 0, 0: 0}
    # deciding the level again sets a new review date, which is reminded again
    regional_services.regional_adjust(
        actor=mapped.user("county_admin"), regional_risk=row, level=2, reason="复核"
    )
    row.refresh_from_db()
    regional_services.regional_review_reminders_send(day=row.next_review_on)  # other regions may be due too
    assert RegionalReviewReminder.objects.filter(regional_risk=row).count() == 3
    assert RegionalReviewReminder.objects.filter(
        regional_risk=row, due_on=row.next_review_on, days_before=0
    ).exists()


@pytest.mark.django_db
def test_an_overdue_review_is_reminded_once_and_yellow_regions_are_not(mapped: World) -> None:
    _row(mapped, 2, -20)
    other = RegionalRisk.objects.get(division=mapped.town_b, year=2026)
    RegionalRisk.objects.filter(pk=other.pk).update(level=3, next_review_on=timezone.localdate())
    today = timezone.localdate()
    assert regional_services.regional_review_reminders_send(day=today) == {14: 0, 0: 1}
    text = Notification.objects.get(
        kind="risks.regional_review_due", recipient=mapped.user("county_admin")
    ).text
    assert "橙色（较大）" in text and "已逾期 20 天" in text


@pytest.mark.django_db
def test_the_daily_job_sends_them(mapped: World) -> None:
    _row(mapped, 1, 0)
    jobs.enqueue("risks.regional_review_reminders", title="区域风险复核提醒", actor=SYSTEM)
    run_queued()
    assert RegionalReviewReminder.objects.count() == 1
    assert Notification.objects.filter(kind="risks.regional_review_due").exists()
