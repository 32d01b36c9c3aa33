"""An enterprise's data in the national upload shape (REFERENCE §9), for one target profile.

Reads only (scoped to the user: the caller got the enterprise through a scoped selector and checked
`permissions.can_national_export`). Ids are the ones received by an import (`NationalLink`), else a stable
id derived from the object (`rules.national.national_id`), so two exports of the same data are equal and an
export imports back as updates. What the format cannot carry is left out and said in `notes`.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from safegrid.core.scoping import restrict
from safegrid.enterprises.models import Enterprise
from safegrid.risks.choices import AssessmentKind
from safegrid.risks.models import ControlMeasure, HazardFactor, ResponsibilityAssignment, RiskPoint

from ..choices import HazardStatus, PhotoKind
from ..models import CheckRecord, HazardPhoto, HiddenHazard, InspectionTask, NationalLink, ShutdownRecord
from ..rules import national as nat
from ..rules.photos import national_jpeg

# How a photo goes into the payload: inline base64 (the JSON and the API) or a file in the archive.
PHOTO_FIELDS: dict[str, str] = {PhotoKind.BEFORE: "attachments1", PhotoKind.AFTER: "attachments2"}
PhotoSink = Callable[[str, bytes], str]  # (a file name for it, the JPEG) → what the payload carries


def inline_photo(_name: str, data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass
class Export:
    payload: dict[str, list[dict[str, Any]]]
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {section: len(rows) for section, rows in self.payload.items()}


def county_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def company_code(enterprise: Enterprise, profile: nat.Profile) -> str:
    """The enterprise's code for the target, or a ValidationError naming the missing field."""
    if profile.company_code == "uscc":
        return enterprise.uscc
    if not enterprise.hazchem_code:
        raise ValidationError(
            {"hazchem_code": _("该目标以危险化学品登记编号识别企业，请先在企业信息中填写危险化学品登记编号")}
        )
    return enterprise.hazchem_code


class _Ids:
    def __init__(self, enterprise: Enterprise) -> None:
        self.links: dict[tuple[str, int], NationalLink] = {
            (link.kind, link.object_id): link for link in NationalLink.objects.filter(enterprise=enterprise)
        }

    def of(self, section: str, pk: int) -> str:
        link = self.links.get((section, pk))
        return link.national_id if link else nat.national_id(section, pk)

    def kept(self, section: str, pk: int) -> dict[str, Any]:
        link = self.links.get((section, pk))
        return dict(link.extra) if link else {}


def _date_end(day: dt.date | None, tz: ZoneInfo) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz) if day else None


