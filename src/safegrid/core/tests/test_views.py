"""The shell: sign-in and lock-out, home numbers by scope, search, audit trail scoping, navigation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safegrid.core.models import AuditEntry
from safegrid.core.navigation import menu_for
from safegrid.core.testing import PASSWORD


def test_login_page_renders_and_other_pages_need_login(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()
    for name in ("home", "search", "audit_list"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_login_and_logout(client, world):
    response = client.post(reverse("login"), {"username": "county_admin", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # logout is POST only
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_five_failures_show_the_locked_out_page(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "town_a", "password": "wrong-password"})
        assert response.status_code == 200
        assert (
            "请输入一个正确的" in response.content.decode()
            or "不正确" in response.content.decode()
            or (response.context["form"].errors)
        )
    response = client.post(reverse("login"), {"username": "town_a", "password": "wrong-password"})
    assert "账号已临时锁定" in response.content.decode()
    # Even the right password is refused while locked.
    response = client.post(reverse("login"), {"username": "town_a", "password": PASSWORD})
    assert "账号已临时锁定" in response.content.decode()
    assert (
        AuditEntry.objects.filter(action="login_failed", object_id="town_a").count()
        >= settings.AXES_FAILURE_LIMIT
    )


def test_home_numbers_are_scoped(world, login):
    county = login(world.user("county_admin")).get(reverse("home"))
    assert county.status_code == 200
    assert county.context["total"] == 2
    assert county.context["certificates_expired"] == 1
    assert {r["code"] for r in county.context["by_town"]} == {world.town_a.code, world.town_b.code}
    assert "home-chart-data" in county.content.decode()

    # A town sees its own enterprises by village, not a county chart with one bar.
    town = login(world.user("town_b")).get(reverse("home"))
    assert town.context["total"] == 1
    assert town.context["certificates_expired"] == 0
    assert [r["name"] for r in town.context["villages"]] == ["乙村"]
    assert "home-chart-data" not in town.content.decode()


@pytest.mark.parametrize("username", ["ent_a", "post_a"])
def test_enterprise_staff_get_a_home_page(world, login, username):
    """Enterprise staff and post workers stay on `/`: their to-dos, the enterprise one click away."""
    response = login(world.user(username)).get(reverse("home"))
    assert response.status_code == 200
    assert "今日待办" in response.content.decode()


def test_search_by_name_uscc_and_person_is_scoped(world, login):
    county = login(world.user("county_admin"))
    response = county.get(reverse("search"), {"q": world.ent_a.uscc.lower()})
    assert [e.pk for e in response.context["enterprises"]] == [world.ent_a.pk]
    response = county.get(reverse("search"), {"q": "王操作"})
    assert [p.pk for p in response.context["people"]] == [world.person_a.pk]
    town_b = login(world.user("town_b"))
    response = town_b.get(reverse("search"), {"q": "甲化工"})
    assert response.context["enterprises"] == []
    assert town_b.get(reverse("search"), {"q": "王操作"}).context["people"] == []


def _audit_enterprises(response) -> set:
    return {row["object"].enterprise_id for row in response.context["rows"]}


def test_audit_list_scoping(world, login):
    url = reverse("audit_list")
    county = login(world.user("county_admin")).get(url, {"type": "enterprises.enterprise"})
    assert _audit_enterprises(county) == {world.ent_a.pk, world.ent_b.pk}
    town = login(world.user("town_a")).get(url)
    assert _audit_enterprises(town) == {world.ent_a.pk}
    ent = login(world.user("ent_b")).get(url)
    assert _audit_enterprises(ent) == {world.ent_b.pk}
    assert login(world.user("post_a")).get(url).context["rows"] == []
    assert login(world.user("outsider")).get(url).context["rows"] == []


def test_navigation_depends_on_role(world):
    def urls(username: str) -> set[str]:
        return {item["url"] for group in menu_for(world.user(username)) for item in group["items"]}

    county = urls("county_admin")
    assert {
        reverse("enterprises:enterprise_list"),
        reverse("regions:division_list"),
        reverse("audit_list"),
    } <= county
    enterprise = urls("ent_a")
    assert reverse("enterprises:enterprise_list") in enterprise
    assert reverse("regions:division_list") not in enterprise
    assert reverse("enterprises:certificate_attention") not in enterprise


def test_shell_shows_user_roles_language_switch_and_logout(world, login):
    body = login(world.user("town_a")).get(reverse("enterprises:enterprise_list")).content.decode()
    assert "镇街工作人员" in body
    assert reverse("set_language") in body
    assert f'action="{reverse("logout")}"' in body
    assert 'class="nav-link active"' in body


def test_language_switch_sets_english(world, login):
    client = login(world.user("county_admin"))
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "en"
