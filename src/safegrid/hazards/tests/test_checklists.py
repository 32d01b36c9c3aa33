"""Checklists, ad-hoc inspections from them, checkpoint scans and trust flags: services, scope and pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from safegrid.core.models import AuditEntry
from safegrid.hazards import checklists, inspections
from safegrid.hazards import inspection_selectors as sel
from safegrid.hazards.choices import CheckResult, HazardLevel, OccurrenceStatus, Presence
from safegrid.hazards.inspections import CheckIn, Scan
from safegrid.hazards.models import (
    ChecklistItem,
    ChecklistTemplate,
    CheckRecord,
    HiddenHazard,
    TaskOccurrence,
)
from safegrid.hazards.rules.checklists import ItemIn
from safegrid.hazards.testing import ship_reference_data
from safegrid.hazards.tests.factories import jpeg, photo
from safegrid.risks.tests.factories import make_point

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


ITEMS = [ItemIn("A-01", "安全出口畅通"), ItemIn("A-02", "灭火器在有效期内", "消防法")]
DATA = {"name": "节前检查表", "kind": 5, "sector_code": "", "basis": "", "description": "", "active": True}


def shipped(code: str) -> ChecklistTemplate:
    ship_reference_data()  # gone after a transactional test's flush
    return ChecklistTemplate.objects.get(shipped_code=code)


def test_shipped_lists_are_loaded_and_mapped_to_criteria() -> None:
    hazchem = shipped("SHIP-HC121")
    items = list(hazchem.items.order_by("number"))
    assert len(items) == 20 and hazchem.enterprise is None and hazchem.sector_code == "hazardous_chemicals"
    assert items[4].criterion is not None and items[4].criterion.code == "HC-05"
    assert shipped("SHIP-FIRE-KP").items.count() == 5
    assert shipped("SHIP-IT-GEN").items.count() == 13


def test_save_is_permission_checked_audited_and_refused_whole(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        checklists.checklist_save(actor=world.user("town_a"), data=DATA, items=ITEMS)  # county list
    with pytest.raises(PermissionDenied):
        checklists.checklist_save(actor=world.user("ent_a"), data=DATA, items=ITEMS, enterprise=world.ent_b)
    with pytest.raises(PermissionDenied):
        checklists.checklist_save(actor=world.user("post_a"), data=DATA, items=ITEMS, enterprise=world.ent_a)
    before = ChecklistTemplate.objects.count()
    bad = [ItemIn("A-01", "安全出口畅通"), ItemIn("A-01", "x", criterion="HC-99")]
    with pytest.raises(ValidationError) as exc:
        checklists.checklist_save(
            actor=world.user("ent_a"), data={**DATA, "name": ""}, items=bad, enterprise=world.ent_a
        )
    assert {"items", "name"} <= set(exc.value.message_dict)
    assert ChecklistTemplate.objects.count() == before
    saved = checklists.checklist_save(
        actor=world.user("ent_a"), data=DATA, items=ITEMS, enterprise=world.ent_a
    )
    assert [i.code for i in saved.items.order_by("number")] == ["A-01", "A-02"]
    county = checklists.checklist_save(actor=world.user("county_admin"), data=DATA, items=ITEMS)
    assert county.enterprise is None
    edited = checklists.checklist_save(
        actor=world.user("ent_a"), data={"name": "节前检查表（修订）"}, items=ITEMS[:1], template=saved
    )
    assert edited.items.count() == 1
    entry = (
        AuditEntry.objects.filter(object_type="hazards.checklisttemplate", object_id=str(saved.pk))
        .order_by("pk")
        .last()
    )
    assert entry is not None and len(entry.before["items"]) == 2 and len(entry.after["items"]) == 1
    with pytest.raises(ValidationError):
        checklists.checklist_save(
            actor=world.user("county_admin"), data={}, items=ITEMS, template=shipped("SHIP-HC121")
        )


def test_scope_county_lists_for_all_enterprise_lists_for_it_and_its_regulators(world: Any) -> None:
    a = checklists.checklist_save(actor=world.user("ent_a"), data=DATA, items=ITEMS, enterprise=world.ent_a)
    b = checklists.checklist_save(actor=world.user("ent_b"), data=DATA, items=ITEMS, enterprise=world.ent_b)
    for name, sees_a, sees_b in [
        ("ent_a", True, False),
        ("ent_b", False, True),
        ("town_a", True, False),
        ("county_admin", True, True),
        ("outsider", False, False),
    ]:
        visible = set(sel.checklists(world.user(name)).values_list("pk", flat=True))
        assert (a.pk in visible, b.pk in visible) == (sees_a, sees_b), name
        assert shipped("SHIP-FIRE-KP").pk in visible, name


def test_excel_round_trip_and_bad_file_refused_whole(world: Any) -> None:
    content = checklists.checklist_export(shipped("SHIP-HC121"))
    outcome = checklists.checklist_import(
        actor=world.user("ent_a"),
        content=content,
        file_name="hc.xlsx",
        enterprise=world.ent_a,
        data={**DATA, "name": "本企业重大隐患自查表"},
    )
    assert outcome.result.ok and outcome.template is not None
    copied = list(outcome.template.items.order_by("number").values_list("code", "text", "criterion__code"))
    original = list(
        shipped("SHIP-HC121").items.order_by("number").values_list("code", "text", "criterion__code")
    )
    assert copied == original
    assert AuditEntry.objects.filter(action="import", object_id=str(outcome.template.pk)).exists()
    book = load_workbook(__import__("io").BytesIO(content))
    sheet = book["检查项"]
    sheet.cell(row=3, column=1, value="HC-01")  # a repeated code
    sheet.cell(row=4, column=4, value="HC-99")  # an unknown criterion
    out = __import__("io").BytesIO()
    book.save(out)
    count = ChecklistItem.objects.count()
    refused = checklists.checklist_import(
        actor=world.user("ent_a"), content=out.getvalue(), file_name="bad.xlsx", template=outcome.template
    )
    assert not refused.result.ok and len(refused.result.errors) == 2
    assert ChecklistItem.objects.count() == count


@pytest.fixture
def adhoc(world: Any) -> tuple[Any, TaskOccurrence]:
    point = make_point(world, lat=36.95, lon=118.08)
    now = timezone.now()
    occ = checklists.inspection_from_checklist(
        actor=world.user("ent_a"),
        template=shipped("SHIP-HC121"),
        enterprise=world.ent_a,
        data={
            "title": "节前专项检查",
            "kind": 5,
            "window_start": now - dt.timedelta(minutes=5),
            "window_end": now + dt.timedelta(hours=8),
            "risk_point": point,
            "responsible_post": world.post_a,
        },
    )
    return point, occ


def test_inspection_from_checklist_is_one_off(world: Any, adhoc: Any) -> None:
    point, occ = adhoc
    task = occ.task
    assert task.one_off and task.kind == 5 and len(task.check_items) == 20
    assert task.item_criteria[task.check_items[4]] == "HC-05"
    result = inspections.occurrences_generate(day=timezone.localdate())
    assert TaskOccurrence.objects.filter(task=task).count() == 1 and result.tasks == 0
    with pytest.raises(PermissionDenied):
        checklists.inspection_from_checklist(
            actor=world.user("post_a"), template=shipped("SHIP-HC121"), enterprise=world.ent_a, data={}
        )
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        checklists.inspection_from_checklist(
            actor=world.user("ent_a"),
            template=shipped("SHIP-HC121"),
            enterprise=world.ent_a,
            data={
                "kind": 1,
                "window_start": now - dt.timedelta(days=2),
                "window_end": now - dt.timedelta(days=1),
            },
        )
    assert {"kind", "window_end"} <= set(exc.value.message_dict)


def test_failed_criterion_item_proposes_a_major_hazard(world: Any, adhoc: Any) -> None:
    point, occ = adhoc
    items = dict.fromkeys(occ.task.check_items, True)
    items[occ.task.check_items[4]] = False  # HC-05 tank farm without emergency cut-off
    record = inspections.check_record(
        actor=world.user("post_a"),
        occurrence=occ,
        check=CheckIn(
            items,
            CheckResult.FINDING,
            hazard={
                "title": "罐区未设紧急切断",
                "description": "一级重大危险源罐区无紧急切断阀",
                "hazard_type": 2,
            },
        ),
    )
    hazard = HiddenHazard.objects.get(check_record=record)
    assert hazard.level == HazardLevel.MAJOR and hazard.major_proposed and hazard.major_criteria == ["HC-05"]
    assert hazard.source == 5


def test_scan_presence_distance_and_flags(world: Any, adhoc: Any) -> None:
    point, occ = adhoc
    checkpoint = checklists.checkpoint_issue(actor=world.user("ent_a"), risk_point=point)
    items = dict.fromkeys(occ.task.check_items, True)
    far = (36.95 + 0.01, 118.08)  # ≈ 1.1 km north
    record = inspections.check_record(
        actor=world.user("post_a"),
        occurrence=occ,
        check=CheckIn(
            items,
            CheckResult.NO_FINDING,
            scan=Scan(checkpoint, timezone.now()),
            lat=far[0],
            lon=far[1],
            accuracy=20,
            device_id="dev-1",
            user_agent="UA",
            photo=photo(),
        ),
    )
    assert record.presence == Presence.SCANNED and record.scanned_at is not None
    assert record.distance_m == pytest.approx(1112, abs=2) and record.flag_far and not record.flag_photo_seen
    assert record.device_id == "dev-1" and record.user_agent == "UA"
    # The same photo again, at the point, without a scan: presence by GPS, photo flagged.
    now = timezone.now()
    second = checklists.inspection_from_checklist(
        actor=world.user("ent_a"),
        template=shipped("SHIP-FIRE-KP"),
        enterprise=world.ent_a,
        data={"window_start": now, "window_end": now + dt.timedelta(hours=1), "risk_point": point},
    )
    again = inspections.check_record(
        actor=world.user("ent_a"),
        occurrence=second,
        check=CheckIn(
            dict.fromkeys(second.task.check_items, True),
            CheckResult.NO_FINDING,
            lat=36.95,
            lon=118.08,
            photo=photo(),
        ),
    )
    assert again.presence == Presence.GPS and again.flag_photo_seen and not again.flag_far
    assert again.flag_detail["photo_seen"]["records"] == [record.pk]
    # A scan of another point's checkpoint is refused.
    other = make_point(world, code="RP-002", name="另一风险点")
    third = checklists.inspection_from_checklist(
        actor=world.user("ent_a"),
        template=shipped("SHIP-FIRE-KP"),
        enterprise=world.ent_a,
        data={"window_start": now, "window_end": now + dt.timedelta(hours=1), "risk_point": other},
    )
    with pytest.raises(ValidationError) as exc:
        inspections.check_record(
            actor=world.user("ent_a"),
            occurrence=third,
            check=CheckIn(dict.fromkeys(third.task.check_items, True), "ok", scan=Scan(checkpoint, now)),
        )
    assert "scan" in exc.value.message_dict


def test_hours_of_patrols_entered_within_minutes_are_flagged(world: Any) -> None:
    point = make_point(world)
    start = timezone.now() - dt.timedelta(hours=6)
    occs = []
    for hour in (0, 2, 4):
        occs.append(
            checklists.inspection_from_checklist(
                actor=world.user("ent_a"),
                template=shipped("SHIP-FIRE-KP"),
                enterprise=world.ent_a,
                data={
                    "title": f"巡检 {hour}",
                    "window_start": start + dt.timedelta(hours=hour),
                    "window_end": timezone.now() + dt.timedelta(hours=1),
                    "risk_point": point,
                },
            )
        )
    records = [
        inspections.check_record(
            actor=world.user("post_a"),
            occurrence=o,
            check=CheckIn(dict.fromkeys(o.task.check_items, True), CheckResult.NO_FINDING),
        )
        for o in occs
    ]
    assert not records[0].flag_batch and not records[1].flag_batch and records[2].flag_batch
    assert set(CheckRecord.objects.filter(flag_batch=True).values_list("pk", flat=True)) == {
        r.pk for r in records
    }


# ---- pages ------------------------------------------------------------------------------------------


def test_scan_url_records_presence_on_the_check_page(world: Any, login: Any, adhoc: Any) -> None:
    point, occ = adhoc
    manager = login(world.user("ent_a"))
    assert manager.post(reverse("hazards:checkpoint_issue", args=[point.pk])).status_code == 302
    page = manager.get(reverse("hazards:checkpoint", args=[point.pk])).content.decode()
    token = (
        point.checkpoint.token
        if hasattr(point, "checkpoint")
        else type(point).objects.get(pk=point.pk).checkpoint.token
    )
    assert f"/hazards/scan/{token}/" in page
    assert 'src="data:image/png;base64,' in page
    assert login(world.user("ent_b")).get(reverse("hazards:scan", args=[token])).status_code == 404
    worker = login(world.user("post_a"))
    scanned = worker.get(reverse("hazards:scan", args=[token]))
    assert scanned.status_code == 302 and scanned["Location"] == reverse("hazards:check", args=[occ.pk])
    form = {f"item_{i}": "on" for i in range(len(occ.task.check_items))}
    form.update(
        result="ok",
        lat="36.9501",
        lon="118.0801",
        accuracy="12",
        device_id="phone-1",
        device_time=timezone.localtime().strftime("%Y-%m-%dT%H:%M:%S"),
        photo=SimpleUploadedFile("a.jpg", jpeg("blue"), content_type="image/jpeg"),
    )
    done = worker.post(reverse("hazards:check", args=[occ.pk]), form, HTTP_USER_AGENT="TestPhone/1.0")
    assert done.status_code == 302
    record = CheckRecord.objects.get(occurrence=occ)
    assert record.presence == Presence.SCANNED and record.user_agent == "TestPhone/1.0"
    assert record.device_id == "phone-1" and record.distance_m is not None and record.device_time is not None
    detail = worker.get(reverse("hazards:record", args=[record.pk])).content.decode()
    assert 'data-presence="scanned"' in detail and record.photo_sha256 in detail
    assert worker.get(reverse("hazards:record_photo", args=[record.pk])).status_code == 200
    assert login(world.user("ent_b")).get(reverse("hazards:record", args=[record.pk])).status_code == 404


def test_without_scan_presence_is_not_claimed(world: Any, login: Any, adhoc: Any) -> None:
    point, occ = adhoc
    worker = login(world.user("post_a"))
    form = {f"item_{i}": "on" for i in range(len(occ.task.check_items))}
    form.update(result="ok", presence="scanned")  # a hand-made field is ignored
    assert worker.post(reverse("hazards:check", args=[occ.pk]), form).status_code == 302
    assert CheckRecord.objects.get(occurrence=occ).presence == Presence.NONE


def test_record_list_filters_by_flag(world: Any, login: Any, adhoc: Any) -> None:
    point, occ = adhoc
    items = dict.fromkeys(occ.task.check_items, True)
    record = inspections.check_record(
        actor=world.user("post_a"), occurrence=occ, check=CheckIn(items, "ok", lat=37.5, lon=118.08)
    )
    assert record.flag_far
    town = login(world.user("town_a"))
    flagged = town.get(reverse("hazards:records") + "?flag=far").content.decode()
    assert "远离风险点" in flagged and occ.task.title in flagged
    assert occ.task.title not in town.get(reverse("hazards:records") + "?flag=photo_seen").content.decode()
    assert occ.task.title not in login(world.user("town_b")).get(reverse("hazards:records")).content.decode()


def test_checklist_pages(world: Any, login: Any) -> None:
    manager = login(world.user("ent_a"))
    assert (
        "危险化学品重大事故隐患判定标准检查表" in manager.get(reverse("hazards:checklists")).content.decode()
    )
    hc = shipped("SHIP-HC121")
    page = manager.get(reverse("hazards:checklist", args=[hc.pk])).content.decode()
    assert "HC-05" in page and reverse("hazards:checklist_inspect", args=[hc.pk]) in page
    assert manager.get(reverse("hazards:checklist_edit", args=[hc.pk])).status_code == 403
    created = manager.post(
        reverse("hazards:checklist_new"),
        {
            "owner": str(world.ent_a.pk),
            "name": "复产前检查表",
            "kind": "7",
            "items": "R-1｜设备已试压\nR-2｜联锁已投用｜｜HC-04",
        },
    )
    assert created.status_code == 302
    mine = ChecklistTemplate.objects.get(name="复产前检查表")
    assert mine.enterprise == world.ent_a and mine.items.get(code="R-2").criterion.code == "HC-04"
    refused = manager.post(
        reverse("hazards:checklist_edit", args=[mine.pk]),
        {"name": "x", "kind": "7", "items": "R-1｜a\nR-1｜b"},
    )
    assert refused.status_code == 422 and "编号 R-1 重复" in refused.content.decode()
    upload = SimpleUploadedFile("l.xlsx", checklists.checklist_export(shipped("SHIP-FIRE-KP")))
    replaced = manager.post(
        reverse("hazards:checklist_edit", args=[mine.pk]),
        {"name": "复产前检查表", "kind": "7", "file": upload},
    )
    assert replaced.status_code == 302 and mine.items.count() == 5
    export = manager.get(reverse("hazards:checklist", args=[mine.pk]) + "?export=xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    now = timezone.localtime()
    planned = manager.post(
        reverse("hazards:checklist_inspect", args=[hc.pk]),
        {
            "enterprise": str(world.ent_a.pk),
            "title": "季节性检查",
            "kind": "4",
            "window_start": now.strftime("%Y-%m-%dT%H:%M"),
            "window_end": (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert planned.status_code == 302
    occ = TaskOccurrence.objects.get(task__title="季节性检查")
    assert occ.status == OccurrenceStatus.DUE and "HC-05" in manager.get(planned["Location"]).content.decode()
    assert login(world.user("ent_b")).get(reverse("hazards:checklist", args=[mine.pk])).status_code == 404
    assert login(world.user("town_a")).get(reverse("hazards:checklist_new")).status_code == 403


def test_metrics_for_the_enterprise_and_its_regulators(world: Any, login: Any, adhoc: Any) -> None:
    point, occ = adhoc
    inspections.check_record(
        actor=world.user("post_a"),
        occurrence=occ,
        check=CheckIn(dict.fromkeys(occ.task.check_items, True), "ok"),
    )
    rows = sel.use_metrics(world.user("town_a"))
    row = next(r for r in rows if r.enterprise_id == world.ent_a.pk)
    assert row.active_users >= 1 and row.checks == 1
    assert world.ent_b.pk not in {r.enterprise_id for r in rows}
    page = login(world.user("ent_a")).get(reverse("hazards:metrics")).content.decode()
    assert world.ent_a.name in page and world.ent_b.name not in page
