"""The lifecycle and responsibility services: what they write, what they refuse (whole), who is told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safegrid.core.models import AuditEntry
from safegrid.hazards import inspections, rollups
from safegrid.hazards.models import HiddenHazard, InspectionTask, TaskOccurrence
from safegrid.majorhazards.models import (
    DrillRecord,
    FacilityTest,
    HazardUnit,
    ReassessmentTrigger,
    ResponsiblePerson,
    SourceFiling,
)
from safegrid.majorhazards.selectors import lifecycle as selectors
from safegrid.majorhazards.services import lifecycle, responsibility
from safegrid.notifications.models import Notification

from .lifecycle_fixtures import accepted, draft, filing_data, pdf_file, person_a, unit_a

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(exc.value.message_dict)


def test_draft_keeps_the_assessment_and_computes_its_dates(world):
    unit = unit_a(world)
    assessed = TODAY() - dt.timedelta(days=20)
    filing = lifecycle.filing_draft(
        actor=world.user("ent_a"), unit=unit, data=filing_data(assessed), document=pdf_file()
    )
    assert filing.status == "draft" and filing.grade_on_record == 2
    assert filing.filing_due == assessed + dt.timedelta(days=15)
    assert filing.reassessment_due == assessed.replace(year=assessed.year + 3)
    assert filing.report_file.name.endswith(".pdf")
    submitted = lifecycle.filing_submit(actor=world.user("ent_a"), filing=filing)
    assert submitted.submitted_late is True  # day 20 > 15
    assert (
        AuditEntry.objects.filter(object_type="majorhazards.sourcefiling", object_id=str(filing.pk)).count()
        >= 2
    )
    note = Notification.objects.get(recipient=world.user("dept_chem"), kind="majorhazards.filing_submitted")
    assert unit.name in note.text


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"assessing_org": "", "report_summary": " "}, {"assessing_org", "report_summary"}),
        ({"assessed_on": None}, {"assessed_on"}),
        ({"assessed_on": dt.date(2999, 1, 1)}, {"assessed_on"}),
        ({"report_summary": "含控制字符\x07"}, {"report_summary"}),
    ],
)
def test_bad_filings_are_refused_whole(world, data, fields):
    unit = unit_a(world)
    with pytest.raises(ValidationError) as exc:
        lifecycle.filing_draft(actor=world.user("ent_a"), unit=unit, data={**filing_data(), **data})
    assert _errors(exc) >= fields
    assert not SourceFiling.objects.filter(unit=unit).exists()


def test_filing_refusals_of_the_unit(world):
    not_major = unit_a(world, code="A-MH-02", grade=None)
    with pytest.raises(ValidationError) as exc:
        draft(world, not_major)
    assert "unit" in _errors(exc)
    unit = unit_a(world)
    draft(world, unit)
    with pytest.raises(ValidationError):  # one open filing per unit
        draft(world, unit)
    with pytest.raises(ValidationError) as exc:
        lifecycle.filing_draft(
            actor=world.user("ent_a"), unit=unit_a(world, code="A-MH-03"), data=filing_data(),
            document=lifecycle.FileIn(b"MZ\x90\x00not a pdf", "report.pdf"),
        )  # fmt: skip
    assert "report_file" in _errors(exc)


def test_accepted_filing_can_not_be_edited_and_a_deregistered_unit_refuses_everything(world):
    unit = unit_a(world)
    filing = accepted(world, unit, TODAY() - dt.timedelta(days=30))
    with pytest.raises(ValidationError):
        lifecycle.filing_update(actor=world.user("ent_a"), filing=filing, data=filing_data())
    row = lifecycle.deregistration_apply(actor=world.user("ent_a"), unit=unit, reason="装置已拆除")
    lifecycle.deregistration_review(actor=world.user("county_admin"), deregistration=row, accept=True)
    assert selectors.is_deregistered(unit)
    assert unit not in selectors.active_units(HazardUnit.objects.all())
    assert unit_a(world, code="A-MH-09") in selectors.active_units(HazardUnit.objects.all())
    with pytest.raises(ValidationError):
        draft(world, unit)
    with pytest.raises(ValidationError):
        lifecycle.trigger_record(
            actor=world.user("ent_a"), unit=unit,
            data={"kind": "process", "occurred_on": TODAY(), "description": "工艺变化"},
        )  # fmt: skip
    assert selectors.due_rows(world.user("ent_a"), TODAY()) == [
        r for r in selectors.due_rows(world.user("ent_a"), TODAY()) if r.unit.pk != unit.pk
    ]


@pytest.mark.parametrize(
    ("deaths", "injuries", "ok"), [(0, 9, False), (0, 10, True), (1, 0, True), (None, None, False)]
)
def test_accident_trigger_needs_a_death_or_ten_injuries(world, deaths, injuries, ok):
    unit = unit_a(world)
    data = {
        "kind": "accident",
        "occurred_on": TODAY(),
        "description": "泄漏事故",
        "deaths": deaths,
        "injuries": injuries,
    }
    if ok:
        assert lifecycle.trigger_record(actor=world.user("ent_a"), unit=unit, data=data).kind == "accident"
    else:
        with pytest.raises(ValidationError) as exc:
            lifecycle.trigger_record(actor=world.user("ent_a"), unit=unit, data=data)
        assert "injuries" in _errors(exc)
        assert not ReassessmentTrigger.objects.exists()


def test_a_trigger_makes_the_reassessment_due_at_once(world):
    unit = unit_a(world)
    accepted(world, unit, TODAY() - dt.timedelta(days=100))
    user = world.user("ent_a")
    assert selectors.unit_lifecycle(user, unit, TODAY()).state == "ok"
    lifecycle.trigger_record(
        actor=user,
        unit=unit,
        data={"kind": "quantities", "occurred_on": TODAY() - dt.timedelta(days=1), "description": "增加储量"},
    )
    life = selectors.unit_lifecycle(user, unit, TODAY())
    assert life.state == "overdue" and life.reassessment_due == TODAY() - dt.timedelta(days=1)
    assert [r.kind for r in selectors.due_rows(user, TODAY())].count("reassessment") == 1
    assert Notification.objects.filter(recipient=user, kind="majorhazards.reassessment_due").count() == 1
    # A new assessment after it answers the trigger.
    accepted(world, unit, TODAY())
    assert selectors.unit_lifecycle(user, unit, TODAY()).state == "ok"


def test_drill_and_test_refusals(world):
    unit = unit_a(world)
    user = world.user("ent_a")
    with pytest.raises(ValidationError) as exc:
        lifecycle.drill_record(
            actor=user, enterprise=world.ent_a, unit=unit,
            data={"plan_kind": "tabletop", "held_on": TODAY() + dt.timedelta(days=1), "participants": 0, "summary": ""},
        )  # fmt: skip
    assert _errors(exc) == {"plan_kind", "held_on", "participants", "summary"}
    with pytest.raises(PermissionDenied):  # not a manager of B
        lifecycle.drill_record(
            actor=user, enterprise=world.ent_b, unit=unit,
            data={"plan_kind": "onsite", "held_on": TODAY(), "participants": 5, "summary": "x"},
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        lifecycle.drill_record(
            actor=world.user("post_a"), enterprise=world.ent_a, unit=unit,
            data={"plan_kind": "onsite", "held_on": TODAY(), "participants": 5, "summary": "x"},
        )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        lifecycle.facility_test_record(
            actor=user, unit=unit,
            data={"facility": "安全阀", "tested_on": TODAY(), "result": "pass", "next_due": TODAY()},
        )  # fmt: skip
    assert _errors(exc) == {"next_due"}
    assert not DrillRecord.objects.exists() and not FacilityTest.objects.exists()
    test = lifecycle.facility_test_record(
        actor=user,
        unit=unit,
        data={"facility": "安全阀", "tested_on": TODAY(), "result": "pass", "cycle_months": 6},
    )
    assert test.next_due > TODAY()


def test_an_enterprise_drill_counts_for_every_unit(world):
    unit = unit_a(world)
    accepted(world, unit, TODAY() - dt.timedelta(days=800))
    user = world.user("ent_a")
    kinds = {r.subject for r in selectors.due_rows(user, TODAY()) if r.kind == "drill"}
    assert kinds == {"specialist", "onsite"}
    lifecycle.drill_record(
        actor=user, enterprise=world.ent_a, unit=None,
        data={"plan_kind": "specialist", "held_on": TODAY(), "participants": 30, "summary": "全厂演练"},
    )  # fmt: skip
    kinds = {r.subject for r in selectors.due_rows(user, TODAY()) if r.kind == "drill"}
    assert kinds == {"onsite"}


# ---- responsible persons ------------------------------------------------------------------------------


def test_naming_a_person_creates_the_check_task(world):
    unit = unit_a(world)
    person = person_a(world, user=world.user("post_a"))
    row = responsibility.responsible_name(
        actor=world.user("ent_a"), unit=unit, role=2, person=person, valid_from=TODAY()
    )
    assert (row.name, row.phone, row.job_title) == ("孙技术", "13800000001", "技术副总")
    assert row.duties.startswith("1. 组织实施重大危险源的安全监测监控体系建设")
    task = row.task
    assert (task.work_type, task.cycle_every, task.cycle_unit, task.kind) == (2, 3, "月", 3)
    assert task.responsible_person == person and task.responsible_post == world.post_a
    assert task.check_items and task.enterprise == world.ent_a
    assert Notification.objects.filter(
        recipient=world.user("post_a"), kind="majorhazards.responsible_named"
    ).exists()


def test_a_new_holder_takes_over_the_task_and_ends_the_term(world):
    unit = unit_a(world)
    first = responsibility.responsible_name(
        actor=world.user("ent_a"),
        unit=unit,
        role=3,
        person=person_a(world),
        valid_from=TODAY() - dt.timedelta(days=30),
    )
    second_person = person_a(world, name="周操作", phone="13800000002")
    second = responsibility.responsible_name(
        actor=world.user("ent_a"), unit=unit, role=3, person=second_person, valid_from=TODAY()
    )
    first.refresh_from_db()
    assert first.valid_to == TODAY() - dt.timedelta(days=1)
    assert second.task_id == first.task_id and InspectionTask.objects.filter(work_type=3).count() == 1
    assert second.task.responsible_person == second_person and second.task.cycle_unit == "周"
    assert selectors.current_persons(unit)[3] == second
    with pytest.raises(ValidationError) as exc:  # before the current holder's start
        responsibility.responsible_name(
            actor=world.user("ent_a"), unit=unit, role=3, person=person_a(world, name="吴", phone="13800000003"),
            valid_from=TODAY() - dt.timedelta(days=5),
        )  # fmt: skip
    assert "valid_from" in _errors(exc)


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("other_enterprise", "person"),
        ("no_phone", "phone"),
        ("bad_phone", "phone"),
        ("bad_role", "role"),
        ("not_major", "unit"),
    ],
)
def test_naming_refusals(world, case, field):
    from safegrid.core.testing import SYSTEM
    from safegrid.enterprises import services as ent_services

    unit = unit_a(world, grade=None if case == "not_major" else 2)
    person = person_a(world, phone="" if case == "no_phone" else "13800000001")
    if case == "other_enterprise":
        person = ent_services.person_create(
            actor=SYSTEM, enterprise=world.ent_b, data={"name": "乙人", "phone": "13900000000"}
        )
    with pytest.raises(ValidationError) as exc:
        responsibility.responsible_name(
            actor=world.user("ent_a"), unit=unit, role=9 if case == "bad_role" else 1, person=person,
            valid_from=TODAY(), phone="abc" if case == "bad_phone" else "",
        )  # fmt: skip
    assert field in _errors(exc)
    assert (
        not ResponsiblePerson.objects.exists()
        and not InspectionTask.objects.filter(work_type__isnull=False).exists()
    )


def test_only_managers_name_persons(world):
    with pytest.raises(PermissionDenied):
        responsibility.responsible_name(
            actor=world.user("dept_chem"),
            unit=unit_a(world),
            role=1,
            person=person_a(world),
            valid_from=TODAY(),
        )


def test_a_finding_of_a_responsible_persons_check_carries_the_hazard_category(world):
    unit = unit_a(world)
    row = responsibility.responsible_name(
        actor=world.user("ent_a"), unit=unit, role=2, person=person_a(world), valid_from=TODAY()
    )
    now = timezone.now()
    # The window opens on the day the person took office (county time), even just after midnight.
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    occurrence = TaskOccurrence.objects.create(
        task=row.task,
        enterprise=world.ent_a,
        window_start=max(now - dt.timedelta(hours=1), midnight),
        window_end=now + dt.timedelta(hours=2),
    )
    items = {item: item != row.task.check_items[0] for item in row.task.check_items}
    inspections.check_record(
        actor=world.user("ent_a"),
        occurrence=occurrence,
        check=inspections.CheckIn(
            items, "finding",
            hazard={"title": "液氯罐区可燃气体报警器失效", "location": "罐区", "description": "报警器不报警", "hazard_type": 4},
        ),
    )  # fmt: skip
    hazard = HiddenHazard.objects.get(inspection_task=row.task)
    assert hazard.hazard_category == 2 and hazard.source == 3
    # The national format carries it as hazardCategory.
    from safegrid.hazards.national import export, profiles

    payload = export.build(world.user("ent_a"), world.ent_a, profiles.profile_get("national")).payload
    assert [h["hazardCategory"] for h in payload["hazards"]] == [2]
    assert selectors.role_checks(unit)[1].done == 1


def test_missed_checks_are_counted_per_unit_for_the_regulator(world):
    unit = unit_a(world)
    row = responsibility.responsible_name(
        actor=world.user("ent_a"),
        unit=unit,
        role=3,
        person=person_a(world),
        valid_from=TODAY() - dt.timedelta(days=21),
    )
    now = timezone.now()
    for weeks in (3, 2):
        start = now - dt.timedelta(weeks=weeks)
        occurrence = TaskOccurrence.objects.create(
            task=row.task, enterprise=world.ent_a, window_start=start, window_end=start + dt.timedelta(days=7)
        )
        rollups.occurrences_added([occurrence])
    inspections.occurrences_mark_missed(now=now)
    assert selectors.missed_checks_by_unit(world.user("dept_chem")) == {unit.pk: {3: 2}}
    assert selectors.missed_checks_by_unit(world.user("town_b")) == {}
    assert selectors.role_checks(unit)[2].missed == 2


def test_a_check_before_a_holiday_is_one_more_occurrence_of_the_technical_task(world):
    unit = unit_a(world)
    with pytest.raises(ValidationError) as exc:  # no technical person yet
        responsibility.pre_event_check_schedule(
            actor=world.user("ent_a"), unit=unit, due_on=TODAY(), reason="国庆节"
        )
    assert "unit" in _errors(exc)
    row = responsibility.responsible_name(
        actor=world.user("ent_a"), unit=unit, role=2, person=person_a(world), valid_from=TODAY()
    )
    with pytest.raises(ValidationError) as exc:
        responsibility.pre_event_check_schedule(
            actor=world.user("ent_a"), unit=unit, due_on=TODAY() - dt.timedelta(days=1), reason=""
        )
    assert _errors(exc) == {"due_on", "reason"}
    with pytest.raises(PermissionDenied):
        responsibility.pre_event_check_schedule(
            actor=world.user("post_a"), unit=unit, due_on=TODAY(), reason="国庆节"
        )
    occurrence = responsibility.pre_event_check_schedule(
        actor=world.user("ent_a"), unit=unit, due_on=TODAY() + dt.timedelta(days=10), reason="国庆节"
    )
    assert occurrence.task_id == row.task_id and occurrence.status == "due"
    assert timezone.localtime(occurrence.window_end).date() == TODAY() + dt.timedelta(days=11)
    assert selectors.role_checks(unit)[1].due == 1
