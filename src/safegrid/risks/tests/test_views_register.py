"""The risk register pages: list, detail, edits through services, live assessment preview, scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safegrid.core.testing import SYSTEM
from safegrid.enterprises.models import OrgUnit
from safegrid.risks.choices import ControlTier, IdentificationMethod
from safegrid.risks.models import ControlMeasure, HazardFactor, ResponsibilityAssignment, RiskPoint
from safegrid.risks.services import points as services
from safegrid.testworld import World

from .factories import make_factor, make_measure, make_point, workshop_a

pytestmark = pytest.mark.django_db

READERS = ("ent_a", "town_a", "dept_chem", "grid_a")


def _graded_point(world: World, code: str = "RP-001", **data: Any) -> RiskPoint:
    point = make_point(world, code=code, **data)
    factor = make_factor(point)
    services.assess(
        actor=SYSTEM, factor=factor, kind="initial", method="LEC", inputs={"L": 3, "E": 6, "C": 7}
    )
    point.refresh_from_db()
    return point


# ---- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", READERS)
def test_list_and_detail_render_for_readers(world, login, username) -> None:
    point = _graded_point(world)  # 3 × 6 × 7 = 126 → level 3 (一般风险)
    make_measure(world, point)
    client = login(world.user(username))

    listing = client.get(reverse("risks:point_list"))
    assert listing.status_code == 200
    row = next(r for r in listing.context["rows"] if r["object"].pk == point.pk)
    assert row["object"].factor_count == 1 and row["object"].measure_count == 1
    html = listing.content.decode()
    assert "RP-001" in html and "一般风险" in html and "bg-yellow" in html
    assert "缺少管控层级：车间级、班组级、岗位级" in html

    detail = client.get(reverse("risks:point_detail", args=[point.pk]))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "反应釜超温超压" in page and "容器爆炸" in page  # factor and its GB 6441 labels
    assert "每 2 小时" in page and "反应釜操作岗" in page  # the measure's cycle and post
    assert detail.context["missing"] == ("workshop", "team", "post")
    editable = username == "ent_a"
    assert detail.context["can_edit"] is editable
    assert (reverse("risks:point_edit", args=[point.pk]) in page) is editable


def test_enterprise_column_and_filters_only_for_government(world, login) -> None:
    make_point(world)
    ent = login(world.user("ent_a")).get(reverse("risks:point_list"))
    assert "enterprise" not in {f.name for f in ent.context["filters"]}
    assert len(ent.context["headers"]) == len(ent.context["rows"][0]["cells"])
    assert world.ent_a.name not in [str(c.value) for c in ent.context["rows"][0]["cells"]]
    town = login(world.user("town_a")).get(reverse("risks:point_list"))
    assert {"enterprise", "division"} <= {f.name for f in town.context["filters"]}
    assert world.ent_a.name in [str(c.value) for c in town.context["rows"][0]["cells"]]


def test_out_of_scope_point_is_404(world, login) -> None:
    point = make_point(world)
    client = login(world.user("ent_b"))
    assert client.get(reverse("risks:point_detail", args=[point.pk])).status_code == 404
    assert client.get(reverse("risks:point_edit", args=[point.pk])).status_code == 404
    assert point.pk not in [r["object"].pk for r in client.get(reverse("risks:point_list")).context["rows"]]


def test_government_readers_get_403_on_write_pages(world, login) -> None:
    point = make_point(world)
    factor = make_factor(point)
    client = login(world.user("town_a"))
    urls = [
        reverse("risks:point_create", args=[world.ent_a.pk]),
        reverse("risks:point_edit", args=[point.pk]),
        reverse("risks:factor_create", args=[point.pk]),
        reverse("risks:assess", args=[factor.pk]),
        reverse("risks:measure_create", args=[point.pk]),
        reverse("risks:tier_assign", args=[point.pk, "post"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url
    assert client.post(reverse("risks:point_deactivate", args=[point.pk])).status_code == 403
    assert client.post(reverse("risks:assess_preview", args=[factor.pk]), {}).status_code == 403
    point.refresh_from_db()
    assert point.active


def test_list_query_count_is_constant(world, login, django_assert_num_queries) -> None:
    for i in range(2):
        _graded_point(world, code=f"RP-{i:03d}")
    client = login(world.user("town_a"))
    url = reverse("risks:point_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert len(response.context["rows"]) == 2
    for i in range(2, 12):
        point = _graded_point(world, code=f"RP-{i:03d}")
        services.tier_assign(actor=SYSTEM, point=point, tier=ControlTier.POST, person=world.person_a)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 12


def test_missing_tiers_filter(world, login) -> None:
    complete = _graded_point(world, code="RP-001")
    for tier in ("workshop", "team", "post"):
        services.tier_assign(actor=SYSTEM, point=complete, tier=tier, person=world.person_a)
    missing = _graded_point(world, code="RP-002")
    client = login(world.user("ent_a"))
    yes = client.get(reverse("risks:point_list"), {"missing": "yes"})
    assert [r["object"].pk for r in yes.context["rows"]] == [missing.pk]
    no = client.get(reverse("risks:point_list"), {"missing": "no"})
    assert [r["object"].pk for r in no.context["rows"]] == [complete.pk]


# ---- writing -------------------------------------------------------------------------------------


def test_enterprise_builds_a_point_end_to_end(world, login) -> None:
    client = login(world.user("ent_a"))
    response = client.post(
        reverse("risks:point_create", args=[world.ent_a.pk]),
        {"code": "RP-100", "name": "液氯装卸作业", "type": "activity", "org_unit": workshop_a(world).pk},
    )
    point = RiskPoint.objects.get(enterprise=world.ent_a, code="RP-100")
    assert response.status_code == 302 and response["Location"] == reverse(
        "risks:point_detail", args=[point.pk]
    )

    response = client.post(
        reverse("risks:factor_create", args=[point.pk]),
        {
            "method": "JHA",
            "step_no": "1",
            "step_name": "连接装卸鹤管",
            "description": "鹤管连接不严，液氯泄漏",
            "category": "things",
            "accident_types": ["19", "07"],
        },
    )
    assert response.status_code == 302
    factor = HazardFactor.objects.get(risk_point=point)
    assert factor.method == IdentificationMethod.JHA and factor.step_no == 1
    assert factor.accident_types == ["19", "07"]

    response = client.post(
        reverse("risks:assess", args=[factor.pk]),
        {"kind": "initial", "method": "LEC", "LEC_L": "6", "LEC_E": "6", "LEC_C": "15"},
    )
    assert response.status_code == 302
    assessment = factor.assessments.get()
    assert assessment.score == 540 and assessment.level == 1 and assessment.colour == "red"
    point.refresh_from_db()
    assert point.level == 1

    detail = client.get(reverse("risks:point_detail", args=[point.pk])).content.decode()
    assert "重大风险" in detail and "bg-red" in detail and "中毒和窒息" in detail
    assert "缺少管控层级：公司级、车间级、班组级、岗位级" in detail


def test_edit_and_deactivate_point(world, login) -> None:
    point = make_point(world)
    client = login(world.user("ent_a"))
    response = client.post(
        reverse("risks:point_edit", args=[point.pk]),
        {"code": "RP-001", "name": "一号反应釜", "type": "facility", "location": "二楼"},
    )
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.name == "一号反应釜" and point.org_unit is None
    assert client.post(reverse("risks:point_deactivate", args=[point.pk])).status_code == 302
    point.refresh_from_db()
    assert not point.active


def test_duplicate_code_is_shown_on_the_field(world, login) -> None:
    make_point(world)
    response = login(world.user("ent_a")).post(
        reverse("risks:point_create", args=[world.ent_a.pk]),
        {"code": "RP-001", "name": "另一个", "type": "facility"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert RiskPoint.objects.filter(enterprise=world.ent_a).count() == 1


def test_preview_returns_the_result_partial(world, login) -> None:
    factor = make_factor(make_point(world))
    response = login(world.user("ent_a")).post(
        reverse("risks:assess_preview", args=[factor.pk]),
        {"kind": "initial", "method": "LEC", "LEC_L": "6", "LEC_E": "6", "LEC_C": "15"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="assess-preview"' in html
    assert "540" in html and "重大风险" in html and "bg-red" in html and "LEC/DB37T2882-2016" in html
    assert not factor.assessments.exists()  # a preview never saves


def test_preview_uses_the_county_configuration(world, login) -> None:
    services.risk_settings_save(
        actor=SYSTEM, county_code="370321", data={"lec_major": 600, "lec_large": 300, "lec_general": 100}
    )
    factor = make_factor(make_point(world))
    response = login(world.user("ent_a")).post(
        reverse("risks:assess_preview", args=[factor.pk]),
        {"kind": "initial", "method": "LEC", "LEC_L": "6", "LEC_E": "6", "LEC_C": "15"},
    )
    html = response.content.decode()
    assert "较大风险" in html and "bands=600/300/100" in html


def test_preview_names_the_field_outside_the_table(world, login) -> None:
    factor = make_factor(make_point(world))
    response = login(world.user("ent_a")).post(
        reverse("risks:assess_preview", args=[factor.pk]),
        {"kind": "initial", "method": "LEC", "LEC_L": "6", "LEC_E": "5", "LEC_C": "15"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-field="LEC_E"' in html and "E 的取值“5”无效" in html and "暴露" in html


def test_saving_a_value_outside_the_table_is_refused_on_the_field(world, login) -> None:
    factor = make_factor(make_point(world))
    response = login(world.user("ent_a")).post(
        reverse("risks:assess", args=[factor.pk]),
        {"kind": "initial", "method": "MES", "MES_M": "4", "MES_E": "6", "MES_S": "8"},
    )
    assert response.status_code == 200
    assert "M 的取值“4”无效" in str(response.context["form"].errors["MES_M"])
    assert not factor.assessments.exists()


def test_assess_form_offers_only_table_values(world, login) -> None:
    factor = make_factor(make_point(world))
    form = login(world.user("ent_a")).get(reverse("risks:assess", args=[factor.pk])).context["form"]
    assert [v for v, _label in form.fields["LEC_E"].widget.choices] == ["", "10", "6", "3", "2", "1", "0.5"]
    assert [v for v, _label in form.fields["LS_S"].widget.choices] == ["", "5", "4", "3", "2", "1"]


def test_eleventh_jha_step_is_refused_on_the_form(world, login) -> None:
    point = make_point(world, type="activity")
    for step in range(1, 11):
        make_factor(point, method="JHA", step_no=step, step_name=f"步骤{step}")
    response = login(world.user("ent_a")).post(
        reverse("risks:factor_create", args=[point.pk]),
        {"method": "JHA", "step_no": "11", "description": "第十一步", "category": "people"},
    )
    assert response.status_code == 200
    assert "最多划分为 10 个步骤" in str(response.context["form"].errors["step_no"])
    assert HazardFactor.objects.filter(risk_point=point).count() == 10


def test_measure_with_classify2_outside_classify1_is_refused(world, login) -> None:
    point = make_point(world)
    response = login(world.user("ent_a")).post(
        reverse("risks:measure_create", args=[point.pk]),
        {
            "kind": "institutional",
            "classify1": "1",
            "classify2": "3-1",
            "description": "持证上岗",
            "check_content": "操作人员证书",
            "check_cycle": "1",
            "check_cycle_unit": "月",
            "work_day_type": "0",
            "data_src": "2",
            "responsible_post": world.post_a.pk,
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["classify2"]
    assert not ControlMeasure.objects.filter(risk_point=point).exists()


def test_measure_offers_only_the_enterprises_posts(world, login) -> None:
    point = make_point(world)
    form = login(world.user("ent_a")).get(reverse("risks:measure_create", args=[point.pk])).context["form"]
    assert list(form.fields["responsible_post"].queryset) == [world.post_a]


def test_measure_added_edited_and_removed(world, login) -> None:
    point = make_point(world)
    client = login(world.user("ent_a"))
    data = {
        "kind": "institutional",
        "classify1": "3",
        "classify2": "3-1",
        "description": "持证上岗",
        "check_content": "操作人员证书是否有效",
        "check_cycle": "1",
        "check_cycle_unit": "月",
        "work_day_type": "1",
        "data_src": "2",
        "responsible_post": world.post_a.pk,
        "active": "on",
    }
    assert client.post(reverse("risks:measure_create", args=[point.pk]), data).status_code == 302
    measure = ControlMeasure.objects.get(risk_point=point)
    page = client.get(reverse("risks:point_detail", args=[point.pk])).content.decode()
    assert "每 1 月" in page and "工作日" in page and "人员资质" in page
    data["check_cycle"] = "8"
    data["check_cycle_unit"] = "小时"
    assert client.post(reverse("risks:measure_edit", args=[measure.pk]), data).status_code == 302
    measure.refresh_from_db()
    assert measure.check_cycle == 8
    assert client.post(reverse("risks:measure_delete", args=[measure.pk])).status_code == 302
    assert not ControlMeasure.objects.filter(pk=measure.pk).exists()


def test_tier_assignment_limits_people_and_units(world, login) -> None:
    point = _graded_point(world)
    client = login(world.user("ent_a"))
    url = reverse("risks:tier_assign", args=[point.pk, "team"])
    form = client.get(url).context["form"]
    assert [u.name for u in form.fields["org_unit"].queryset] == ["甲班"]
    other = world.ent_b.people.first()
    response = client.post(url, {"person": other.pk})
    assert response.status_code == 200 and response.context["form"].errors["person"]
    assert not ResponsibilityAssignment.objects.filter(risk_point=point).exists()

    team = OrgUnit.objects.get(enterprise=world.ent_a, name="甲班")
    assert client.post(url, {"person": world.person_a.pk, "org_unit": team.pk}).status_code == 302
    assignment = ResponsibilityAssignment.objects.get(risk_point=point, tier="team")
    assert assignment.person == world.person_a and assignment.org_unit == team
    detail = client.get(reverse("risks:point_detail", args=[point.pk]))
    assert detail.context["missing"] == ("workshop", "post")
    assert client.post(reverse("risks:tier_unassign", args=[assignment.pk])).status_code == 302
    assert not ResponsibilityAssignment.objects.filter(pk=assignment.pk).exists()


def test_factor_edit_and_remove_regrade_the_point(world, login) -> None:
    point = _graded_point(world)
    factor = point.factors.get()
    client = login(world.user("ent_a"))
    response = client.post(
        reverse("risks:factor_edit", args=[factor.pk]),
        {"method": "SCL", "description": "反应釜超压", "category": "things", "accident_types": ["17"]},
    )
    assert response.status_code == 302
    factor.refresh_from_db()
    assert factor.description == "反应釜超压" and factor.accident_types == ["17"]
    assert client.post(reverse("risks:factor_delete", args=[factor.pk])).status_code == 302
    point.refresh_from_db()
    assert point.level is None


def test_preview_of_a_half_filled_form_lists_what_is_left(world, login) -> None:
    factor = make_factor(make_point(world))
    response = login(world.user("ent_a")).post(
        reverse("risks:assess_preview", args=[factor.pk]), {"kind": "initial", "method": "LS", "LS_L": "4"}
    )
    assert response.status_code == 200
    assert "尚未选择" in response.content.decode() and "S 事故后果严重性" in response.content.decode()


def test_export_has_the_filtered_rows_with_level_and_missing_tiers(world, login) -> None:
    _graded_point(world, code="RP-001")
    make_point(world, code="RP-002", name="原料仓库")
    response = login(world.user("town_a")).get(reverse("risks:point_list"), {"export": "csv", "level": "3"})
    assert response.status_code == 200
    text = (
        b"".join(response.streaming_content).decode("utf-8-sig")
        if response.streaming
        else response.content.decode("utf-8-sig")
    )
    assert "RP-001" in text and "一般风险" in text and "车间级、班组级、岗位级" in text
    assert "RP-002" not in text


def test_deactivated_point_is_marked_in_the_list(world, login) -> None:
    point = make_point(world)
    services.risk_point_deactivate(actor=SYSTEM, point=point)
    html = login(world.user("ent_a")).get(reverse("risks:point_list")).content.decode()
    assert "已停用" in html
