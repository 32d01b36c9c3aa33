"""Notification kinds the monitoring app sends (imported at start-up by the notifications app)."""

from django.utils.translation import gettext_noop

from safegrid.notifications.kinds import register_kind

# alarms
register_kind("monitoring.alarm_raised", gettext_noop("监测报警"))
register_kind("monitoring.alarm_escalated", gettext_noop("报警未确认，逐级推送"))
register_kind("monitoring.alarm_reminder", gettext_noop("报警未确认提醒"))
register_kind("monitoring.alarm_assigned", gettext_noop("报警指派"))
register_kind("monitoring.bypass_requested", gettext_noop("点位旁路待批准"))
register_kind("monitoring.bypass_decided", gettext_noop("点位旁路审批结果"))
register_kind("monitoring.bypass_expired", gettext_noop("点位旁路到期"))

from . import notifications_points  # noqa: E402, F401 - the points' and limits' kinds
