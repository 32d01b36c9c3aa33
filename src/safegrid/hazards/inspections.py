"""Writes of inspection work (隐患排查): tasks from the register's control measures, the day's occurrences,
missed ones, shutdowns, and a check record (a finding becomes a hidden hazard through `services`).

The daily generation (`hazards.inspection_generate`, schedules.py) inserts the occurrences of every active
task for one county day in bulk (`core.insert.copy_rows`: COPY on PostgreSQL): existing (task, window start) pairs are read
first and skipped, and the unique constraint refuses a duplicate from a concurrent run (the job is then
retried and skips them). Occurrences are system rows: one audit entry summarises each run.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from safegrid.core import audit
from safegrid.core.audit import Actor, SystemActor
from safegrid.core.choices import AuditAction
from safegrid.core.insert import copy_rows, insert_rows
from safegrid.core.models import User
from safegrid.core.services import authorize, object_update
from safegrid.enterprises.models import Enterprise
from safegrid.risks.choices import DataSource
from safegrid.risks.models import ControlMeasure

from . import config, permissions, rollups, services, work_calendar
from .choices import CheckResult, OccurrenceStatus
from .models import Checkpoint, CheckRecord, HazardPhoto, InspectionTask, ShutdownRecord, TaskOccurrence
from .rules import checklists as checklist_rules
from .rules import inspection, trust
from .rules.photos import check_photo

GENERATE_ACTOR = SystemActor("job:hazards.inspection_generate")
MISSED_ACTOR = SystemActor("job:hazards.inspection_missed")
OCCURRENCE_FIELDS = ("task_id", "enterprise_id", "window_start", "window_end", "status")
HAZARD_FIELDS = ("title", "location", "description", "cause", "hazard_type", "major_criteria")


def county_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# ---- tasks from the register ------------------------------------------------------------------------


def check_items_of(content: str) -> list[str]:
    """A measure's check content as items: one per line or "；"-separated clause (at most 20)."""
    parts = (p.strip() for line in content.splitlines() for p in line.replace(";", "；").split("；"))
    return list(dict.fromkeys(p for p in parts if p))[:20]


def tasks_sync_from_measures(*, enterprise_ids: Iterable[int] | None = None) -> tuple[int, int]:
    """One task per active, inspected control measure; tasks of retired measures stop. (created, stopped)."""
    measures = ControlMeasure.objects.filter(
        active=True, data_src=DataSource.INSPECTION, risk_point__active=True, inspection_tasks__isnull=True
    ).select_related("risk_point")
    stop = InspectionTask.objects.filter(active=True, measure__isnull=False).filter(
        Q(measure__active=False) | Q(measure__risk_point__active=False)
    )
    if enterprise_ids is not None:
        ids = list(enterprise_ids)
        measures = measures.filter(risk_point__enterprise_id__in=ids)
        stop = stop.filter(enterprise_id__in=ids)
    start = timezone.localdate()
    new = [
        InspectionTask(
            enterprise_id=m.risk_point.enterprise_id,
            measure=m,
            risk_point=m.risk_point,
            kind=1,
            title=f"{m.risk_point.name}：{m.description[:60]}",
            check_content=m.check_content,
            check_items=check_items_of(m.check_content),
            cycle_every=m.check_cycle,
            cycle_unit=m.check_cycle_unit,
            work_day_type=m.work_day_type,
            start_date=start,
            responsible_post_id=m.responsible_post_id,
        )
        for m in measures
    ]
    with transaction.atomic():
        if new:
            insert_rows(new)
        stopped = stop.update(active=False)
    return len(new), stopped


def _cycle(task: Any) -> inspection.Cycle:
    return inspection.Cycle(
        every=task["cycle_every"],
        unit=task["cycle_unit"],
        start=task["start_date"],
        work_day_type=task["work_day_type"],
        work_start=task["work_start"],
        work_end=task["work_end"],
        anchor_day=task["anchor_day"],
        anchor_month=task["anchor_month"],
    )


def _shutdowns(
    begin: dt.datetime, end: dt.datetime
) -> dict[tuple[int, int | None], list[inspection.Interval]]:
    """Shutdowns overlapping [begin, end), by (enterprise, risk point or None for the whole enterprise)."""
    found: dict[tuple[int, int | None], list[inspection.Interval]] = defaultdict(list)
    rows = ShutdownRecord.objects.filter(Q(end__isnull=True) | Q(end__gt=begin), start__lt=end)
    for ent, point, start, stop in rows.values_list("enterprise_id", "risk_point_id", "start", "end"):
        found[(ent, point)].append(inspection.Interval(start, stop))
    return found


