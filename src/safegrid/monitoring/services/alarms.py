"""Writes on alarms and bypasses: the people's moves (acknowledge, assign, comment, dispose, close, turn
into a hidden hazard; request, approve, reject, revoke a bypass) and the schedules' (offline scan,
escalation of unacknowledged alarms, bypass expiry). Every status move goes through the workflows in
`workflows.py` (locked, checked, logged, audited, counted, notified)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from safegrid.core import audit
from safegrid.core.audit import Actor, SystemActor
from safegrid.core.choices import AuditAction
from safegrid.core.models import User
from safegrid.core.scoping import restrict, scope_for
from safegrid.core.services import authorize
from safegrid.core.text import clean_text
from safegrid.core.workflow import create, transition
from safegrid.hazards import services as hazard_services
from safegrid.hazards.models import HiddenHazard

from .. import config
from ..alarm_engine import clear_alarm, pauses, point_rules, raise_alarm
from ..choices import ACTIVE_STATUSES, AlarmRule, AlarmStatus, BypassStatus, DisposalCause, EscalationLevel
from ..models import Alarm, AlarmComment, LatestValue, MonitoringPoint, PointBypass
from ..rules.alarms import Level, PointState, escalation_due, offline_event
from ..rules.points import EVENT_KINDS
from ..workflows import ALARM, BYPASS

# ---- the people's moves on an alarm --------------------------------------------------------------------


def alarm_acknowledge(*, actor: Actor, alarm: Alarm, comment: str = "") -> Alarm:
    return transition(
        alarm,
        "acknowledge",
        actor=actor,
        workflow=ALARM,
        comment=comment,
        changes={
            "acknowledged_by": actor if isinstance(actor, User) else None,
            "acknowledged_at": timezone.now(),
        },
    )


def alarm_assign(*, actor: Actor, alarm: Alarm, assignee: User | None, comment: str = "") -> Alarm:
    """Name who handles the alarm: a person holding a role in the alarm's enterprise."""
    if assignee is None:
        raise ValidationError({"assignee": gettext("请选择处置人")})
    if not scope_for(assignee).enterprise_roles.get(alarm.enterprise_id):
        raise ValidationError({"assignee": gettext("处置人须为该企业人员")})
    return transition(
        alarm, "assign", actor=actor, workflow=ALARM, comment=comment, changes={"assignee": assignee}
    )


def alarm_comment(*, actor: User, alarm: Alarm, text: str) -> AlarmComment:
    """Anyone who reads the alarm may comment on it."""
    authorize(
        actor,
        lambda u: restrict(Alarm.objects.filter(pk=alarm.pk), u).exists(),
        gettext("该报警不在您的查看范围内"),
    )
    text = clean_text(text or "", multiline=True)
    if not text:
        raise ValidationError({"text": gettext("请填写评论内容")})
    comment = AlarmComment(
        alarm=alarm,
        author=actor,
        author_label=actor.display_name or actor.username,
        at=timezone.now(),
        text=text,
    )
    comment.full_clean()
    with transaction.atomic():
        comment.save()
        audit.record(actor=actor, action=AuditAction.CREATE, obj=comment, after=audit.snapshot(comment))
    return comment


def alarm_dispose(*, actor: Actor, alarm: Alarm, cause: str, note: str = "") -> Alarm:
    """Record what the alarm was (the cause 消警 needs) and what was done; may be corrected until closed."""
    if cause not in DisposalCause.values:
        raise ValidationError({"cause": gettext("请选择报警原因")})
    note = clean_text(note or "", multiline=True)
    return transition(
        alarm,
        "dispose",
        actor=actor,
        workflow=ALARM,
        comment=f"{DisposalCause(cause).label}：{note}" if note else str(DisposalCause(cause).label),
        changes={
            "disposal_cause": cause,
            "disposal_note": note,
            "disposed_by": actor if isinstance(actor, User) else None,
            "disposed_at": timezone.now(),
        },
    )


def _needs_disposal(locked: Alarm) -> None:
    if not locked.disposal_cause:
        raise ValidationError({"disposal_cause": gettext("消警前须登记处置情况和报警原因")})


def alarm_close(*, actor: Actor, alarm: Alarm, comment: str = "") -> Alarm:
    """消警: the alarm has cleared and its disposal is recorded (the table refuses an active alarm)."""
    return transition(
        alarm,
        "close",
        actor=actor,
        workflow=ALARM,
        comment=comment,
        changes={"closed_by": actor if isinstance(actor, User) else None, "closed_at": timezone.now()},
        prepare=_needs_disposal,
    )


