"""Importing a national-format payload into one enterprise: checked whole, then written all or nothing.

1. `rules.national.check_payload` checks every entity (codes, dates in the profile's format, the enterprise
   code) and every parent id against the payload and the enterprise's known ids; photos are decoded and
   checked; a new measure needs a post of the enterprise to be responsible for it.
2. Any problem refuses the whole payload: a ValidationError keyed by path (`hazards[3].riskMeasureId`).
3. Otherwise one transaction writes parents first through the apps' services (risk points, factors and
   measures through `risks.services.points`, tasks through `inspections.tasks_sync_from_measures` then
   `object_update`, shutdowns through `inspections.shutdown_record`), each audited; a hazard is written as
   the national state it arrives in (its history happened on the sending system) with `object_create` /
   `object_update` under `writing_protected`, audited, and its statistics moved by `rollups`. Each entity's
   national id is kept (`NationalLink`) so a re-import updates instead of duplicating.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safegrid.core import audit
from safegrid.core.audit import Actor
from safegrid.core.choices import AuditAction
from safegrid.core.models import User
from safegrid.core.services import authorize, object_create, object_update, writing_protected
from safegrid.enterprises.choices import OrgUnitKind
from safegrid.enterprises.models import Enterprise, OrgUnit, Person
from safegrid.risks.models import ControlMeasure, HazardFactor, RiskPoint
from safegrid.risks.services import points as risk_services

from .. import inspections, permissions, rollups, services
from ..choices import HazardStatus, OccurrenceStatus, Origin, PhotoKind
from ..models import (
    CheckRecord,
    HiddenHazard,
    InspectionTask,
    NationalLink,
    ShutdownRecord,
    TaskOccurrence,
)
from ..rules import national as nat
from ..rules.photos import check_photo
from .export import county_tz

MODELS: dict[str, Any] = {
    nat.UNITS: RiskPoint,
    nat.EVENTS: HazardFactor,
    nat.MEASURES: ControlMeasure,
    nat.TASKS: InspectionTask,
    nat.RECORDS: CheckRecord,
    nat.HAZARDS: HiddenHazard,
    nat.SHUTDOWNS: ShutdownRecord,
}
ENTERPRISE_FIELD = {
    nat.UNITS: "enterprise",
    nat.EVENTS: "risk_point__enterprise",
    nat.MEASURES: "risk_point__enterprise",
}
HAZARD_FIELDS = (*HiddenHazard.workflow_fields, *HiddenHazard.derived_fields)


@dataclass
class Imported:
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(nat.SECTIONS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(nat.SECTIONS, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(nat.SECTIONS, 0))

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def known_for(enterprise: Enterprise) -> nat.Known:
    """The enterprise's national ids: those received before, and the derived id of every object it has."""
    known = nat.Known(company_codes={"uscc": enterprise.uscc, "hazchem": enterprise.hazchem_code})
    for section, model in MODELS.items():
        lookup = ENTERPRISE_FIELD.get(section, "enterprise")
        for pk in model.objects.filter(**{lookup: enterprise}).values_list("pk", flat=True):
            known.ids[section][nat.national_id(section, pk)] = pk
    for link in NationalLink.objects.filter(enterprise=enterprise):
        known.ids[link.kind][link.national_id] = link.object_id
    return known


def _refuse(problems: list[tuple[str, str]]) -> None:
    errors: dict[str, list[str]] = {}
    for path, message in problems:
        errors.setdefault(path or "payload", []).append(message)
    raise ValidationError(errors)


def _photo_bytes(value: str, files: Mapping[str, bytes]) -> bytes | None:
    if value in files:
        return files[value]
    try:
        return base64.b64decode(value.split(",", 1)[-1], validate=True)
    except (binascii.Error, ValueError):
        return None


def _prefix(path: str, exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(f"{path}.{name}", str(m)) for name, messages in exc.message_dict.items() for m in messages]
    return [(path, str(m)) for m in exc.messages]


