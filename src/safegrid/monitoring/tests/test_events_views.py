"""Event alarms on the existing pages: the alarm list and detail, the enterprise wall (the source coloured
by its alarm, not offline for lack of readings) and the county wall's counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safegrid.monitoring.models import Alarm
from safegrid.monitoring.rules.ingest import epoch_ms
from safegrid.monitoring.services import events as services

from .events_helpers import events, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def event_alarms(world):
    make_source(world.ent_a, "CAM-01", kind="video")
    make_source(world.ent_a, "ZONE-1", rated_headcount=10)
    now = epoch_ms(timezone.now() - dt.timedelta(seconds=5))
    services.events_accept(
        uscc=world.ent_a.uscc,
        payload=events(
            {"source": "CAM-01", "ts": now, "type": "video_offline"},
            {"source": "ZONE-1", "ts": now, "type": "headcount", "value": 11},
        ),
        topic="test",
    )
    return list(Alarm.objects.order_by("rule"))


def test_event_alarms_on_the_alarm_pages(login, world, event_alarms):
    client = login(world.user("ent_a"))
    page = client.get("/monitoring/alarms/")
    html = page.content.decode()
    assert page.status_code == 200 and "视频通道离线" in html and "超员" in html
    for alarm in event_alarms:
        detail = client.get(f"/monitoring/alarms/{alarm.pk}/")
        assert detail.status_code == 200 and alarm.get_rule_display() in detail.content.decode()


def test_event_sources_on_the_enterprise_wall(login, world, event_alarms):
    page = login(world.user("county_admin")).get(f"/monitoring/wall/enterprises/{world.ent_a.pk}/live/")
    assert page.status_code == 200
    rows = {
        p["row"].point.code: (p["row"].state, p["label"]) for g in page.context["groups"] for p in g["points"]
    }
    assert {code: state for code, (state, _) in rows.items()} == {"CAM-01": "offline", "ZONE-1": "H"}
