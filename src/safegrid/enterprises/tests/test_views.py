"""Enterprise pages: scoping (404), write permissions (403), service-backed saves, exports, query counts."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from safegrid.core.models import AuditEntry
from safegrid.core.testing import SYSTEM
from safegrid.enterprises import services
from safegrid.enterprises.models import Certificate, Enterprise, OrgUnit, Person
from safegrid.enterprises.rules import make_uscc
from safegrid.regions.models import Sector

LIST = reverse("enterprises:enterprise_list")


def make_enterprises(world, count: int, *, start: int = 100, status: str = "operating", village=None) -> list:
    chem = Sector.objects.get(code="hazardous_chemicals")
    fire = Sector.objects.get(code="fire")
    out = []
    for i in range(start, start + count):
        out.append(
            services.enterprise_create(
                actor=SYSTEM,
                data={
                    "name": f"测试企业{i:03d}",
                    "uscc": make_uscc(f"91370321MA3D{i:05d}"),
                    "division": village or world.village_a,
                    "grid": world.grid_a if (village or world.village_a) == world.village_a else world.grid_b,
                    "legal_rep": "测试",
                    "status": status,
                },
                sectors=[chem, fire],
            )
        )
    return out


def enterprise_post_data(world, **overrides) -> dict:
    data = {
        "name": "丙化工有限公司",
        "uscc": make_uscc("91370321MA3C00003"),
        "sectors": [Sector.objects.get(code="hazardous_chemicals").pk],
        "industry": "",
        "scale": "small",
        "employees": "12",
        "status": "operating",
        "division": world.village_a.code,
        "grid": world.grid_a.pk,
        "chemical_park": "",
        "address": "",
        "lat": "",
        "lon": "",
        "legal_rep": "王丙",
        "legal_rep_phone": "",
        "principal": "",
        "principal_phone": "",
        "safety_manager": "",
        "safety_manager_phone": "",
    }
    data.update(overrides)
    return data


# ---- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["county_admin", "town_a", "grid_a", "dept_chem", "ent_a", "post_a"])
def test_list_and_detail_render_for_users_who_see_enterprise_a(world, login, username):
    client = login(world.user(username))
    response = client.get(LIST)
    assert response.status_code == 200
    assert "甲化工有限公司" in response.content.decode()
    detail = client.get(reverse("enterprises:enterprise_detail", args=[world.ent_a.pk]))
    assert detail.status_code == 200
    assert world.ent_a.uscc in detail.content.decode()


def test_list_is_scoped_to_the_town(world, login):
    body = login(world.user("town_a")).get(LIST).content.decode()
    assert "甲化工有限公司" in body
    assert "乙建筑工程有限公司" not in body


@pytest.mark.parametrize("username", ["town_b", "ent_b", "outsider"])
def test_out_of_scope_detail_and_edit_are_404(world, login, username):
    client = login(world.user(username))
    for name in ("enterprise_detail", "enterprise_edit", "enterprise_contacts", "enterprise_delete"):
        assert client.get(reverse(f"enterprises:{name}", args=[world.ent_a.pk])).status_code == 404
    assert client.get(reverse("enterprises:person_detail", args=[world.person_a.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_detail_shows_sectors_tree_people_and_expired_badge(world, login):
    body = login(world.user("county_admin")).get(
        reverse("enterprises:enterprise_detail", args=[world.ent_a.pk])
    )
    text = body.content.decode()
    assert "危险化学品" in text
    assert "合成车间" in text and "反应釜操作岗" in text
    assert "王操作" in text
    assert "bg-red-lt" in text and "已过期" in text
    assert "enterprise-map-data" in text  # the enterprise has coordinates
    assert "变更记录" in text  # audit panel


def test_expiring_certificate_is_orange(world, login):
    import datetime as dt

    from django.utils import timezone

    services.certificate_create(
        actor=SYSTEM,
        enterprise=world.ent_a,
        data={
            "kind": "safety_licence",
            "number": "L-1",
            "expires_on": timezone.localdate() + dt.timedelta(days=10),
        },
    )
    text = (
        login(world.user("county_admin"))
        .get(reverse("enterprises:enterprise_detail", args=[world.ent_a.pk]))
        .content.decode()
    )
    assert "bg-orange-lt" in text and "10 天后到期" in text


# ---- write permissions ---------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["grid_a", "dept_chem", "post_a"])
def test_read_only_roles_get_403_on_edit(world, login, username):
    client = login(world.user(username))
    url = reverse("enterprises:enterprise_edit", args=[world.ent_a.pk])
    assert client.get(url).status_code == 403
    before = AuditEntry.objects.count()
    assert client.post(url, enterprise_post_data(world, name="改名")).status_code == 403
    assert AuditEntry.objects.count() == before
    assert Enterprise.objects.get(pk=world.ent_a.pk).name == "甲化工有限公司"


def test_enterprise_manager_may_edit_contacts_but_not_the_record(world, login):
    client = login(world.user("ent_a"))
    assert client.get(reverse("enterprises:enterprise_edit", args=[world.ent_a.pk])).status_code == 403
    url = reverse("enterprises:enterprise_contacts", args=[world.ent_a.pk])
    response = client.post(
        url,
        {
            "legal_rep_phone": "13800000001",
            "principal": "周主",
            "principal_phone": "",
            "safety_manager": "吴安",
            "safety_manager_phone": "13900000002",
        },
    )
    assert response.status_code == 302
    ent = Enterprise.objects.get(pk=world.ent_a.pk)
    assert ent.safety_manager == "吴安"
    entry = AuditEntry.objects.filter(object_type="enterprises.enterprise", action="update").latest("id")
    assert entry.actor == world.user("ent_a")
    assert set(entry.after) == {"legal_rep_phone", "principal", "safety_manager", "safety_manager_phone"}


def test_enterprise_user_cannot_create_enterprises(world, login):
    client = login(world.user("ent_a"))
    assert client.get(reverse("enterprises:enterprise_create")).status_code == 403


# ---- service-backed saves ------------------------------------------------------------------------


def test_county_admin_creates_enterprise_through_service(world, login):
    client = login(world.user("county_admin"))
    response = client.post(reverse("enterprises:enterprise_create"), enterprise_post_data(world))
    assert response.status_code == 302
    ent = Enterprise.objects.get(name="丙化工有限公司")
    assert response["Location"] == reverse("enterprises:enterprise_detail", args=[ent.pk])
    assert list(ent.sectors.values_list("code", flat=True)) == ["hazardous_chemicals"]
    # The service also created the company's root org unit; both writes are audited.
    assert OrgUnit.objects.filter(enterprise=ent, parent__isnull=True).exists()
    entry = AuditEntry.objects.get(
        object_type="enterprises.enterprise", object_id=str(ent.pk), action="create"
    )
    assert entry.actor == world.user("county_admin")


def test_bad_uscc_shows_chinese_reason_and_saves_nothing(world, login):
    client = login(world.user("county_admin"))
    good = make_uscc("91370321MA3C00003")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    enterprises, audits = Enterprise.objects.count(), AuditEntry.objects.count()
    response = client.post(reverse("enterprises:enterprise_create"), enterprise_post_data(world, uscc=bad))
    assert response.status_code == 200
    form = response.context["form"]
    assert "校验位错误" in " ".join(form.errors["uscc"])
    assert "校验位错误" in response.content.decode()
    assert Enterprise.objects.count() == enterprises
    assert AuditEntry.objects.count() == audits


def test_town_officer_edits_enterprise_in_town(world, login):
    client = login(world.user("town_a"))
    url = reverse("enterprises:enterprise_edit", args=[world.ent_a.pk])
    assert client.get(url).status_code == 200
    data = enterprise_post_data(
        world, name="甲化工股份有限公司", uscc=world.ent_a.uscc, lat="36.95", lon="118.08"
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    assert Enterprise.objects.get(pk=world.ent_a.pk).name == "甲化工股份有限公司"
    entry = AuditEntry.objects.filter(object_id=str(world.ent_a.pk), action="update").latest("id")
    assert entry.after["name"] == "甲化工股份有限公司"


def test_service_error_lands_on_the_form_field(world, login):
    """Only the service knows the grid must lie in the enterprise's town: its error shows on `grid`."""
    client = login(world.user("county_admin"))
    url = reverse("enterprises:enterprise_edit", args=[world.ent_a.pk])
    data = enterprise_post_data(world, uscc=world.ent_a.uscc, grid=world.grid_b.pk, lat="36.95", lon="118.08")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "网格不在企业所属的镇/街道内" in " ".join(response.context["form"].errors["grid"])
    assert Enterprise.objects.get(pk=world.ent_a.pk).grid == world.grid_a


