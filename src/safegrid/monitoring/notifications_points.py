"""Notification kinds of monitoring points and their limit changes (imported by monitoring/notifications.py)."""

from django.utils.translation import gettext_noop

from safegrid.notifications.kinds import register_kind

# limits (services/limits.py, workflows_points.py)
LIMIT_REQUESTED = "monitoring.limit_change_requested"
LIMIT_DECIDED = "monitoring.limit_change_decided"
LIMIT_EXPIRED = "monitoring.limit_change_expired"

register_kind(LIMIT_REQUESTED, gettext_noop("监测限值变更待审批"))
register_kind(LIMIT_DECIDED, gettext_noop("监测限值变更已审批"))
register_kind(LIMIT_EXPIRED, gettext_noop("临时限值到期已恢复"))

# point deactivations (services/deactivations.py, workflows_points.py)
DEACTIVATION_REQUESTED = "monitoring.deactivation_requested"
DEACTIVATION_DECIDED = "monitoring.deactivation_decided"

register_kind(DEACTIVATION_REQUESTED, gettext_noop("监测点位停用待审批"))
register_kind(DEACTIVATION_DECIDED, gettext_noop("监测点位停用已审批"))