class _Writer:
    def __init__(self, actor: Actor, enterprise: Enterprise, profile: nat.Profile, known: nat.Known,
                 photos: dict[tuple[int, str], list[bytes]]) -> None:  # fmt: skip
        self.actor, self.enterprise, self.profile, self.photos = actor, enterprise, profile, photos
        self.tz = county_tz()
        self.ids = {section: dict(known.ids[section]) for section in nat.SECTIONS}
        self.result = Imported()
        self.user = actor if isinstance(actor, User) else None

    # -- bookkeeping --------------------------------------------------------------------------------

    def existing(self, row: nat.Row) -> Any:
        pk = self.ids[row.section].get(row.id)
        return MODELS[row.section].objects.get(pk=pk) if pk else None

    def parent(self, row: nat.Row, name: str, section: str) -> Any:
        national = row.parents.get(name)
        if not national:
            return None
        return MODELS[section].objects.get(pk=self.ids[section][national])

    def done(self, row: nat.Row, obj: Any, outcome: str) -> None:
        self.ids[row.section][row.id] = obj.pk
        getattr(self.result, outcome)[row.section] += 1
        kept = nat.kept_fields(row.raw, self.profile, self.tz)
        NationalLink.objects.filter(kind=row.section, object_id=obj.pk).exclude(national_id=row.id).delete()
        NationalLink.objects.update_or_create(
            enterprise=self.enterprise,
            kind=row.section,
            national_id=row.id,
            defaults={"object_id": obj.pk, "extra": kept, "synced_at": timezone.now()},
        )

    def change(self, obj: Any, data: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in data.items() if getattr(obj, k) != v}

    # -- entities, parents first --------------------------------------------------------------------

    def unit(self, row: nat.Row) -> None:
        v = row.values
        data: dict[str, Any] = {"name": v["name"]}
        if v["department"]:
            unit = OrgUnit.objects.filter(enterprise=self.enterprise, name=v["department"]).order_by("path")
            if unit.exists():
                data["org_unit"] = unit.first()
        point = self.existing(row)
        if point is None:
            code = self._point_code(row.id)
            point = risk_services.risk_point_create(
                actor=self.actor, enterprise=self.enterprise, data={**data, "type": "facility", "code": code}
            )
            outcome = "created"
        else:
            changes = self.change(point, data)
            if changes:
                point = risk_services.risk_point_update(actor=self.actor, point=point, data=changes)
            outcome = "updated" if changes or point.active == row.deleted else "unchanged"
        if point.active == row.deleted:
            move = risk_services.risk_point_deactivate if row.deleted else risk_services.risk_point_reactivate
            point = move(actor=self.actor, point=point)
        self.done(row, point, outcome)

    def _point_code(self, national: str) -> str:
        base = "GJ-" + national.replace("-", "")[:12].upper()
        code, n = base, 1
        while RiskPoint.objects.filter(enterprise=self.enterprise, code=code).exists():
            n += 1
            code = f"{base}-{n}"
        return code

    def event(self, row: nat.Row) -> None:
        point = self.parent(row, "riskUnitId", nat.UNITS)
        factor = self.existing(row)
        data = {"description": row.values["description"], "active": not row.deleted}
        if factor is None:
            factor = risk_services.hazard_factor_add(
                actor=self.actor,
                point=point,
                data={
                    "method": "SCL",
                    "category": nat.NEW_EVENT_CATEGORY,
                    "description": data["description"],
                },
            )
            if row.deleted:
                factor = risk_services.hazard_factor_update(
                    actor=self.actor, factor=factor, data={"active": False}
                )
            self.done(row, factor, "created")
            return
        if factor.risk_point_id != point.pk:
            raise ValidationError({"riskUnitId": _("风险事件不能移到另一个风险分析单元")})
        changes = self.change(factor, data)
        if changes:
            factor = risk_services.hazard_factor_update(actor=self.actor, factor=factor, data=changes)
        self.done(row, factor, "updated" if changes else "unchanged")

    def measure(self, row: nat.Row, task_of: Mapping[str, nat.Row]) -> None:
        factor = self.parent(row, "riskEventId", nat.EVENTS)
        v = row.values
        data: dict[str, Any] = {
            "hazard_factor": factor,
            "data_src": v["data_src"],
            "description": v["description"],
            "classify1": v["classify1"],
            "classify2": v["classify2"],
            "classify3": v["classify3"],
            "check_content": v["check_content"],
            "active": not row.deleted,
        }
        task = task_of.get(row.id)
        if task is not None:
            data.update(
                check_cycle=task.values["cycle_every"],
                check_cycle_unit=task.values["cycle_unit"],
                work_day_type=task.values["work_day_type"],
            )
        measure = self.existing(row)
        if measure is None:
            data.setdefault("check_cycle", 1)
            data.setdefault("check_cycle_unit", "天")
            measure = risk_services.measure_add(
                actor=self.actor,
                point=factor.risk_point,
                data={
                    **data,
                    "kind": nat.MEASURE_KIND_OF_CLASSIFY1[v["classify1"]],
                    "responsible_post": self._post_for(factor.risk_point),
                },
            )
            self.done(row, measure, "created")
            return
        if measure.risk_point_id != factor.risk_point_id:
            raise ValidationError({"riskEventId": _("管控措施不能移到另一个风险分析单元的风险事件下")})
        changes = self.change(measure, data)
        if changes:
            measure = risk_services.measure_update(actor=self.actor, measure=measure, data=changes)
        self.done(row, measure, "updated" if changes else "unchanged")

    def _post_for(self, point: RiskPoint) -> OrgUnit:
        posts = OrgUnit.objects.filter(enterprise=self.enterprise, kind=OrgUnitKind.POST).order_by("path")
        if point.org_unit is not None:
            under = posts.filter(path__startswith=point.org_unit.path).first()
            if under is not None:
                return under
        post = posts.first()
        if post is None:
            raise ValidationError(
                {
                    "riskEventId": _(
                        "该企业还没有“岗位”层级的组织机构，新的管控措施无法指定责任岗位；请先建立组织机构"
                    )
                }
            )
        return post

    def task(self, row: nat.Row) -> None:
        measure = self.parent(row, "riskMeasureId", nat.MEASURES)
        v = row.values
        data: dict[str, Any] = {
            "check_content": v["check_content"],
            "check_items": inspections.check_items_of(v["check_content"]),
            "cycle_every": v["cycle_every"],
            "cycle_unit": v["cycle_unit"],
            "work_day_type": v["work_day_type"],
            "work_start": v["work_start"],
            "work_end": v["work_end"],
            "start_date": v["start"].astimezone(self.tz).date(),
            "active": not row.deleted,
        }
        task = self.existing(row)
        fresh = task is None
        if task is None:  # the task the register made for the measure, unless another id already names it
            task = InspectionTask.objects.filter(measure=measure).first()
            if (
                task is not None
                and NationalLink.objects.filter(kind=nat.TASKS, object_id=task.pk)
                .exclude(national_id=row.id)
                .exists()
            ):
                raise ValidationError(
                    {"riskMeasureId": _("一项管控措施只有一个排查任务，该措施的任务已对应另一个 id")}
                )
        elif task.measure_id != measure.pk:
            raise ValidationError({"riskMeasureId": _("排查任务不能移到另一项管控措施下")})
        if task is None:
            task = object_create(
                actor=self.actor,
                model=InspectionTask,
                data={
                    **data,
                    "enterprise": self.enterprise,
                    "measure": measure,
                    "risk_point": measure.risk_point,
                    "kind": 1,
                    "title": f"{measure.risk_point.name}：{measure.description[:60]}",
                    "responsible_post": measure.responsible_post,
                    "created_by": self.user,
                },
            )
            self.done(row, task, "created")
            return
        changes = self.change(task, data)
        if changes:
            task = object_update(actor=self.actor, obj=task, data=changes)
        self.done(row, task, "created" if fresh else "updated" if changes else "unchanged")

    def record(self, row: nat.Row) -> None:
        task = self.parent(row, "checkTaskId", nat.TASKS)
        v = row.values
        record = self.existing(row)
        data = {"result": v["result"], "device_id": v["device_id"], "device_time": v["check_time"]}
        if record is not None:
            if record.task_id != task.pk:
                raise ValidationError({"checkTaskId": _("排查记录不能移到另一个排查任务下")})
            changes = self.change(record, data)
            if changes:
                record = object_update(actor=self.actor, obj=record, data=changes)
            self.done(row, record, "updated" if changes else "unchanged")
            return
        if self.user is None:
            raise ValidationError({"checkTaskId": _("导入排查记录须由企业用户操作")})
        at: dt.datetime = v["check_time"]
        occurrence = TaskOccurrence.objects.filter(
            task=task,
            status=OccurrenceStatus.DUE,
            window_start__lte=at,
            window_end__gt=at,
            record__isnull=True,
        ).first()
        if occurrence is None:  # a check the sending system scheduled itself: its own one-minute window
            occurrence = object_create(
                actor=self.actor,
                model=TaskOccurrence,
                data={
                    "task": task,
                    "enterprise": self.enterprise,
                    "window_start": at,
                    "window_end": at + dt.timedelta(minutes=1),
                },
            )
            rollups.occurrences_added([occurrence])
        occurrence = object_update(
            actor=self.actor,
            obj=occurrence,
            data={"status": OccurrenceStatus.DONE, "done_at": at, "device_time": at, "done_by": self.user},
        )
        rollups.occurrence_done(occurrence)
        record = object_create(
            actor=self.actor,
            model=CheckRecord,
            data={
                **data,
                "occurrence": occurrence,
                "task": task,
                "enterprise": self.enterprise,
                "checked_by": self.user,
                "server_time": timezone.now(),
                "note": _("由国家平台格式数据导入"),
            },
        )
        self.done(row, record, "created")

    def hazard(self, row: nat.Row) -> None:
        v = row.values
        measure = self.parent(row, "riskMeasureId", nat.MEASURES)
        record = self.parent(row, "checkRecordId", nat.RECORDS)
        point = measure.risk_point if measure else (record.task.risk_point if record else None)
        person = (
            Person.objects.filter(enterprise=self.enterprise, name=v["liable_person"]).order_by("id").first()
            if v["liable_person"]
            else None
        )
        closed = v["status"] == HazardStatus.CLOSED
        reported: dt.datetime = v["reported_at"]
        status = HazardStatus.REJECTED if row.deleted else v["status"]
        data: dict[str, Any] = {
            "title": v["title"],
            "description": v["description"],
            "cause": v["cause"],
            "source": v["source"],
            "hazard_type": v["hazard_type"],
            "level": v["level"],
            "handling": v["handling"],
            "status": status,
            "reporter_name": v["reporter_name"],
            "reported_at": reported,
            "measures": v["measures"],
            "funds": v["funds"],
            "deadline": v["deadline"].astimezone(self.tz).date() if v["deadline"] else None,
            "accepted_at": v["accepted_at"],
            "acceptance_comment": v["acceptance_comment"],
            "closed_at": v["accepted_at"] if closed else None,
            "days_to_close": (timezone.localdate(v["accepted_at"]) - timezone.localdate(reported)).days
            if closed
            else None,
            "control_measure": measure,
            "check_record": record,
            "inspection_task": record.task if record else None,
            "risk_point": point,
        }
        if person is not None:
            data["responsible_person"] = person
        hazard = self.existing(row)
        with writing_protected(*HAZARD_FIELDS):
            if hazard is None:
                hazard = object_create(
                    actor=self.actor,
                    model=HiddenHazard,
                    data={
                        **data,
                        "enterprise": self.enterprise,
                        "origin": Origin.ENTERPRISE,
                        "location": (point.name if point else v["title"])[:200],
                        "confirmed_at": None if status == HazardStatus.REPORTED else reported,
                    },
                )
                rollups.hazard_changed(None, rollups.hazard_facts(hazard))
                outcome = "created"
            else:
                before = rollups.hazard_facts(hazard)
                changes = self.change(hazard, data)
                if changes:
                    hazard = object_update(actor=self.actor, obj=hazard, data=changes)
                    rollups.hazard_changed(before, rollups.hazard_facts(hazard))
                outcome = "updated" if changes else "unchanged"
        added = self._photos(row, hazard)
        if added and outcome == "unchanged":
            outcome = "updated"
        self.done(row, hazard, outcome)

    def _photos(self, row: nat.Row, hazard: HiddenHazard) -> int:
        have = set(hazard.photos.values_list("kind", "sha256"))
        added = 0
        for name, kind in (("attachments1", PhotoKind.BEFORE), ("attachments2", PhotoKind.AFTER)):
            for data in self.photos.get((row.index, name), []):
                if (kind, hashlib.sha256(data).hexdigest()) in have:
                    continue
                services.photo_store(self.actor, hazard, services.PhotoIn(data, f"{row.id}.jpg", kind))
                added += 1
        return added

    def shutdown(self, row: nat.Row) -> None:
        v = row.values
        point = self.parent(row, "riskUnitId", nat.UNITS)
        shutdown = self.existing(row)
        if shutdown is None:
            shutdown = inspections.shutdown_record(
                actor=self.actor,
                enterprise=self.enterprise,
                start=v["start"],
                end=v["end"],
                reason=v["reason"],
                risk_point=point,
            )
            self.done(row, shutdown, "created")
            return
        changes = self.change(shutdown, {"start": v["start"], "end": v["end"], "reason": v["reason"],
                                         "risk_point": point})  # fmt: skip
        if changes:
            shutdown = object_update(actor=self.actor, obj=shutdown, data=changes)
        self.done(row, shutdown, "updated" if changes else "unchanged")

    def run(self, rows: Mapping[str, list[nat.Row]]) -> None:
        task_of: dict[str, nat.Row] = {}
        for task in rows[nat.TASKS]:
            task_of.setdefault(task.parents["riskMeasureId"], task)
        steps = (
            (nat.UNITS, self.unit),
            (nat.EVENTS, self.event),
            (nat.MEASURES, lambda r: self.measure(r, task_of)),
            (nat.TASKS, self.task),
            (nat.RECORDS, self.record),
            (nat.HAZARDS, self.hazard),
            (nat.SHUTDOWNS, self.shutdown),
        )
        for section, write in steps:
            if section == nat.TASKS:  # the one task per inspected measure, as the register page makes it
                inspections.tasks_sync_from_measures(enterprise_ids=[self.enterprise.pk])
            for row in rows[section]:
                try:
                    write(row)
                except ValidationError as exc:
                    _refuse(_prefix(row.path, exc))