@dataclass(frozen=True)
class Generated:
    day: dt.date
    tasks: int
    created: int
    suspended: int
    skipped: int
    seconds: float

    def as_dict(self) -> dict[str, object]:
        return {
            "date": self.day.isoformat(),
            "tasks": self.tasks,
            "created": self.created,
            "suspended": self.suspended,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 2),
            "summary": _(
                "%(day)s：%(tasks)s 项排查任务，生成 %(created)s 个检查周期（其中停用检修暂停 %(suspended)s 个）"
            )
            % {
                "day": self.day.isoformat(),
                "tasks": self.tasks,
                "created": self.created,
                "suspended": self.suspended,
            },
        }


def occurrences_generate(*, day: dt.date, actor: Actor = GENERATE_ACTOR) -> Generated:
    """Insert the occurrences of every active task whose window starts on `day` (county time); idempotent."""
    began = time.perf_counter()
    tasks_sync_from_measures()
    tz = county_tz()
    begin = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    end = begin + dt.timedelta(days=1)
    shutdowns = _shutdowns(begin, end + dt.timedelta(days=400))
    cal = work_calendar.calendar_between(day, day)  # the county's holidays and 调休: one query per run
    existing = set(
        TaskOccurrence.objects.filter(window_start__gte=begin, window_start__lt=end).values_list(
            "task_id", "window_start"
        )
    )
    fields = (
        "id",
        "enterprise_id",
        "risk_point_id",
        "cycle_every",
        "cycle_unit",
        "start_date",
        "work_day_type",
        "work_start",
        "work_end",
        "anchor_day",
        "anchor_month",
    )
    tasks = list(
        InspectionTask.objects.filter(active=True, one_off=False, start_date__lte=day).values(*fields)
    )
    rows: list[tuple[int, int, dt.datetime, dt.datetime, str]] = []
    suspended, skipped = 0, 0
    for task in tasks:
        stops = shutdowns.get((task["enterprise_id"], None), []) + (
            shutdowns.get((task["enterprise_id"], task["risk_point_id"]), []) if task["risk_point_id"] else []
        )
        for window in inspection.windows_on(_cycle(task), day, tz, cal):
            if (task["id"], window.start) in existing:
                skipped += 1
                continue
            paused = inspection.suspended(window, stops)
            suspended += paused
            status = OccurrenceStatus.SUSPENDED if paused else OccurrenceStatus.DUE
            rows.append((task["id"], task["enterprise_id"], window.start, window.end, status))
    with transaction.atomic():
        # Plain tuples, streamed (COPY on PostgreSQL): a county day is hundreds of thousands of rows.
        copy_rows(TaskOccurrence, OCCURRENCE_FIELDS, rows)
        rollups.occurrences_counted((ent, start, status) for _task, ent, start, _end, status in rows)
        result = Generated(day, len(tasks), len(rows), suspended, skipped, time.perf_counter() - began)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="hazards.taskoccurrence",
            after={k: v for k, v in result.as_dict().items() if k not in ("summary", "seconds")},
            comment=_("生成当日排查任务"),
        )
    return result


def _move_occurrences(due: Any, status: str) -> int:
    """Due occurrences of `due` to `status` (missed, suspended), locked first, counted in the rollups."""
    rows = list(
        due.select_for_update(of=("self",)).order_by().values_list("id", "enterprise_id", "window_start")
    )
    ids = [row[0] for row in rows]
    for start in range(0, len(ids), 5000):
        TaskOccurrence.objects.filter(pk__in=ids[start : start + 5000]).update(status=status)
    rollups.occurrences_moved(((ent, ws) for _pk, ent, ws in rows), "pending", status)
    return len(rows)


def occurrences_mark_missed(*, now: dt.datetime | None = None, actor: Actor = MISSED_ACTOR) -> int:
    """Due occurrences whose window and late-check grace are over become missed (counted, never skipped).

    Those of a day the county's calendar took from their task after they were generated (a holiday entered
    late) are withdrawn instead: the calendar is read once for the run's span of days."""
    now = now or timezone.now()
    with transaction.atomic():
        ended = TaskOccurrence.objects.filter(
            status=OccurrenceStatus.DUE, window_end__lte=now - config.inspection_grace()
        )
        typed = work_calendar.due_rows(ended)
        withdrawn = 0
        if typed:
            days = [timezone.localdate(start) for _pk, _ent, start, _unit, _type in typed]
            withdrawn = work_calendar.withdraw_off_days(
                typed, work_calendar.calendar_between(min(days), max(days))
            )
        count = _move_occurrences(ended, OccurrenceStatus.MISSED)
        if count or withdrawn:
            audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                object_type="hazards.taskoccurrence",
                after={"missed": count, "withdrawn": withdrawn, "before": now.isoformat()},
                comment=_("标记漏检"),
            )
    return count