HAZARD_TYPE_FOR_CAUSE: dict[str, int] = {DisposalCause.INSTRUMENT: 4}  # 仪表; otherwise 工艺 (2)
SOURCE_CONTROL_FAILED = 9  # dangerSrc 9: 管控措施失效


def alarm_to_hazard(*, actor: Actor, alarm: Alarm, data: dict[str, Any] | None = None) -> HiddenHazard:
    """Report a hidden hazard from the alarm (through the hazards app's service, which checks who may
    report it) and keep the link on the alarm."""
    if alarm.hazard_id is not None:
        raise ValidationError({"hazard": gettext("该报警已转为隐患")})
    given = dict(data or {})
    point = alarm.point
    when = timezone.localtime(alarm.first_at)
    report = {
        "title": given.get("title")
        or f"{point.name}（{point.code}）{alarm.get_severity_display()}报警"[:100],
        "location": given.get("location") or point.location or point.name,
        "description": given.get("description")
        or gettext("%(when)s 起%(rule)s：首次值 %(first)s，峰值 %(peak)s，限值 %(limit)s。%(note)s")
        % {
            "when": f"{when:%Y-%m-%d %H:%M:%S}",
            "rule": alarm.get_rule_display(),
            "first": "—" if alarm.first_value is None else f"{alarm.first_value:g}{point.measure_unit}",
            "peak": "—" if alarm.peak_value is None else f"{alarm.peak_value:g}{point.measure_unit}",
            "limit": "—" if alarm.limit_value is None else f"{alarm.limit_value:g}",
            "note": alarm.disposal_note,
        },
        "source": given.get("source") or SOURCE_CONTROL_FAILED,
        "hazard_type": given.get("hazard_type") or HAZARD_TYPE_FOR_CAUSE.get(alarm.disposal_cause, 2),
    }
    with transaction.atomic():
        if isinstance(actor, User):
            authorize(actor, lambda u: ALARM.may(u, alarm, "to_hazard"), gettext("您不能将该报警转为隐患"))
        hazard = hazard_services.hazard_report(actor=actor, enterprise=alarm.enterprise, data=report)
        transition(
            alarm,
            "to_hazard",
            actor=actor,
            workflow=ALARM,
            changes={"hazard": hazard},
            evidence={"hazard_id": hazard.pk},
        )
    return hazard


# ---- bypasses ------------------------------------------------------------------------------------------


def bypass_request(
    *,
    actor: User,
    point: MonitoringPoint,
    rule: str,
    reason: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
) -> PointBypass:
    """Ask for a bypass of the point (or one rule): a reason and an end are required."""
    errors: dict[str, list[str]] = {}
    reason = clean_text(reason or "", multiline=True)
    if not reason:
        errors["reason"] = [gettext("请填写旁路原因")]
    if rule and rule not in AlarmRule.values:
        errors["rule"] = [gettext("屏蔽规则无效")]
    if ends_at is None:
        errors["ends_at"] = [gettext("旁路须有到期时间")]
    elif ends_at <= starts_at:
        errors["ends_at"] = [gettext("到期时间须晚于开始时间")]
    if errors or ends_at is None:
        raise ValidationError(errors)
    bypass = PointBypass(
        point=point,
        enterprise_id=point.enterprise_id,
        rule=rule or "",
        reason=reason,
        starts_at=starts_at,
        ends_at=ends_at,
        requested_by=actor,
        requested_at=timezone.now(),
    )
    return create(bypass, "request", actor=actor, workflow=BYPASS)


def _clear_bypassed(bypass: PointBypass, actor: Actor) -> int:
    """The alarms a bypass masks clear at once (recorded with the bypass's reason), so they can be closed."""
    alarms = Alarm.objects.filter(point_id=bypass.point_id, status__in=ACTIVE_STATUSES).select_related(
        "point", "enterprise"
    )
    if bypass.rule:
        alarms = alarms.filter(rule=bypass.rule)
    cleared = 0
    for alarm in alarms:
        comment = gettext("点位旁路：%(reason)s") % {"reason": bypass.reason}
        if clear_alarm(alarm, at=timezone.now(), value=alarm.last_value, comment=comment) is not None:
            cleared += 1
    return cleared


def bypass_approve(*, actor: Actor, bypass: PointBypass, comment: str = "") -> PointBypass:
    with transaction.atomic():
        bypass = transition(
            bypass,
            "approve",
            actor=actor,
            workflow=BYPASS,
            comment=comment,
            changes={
                "approved_by": actor if isinstance(actor, User) else None,
                "approved_at": timezone.now(),
            },
        )
        if bypass.starts_at <= timezone.now():
            _clear_bypassed(bypass, actor)
    return bypass