def national_import(
    *,
    actor: Actor,
    enterprise: Enterprise,
    profile: nat.Profile,
    payload: Any,
    files: Mapping[str, bytes] | None = None,
    file_name: str = "",
) -> Imported:
    """Check the whole payload, then write it in one transaction; ValidationError keyed by path otherwise."""
    authorize(
        actor,
        lambda u: permissions.can_national_import(u, enterprise.pk),
        _("只有本企业的管理员或安全管理员可以导入国家平台格式数据"),
    )
    known = known_for(enterprise)
    checked = nat.check_payload(payload, profile, known, county_tz())
    problems = list(checked.problems)
    photos: dict[tuple[int, str], list[bytes]] = {}
    for row in checked.rows[nat.HAZARDS]:
        for name, values in row.photos.items():
            for number, value in enumerate(values):
                data = _photo_bytes(value, files or {})
                result = check_photo(data) if data is not None else None
                if data is None or result is None or not result.ok:
                    reason = (
                        result.message if result is not None else _("不是 base64 图片，也不是压缩包中的文件")
                    )
                    problems.append((f"{row.path}.{name}[{number}]", reason))
                    continue
                photos.setdefault((row.index, name), []).append(data)
    if problems:
        _refuse(problems)
    writer = _Writer(actor, enterprise, profile, known, photos)
    with transaction.atomic():
        writer.run(checked.rows)
        audit.record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=enterprise,
            after={"profile": profile.key, "file": file_name, **writer.result.as_dict()},
            comment=_("导入国家平台格式数据"),
        )
    return writer.result