def task_anchor_set(
    *, actor: Actor, task: InspectionTask, anchor_day: int | None, anchor_month: int | None
) -> InspectionTask:
    """The day of the month (and, yearly, the month) a monthly/yearly task falls on; None: its start's.

    Applies from the next generation: occurrences already generated keep their windows."""
    authorize(
        actor, lambda u: permissions.is_manager(u, task.enterprise_id), _("只有企业管理人员可以修改排查日期")
    )
    errors: dict[str, list[str]] = {}
    if task.cycle_unit not in (inspection.MONTH, inspection.YEAR) and (anchor_day or anchor_month):
        errors["anchor_day"] = [_("只有按月或按年排查的任务可以指定排查日")]
    elif task.cycle_unit == inspection.MONTH and anchor_month:
        errors["anchor_month"] = [_("按月排查的任务不指定月份")]
    for key in inspection.anchor_problems(anchor_day, anchor_month):
        errors.setdefault(
            key, [_("月份须为 1–12") if key == "anchor_month" else _("排查日须为 1–31，且该月份有这一天")]
        )
    if errors:
        raise ValidationError(errors)
    return object_update(actor=actor, obj=task, data={"anchor_day": anchor_day, "anchor_month": anchor_month})


# ---- shutdowns --------------------------------------------------------------------------------------


def _unit_label(point: Any) -> str:
    return point.name if point is not None else _("全厂（整个企业）")


def _overlapping(
    enterprise_id: int,
    point_id: int | None,
    start: dt.datetime,
    end: dt.datetime | None,
    exclude: int | None = None,
) -> ShutdownRecord | None:
    """Another shutdown of the same unit (the whole enterprise, or the same risk point) overlapping [start, end)."""
    rows = ShutdownRecord.objects.filter(enterprise_id=enterprise_id, risk_point_id=point_id).filter(
        Q(end__isnull=True) | Q(end__gt=start)
    )
    if end is not None:
        rows = rows.filter(start__lt=end)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.order_by("start").first()


def shutdown_record(
    *,
    actor: Actor,
    enterprise: Enterprise,
    start: dt.datetime,
    end: dt.datetime | None,
    reason: str,
    risk_point: Any = None,
    planned_end: dt.datetime | None = None,
    approver: str = "",
) -> ShutdownRecord:
    """Record a shutdown (停用检修) of the whole enterprise or one risk point; occurrences already generated
    inside it (still due) are suspended. Refused: an end or planned end not after the start, a risk point of
    another enterprise, and a shutdown overlapping another one of the same unit."""
    authorize(
        actor, lambda u: permissions.is_manager(u, enterprise.pk), _("只有企业管理人员可以登记停用检修")
    )
    row = ShutdownRecord(
        enterprise=enterprise,
        risk_point=risk_point,
        start=start,
        end=end,
        planned_end=planned_end,
        reason=reason,
        approver=approver,
        recorded_by=actor if isinstance(actor, User) else None,
        recorded_at=timezone.now(),
    )
    errors: dict[str, list[str]] = {}
    if risk_point is not None and risk_point.enterprise_id != enterprise.pk:
        errors["risk_point"] = [_("风险点须属于该企业")]
    if end is not None and end <= start:
        errors["end"] = [_("结束时间须晚于开始时间")]
    if planned_end is not None and planned_end <= start:
        errors["planned_end"] = [_("计划恢复时间须晚于开始时间")]
    try:
        row.full_clean()
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # the unit's shutdowns are checked and written one at a time (the enterprise row is the lock)
        Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
        other = _overlapping(enterprise.pk, getattr(risk_point, "pk", None), start, end)
        if other is not None:
            raise ValidationError(
                {
                    "start": [
                        _("%(unit)s 已有一段停用检修（%(start)s 起）与此时间重叠")
                        % {
                            "unit": _unit_label(risk_point),
                            "start": timezone.localtime(other.start).strftime("%Y-%m-%d %H:%M"),
                        }
                    ]
                }
            )
        row.save(force_insert=True)
        due = TaskOccurrence.objects.filter(
            enterprise=enterprise, status=OccurrenceStatus.DUE, window_end__gt=start
        )
        if end is not None:
            due = due.filter(window_start__lt=end)
        if risk_point is not None:
            due = due.filter(task__risk_point=risk_point)
        paused = _move_occurrences(due, OccurrenceStatus.SUSPENDED)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=row,
            after={
                "start": start,
                "end": end,
                "planned_end": planned_end,
                "risk_point": getattr(risk_point, "pk", None),
                "reason": reason,
                "approver": approver,
                "suspended": paused,
            },
            comment=_("登记停用检修"),
        )
    return row


