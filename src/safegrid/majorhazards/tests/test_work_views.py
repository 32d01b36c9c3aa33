"""Special-work and commitment pages: forms, moves, scope (404 out of scope), the regulator's pages, the
public board and the map layer."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.utils import timezone

from safegrid.majorhazards.models import SafetyCommitment, SpecialWork
from safegrid.majorhazards.services import work as services

from .work_helpers import analyse, file_work, major_unit, principal

pytestmark = pytest.mark.django_db


def _local_form(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_file_through_the_form(world, login):
    client = login(world.user("ent_a"))
    page = client.get("/majorhazards/special-works/new/")
    assert page.status_code == 200 and "报备特殊作业" in page.content.decode()
    start = timezone.now() - dt.timedelta(minutes=5)
    form = {
        "enterprise": world.ent_a.pk,
        "work_type": "hot",
        "grade": "1",
        "content": "罐区管线焊接",
        "place": "1 号罐区",
        "latitude": "36.950100",
        "longitude": "118.080100",
        "start": _local_form(start),
        "end": _local_form(start + dt.timedelta(hours=8, minutes=1)),
        "permit_number": "F-001",
        "watcher_name": "李监护",
    }
    refused = client.post("/majorhazards/special-works/new/", form)
    assert refused.status_code == 422 and "不应超过 8 小时" in refused.content.decode()
    form["end"] = _local_form(start + dt.timedelta(hours=4))
    done = client.post("/majorhazards/special-works/new/", form)
    assert done.status_code == 302
    work = SpecialWork.objects.get()
    page = client.get(done["Location"]).content.decode()
    assert "F-001" in page and "一级动火作业" in page and "记录气体分析" in page
    moved = client.post(f"/majorhazards/special-works/{work.pk}/move/start/", {"comment": ""})
    assert moved.status_code == 422 and "合格气体分析" in moved.content.decode()
    analysis = {
        "at": _local_form(timezone.now()),
        "location": "罐区",
        "result": "0%LEL",
        "qualified": "yes",
        "analyst": "王",
    }
    assert client.post(f"/majorhazards/special-works/{work.pk}/analysis/", analysis).status_code == 302
    assert client.post(f"/majorhazards/special-works/{work.pk}/move/start/").status_code == 302
    work.refresh_from_db()
    assert work.status == "in_progress"
    assert "开始作业" in client.get(f"/majorhazards/special-works/{work.pk}/").content.decode()


def test_out_of_scope_is_404(world, login):
    work = file_work(world)
    major_unit(world.ent_a)
    c = services.commitment_post(
        actor=principal(world),
        enterprise=world.ent_a,
        day=timezone.localdate(),
        data=services.commitment_prefill(world.ent_a, timezone.localdate()),
    )
    client = login(world.user("ent_b"))
    assert client.get(f"/majorhazards/special-works/{work.pk}/").status_code == 404
    assert (
        client.post(f"/majorhazards/special-works/{work.pk}/move/cancel/", {"comment": "x"}).status_code
        == 404
    )
    assert client.post(f"/majorhazards/special-works/{work.pk}/analysis/", {}).status_code == 404
    assert client.get(f"/majorhazards/commitments/{c.pk}/").status_code == 404
    assert client.post(f"/majorhazards/commitments/board/{world.ent_a.pk}/issue/").status_code == 404
    assert "F-001" not in client.get("/majorhazards/special-works/").content.decode()
    assert client.get("/majorhazards/commitments/new/").status_code == 404  # B has no major unit


def test_regulator_reads_but_does_not_move(world, login):
    work = file_work(world)
    client = login(world.user("dept_chem"))
    page = client.get(f"/majorhazards/special-works/{work.pk}/").content.decode()
    assert "DH-2026-001" in page and "/move/start/" not in page
    assert (
        client.post(f"/majorhazards/special-works/{work.pk}/move/cancel/", {"comment": "x"}).status_code
        == 403
    )


def test_commitment_form_prefilled_and_difference_shown(world, login):
    major_unit(world.ent_a)
    file_work(world)
    client = login(principal(world))
    page = client.get("/majorhazards/commitments/new/").content.decode()
    assert 'name="hot_one" value="1"' in page and "报备 1 项" in page
    form = {
        **{
            k: v
            for k, v in services.commitment_prefill(world.ent_a, timezone.localdate()).items()
            if not isinstance(v, bool)
        },
        "sources_safe": "on",
        "hot_one": "0",
        "explanation": "",
    }
    refused = client.post("/majorhazards/commitments/new/", form)
    body = refused.content.decode()
    assert refused.status_code == 422 and "一级动火作业（填报 0，报备 1）" in body and "不一致" in body
    form["explanation"] = "焊接推迟"
    posted = client.post("/majorhazards/commitments/new/", form)
    assert posted.status_code == 302
    c = SafetyCommitment.objects.get()
    assert c.differences == ["hot_one"] and c.sources_safe
    detail = client.get(posted["Location"]).content.decode()
    assert "焊接推迟" in detail
    assert client.get("/majorhazards/commitments/new/").status_code == 302  # already posted today
    history = client.get("/majorhazards/commitments/history/").content.decode()
    assert "一级动火作业" in history


def test_safety_manager_sees_form_but_cannot_post(world, login):
    major_unit(world.ent_a)
    client = login(world.user("ent_a"))
    page = client.get("/majorhazards/commitments/new/").content.decode()
    assert "principal-only" in page
    assert client.post("/majorhazards/commitments/new/", {}).status_code == 403


def _local(hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(hour, minute)))


def test_regulator_day_page_states_and_mismatch(world, login):
    major_unit(world.ent_a)
    major_unit(world.ent_b, code="TK-B01")
    day = timezone.localdate().isoformat()
    with mock.patch("django.utils.timezone.now", return_value=_local(9)):
        # signed in on the mocked clock: the session's age counts from it (at night in UTC the county's
        # 09:00 lies more than a session's age ahead of the real clock)
        client = login(world.user("county_admin"))
        page = client.get(f"/majorhazards/commitments/?day={day}").content.decode()
        assert "待发布 2" in page
    services.commitment_post(
        actor=principal(world),
        enterprise=world.ent_a,
        day=timezone.localdate(),
        data=services.commitment_prefill(world.ent_a, timezone.localdate()),
    )
    file_work(world)  # filed after posting: the counts now disagree
    with mock.patch("django.utils.timezone.now", return_value=_local(11)):
        client = login(world.user("county_admin"))  # two hours on: the first session has expired
        page = client.get(f"/majorhazards/commitments/?day={day}").content.decode()
        assert "未发布 1" in page and "与报备不一致 1" in page
        assert "一级动火作业 0/1" in page
        missing = client.get(f"/majorhazards/commitments/?day={day}&state=missing").content.decode()
        assert world.ent_b.name in missing and world.ent_a.name not in re.sub(
            r"<option.*?</option>", "", missing
        )
        mismatch = client.get(f"/majorhazards/commitments/?day={day}&mismatch=yes").content.decode()
        assert world.ent_a.name in mismatch
    # filters by town; an enterprise user is refused; the town officer of B sees only B
    assert client.get("/majorhazards/commitments/").status_code == 302
    assert login(world.user("ent_a")).get(f"/majorhazards/commitments/?day={day}").status_code == 403
    town_b = login(world.user("town_b")).get(f"/majorhazards/commitments/?day={day}").content.decode()
    assert world.ent_b.name in town_b and world.ent_a.name not in town_b


def test_today_list_and_map_layer(world, login):
    work = file_work(world)
    file_work(world, permit_number="H2-001", grade="2")
    file_work(world, permit_number="CS-001", work_type="confined", grade="")
    client = login(world.user("dept_chem"))
    page = client.get("/majorhazards/special-works/today/").content.decode()
    assert "DH-2026-001" in page and "CS-001" in page and "H2-001" not in page
    data = client.get("/majorhazards/map/high-risk-works.json").json()
    assert {m["name"] for m in data["markers"]} == {"一级动火作业 DH-2026-001", "受限空间作业 CS-001"}
    assert data["markers"][0]["lat"] == pytest.approx(36.9502)
    assert client.get(f"/majorhazards/map/high-risk-works.json?division={world.town_a.code}").json()[
        "markers"
    ]
    town_b = login(world.user("town_b"))
    assert town_b.get("/majorhazards/map/high-risk-works.json").json()["markers"] == []
    assert (
        town_b.get(f"/majorhazards/map/high-risk-works.json?division={world.town_a.code}").status_code == 404
    )
    assert "DH-2026-001" not in town_b.get("/majorhazards/special-works/today/").content.decode()
    client = login(world.user("dept_chem"))  # the same test client, signed in again
    analyse(world, work)
    services.special_work_cancel(actor=world.user("ent_a"), work=work, comment="取消")
    data = client.get("/majorhazards/map/high-risk-works.json").json()
    assert [m["name"] for m in data["markers"]] == ["受限空间作业 CS-001"], data
    assert "今日高风险作业" in client.get("/risks/map/").content.decode()


def test_public_board(world, client, login):
    major_unit(world.ent_a)
    board = services.board_issue(actor=world.user("ent_a"), enterprise=world.ent_a)
    url = f"/majorhazards/board/{board.token}/"
    empty = client.get(url)
    assert empty.status_code == 200 and "今日安全承诺公告尚未发布" in empty.content.decode()
    services.commitment_post(
        actor=principal(world),
        enterprise=world.ent_a,
        day=timezone.localdate(),
        data={
            **services.commitment_prefill(world.ent_a, timezone.localdate()),
            "explanation": "内部说明不公开",
        },
    )
    page = client.get(url).content.decode()
    assert world.ent_a.name in page and "张甲" in page and "内部说明不公开" not in page
    assert client.get("/majorhazards/board/not-a-token/").status_code == 404
    # a signed-in account outside the enterprise's scope gets nothing through a token
    assert login(world.user("ent_b")).get(url).status_code == 404
    assert login(world.user("ent_a")).get(url).status_code == 200
    old = board.token
    services.board_issue(actor=world.user("ent_a"), enterprise=world.ent_a)
    client.logout()
    assert client.get(f"/majorhazards/board/{old}/").status_code == 404


def test_home_todos(world, login):
    major_unit(world.ent_a)
    page = login(principal(world)).get("/").content.decode()
    assert "今日安全承诺公告未发布" in page
    with mock.patch("django.utils.timezone.now", return_value=_local(11)):
        page = login(world.user("dept_chem")).get("/").content.decode()
    assert "未按时发布安全承诺公告的企业" in page
