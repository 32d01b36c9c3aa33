"""The county's follow-up: the overdue list, the 五个一律 review list and listed supervision (挂牌督办)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safegrid.core.models import AuditEntry
from safegrid.enterprises.models import Person
from safegrid.hazards import deadline_watch, services, supervision
from safegrid.hazards.config import deadlines
from safegrid.hazards.models import HiddenHazard, ListedSupervision
from safegrid.hazards.testing import prepare_major
from safegrid.notifications.models import Notification
from safegrid.regions.models import Department

from .factories import REPORT, photo

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START = TODAY - dt.timedelta(days=30)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _rectifying(world, title: str, deadline: dt.date, *, major: bool = False) -> HiddenHazard:
    hazard = services.hazard_report(
        actor=world.user("town_a"),
        enterprise=world.ent_a,
        data={**REPORT, "title": title, "level": "major" if major else "general"},
        photos=[photo()],
    )
    hazard = services.hazard_confirm(
        actor=world.user("ent_a"),
        hazard=hazard,
        level=hazard.level,
        interim_measures="停用储罐，设置警戒" if major else "",
    )
    if major:
        hazard = prepare_major(world.user("ent_a"), hazard)
    return services.hazard_assign(
        actor=world.user("ent_a"),
        hazard=hazard,
        responsible_person=Person.objects.get(pk=world.person_a.pk),
        measures="更换接地线",
        funds=Decimal("500"),
        deadline=deadline,
        plan="罐区应急预案",
        today=START,
    )


def _escalate(hazard: HiddenHazard, days: int) -> None:
    for n in range(days):
        day = TODAY - dt.timedelta(days=days - 1 - n)
        deadline_watch.hazard_escalate(hazard=hazard, today=day, deadlines=deadlines())


def _data(**overrides):
    return {
        "level": "county",
        "authority": "桓台县安全生产委员会",
        "department": Department.objects.get(code="work_safety"),
        "document_number": "桓安督〔2025〕1号",
        "listed_on": TODAY - dt.timedelta(days=5),
        "planned_completion": TODAY + dt.timedelta(days=10),
        "requirements": "停产整改，按期报告",
        **overrides,
    }


def test_overdue_list_is_ordered_by_step_then_days_overdue(world, login) -> None:
    low = _rectifying(world, "甲-逾期两天", TODAY - dt.timedelta(days=2))
    long_ = _rectifying(world, "甲-逾期二十天", TODAY - dt.timedelta(days=20))
    high = _rectifying(world, "甲-已升级到镇", TODAY - dt.timedelta(days=5))
    _rectifying(world, "甲-未到期", TODAY + dt.timedelta(days=5))
    _escalate(high, 3)
    _escalate(long_, 1)
    page = login(world.user("town_a")).get("/hazards/overdue/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "甲-未到期" not in html
    positions = [html.index(t) for t in ("甲-已升级到镇", "甲-逾期二十天", "甲-逾期两天")]
    assert positions == sorted(positions)
    assert "属地镇街" in html and "企业安全管理人员" in html
    assert low.title not in login(world.user("town_b")).get("/hazards/overdue/").content.decode()


def test_five_musts_lists_enterprises_with_overdue_major_hazards(world, login) -> None:
    _rectifying(world, "甲-一般隐患逾期", TODAY - dt.timedelta(days=3))
    assert "甲化工有限公司" not in login(world.user("town_a")).get("/hazards/five-musts/").content.decode()
    _rectifying(world, "甲-重大隐患逾期", TODAY - dt.timedelta(days=4), major=True)
    _rectifying(world, "甲-重大隐患未到期", TODAY + dt.timedelta(days=4), major=True)
    for name in ("town_a", "county_admin", "dept_chem"):
        html = login(world.user(name)).get("/hazards/five-musts/").content.decode()
        assert "甲化工有限公司" in html and "甲-重大隐患逾期" in html and "逾期 4 天" in html, name
        assert "甲-重大隐患未到期" not in html and "甲-一般隐患逾期" not in html
    assert "甲-重大隐患逾期" not in login(world.user("town_b")).get("/hazards/five-musts/").content.decode()
    assert login(world.user("ent_a")).get("/hazards/five-musts/").status_code == 403
    assert login(world.user("grid_a")).get("/hazards/five-musts/").status_code == 403


def test_listing_is_for_county_regulators_and_major_open_hazards_only(world) -> None:
    major = _rectifying(world, "甲-重大", TODAY + dt.timedelta(days=9), major=True)
    general = _rectifying(world, "甲-一般", TODAY + dt.timedelta(days=9))
    for name in ("ent_a", "town_a", "grid_a", "town_b", "ent_b"):
        with pytest.raises(PermissionDenied):
            supervision.supervision_list_hazard(actor=world.user(name), hazard=major, data=_data())
    with pytest.raises(ValidationError) as refused:
        supervision.supervision_list_hazard(actor=world.user("dept_chem"), hazard=general, data=_data())
    assert refused.value.message_dict == {"hazard": ["只有重大隐患可以挂牌督办"]}
    with pytest.raises(ValidationError) as refused:
        supervision.supervision_list_hazard(
            actor=world.user("dept_chem"),
            hazard=major,
            data=_data(
                planned_completion=TODAY - dt.timedelta(days=10),
                department=None,
                listed_on=TODAY + dt.timedelta(days=1),
                document_number="",
            ),
        )
    assert set(refused.value.message_dict) == {
        "planned_completion",
        "department",
        "listed_on",
        "document_number",
    }
    assert not ListedSupervision.objects.exists()
    row = supervision.supervision_list_hazard(actor=world.user("dept_chem"), hazard=major, data=_data())
    assert row.is_open and row.listed_by == world.user("dept_chem")
    assert AuditEntry.objects.filter(object_type="hazards.listedsupervision", comment="挂牌督办").count() == 1
    assert Notification.objects.filter(recipient=world.user("ent_a"), kind="hazards.supervision").exists()
    with pytest.raises(ValidationError) as refused:
        supervision.supervision_list_hazard(
            actor=world.user("county_admin"), hazard=major, data=_data(document_number="另一个")
        )
    assert refused.value.message_dict == {"hazard": ["该隐患已挂牌督办"]}


def test_sign_off_is_refused_while_the_hazard_is_open(world) -> None:
    major = _rectifying(world, "甲-重大", TODAY + dt.timedelta(days=9), major=True)
    row = supervision.supervision_list_hazard(actor=world.user("county_admin"), hazard=major, data=_data())
    with pytest.raises(ValidationError) as refused:
        supervision.supervision_sign_off(actor=world.user("county_admin"), supervision=row)
    assert refused.value.message_dict == {"hazard": ["隐患尚未验收销号，不能解除挂牌督办"]}
    major = services.hazard_submit(
        actor=world.user("ent_a"), hazard=major, note="已整改", photos=[photo("after")]
    )
    major = services.hazard_accept(actor=world.user("town_a"), hazard=major, comment="验收合格")
    with pytest.raises(PermissionDenied):
        supervision.supervision_sign_off(actor=world.user("town_a"), supervision=row)
    done = supervision.supervision_sign_off(
        actor=world.user("county_admin"), supervision=row, comment="同意解除"
    )
    assert done.actual_completion == timezone.localdate(major.closed_at)
    assert done.signed_off_by == world.user("county_admin") and not done.is_open
    entry = AuditEntry.objects.get(object_type="hazards.listedsupervision", comment="解除挂牌督办")
    assert entry.after["sign_off_comment"] == "同意解除"
    with pytest.raises(ValidationError):
        supervision.supervision_sign_off(actor=world.user("county_admin"), supervision=row)


def test_supervision_pages(world, login) -> None:
    late = _rectifying(world, "甲-督办超期", TODAY + dt.timedelta(days=2), major=True)
    on_time = _rectifying(world, "甲-督办中", TODAY + dt.timedelta(days=2), major=True)
    county = login(world.user("county_admin"))
    form = county.get(f"/hazards/{late.pk}/supervise/")
    assert form.status_code == 200
    posted = county.post(
        f"/hazards/{late.pk}/supervise/",
        {
            "level": "county",
            "authority": "桓台县安全生产委员会",
            "department": Department.objects.get(code="work_safety").pk,
            "document_number": "桓安督〔2025〕7号",
            "listed_on": (TODAY - dt.timedelta(days=20)).isoformat(),
            "planned_completion": (TODAY - dt.timedelta(days=3)).isoformat(),
        },
    )
    assert posted.status_code == 302, posted.content.decode()[:2000]
    supervision.supervision_list_hazard(
        actor=world.user("county_admin"), hazard=on_time, data=_data(document_number="桓安督〔2025〕8号")
    )
    page = county.get("/hazards/supervision/").content.decode()
    assert "桓安督〔2025〕7号" in page and "超期 3 天" in page and "桓安督〔2025〕8号" in page
    only_late = county.get("/hazards/supervision/?late=yes").content.decode()
    assert "桓安督〔2025〕7号" in only_late and "桓安督〔2025〕8号" not in only_late
    detail = login(world.user("ent_a")).get(f"/hazards/{late.pk}/").content.decode()
    assert "桓安督〔2025〕7号" in detail and "督办中" in detail
    assert login(world.user("ent_a")).get(f"/hazards/{late.pk}/supervise/").status_code == 403
    assert login(world.user("town_b")).get(f"/hazards/{late.pk}/supervise/").status_code == 404
    row = ListedSupervision.objects.get(hazard=late)
    refused = login(world.user("county_admin")).post(
        f"/hazards/supervision/{row.pk}/sign-off/", {"comment": "x"}
    )
    assert refused.status_code == 422 and "隐患尚未验收销号" in refused.content.decode()