def test_enterprise_manager_adds_person_and_certificate(world, login):
    client = login(world.user("ent_a"))
    response = client.post(
        reverse("enterprises:person_create", args=[world.ent_a.pk]),
        {"name": "钱电工", "job_title": "电工", "phone": "", "org_unit": world.post_a.pk, "active": "on"},
    )
    assert response.status_code == 302
    person = Person.objects.get(name="钱电工")
    assert person.enterprise == world.ent_a
    assert AuditEntry.objects.filter(object_type="enterprises.person", object_id=str(person.pk)).exists()
    # A certificate whose expiry precedes its issue date is refused on the field, nothing saved.
    url = reverse("enterprises:certificate_create", args=[world.ent_a.pk])
    bad = {
        "kind": "electrical",
        "number": "E-1",
        "person": person.pk,
        "issuer": "",
        "issued_on": "2025-01-01",
    }
    response = client.post(url, {**bad, "expires_on": "2024-01-01"})
    assert response.status_code == 200
    assert "有效期至不能早于发证日期" in " ".join(response.context["form"].errors["expires_on"])
    assert not Certificate.objects.filter(number="E-1").exists()
    response = client.post(url, {**bad, "expires_on": "2031-01-01"})
    assert response.status_code == 302
    assert Certificate.objects.get(number="E-1").person == person