def shutdown_end(*, actor: Actor, shutdown: ShutdownRecord, end: dt.datetime) -> ShutdownRecord:
    """The unit is back in service at `end` (not before the start, not in the future): occurrences generated
    suspended that start at or after it — and no other shutdown covers — are due again."""
    authorize(
        actor,
        lambda u: permissions.is_manager(u, shutdown.enterprise_id),
        _("只有企业管理人员可以结束停用检修"),
    )
    now = timezone.now()
    with transaction.atomic():
        locked = ShutdownRecord.objects.select_for_update().get(pk=shutdown.pk)
        errors: dict[str, list[str]] = {}
        if locked.end is not None:
            errors["end"] = [_("该停用检修已结束")]
        elif end <= locked.start:
            errors["end"] = [_("结束时间须晚于开始时间")]
        elif end > now + dt.timedelta(minutes=5):
            errors["end"] = [_("结束时间不能晚于现在；计划恢复时间请在登记时填写")]
        if errors:
            raise ValidationError(errors)
        locked.end, locked.ended_at = end, now
        locked.ended_by = actor if isinstance(actor, User) else None
        locked.save(update_fields=["end", "ended_at", "ended_by"])
        paused = TaskOccurrence.objects.filter(
            enterprise_id=locked.enterprise_id, status=OccurrenceStatus.SUSPENDED, window_start__gte=end
        )
        if locked.risk_point_id is not None:
            paused = paused.filter(task__risk_point_id=locked.risk_point_id)
        rows = list(
            paused.select_for_update(of=("self",))
            .order_by()
            .values_list("id", "enterprise_id", "window_start", "window_end", "task__risk_point_id")
        )
        resumed = _resume(locked.enterprise_id, rows, end)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            before={"end": None},
            after={"end": end, "resumed": resumed},
            comment=_("结束停用检修"),
        )
    return locked


def _resume(enterprise_id: int, rows: list[tuple[Any, ...]], since: dt.datetime) -> int:
    """Suspended occurrences no remaining shutdown covers become due again (counted back as pending)."""
    if not rows:
        return 0
    shutdowns = {
        key: stops
        for key, stops in _shutdowns(since, max(r[3] for r in rows)).items()
        if key[0] == enterprise_id
    }
    back = [
        (pk, ent, ws)
        for pk, ent, ws, we, point in rows
        if not inspection.suspended(
            inspection.Window(ws, we),
            shutdowns.get((ent, None), []) + (shutdowns.get((ent, point), []) if point else []),
        )
    ]
    ids = [pk for pk, _ent, _ws in back]
    for start in range(0, len(ids), 5000):
        TaskOccurrence.objects.filter(pk__in=ids[start : start + 5000]).update(status=OccurrenceStatus.DUE)
    rollups.occurrences_moved(((ent, ws) for _pk, ent, ws in back), "suspended", "pending")
    return len(back)


# ---- a check ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scan:
    """A checkpoint opened by its token (the QR code / NFC tag at the point), at a server time."""

    checkpoint: Checkpoint
    at: dt.datetime


@dataclass(frozen=True)
class CheckIn:
    """A check as submitted: the items ticked (item text → passed), note, result, and what shows presence:
    the checkpoint scan (proof), the phone's position (soft), the device's own clock, id and user agent."""

    items: dict[str, bool]
    result: str
    note: str = ""
    scan: Scan | None = None
    lat: float | None = None
    lon: float | None = None
    accuracy: float | None = None
    device_time: dt.datetime | None = None
    device_id: str = ""
    user_agent: str = ""
    photo: services.PhotoIn | None = None
    hazard: dict[str, Any] | None = None  # the finding: title, location, description, cause, hazard_type, …