def _clock(value: dt.time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def _levels(factor: HazardFactor) -> tuple[int | None, int | None]:
    """(initial, current) of a factor from its latest assessments of each kind."""
    latest: dict[str, Any] = {}
    for a in factor.assessments.all():
        seen = latest.get(a.kind)
        if seen is None or (a.assessed_at, a.pk) > (seen.assessed_at, seen.pk):
            latest[a.kind] = a
    initial = latest.get(AssessmentKind.INITIAL)
    residual = latest.get(AssessmentKind.RESIDUAL)
    first = initial.level if initial else None
    return first, residual.level if residual else first


def build(
    user: Any, enterprise: Enterprise, profile: nat.Profile, photo_sink: PhotoSink = inline_photo
) -> Export:
    tz = county_tz()
    code = company_code(enterprise, profile)
    ids = _Ids(enterprise)
    out = Export({section: [] for section in nat.SECTIONS})
    payload = out.payload

    def common(section: str, pk: int, deleted: bool, created: Any, updated: Any) -> dict[str, Any]:
        return {
            "id": ids.of(section, pk),
            "companyCode": code,
            "deleted": 1 if deleted else 0,
            "createDate": nat.format_time(created, profile, tz),
            "createBy": "",
            "updateDate": nat.format_time(updated, profile, tz),
            "updateBy": "",
        }

    def add(section: str, pk: int, own: dict[str, Any]) -> None:
        payload[section].append(nat.merge(section, own, ids.kept(section, pk), profile, tz))

    company_tier = Prefetch(
        "tiers",
        queryset=ResponsibilityAssignment.objects.filter(active=True, tier="company").select_related(
            "person"
        ),
        to_attr="company_tiers",
    )
    points = restrict(RiskPoint.objects.filter(enterprise=enterprise), user).select_related("org_unit")
    units: set[int] = set()
    for point in points.prefetch_related(company_tier).order_by("code", "id"):
        units.add(point.pk)
        liable = point.company_tiers[0].person.name if point.company_tiers else ""
        add(nat.UNITS, point.pk, {
            **common(nat.UNITS, point.pk, not point.active, point.created_at, point.updated_at),
            "riskUnitName": point.name,
            "hazardDep": point.org_unit.name if point.org_unit else "",
            "hazardLiablePerson": liable,
        })  # fmt: skip

    factors = restrict(HazardFactor.objects.filter(risk_point__enterprise=enterprise), user)
    events: set[int] = set()
    for factor in factors.prefetch_related("assessments").order_by("risk_point_id", "code", "id"):
        if factor.risk_point_id not in units:
            continue
        events.add(factor.pk)
        initial, current = _levels(factor)
        add(nat.EVENTS, factor.pk, {
            **common(nat.EVENTS, factor.pk, not factor.active, factor.created_at, factor.updated_at),
            "riskUnitId": ids.of(nat.UNITS, factor.risk_point_id),
            "riskEventName": factor.description,
            "initialRiskLevel": nat.risk_level_out(initial, profile) if initial else None,
            "currentRiskLevel": nat.risk_level_out(current, profile) if current else None,
        })  # fmt: skip

    measures = restrict(ControlMeasure.objects.filter(risk_point__enterprise=enterprise), user)
    kept_measures: set[int] = set()
    no_event = 0
    for m in measures.order_by("risk_point_id", "code", "id"):
        if m.hazard_factor_id not in events:
            no_event += 1
            continue
        kept_measures.add(m.pk)
        add(nat.MEASURES, m.pk, {
            **common(nat.MEASURES, m.pk, not m.active, m.created_at, m.updated_at),
            "riskEventId": ids.of(nat.EVENTS, m.hazard_factor_id),
            "dataSrc": m.data_src,
            "riskMeasureDesc": m.description,
            "classify1": m.classify1,
            "classify2": m.classify2,
            "classify3": m.classify3,
            "troubleshootContent": m.check_content,
        })  # fmt: skip
    if no_event:
        out.notes.append(
            _("%(n)s 条管控措施未关联危险源（风险事件），国家格式要求措施挂在风险事件下，未导出")
            % {"n": no_event}
        )

    tasks = restrict(InspectionTask.objects.filter(enterprise=enterprise), user)
    kept_tasks: set[int] = set()
    adhoc = 0
    for task in tasks.order_by("id"):
        if task.measure_id not in kept_measures:
            adhoc += 1
            continue
        kept_tasks.add(task.pk)
        every, unit = nat.cycle_out(task.cycle_every, task.cycle_unit)
        start = dt.datetime.combine(task.start_date, dt.time(0, 0), tzinfo=tz)
        add(nat.TASKS, task.pk, {
            **common(nat.TASKS, task.pk, not task.active, task.created_at, task.created_at),
            "riskMeasureId": ids.of(nat.MEASURES, task.measure_id),
            "troubleshootContent": task.check_content,
            "checkCycle": every,
            "checkCycleUnit": unit,
            "taskStartTime": nat.format_time(start, profile, tz),
            "workStartTime": _clock(task.work_start),
            "workEndTime": _clock(task.work_end),
            "workDayType": task.work_day_type,
            "workType": task.work_type,  # None (routine): the received value, else rules.national.DEFAULTS
            "taskNum": None,
        })  # fmt: skip
    if adhoc:
        out.notes.append(
            _("%(n)s 个排查任务不是由风险事件下的管控措施生成（检查表专项排查等），未导出") % {"n": adhoc}
        )

    records = restrict(CheckRecord.objects.filter(enterprise=enterprise), user)
    kept_records: set[int] = set()
    for record in records.order_by("server_time", "id"):
        if record.task_id not in kept_tasks:
            continue
        kept_records.add(record.pk)
        checked = record.device_time or record.server_time
        add(nat.RECORDS, record.pk, {
            **common(nat.RECORDS, record.pk, False, record.server_time, record.server_time),
            "checkTaskId": ids.of(nat.TASKS, record.task_id),
            "checkTime": nat.format_time(checked, profile, tz),
            "mobileMe": record.device_id,
            "isDefend": None,
            "checkStatus": nat.CHECK_STATUS_OUT[record.result],
        })  # fmt: skip

    hazards = restrict(HiddenHazard.objects.filter(enterprise=enterprise), user).select_related(
        "responsible_person", "accepted_by"
    )
    photos = Prefetch("photos", queryset=HazardPhoto.objects.order_by("server_time", "id"))
    for h in hazards.prefetch_related(photos).order_by("reported_at", "id"):
        hid = ids.of(nat.HAZARDS, h.pk)
        attachments: dict[str, list[str]] = {"attachments1": [], "attachments2": []}
        for photo in h.photos.all():
            name = PHOTO_FIELDS.get(photo.kind)
            if name is None:
                continue
            with photo.image.open("rb") as f:
                data = national_jpeg(f.read())
            number = len(attachments[name]) + 1
            attachments[name].append(photo_sink(f"{hid}-{name[-1]}-{number}.jpg", data))
        acceptor = h.accepted_by.display_name or h.accepted_by.username if h.accepted_by else ""
        add(nat.HAZARDS, h.pk, {
            **common(nat.HAZARDS, h.pk, h.status == HazardStatus.REJECTED, h.reported_at, h.updated_at),
            "riskMeasureId": ids.of(nat.MEASURES, h.control_measure_id)
            if h.control_measure_id in kept_measures else "",
            "checkRecordId": ids.of(nat.RECORDS, h.check_record_id) if h.check_record_id in kept_records else "",
            "dangerName": h.title,
            "dangerLevel": nat.DANGER_LEVEL_OUT[h.level],
            "registTime": nat.format_time(h.reported_at, profile, tz),
            "registrant": h.reporter_name,
            "dangerSrc": h.source,
            "dangerManageType": nat.MANAGE_TYPE_OUT[h.handling],
            "hazardDangerType": h.hazard_type,
            "hazardCategory": h.hazard_category,  # None: the received value, else DEFAULTS (0)
            "dangerDesc": h.description,
            "dangerReason": h.cause,
            "controlMeasures": h.measures,
            "cost": float(h.funds) if h.funds is not None else None,
            "liablePerson": h.responsible_person.name if h.responsible_person else "",
            "dangerManageDeadline": nat.format_time(_date_end(h.deadline, tz), profile, tz),
            "checkAcceptPerson": acceptor,
            "checkAcceptTime": nat.format_time(h.accepted_at, profile, tz),
            "checkAcceptComment": h.acceptance_comment,
            "dangerState": nat.STATE_OUT[h.status],
            **attachments,
        })  # fmt: skip

    shutdowns = restrict(ShutdownRecord.objects.filter(enterprise=enterprise), user)
    for s in shutdowns.order_by("start", "id"):
        add(nat.SHUTDOWNS, s.pk, {
            **common(nat.SHUTDOWNS, s.pk, False, s.recorded_at, s.recorded_at),
            "riskUnitId": ids.of(nat.UNITS, s.risk_point_id) if s.risk_point_id in units else "",
            "stopStartTime": nat.format_time(s.start, profile, tz),
            "stopEndTime": nat.format_time(s.end, profile, tz),
            "stopReason": s.reason,
        })  # fmt: skip
    return out
