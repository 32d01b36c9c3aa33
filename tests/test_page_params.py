"""Pages at the request boundary (issue 8): ids out of range give an empty list that says why,
control characters in a URL and malformed bodies are a 400, oversized bodies a 413, and the
enterprise form keeps one rule per field (never the county, names up to 128)."""

from __future__ import annotations

import pytest
from django.test import Client

from safegrid.enterprises.models import Enterprise

HUGE = "99999999999999999999"
LISTS = ["/risks/points/", "/enterprises/people/", "/enterprises/certificates/", "/audit/"]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("value", [HUGE, "-3", "abc", "0"])
def test_an_enterprise_filter_no_row_can_match_gives_an_explained_empty_list(world, login, url, value):
    client = login(world.user("county_admin"))
    response = client.get(url, {"enterprise": value})
    assert response.status_code == 200
    page = response.content.decode()
    assert "筛选条件无效，没有列出任何记录" in page
    assert world.ent_a.name not in page.split("筛选条件无效")[1]
    assert client.get(url, {"enterprise": value, "export": "csv"}).status_code == 200


@pytest.mark.parametrize("url", LISTS)
def test_a_valid_enterprise_filter_still_narrows_the_list(world, login, url):
    client = login(world.user("county_admin"))
    page = client.get(url, {"enterprise": world.ent_b.pk}).content.decode()
    assert "筛选条件无效" not in page


def test_ids_out_of_range_in_a_page_path_are_not_found(world, login):
    client = login(world.user("county_admin"))
    for url in (f"/enterprises/{HUGE}/", f"/enterprises/people/{2**63}/", f"/risks/points/{HUGE}/"):
        assert client.get(url).status_code == 404, url
    for value in (HUGE, "²", "1" * 5000):  # "²".isdigit() is true, int("²") fails; int() stops at 4300 digits
        assert client.get("/risks/map/points.json", {"enterprise": value}).status_code == 400
        assert client.get("/risks/map/", {"enterprise": value, "year": value}).status_code == 200
        assert client.get("/risks/filings/mine/", {"enterprise": value}).status_code in {200, 404}
        assert client.get("/risks/points/", {"enterprise": value}).status_code == 200


def test_control_characters_in_a_url_are_a_400_page(world, login):
    client = login(world.user("county_admin"))
    for url in ("/enterprises/?q=a%00b", "/search/?q=%01", "/enterprises/people/?enterprise=1%0A"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "控制字符" in response.content.decode()


def test_bodies_too_large_or_malformed(world):
    client = Client()
    client.force_login(world.user("county_admin"), backend="django.contrib.auth.backends.ModelBackend")
    url = f"/enterprises/{world.ent_a.pk}/edit/"
    assert client.post(url, {"name": "x" * (3 * 1024 * 1024)}).status_code == 413
    assert client.post(url, b"--x\r\n", content_type="multipart/form-data").status_code == 400
    assert (
        client.post(
            url, "a=1", content_type="application/x-www-form-urlencoded", CONTENT_LENGTH="x"
        ).status_code
        == 400
    )


def _enterprise_form(world, **changes):
    ent = world.ent_a
    data = {
        "name": ent.name,
        "uscc": ent.uscc,
        "sectors": [s.pk for s in ent.sectors.all()],
        "industry": "",
        "scale": ent.scale,
        "employees": ent.employees,
        "status": ent.status,
        "division": ent.division_id,
        "grid": ent.grid_id or "",
        "chemical_park": ent.chemical_park,
        "address": "",
        "lat": "",
        "lon": "",
        "legal_rep": ent.legal_rep,
    }
    return {**data, **changes}


def test_the_enterprise_form_refuses_the_county_control_characters_and_bad_phones(world, login):
    client = login(world.user("county_admin"))
    url = f"/enterprises/{world.ent_a.pk}/edit/"
    form = client.get(url).content.decode()
    assert f'value="{world.county.code}"' not in form and f'value="{world.town_a.code}"' in form
    for changes, message in (
        ({"division": world.county.code}, "选择一个有效的选项"),
        ({"name": "甲\x01化工"}, "控制字符 U+0001"),
        ({"legal_rep": "   "}, "这个字段是必填项"),
        ({"legal_rep_phone": "abc"}, "电话号码格式不正确"),
        ({"name": "企" * 129}, "128"),
    ):
        response = client.post(url, _enterprise_form(world, **changes))
        assert response.status_code == 200 and message in response.content.decode(), changes
    Enterprise.objects.get(pk=world.ent_a.pk, name=world.ent_a.name)
    response = client.post(url, _enterprise_form(world, name="  企" * 40 + "  ", division=world.town_a.code))
    assert response.status_code == 302
    saved = Enterprise.objects.get(pk=world.ent_a.pk)
    assert saved.name == ("  企" * 40).strip() and saved.division_id == world.town_a.code