def _check_problems(occurrence: TaskOccurrence, check: CheckIn, now: dt.datetime) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    window = inspection.Window(occurrence.window_start, occurrence.window_end)
    state = inspection.state(
        window,
        now,
        done_at=occurrence.done_at,
        grace=config.inspection_grace(),
        is_suspended=occurrence.status == OccurrenceStatus.SUSPENDED,
    )
    messages = {
        inspection.DONE: _("该检查已完成，不能重复提交"),
        inspection.SUSPENDED: _("该单元处于停用检修期间，检查已暂停"),
        inspection.UPCOMING: _("检查时间未到"),
        inspection.MISSED: _("检查时限已过，已记为漏检"),
    }
    if state in messages or occurrence.status == OccurrenceStatus.MISSED:
        errors["occurrence"] = [messages.get(state, messages[inspection.MISSED])]
    expected = set(occurrence.task.check_items)
    if set(check.items) != expected:
        errors["items"] = [_("请逐项填写检查项")]
    if check.result not in CheckResult.values:
        errors["result"] = [_("检查结果无效")]
    if (check.lat is None) != (check.lon is None):
        errors["lat"] = [_("经度和纬度须同时提供")]
    if check.lat is not None and not (math.isfinite(check.lat) and -90 <= check.lat <= 90):
        errors["lat"] = [_("纬度无效")]
    if check.lon is not None and not (math.isfinite(check.lon) and -180 <= check.lon <= 180):
        errors["lon"] = [_("经度无效")]
    if check.accuracy is not None and not (math.isfinite(check.accuracy) and check.accuracy >= 0):
        errors["accuracy"] = [_("定位精度无效")]
    if check.scan is not None and check.scan.checkpoint.risk_point_id != occurrence.task.risk_point_id:
        errors["scan"] = [_("扫描的巡检点不是该任务的风险点")]
    if len(check.device_id) > 64:
        errors["device_id"] = [_("设备标识过长")]
    if check.photo is not None and not (res := check_photo(check.photo.content)).ok:
        errors["photo"] = [f"{check.photo.name}：{res.message}"]
    if check.result == CheckResult.FINDING and not check.hazard:
        errors["hazard"] = [_("发现隐患时须登记隐患")]
    if check.result == CheckResult.NO_FINDING and not all(check.items.values()) and check.items:
        errors["result"] = [_("有检查项不合格，请选择“发现隐患”并登记隐患")]
    return errors


def _store_photo(record: CheckRecord, photo: services.PhotoIn) -> None:
    res = check_photo(photo.content)
    ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[res.format]
    record.photo_sha256 = res.sha256
    record.photo.save(f"{res.sha256[:16]}.{ext}", ContentFile(photo.content), save=False)


def check_record(*, actor: Actor, occurrence: TaskOccurrence, check: CheckIn) -> CheckRecord:
    """Record the check of one occurrence: "no finding" closes it; a finding also reports a hidden hazard
    (via `services.hazard_report`) linked to the record, the task, its measure and its risk point."""
    task = occurrence.task
    authorize(actor, lambda u: permissions.can_check(u, task.enterprise_id), _("您不能记录该企业的排查"))
    errors = _check_problems(occurrence, check, timezone.now())
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = TaskOccurrence.objects.select_for_update().get(pk=occurrence.pk)
        if locked.status != OccurrenceStatus.DUE:
            raise ValidationError({"occurrence": [_("该检查已完成或已失效，请刷新")]})
        now = timezone.now()
        user = actor if isinstance(actor, User) else None
        if user is None:
            raise ValidationError({"occurrence": [_("排查记录须由用户提交")]})
        limits = config.trust_limits()
        point = task.risk_point
        distance = trust.point_distance(
            (check.lat, check.lon) if check.lat is not None and check.lon is not None else None,
            (point.lat, point.lon)
            if point is not None and point.lat is not None and point.lon is not None
            else None,
        )
        scanned = check.scan is not None and trust.scan_valid(check.scan.at, now, limits)
        record = CheckRecord(
            occurrence=locked,
            task=task,
            enterprise_id=task.enterprise_id,
            items=[{"item": k, "ok": v} for k, v in check.items.items()],
            note=check.note,
            result=check.result,
            presence=trust.presence_of(scanned, distance),
            checkpoint=check.scan.checkpoint if scanned and check.scan else None,
            scanned_at=check.scan.at if scanned and check.scan else None,
            lat=check.lat,
            lon=check.lon,
            accuracy=check.accuracy,
            distance_m=distance,
            device_id=check.device_id,
            user_agent=check.user_agent[:300],
            checked_by=user,
            server_time=now,
            device_time=check.device_time,
        )
        if check.photo is not None:
            _store_photo(record, check.photo)
            seen = _photo_seen(record.photo_sha256)
            if seen:
                record.flag_photo_seen = True
                record.flag_detail[trust.PHOTO_SEEN] = seen
        if trust.is_far(distance, check.accuracy, limits):
            record.flag_far = True
            record.flag_detail[trust.FAR] = {"distance_m": distance, "accuracy": check.accuracy}
        record.save(force_insert=True)
        batch = _flag_batch(record, limits)
        locked.status, locked.done_at, locked.device_time, locked.done_by = (
            OccurrenceStatus.DONE,
            now,
            check.device_time,
            user,
        )
        locked.save(update_fields=["status", "done_at", "device_time", "done_by"])
        rollups.occurrence_done(locked)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=record,
            after={
                "occurrence": locked.pk,
                "result": record.result,
                "items": record.items,
                "presence": record.presence,
                "scanned_at": record.scanned_at,
                "device_time": check.device_time,
                "device_id": record.device_id,
                "distance_m": record.distance_m,
                "photo_sha256": record.photo_sha256,
                "flags": record.flags,
                "batch": list(batch),
            },
            comment=_("记录排查"),
        )
        if check.result == CheckResult.FINDING and check.hazard:
            _report_finding(actor, task, record, check)
    return record