def bypass_reject(*, actor: Actor, bypass: PointBypass, comment: str) -> PointBypass:
    return transition(bypass, "reject", actor=actor, workflow=BYPASS, comment=comment)


def bypass_revoke(*, actor: Actor, bypass: PointBypass, comment: str = "") -> PointBypass:
    return transition(bypass, "revoke", actor=actor, workflow=BYPASS, comment=comment)


WATCH_ACTOR = SystemActor("system:monitoring:alarm-watch")


def bypass_expire(*, now: dt.datetime | None = None, actor: Actor = WATCH_ACTOR) -> int:
    """Approved bypasses past their end: expired (logged, audited, the requester told)."""
    now = now or timezone.now()
    done = 0
    for bypass in PointBypass.objects.filter(status=BypassStatus.APPROVED, ends_at__lte=now).select_related(
        "point", "requested_by"
    ):
        try:
            with transaction.atomic():
                transition(bypass, "expire", actor=actor, workflow=BYPASS)
            done += 1
        except ValidationError:
            continue  # revoked meanwhile
    return done


# ---- the minute schedules ------------------------------------------------------------------------------


@dataclass
class WatchResult:
    raised: int = 0
    cleared: int = 0
    escalated: int = 0
    reminded: int = 0
    expired: int = 0
    details: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "raised": self.raised,
            "cleared": self.cleared,
            "escalated": self.escalated,
            "reminded": self.reminded,
            "expired": self.expired,
            "summary": gettext(
                "离线报警 %(raised)s 条，恢复 %(cleared)s 条；逐级推送 %(escalated)s 条，重复提醒 %(reminded)s 条"
            )
            % {
                "raised": self.raised,
                "cleared": self.cleared,
                "escalated": self.escalated,
                "reminded": self.reminded,
            },
        }


def offline_scan(*, now: dt.datetime | None = None) -> WatchResult:
    """Raise an offline alarm for every active point with no data within its timeout — since its last
    arrival, or since its creation when it never reported — and clear those whose data came back."""
    now = now or timezone.now()
    result = WatchResult()
    active_offline = Alarm.objects.filter(
        point=OuterRef("pk"), rule=AlarmRule.OFFLINE, status__in=ACTIVE_STATUSES
    )
    candidates = (
        MonitoringPoint.objects.filter(active=True)
        .exclude(kind__in=[str(k) for k in EVENT_KINDS])  # event sources send events, not readings
        .annotate(since=Coalesce("latest__received_at", "created_at"), offline_active=Exists(active_offline))
        .filter(offline_active=False)
    )
    late = [p for p in candidates if (now - p.since).total_seconds() > p.offline_timeout_s]
    paused = pauses(late, now) if late else {}
    for point in late:
        event = offline_event(point_rules(point), PointState(), point.since, now, paused[point.pk])
        if event is not None:
            raise_alarm(point, event)
            result.raised += 1
    back = Alarm.objects.filter(rule=AlarmRule.OFFLINE, status__in=ACTIVE_STATUSES).filter(
        Exists(LatestValue.objects.filter(point=OuterRef("point"), received_at__gt=OuterRef("first_at")))
    )
    for alarm in back.select_related("point", "enterprise", "point__latest"):
        latest = alarm.point.latest
        comment = gettext("数据恢复上报")
        if clear_alarm(alarm, at=latest.received_at, value=latest.value, comment=comment) is not None:
            result.cleared += 1
    return result


def escalation_scan(*, now: dt.datetime | None = None, actor: Actor = WATCH_ACTOR) -> WatchResult:
    """Active alarms nobody acknowledged: pushed to the next level (enterprise → town → county) at the
    ladder's minutes, reminded at the current level in between (`rules.alarms.escalation_due`)."""
    now = now or timezone.now()
    ladder = config.ladder()
    result = WatchResult()
    for alarm in Alarm.objects.filter(status=AlarmStatus.ACTIVE_UNACK).select_related("point", "enterprise"):
        step = escalation_due(alarm.first_at, now, Level(alarm.level), alarm.last_reminder_at, ladder)
        if step is None:
            continue
        action = "escalate" if step.escalated else "remind"
        try:
            with transaction.atomic():
                transition(
                    alarm,
                    action,
                    actor=actor,
                    workflow=ALARM,
                    changes={"level": int(step.level), "last_reminder_at": now},
                    comment=str(EscalationLevel(int(step.level)).label),
                )
        except ValidationError:
            continue  # acknowledged meanwhile
        if step.escalated:
            result.escalated += 1
        else:
            result.reminded += 1
    return result
