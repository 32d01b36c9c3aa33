"""The list page, the top bar's count, opening and marking read; nobody reaches another user's messages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safegrid.notifications.models import Notification
from safegrid.notifications.selectors import unread_count
from safegrid.notifications.services import notify

pytestmark = pytest.mark.django_db

KIND = "risks.filing_accepted"


def test_badge_counts_only_the_users_unread(world, login):
    ent_a, town_a = world.user("ent_a"), world.user("town_a")
    notify([ent_a], KIND, None, "第 1 版已接收")
    notify([ent_a], KIND, None, "第 2 版已接收")
    notify([town_a], KIND, None, "别人的消息")
    Notification.objects.filter(recipient=ent_a, text__startswith="第 1").update(read_at="2026-01-01T00:00Z")
    assert unread_count(ent_a) == 1
    body = login(ent_a).get("/", follow=True).content.decode()
    assert "消息通知，1 条未读" in body
    assert "sg-bell-count" in body


def test_badge_is_one_query_and_none_for_anonymous(world, client):
    user = world.user("ent_a")
    notify([user], KIND, None, "已接收")
    with CaptureQueriesContext(connection) as queries:
        assert unread_count(user) == 1
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        client.get("/login/")
    assert not any("notifications_notification" in q["sql"] for q in queries.captured_queries)


def test_list_shows_unread_first_and_filters_unread(world, login):
    user = world.user("ent_a")
    notify([user], KIND, None, "旧的未读")
    notify([user], KIND, None, "新的已读")
    Notification.objects.filter(text="新的已读").update(read_at="2026-01-01T00:00Z")
    client = login(user)
    body = client.get("/notifications/").content.decode()
    assert body.index("旧的未读") < body.index("新的已读")
    assert "一企一册已接收" in body
    body = client.get("/notifications/?unread=1").content.decode()
    assert "旧的未读" in body and "新的已读" not in body


def test_opening_marks_read_and_follows_the_link(world, login):
    user = world.user("ent_a")
    [row] = notify([user], KIND, None, "已接收", url="/risks/")
    response = login(user).get(f"/notifications/{row.pk}/")
    assert response.status_code == 302 and response["Location"] == "/risks/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_a_link_off_site_is_not_followed(world, login):
    user = world.user("ent_a")
    [row] = notify([user], KIND, None, "已接收", url="https://evil.example.com/")
    response = login(user).get(f"/notifications/{row.pk}/")
    assert response["Location"] == "/notifications/"


def test_another_users_notification_is_404_and_stays_unread(world, login):
    [row] = notify([world.user("town_a")], KIND, None, "镇街的消息")
    client = login(world.user("county_admin"))
    assert client.get(f"/notifications/{row.pk}/").status_code == 404
    assert "镇街的消息" not in client.get("/notifications/").content.decode()
    client.post("/notifications/read-all/")
    row.refresh_from_db()
    assert row.read_at is None


def test_mark_all_read_needs_post_and_csrf(world, client):
    from django.test import Client

    user = world.user("ent_a")
    notify([user], KIND, None, "已接收")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert strict.get("/notifications/read-all/").status_code == 405
    assert strict.post("/notifications/read-all/").status_code == 403
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post("/notifications/read-all/", follow=True)
    assert "已将 1 条消息标为已读" in response.content.decode()
    assert unread_count(user) == 0


def test_menu_has_the_notification_centre(world, login):
    body = login(world.user("outsider")).get("/notifications/").content.decode()
    assert 'href="/notifications/"' in body
    assert "暂无消息" in body