def _photo_seen(sha256: str) -> dict[str, list[int]]:
    """Earlier check records and hazard photos with the same photo (at most 5 of each)."""
    records = list(CheckRecord.objects.filter(photo_sha256=sha256).values_list("pk", flat=True)[:5])
    hazards = list(
        HazardPhoto.objects.filter(sha256=sha256).values_list("hazard_id", flat=True).distinct()[:5]
    )
    found = {"records": records, "hazards": hazards}
    return found if records or hazards else {}


def _flag_batch(record: CheckRecord, limits: trust.TrustLimits) -> tuple[int, ...]:
    """Flag the batch of the user's checks recorded within minutes for hours of patrols (all of its rows)."""
    since = record.server_time - dt.timedelta(minutes=limits.batch_minutes)
    rows = CheckRecord.objects.filter(checked_by=record.checked_by, server_time__gte=since).values_list(
        "pk", "server_time", "occurrence__window_start"
    )
    ids = trust.batch([trust.Entry(pk, at, start) for pk, at, start in rows], limits)
    if ids:
        detail = {"ids": list(ids), "minutes": limits.batch_minutes}
        for row in CheckRecord.objects.filter(pk__in=ids).only("pk", "flag_detail"):
            row.flag_batch = True
            row.flag_detail = {**row.flag_detail, trust.BATCH: detail}
            row.save(update_fields=["flag_batch", "flag_detail"])
        record.flag_batch = True
        record.flag_detail = {**record.flag_detail, trust.BATCH: detail}
    return ids


def _report_finding(actor: Actor, task: InspectionTask, record: CheckRecord, check: CheckIn) -> None:
    data = {k: v for k, v in (check.hazard or {}).items() if k in HAZARD_FIELDS}
    # A failed item that is a major-hazard criterion of the enterprise's sectors proposes a major hazard.
    applicable = {c.code for c in services.criteria_for(task.enterprise)}
    failed = [c for c in checklist_rules.failed_criteria(check.items, task.item_criteria) if c in applicable]
    if failed:
        data["major_criteria"] = list(dict.fromkeys([*(data.get("major_criteria") or []), *failed]))
    if not data.get("location"):  # where the task is, unless the finding says more precisely
        data["location"] = task.risk_point.name if task.risk_point else task.title
    data["source"] = task.kind
    data["risk_point"] = task.risk_point
    photos: Sequence[services.PhotoIn] = [check.photo] if check.photo is not None else []
    try:
        hazard = services.hazard_report(actor=actor, enterprise=task.enterprise, data=data, photos=photos)
    except ValidationError as exc:
        raise ValidationError({f"hazard.{k}": v for k, v in exc.message_dict.items()}) from exc
    # A responsible person's check (包保, task.work_type 1/2/3) tags what it finds (national hazardCategory).
    type(hazard).objects.filter(pk=hazard.pk).update(
        check_record=record,
        inspection_task=task,
        control_measure_id=task.measure_id,
        hazard_category=task.work_type,
    )
