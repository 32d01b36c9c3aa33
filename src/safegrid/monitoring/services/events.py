"""Events of video channels and positioning zones (rules/events.py): taken from MQTT
(`safegrid/events/<USCC>`) or HTTP (`POST /api/v1/monitoring/events`), checked, stored once, and turned into
alarms through the alarm engine's writers (raise/upgrade/clear through the ALARM workflow: audited,
counted, notified; repeats extend the active alarm). Also: creating an event source (audited) and the minute
check of what time alone makes due (overstay, motionless).

Events are few: each is handled with the ORM in its source's own transaction, the source's row locked
(`SELECT … FOR UPDATE`), so two ingest processes never interleave one zone's presence. Refusals are dead
letters (the readings' table and codes, plus ``unknown_event``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from safegrid.core.audit import Actor
from safegrid.core.choices import ENTERPRISE_ROLES
from safegrid.core.scoping import scope_for
from safegrid.core.services import object_create
from safegrid.enterprises.models import Enterprise

from ..alarm_engine import clear_alarm, pauses, raise_alarm, upgrade_alarm
from ..choices import ACTIVE_STATUSES
from ..models import Alarm, DeadLetter, EventSource, MonitoringPoint, SourceEvent, ZonePresence
from ..rules.alarms import AlarmEvent, EventKind, Family, Severity
from ..rules.events import (
    EVENT_FAMILIES,
    PERSON_TYPES,
    EventType,
    SourceState,
    ZoneRules,
    accepts,
    evaluate,
    reevaluate,
    tick,
)
from ..rules.events import SourceEvent as Event
from ..rules.ingest import Reject, Window, check, parse_ts
from ..rules.points import EVENT_KINDS, PointKind
from .points import point_create

PAYLOAD_LIMIT = 4096
ZONE_FIELDS = ("rated_headcount", "max_stay_minutes", "motionless_seconds")


@dataclass(frozen=True)
class Refused:
    reason: str
    payload: str
    detail: str


@dataclass
class EventsOutcome:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Refused] = field(default_factory=list)
    alarm_ids: list[int] = field(default_factory=list)


def _window() -> Window:
    """Events older than their own retention are refused: stored, they would be purged the next night."""
    return Window(
        future=dt.timedelta(seconds=settings.SAFEGRID_INGEST_FUTURE_SECONDS),
        retention=dt.timedelta(days=settings.SAFEGRID_EVENTS_RETENTION_DAYS),
    )


def _dump(item: object) -> str:
    try:
        return json.dumps(item, ensure_ascii=False)[:PAYLOAD_LIMIT]
    except (TypeError, ValueError):
        return repr(item)[:PAYLOAD_LIMIT]


@dataclass(frozen=True)
class _Checked:
    point: MonitoringPoint
    event: Event
    raw: str


def _check_item(
    item: object, enterprise_id: int, points: Mapping[str, MonitoringPoint], now: dt.datetime
) -> _Checked | Refused:
    raw = _dump(item)
    if not isinstance(item, dict):
        return Refused(Reject.SCHEMA, raw, "事件应为对象")
    code, ts_raw, kind = item.get("source"), item.get("ts"), item.get("type")
    value, person = item.get("value"), item.get("person", "")
    if not isinstance(code, str) or not code or not isinstance(kind, str):
        return Refused(Reject.SCHEMA, raw, "缺少 source 或 type")
    if not isinstance(ts_raw, int | str) or isinstance(ts_raw, bool):
        return Refused(Reject.SCHEMA, raw, "缺少 ts")
    if person is None:
        person = ""
    if not isinstance(person, str) or len(person) > 64:
        return Refused(Reject.SCHEMA, raw, "person 应为不超过 64 个字符的字符串")
    if value is not None and (not isinstance(value, int | float) or isinstance(value, bool)):
        return Refused(Reject.SCHEMA, raw, "value 应为数值")
    if kind not in {t.value for t in EventType}:
        return Refused(Reject.UNKNOWN_EVENT, raw, f"未知事件类型 {kind[:40]}")
    point = points.get(code)
    if point is None:
        elsewhere = MonitoringPoint.objects.filter(code=code, kind__in=[str(k) for k in EVENT_KINDS])
        if elsewhere.exclude(enterprise_id=enterprise_id).exists():
            return Refused(Reject.OTHER_ENTERPRISE, raw, f"事件源 {code[:64]} 属于其他企业")
        return Refused(Reject.UNKNOWN_POINT, raw, f"没有编码为 {code[:64]} 的事件源")
    if not point.active:
        return Refused(Reject.INACTIVE_POINT, raw, f"事件源 {code[:64]} 已停用")
    if not accepts(point.kind, kind):
        return Refused(Reject.UNKNOWN_EVENT, raw, f"{point.get_kind_display()}不发送 {kind} 事件")
    ts = parse_ts(ts_raw)
    if ts is None:
        return Refused(Reject.BAD_TIMESTAMP, raw, "ts 应为毫秒时间戳或带时区的 RFC 3339 时间")
    number = float(value) if value is not None else 0.0
    reason = check(ts, number, now=now, window=_window())
    if reason is not None:
        return Refused(reason, raw, "")
    event_type = EventType(kind)
    if event_type is EventType.HEADCOUNT and (value is None or number < 0):
        return Refused(Reject.SCHEMA, raw, "headcount 事件须有不小于 0 的 value")
    if event_type in PERSON_TYPES and not person:
        return Refused(Reject.SCHEMA, raw, f"{kind} 事件须有 person")
    return _Checked(point, Event(event_type, ts, float(value) if value is not None else None, person), raw)


def events_accept(*, uscc: str, payload: bytes, topic: str, now: dt.datetime | None = None) -> EventsOutcome:
    """One message of events for the enterprise `uscc`: each event accepted (and evaluated), a duplicate,
    or a dead letter with its reason."""
    now = now or timezone.now()
    outcome = EventsOutcome()
    text = payload.decode("utf-8", errors="replace")[:PAYLOAD_LIMIT]
    enterprise_id = Enterprise.objects.filter(uscc=uscc).values_list("pk", flat=True).first()

    def dead(reason: str, raw: str, detail: str) -> None:
        outcome.rejected.append(Refused(reason, raw, detail))
        DeadLetter.objects.create(
            received_at=now,
            source=topic[:200],
            enterprise_id=enterprise_id,
            reason=reason,
            payload=raw,
            detail=detail[:500],
        )

    try:
        body = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        dead(Reject.MALFORMED, text, f"不是有效的 JSON：{exc}")
        return outcome
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        dead(Reject.SCHEMA, text, "报文应为对象，且含 events 数组")
        return outcome
    if enterprise_id is None:
        dead(Reject.UNKNOWN_ENTERPRISE, text, f"未知企业信用代码 {uscc[:18]}")
        return outcome
    points = {
        p.code: p
        for p in MonitoringPoint.objects.filter(
            enterprise_id=enterprise_id, kind__in=[str(k) for k in EVENT_KINDS]
        )
    }
    by_point: dict[int, list[_Checked]] = defaultdict(list)
    for item in body["events"]:
        checked = _check_item(item, enterprise_id, points, now)
        if isinstance(checked, Refused):
            dead(checked.reason, checked.payload, checked.detail)
        else:
            by_point[checked.point.pk].append(checked)
    for items in by_point.values():
        for item in sorted(items, key=lambda c: c.event.ts):
            if _handle(item.point, item.event, now, outcome):
                outcome.accepted += 1
            else:
                outcome.duplicates += 1
    return outcome


# ---- one event of one source ---------------------------------------------------------------------------


def _rules(source: EventSource) -> ZoneRules:
    return ZoneRules(
        rated_headcount=source.rated_headcount,
        max_stay_s=source.max_stay_minutes * 60 if source.max_stay_minutes else None,
        motionless_s=source.motionless_seconds,
    )


def _locked_source(point: MonitoringPoint) -> EventSource:
    EventSource.objects.get_or_create(point=point, defaults={"enterprise_id": point.enterprise_id})
    return EventSource.objects.select_for_update().get(point=point)


def _state(point: MonitoringPoint) -> tuple[SourceState, dict[Family, Alarm]]:
    alarms = {
        Family(a.rule): a
        for a in Alarm.objects.filter(
            point=point, rule__in=[str(f) for f in EVENT_FAMILIES], status__in=ACTIVE_STATUSES
        ).select_related("point", "enterprise")
    }
    present: dict[str, dt.datetime] = {}
    still: dict[str, dt.datetime] = {}
    for row in ZonePresence.objects.filter(source_id=point.pk):
        if row.entered_at is not None:
            present[row.person] = row.entered_at
        if row.still_since is not None:
            still[row.person] = row.still_since
    active = {family: Severity(alarm.severity) for family, alarm in alarms.items()}
    return SourceState(active=active, present=present, still=still), alarms


def _save_presence(source: EventSource, before: SourceState, after: SourceState) -> None:
    people = set(before.present) | set(before.still) | set(after.present) | set(after.still)
    for person in people:
        entered, still = after.present.get(person), after.still.get(person)
        if entered == before.present.get(person) and still == before.still.get(person):
            continue
        if entered is None and still is None:
            ZonePresence.objects.filter(source=source, person=person).delete()
        else:
            ZonePresence.objects.update_or_create(
                source=source,
                person=person,
                defaults={"enterprise_id": source.enterprise_id, "entered_at": entered, "still_since": still},
            )


def _write(
    point: MonitoringPoint,
    alarms: dict[Family, Alarm],
    events: tuple[AlarmEvent, ...],
    outcome: EventsOutcome,
) -> None:
    for event in events:
        alarm = alarms.get(event.family)
        if event.kind is EventKind.RAISE:
            raised = raise_alarm(point, event)
            alarms[event.family] = raised
            outcome.alarm_ids.append(raised.pk)
        elif alarm is None:
            continue
        elif event.kind is EventKind.EXTEND:
            changes: dict[str, Any] = {"repeat_count": F("repeat_count") + 1}
            Alarm.objects.filter(pk=alarm.pk, status__in=ACTIVE_STATUSES).update(**changes)
            Alarm.objects.filter(pk=alarm.pk, status__in=ACTIVE_STATUSES, last_at__lte=event.ts).update(
                last_at=event.ts, last_value=event.value
            )
            if event.value is not None and (alarm.peak_value is None or event.value > alarm.peak_value):
                Alarm.objects.filter(pk=alarm.pk).update(peak_value=event.value)
        elif event.kind is EventKind.ESCALATE:
            if upgrade_alarm(alarm, event) is not None:
                outcome.alarm_ids.append(alarm.pk)
        elif event.kind is EventKind.CLEAR:
            alarms.pop(event.family, None)
            if clear_alarm(alarm, at=event.ts, value=event.value) is not None:
                outcome.alarm_ids.append(alarm.pk)


def _handle(point: MonitoringPoint, event: Event, now: dt.datetime, outcome: EventsOutcome) -> bool:
    """Store and evaluate one event; False when it was a duplicate."""
    with transaction.atomic():
        source = _locked_source(point)
        try:
            with transaction.atomic():
                SourceEvent.objects.create(
                    point=point,
                    enterprise_id=point.enterprise_id,
                    type=str(event.type),
                    ts=event.ts,
                    person=event.person,
                    value=event.value,
                    received_at=now,
                )
        except IntegrityError:
            return False
        state, alarms = _state(point)
        result = evaluate(_rules(source), state, event, pauses([point], event.ts)[point.pk])
        _save_presence(source, state, result.state)
        _write(point, alarms, result.events, outcome)
    return True


def events_tick(*, now: dt.datetime | None = None) -> int:
    """The minute schedule: overstay and motionless alarms that time alone made due (or no longer due) in
    every zone with someone in it or an alarm active. Returns the alarms moved."""
    now = now or timezone.now()
    outcome = EventsOutcome()
    with_people = ZonePresence.objects.values_list("source_id", flat=True)
    with_alarms = Alarm.objects.filter(
        rule__in=[Family.OVERSTAY.value, Family.MOTIONLESS.value], status__in=ACTIVE_STATUSES
    ).values_list("point_id", flat=True)
    ids = set(with_people) | set(with_alarms)
    for point in MonitoringPoint.objects.filter(pk__in=ids, active=True, kind=PointKind.ZONE):
        with transaction.atomic():
            source = _locked_source(point)
            state, alarms = _state(point)
            result = tick(_rules(source), state, now, pauses([point], now)[point.pk])
            _write(point, alarms, result.events, outcome)
    return len(outcome.alarm_ids)


def events_from_mqtt(topic: str, uscc: str, payload: bytes) -> None:
    """`safegrid ingest`'s handler of a message on `safegrid/events/<USCC>`. A database error is raised
    (the message stays unacknowledged) after dropping the connection, so the next message opens a new one."""
    try:
        events_accept(uscc=uscc, payload=payload, topic=topic)
    except DatabaseError:
        if not connection.in_atomic_block:
            connection.close()
        raise


# ---- sending (HTTP) and creating sources -----------------------------------------------------------------


def events_submit(*, actor: Any, enterprise: Enterprise, payload: bytes) -> EventsOutcome:
    """Events sent over HTTP by an enterprise account (or its gateway) for `enterprise`."""
    if not scope_for(actor).has_role(*ENTERPRISE_ROLES, enterprise_id=enterprise.pk):
        raise PermissionDenied(gettext("无权为该企业上报监测事件"))
    return events_accept(uscc=enterprise.uscc, payload=payload, topic="http")


def _zone_values(kind: str, data: Mapping[str, Any]) -> dict[str, int | None]:
    values: dict[str, int | None] = {}
    errors: dict[str, list[str]] = {}
    for name in ZONE_FIELDS:
        raw: Any = data.get(name)
        if raw is None or raw == "":
            values[name] = None
            continue
        try:
            number = int(raw)
        except (TypeError, ValueError):
            number = 0
        if number < 1 or (isinstance(raw, float) and not math.isfinite(raw)):
            errors[name] = [gettext("请填写正整数")]
        values[name] = number
    if kind == PointKind.ZONE and not any(values.values()) and not errors:
        errors["rated_headcount"] = [
            gettext("人员定位区域至少要填写额定人数、最长滞留时间或静止报警阈值之一")
        ]
    if kind == PointKind.VIDEO and any(values.values()):
        errors[next(n for n in ZONE_FIELDS if values[n])] = [gettext("视频通道没有人数和滞留设置")]
    if errors:
        raise ValidationError(errors)
    return values


def event_source_create(*, actor: Actor, enterprise: Enterprise, data: Mapping[str, Any]) -> EventSource:
    """A video channel or positioning zone of the enterprise: the point (`point_create`, audited) and its
    zone numbers (audited), in one transaction."""
    kind = str(data.get("kind") or "")
    if kind not in {k.value for k in EVENT_KINDS}:
        raise ValidationError({"kind": gettext("事件源类型应为视频通道或人员定位区域")})
    zone = _zone_values(kind, data)
    point_data = {k: v for k, v in data.items() if k not in ZONE_FIELDS}
    with transaction.atomic():
        point = point_create(actor=actor, enterprise=enterprise, data=point_data)
        return object_create(
            actor=actor, model=EventSource, data={"point": point, "enterprise": enterprise, **zone}
        )


# ---- editing sources (added after the ingest: imports kept here so the module's head stays as it was) ------

EDIT_POINT_FIELDS = ("code", "name", "unit", "location")


def event_source_update(*, actor: Actor, source: EventSource, data: Mapping[str, Any]) -> EventSource:
    """Change a video channel's or positioning zone's description (code, name, unit, place: `point_update`,
    audited) and a zone's numbers (audited), in one transaction; refused like `event_source_create` (who
    may keep the enterprise's points; Chinese messages naming the field). The kind stays (its events and
    alarms follow it): a wrong kind is a new source."""
    from safegrid.core.services import authorize, object_update

    from ..workflows_points import can_edit_points
    from .points import DENIED, point_update

    point = source.point
    authorize(actor, lambda user: can_edit_points(user, point.enterprise_id), gettext(DENIED))
    kind = str(data.get("kind") or point.kind)
    if kind != point.kind:
        raise ValidationError({"kind": gettext("事件源类型不能修改；如类型有误，请新建事件源")})
    unknown = sorted(set(data) - {*EDIT_POINT_FIELDS, *ZONE_FIELDS, "kind"})
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, gettext("不能修改此字段")))
    zone = _zone_values(kind, {name: data.get(name, getattr(source, name)) for name in ZONE_FIELDS})
    point_data = {k: v for k, v in data.items() if k in EDIT_POINT_FIELDS}
    with transaction.atomic():
        point_update(actor=actor, point=point, data=point_data)
        updated = object_update(actor=actor, obj=source, data=zone)
        if kind == PointKind.ZONE and point.active:
            _apply_new_numbers(point)
    updated.point.refresh_from_db()
    return updated


def _apply_new_numbers(point: MonitoringPoint, now: dt.datetime | None = None) -> None:
    """A zone's changed numbers take effect at once (`rules.events.reevaluate`): an overcrowd alarm from the
    last headcount reported, overstay and motionless from the persons in the zone, raised or cleared now
    rather than at the next event or minute tick."""
    now = now or timezone.now()
    source = _locked_source(point)
    state, alarms = _state(point)
    headcount = (
        SourceEvent.objects.filter(point=point, type=EventType.HEADCOUNT)
        .order_by("-ts", "-id")
        .values_list("value", flat=True)
        .first()
    )
    result = reevaluate(_rules(source), state, headcount, now, pauses([point], now)[point.pk])
    _write(point, alarms, result.events, EventsOutcome())