def test_other_enterprise_cannot_add_people_to_enterprise_a(world, login):
    client = login(world.user("ent_b"))
    url = reverse("enterprises:person_create", args=[world.ent_a.pk])
    assert client.post(url, {"name": "混入者"}).status_code == 404
    assert not Person.objects.filter(name="混入者").exists()


def test_town_officer_cannot_manage_people(world, login):
    client = login(world.user("town_a"))
    assert client.get(reverse("enterprises:person_create", args=[world.ent_a.pk])).status_code == 403
    assert client.get(reverse("enterprises:person_edit", args=[world.person_a.pk])).status_code == 403


def test_org_unit_created_under_parent_with_kind_checked_by_service(world, login):
    client = login(world.user("ent_a"))
    team = world.post_a.parent
    url = reverse("enterprises:org_unit_create", args=[world.ent_a.pk, team.pk])
    # Wrong kind: the service names the field.
    response = client.post(url, {"kind": "workshop", "name": "错层级", "required_certificate": ""})
    assert response.status_code == 200
    assert "下级应为" in " ".join(response.context["form"].errors["kind"])
    assert not OrgUnit.objects.filter(name="错层级").exists()
    response = client.post(
        url, {"kind": "post", "name": "巡检岗", "is_key_post": "on", "required_certificate": ""}
    )
    assert response.status_code == 302
    unit = OrgUnit.objects.get(name="巡检岗")
    assert unit.parent == team and unit.path.startswith(team.path)


def test_delete_refused_while_children_exist(world, login):
    client = login(world.user("ent_a"))
    workshop = world.post_a.parent.parent
    response = client.post(reverse("enterprises:org_unit_delete", args=[workshop.pk]))
    assert response.status_code == 200
    assert "下级单元" in response.content.decode()
    assert OrgUnit.objects.filter(pk=workshop.pk).exists()


# ---- lists: filters, exports, memory, query counts -----------------------------------------------


def test_filters_and_search(world, login):
    make_enterprises(world, 3, status="suspended")
    client = login(world.user("county_admin"))
    rows = client.get(LIST, {"status": "suspended"}).context["rows"]
    assert len(rows) == 3
    rows = client.get(LIST, {"division": world.town_b.code}).context["rows"]
    assert [r["object"] for r in rows] == [world.ent_b]
    rows = client.get(LIST, {"q": world.ent_b.uscc[-6:]}).context["rows"]
    assert [r["object"] for r in rows] == [world.ent_b]
    rows = client.get(LIST, {"sector": "building_construction"}).context["rows"]
    assert [r["object"] for r in rows] == [world.ent_b]
    # Values outside the offered choices are ignored rather than raising.
    assert client.get(LIST, {"grid": "not-a-number", "sort": "password"}).status_code == 200


