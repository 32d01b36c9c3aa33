"""The alarm and bypass workflows on the core workflow kit.

Alarm (active/cleared × acknowledged/unacknowledged, then 消警)::

    (new) ──raise──▶ active_unack ──acknowledge──▶ active_ack
                        │  ▲ upgrade (H→HH: unacknowledged again)   │
                   clear│  └────────────────────────────────────────┤
                        ▼                                           ▼ clear
                   cleared_unack ──acknowledge──▶ cleared_ack
                        └───────────close (disposal recorded)──────┴──▶ closed

`raise`, `clear`, `upgrade`, `escalate` (pushed to the next level) and `remind` are system steps taken by
the engine and the schedules; `assign`, `dispose` and `to_hazard` keep the state and are logged in the
timeline. Closing needs a disposal (the cause) and the alarm cleared: an active alarm is still telling
the truth about the process; a faulty instrument is bypassed (the approved bypass clears its alarms),
then closed. Every move updates the enterprise's `AlarmCount` in the same transaction.

Bypass: (new) ──request──▶ requested ──approve──▶ approved ──expire (system) | revoke──▶ …; reject.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safegrid.core.audit import Actor, SystemActor
from safegrid.core.models import User
from safegrid.core.workflow import NEW, Step, TransitionEvent, Workflow
from safegrid.hazards.deadline_watch import county_regulators, enterprise_users, town_officers
from safegrid.notifications.services import notify

from . import counters, permissions
from .choices import OPEN_STATUSES, UNACK_STATUSES, AlarmStatus, BypassStatus, EscalationLevel
from .models import Alarm, AlarmTransition, BypassTransition, PointBypass
from .rules.alarms import Family
from .rules.events import EVENT_DETAIL, EVENT_FAMILIES

EVENT_FAMILY_VALUES = frozenset(f.value for f in EVENT_FAMILIES)

S = AlarmStatus


def _user_may(test: Any) -> Any:
    def allowed(actor: Actor, obj: Any) -> bool:
        return isinstance(actor, SystemActor) or test(actor, obj.enterprise_id)

    return allowed


def alarm_url(alarm: Alarm) -> str:
    return reverse("monitoring:alarm_detail", args=[alarm.pk])


def alarm_text(alarm: Alarm) -> str:
    point = alarm.point
    if alarm.rule in EVENT_FAMILY_VALUES:  # video and positioning events (rules/events.py)
        text = f"{alarm.enterprise.name} {point.code} {point.name} {alarm.get_rule_display()}"
        found = EVENT_DETAIL.get(Family(alarm.rule))
        if found is None or alarm.last_value is None or alarm.limit_value is None:
            return text
        message, per = found
        numbers = {"value": f"{alarm.last_value / per:.0f}", "limit": f"{alarm.limit_value / per:.0f}"}
        return f"{text}（{gettext(message) % numbers}）"
    value = "" if alarm.last_value is None else f"{alarm.last_value:g}{point.measure_unit}"
    limit = "" if alarm.limit_value is None else f"{alarm.limit_value:g}"
    detail = gettext("当前值 %(value)s，限值 %(limit)s") % {"value": value, "limit": limit} if value else ""
    return (
        f"{alarm.enterprise.name} {point.code} {point.name} {alarm.get_severity_display()} {detail}".strip()
    )


def level_recipients(alarm: Alarm, level: int) -> list[User]:
    if level >= EscalationLevel.COUNTY:
        return county_regulators(alarm.enterprise)
    if level == EscalationLevel.TOWN:
        return town_officers(alarm.enterprise)
    return enterprise_users(alarm.enterprise_id, permissions.MANAGER_ROLES)


def _notify_raised(event: TransitionEvent[Any]) -> None:
    alarm: Alarm = event.obj
    notify(
        level_recipients(alarm, EscalationLevel.ENTERPRISE),
        "monitoring.alarm_raised",
        alarm,
        alarm_text(alarm),
        url=alarm_url(alarm),
    )


def _notify_level(event: TransitionEvent[Any]) -> None:
    alarm: Alarm = event.obj
    escalated = event.action == "escalate"
    prefix = gettext("报警未确认，已推送%(level)s：") if escalated else gettext("报警仍未确认（%(level)s）：")
    notify(
        level_recipients(alarm, alarm.level),
        "monitoring.alarm_escalated" if escalated else "monitoring.alarm_reminder",
        alarm,
        prefix % {"level": alarm.get_level_display()} + alarm_text(alarm),
        url=alarm_url(alarm),
    )


def _notify_assignee(event: TransitionEvent[Any]) -> None:
    alarm: Alarm = event.obj
    if alarm.assignee is not None:
        notify(
            [alarm.assignee],
            "monitoring.alarm_assigned",
            alarm,
            gettext("报警指派给您处置：") + alarm_text(alarm),
            url=alarm_url(alarm),
        )


OPEN = [str(s) for s in OPEN_STATUSES]
UNACK = [str(s) for s in UNACK_STATUSES]

ALARM: Workflow[Alarm] = Workflow(
    model=Alarm,
    states=AlarmStatus,
    transitions={
        (NEW, "raise"): S.ACTIVE_UNACK,
        (S.ACTIVE_UNACK, "acknowledge"): S.ACTIVE_ACK,
        (S.CLEARED_UNACK, "acknowledge"): S.CLEARED_ACK,
        (S.ACTIVE_UNACK, "clear"): S.CLEARED_UNACK,
        (S.ACTIVE_ACK, "clear"): S.CLEARED_ACK,
        (S.ACTIVE_UNACK, "upgrade"): S.ACTIVE_UNACK,
        (S.ACTIVE_ACK, "upgrade"): S.ACTIVE_UNACK,
        (S.CLEARED_UNACK, "close"): S.CLOSED,
        (S.CLEARED_ACK, "close"): S.CLOSED,
        **{(state, "escalate"): state for state in UNACK},
        **{(state, "remind"): state for state in UNACK},
        **{(state, "assign"): state for state in OPEN},
        **{(state, "dispose"): state for state in OPEN},
        **{(state, "to_hazard"): state for state in OPEN},
    },
    steps={
        "raise": Step(_("报警"), system=True, after=(_notify_raised,)),
        "clear": Step(_("恢复正常"), system=True),
        "upgrade": Step(_("报警升级"), system=True, after=(_notify_raised,)),
        "escalate": Step(_("逐级推送"), system=True, after=(_notify_level,)),
        "remind": Step(_("重复提醒"), system=True, after=(_notify_level,)),
        "acknowledge": Step(_("确认"), allowed=_user_may(permissions.can_acknowledge)),
        "assign": Step(_("指派"), allowed=_user_may(permissions.can_manage), after=(_notify_assignee,)),
        "dispose": Step(_("登记处置"), allowed=_user_may(permissions.can_manage)),
        "close": Step(_("消警"), allowed=_user_may(permissions.can_manage)),
        "to_hazard": Step(_("转为隐患"), allowed=_user_may(permissions.can_convert)),
    },
    log=AlarmTransition,
    log_fk="alarm",
    after=(counters.on_move,),
)


def bypass_url(bypass: PointBypass) -> str:
    return reverse("monitoring:bypasses") + f"?state={bypass.status}"


def _bypass_text(bypass: PointBypass) -> str:
    point = bypass.point
    what = bypass.get_rule_display() if bypass.rule else gettext("整个点位")
    return gettext("%(point)s（%(what)s）旁路 %(start)s 至 %(end)s：%(reason)s") % {
        "point": f"{point.code} {point.name}",
        "what": what,
        "start": f"{bypass.starts_at:%Y-%m-%d %H:%M}",
        "end": f"{bypass.ends_at:%Y-%m-%d %H:%M}",
        "reason": bypass.reason,
    }


def _approvers(bypass: PointBypass) -> list[User]:
    return enterprise_users(bypass.enterprise_id, permissions.BYPASS_APPROVER_ROLES)


def _notify_requested(event: TransitionEvent[Any]) -> None:
    bypass: PointBypass = event.obj
    others = [u for u in _approvers(bypass) if u.pk != bypass.requested_by_id]
    notify(others, "monitoring.bypass_requested", bypass, _bypass_text(bypass), url=bypass_url(bypass))


def _notify_requester(event: TransitionEvent[Any]) -> None:
    bypass: PointBypass = event.obj
    if bypass.requested_by is None:
        return
    kind = "monitoring.bypass_expired" if event.action == "expire" else "monitoring.bypass_decided"
    text = f"{event.workflow.action_label(event.action)}：{_bypass_text(bypass)}"
    notify([bypass.requested_by], kind, bypass, text, url=bypass_url(bypass))


def _may_approve(actor: Actor, obj: Any) -> bool:
    if isinstance(actor, SystemActor):
        return True
    return permissions.can_approve_bypass(actor, obj.enterprise_id) and actor.pk != obj.requested_by_id


B = BypassStatus
BYPASS: Workflow[PointBypass] = Workflow(
    model=PointBypass,
    states=BypassStatus,
    transitions={
        (NEW, "request"): B.REQUESTED,
        (B.REQUESTED, "approve"): B.APPROVED,
        (B.REQUESTED, "reject"): B.REJECTED,
        (B.APPROVED, "expire"): B.EXPIRED,
        (B.APPROVED, "revoke"): B.REVOKED,
        (B.REQUESTED, "revoke"): B.REVOKED,
    },
    steps={
        "request": Step(_("申请旁路"), allowed=_user_may(permissions.can_manage), after=(_notify_requested,)),
        "approve": Step(
            _("批准"),
            allowed=_may_approve,
            denied=_("旁路须由申请人以外的企业主要负责人、企业管理员或监管部门批准"),
            after=(_notify_requester,),
        ),
        "reject": Step(
            _("驳回"),
            allowed=_may_approve,
            comment_required=True,
            denied=_("旁路须由申请人以外的企业主要负责人、企业管理员或监管部门审批"),
            after=(_notify_requester,),
        ),
        "revoke": Step(_("撤销"), allowed=_user_may(permissions.can_manage)),
        "expire": Step(_("到期"), system=True, after=(_notify_requester,)),
    },
    log=BypassTransition,
    log_fk="bypass",
)
