"""Menu entries of monitoring points and limit changes (imported by monitoring/navigation.py)."""

from django.utils.translation import gettext_lazy as _

from safegrid.core.choices import ENTERPRISE_ROLES, Role
from safegrid.core.navigation import NavItem, register
from safegrid.core.scoping import Scope

GROUP = _("在线监测预警")
_READERS = frozenset({*ENTERPRISE_ROLES, Role.EXPERT})


def _sees_points(scope: Scope) -> bool:
    return scope.is_government or scope.superuser or bool(scope.enterprises_with(_READERS))


register(
    NavItem(_("监测点位"), "monitoring:points", icon="gauge", group=GROUP, order=60, visible=_sees_points),
    NavItem(
        _("限值变更"),
        "monitoring:limit_changes",
        icon="adjustments",
        group=GROUP,
        order=61,
        visible=_sees_points,
    ),
    NavItem(
        _("点位停用申请"),
        "monitoring:deactivations",
        icon="plug-off",
        group=GROUP,
        order=62,
        visible=_sees_points,
    ),
)