def test_sort_whitelisted_and_descending(world, login):
    make_enterprises(world, 3)
    client = login(world.user("county_admin"))
    names = [r["object"].name for r in client.get(LIST, {"sort": "-name"}).context["rows"]]
    assert names == sorted(names, reverse=True)


def test_xlsx_export_is_exactly_the_filtered_rows_across_pages(world, login, settings):
    settings.SAFEGRID_PAGE_SIZE = 5
    suspended = make_enterprises(world, 7, status="suspended")
    make_enterprises(world, 3, start=200)
    client = login(world.user("county_admin"))
    response = client.get(LIST, {"status": "suspended", "sort": "-name", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("企业名称", "统一社会信用代码", "所属区划")
    assert [r[0] for r in rows[1:]] == sorted((e.name for e in suspended), reverse=True)
    assert "消防、危险化学品" in rows[1]  # sectors in their reference order


def test_csv_export_respects_scope_and_filters(world, login):
    make_enterprises(world, 2, start=300, village=world.village_b)
    response = login(world.user("town_a")).get(LIST, {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "企业名称"
    assert [r[0] for r in rows[1:]] == ["甲化工有限公司"]


def test_filters_are_remembered_per_user(world, login):
    client = login(world.user("county_admin"))
    client.get(LIST, {"status": "suspended"})
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?status=suspended"
    assert client.get(LIST, {"reset": "1"}).status_code == 302
    assert client.get(LIST).status_code == 200


@pytest.mark.parametrize(
    "url_name",
    ["enterprises:enterprise_list", "enterprises:person_list", "enterprises:certificate_list"],
)
def test_list_query_count_is_constant(world, login, django_assert_num_queries, url_name):
    client = login(world.user("county_admin"))
    url = reverse(url_name)
    make_enterprises(world, 2)
    client.get(url)  # warm up the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for ent in make_enterprises(world, 18, start=500):
        person = services.person_create(actor=SYSTEM, enterprise=ent, data={"name": f"员工{ent.pk}"})
        services.certificate_create(
            actor=SYSTEM,
            enterprise=ent,
            data={"person": person, "kind": "electrical", "number": f"N{ent.pk}", "expires_on": "2030-01-01"},
        )
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) >= 20


def test_certificate_attention_lists_expired_only_in_scope(world, login):
    response = login(world.user("county_admin")).get(reverse("enterprises:certificate_attention"))
    numbers = [r["object"].number for r in response.context["rows"]]
    assert numbers == ["T-A-0001"]  # T-B-0001 expires in 2099
    response = login(world.user("town_b")).get(reverse("enterprises:certificate_attention"))
    assert response.context["rows"] == []


def test_person_list_filtered_by_enterprise(world, login):
    response = login(world.user("county_admin")).get(
        reverse("enterprises:person_list"), {"enterprise": world.ent_b.pk}
    )
    assert [r["object"].name for r in response.context["rows"]] == ["赵架子工"]
    assert "乙建筑工程有限公司" in response.content.decode()


@pytest.mark.django_db
def test_list_renders_rows_and_filters_escaped_in_constant_queries(
    world: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    from safegrid.core.services import object_update

    object_update(actor=world.user("county_admin"), obj=world.ent_a, data={"name": "<b>甲化工</b>有限公司"})
    client = login(world.user("county_admin"))
    url = reverse("enterprises:enterprise_list")
    client.get(url)
    # Sign-in and scope, four filter choices, COUNT, the page, its sectors, the bell, the session.
    with django_assert_max_num_queries(13):
        response = client.get(url, {"division": world.town_a.code})
    html = response.content.decode()
    assert response.status_code == 200
    assert "&lt;b&gt;甲化工&lt;/b&gt;有限公司" in html and "<b>甲化工</b>" not in html
    assert f'<option value="{world.town_a.code}" selected>' in html
    assert f'href="{reverse("enterprises:enterprise_detail", args=[world.ent_a.pk])}"' in html


def test_list_rows_show_their_division_grid_and_sectors(world, login):
    """The list labels its rows from cached name maps and one sector query (`page_objects`)."""
    make_enterprises(world, 1, start=400)
    response = login(world.user("county_admin")).get(LIST, {"q": "测试企业400"})
    (row,) = response.context["rows"]
    html = row["cells_html"]
    assert world.village_a.name in html and world.grid_a.name in html
    assert "消防、危险化学品" in html  # in the sectors' reference order, as the export writes them
