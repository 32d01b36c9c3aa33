"""The product's own error pages, as served with DEBUG off (what `make run` serves)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from safegrid.core import errors

NAV = 'class="navbar navbar-vertical'  # the signed-in shell's sidebar


def test_debug_is_off_in_these_tests(settings):
    assert settings.DEBUG is False


def test_404_for_a_visitor_is_the_products_page_in_the_sign_in_frame(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and 'href="/"' in page and "返回首页" in page
    assert "/no/such/page/" in page  # the address, escaped by the template
    assert NAV not in page and 'name="viewport"' in page
    assert "URLconf" not in page and "Traceback" not in page


def test_404_outside_a_users_scope_is_inside_the_shell(world, login):
    page = login(world.user("town_a")).get(reverse("enterprises:enterprise_detail", args=[world.ent_b.pk]))
    assert page.status_code == 404
    html = page.content.decode()
    assert NAV in html and "页面不存在" in html and "没有查看它的权限" in html
    assert world.ent_b.name not in html


def test_404_speaks_the_users_language(world, login):
    client = login(world.user("town_a"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/no/such/page/").content.decode()
    assert "Page not found" in html and "Back to the home page" in html


def test_403_says_why_inside_the_shell(world, login):
    response = login(world.user("grid_a")).get(reverse("enterprises:enterprise_edit", args=[world.ent_a.pk]))
    assert response.status_code == 403
    html = response.content.decode()
    assert NAV in html and "无权执行此操作" in html and "您没有修改此项的权限" in html and "返回首页" in html


def test_a_form_without_its_csrf_token_gets_the_expired_page(db):
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode() and "刷新" in response.content.decode()


@pytest.mark.urls("safegrid.core.tests.urls_failing")
def test_500_is_self_contained_and_names_the_request_id(world, login):
    client = login(world.user("town_a"))
    client.raise_request_exception = False
    response = client.get("/boom/", HTTP_X_REQUEST_ID="req-500-test")
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出错了" in html and "req-500-test" in html and 'href="/"' in html
    assert NAV not in html and "the test asked for a failure" not in html
    assert "/static/vendor/tabler/css/tabler.min.css" in html


@pytest.mark.urls("safegrid.core.tests.urls_failing")
def test_500_falls_back_to_plain_html_when_even_its_template_fails(db, client, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("template directory unreadable")

    monkeypatch.setattr(errors.loader, "render_to_string", broken)
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert response.content.decode() == errors.FALLBACK
