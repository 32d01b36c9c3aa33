"""Menu entries of online monitoring (imported by core.navigation.autodiscover()); the home page's to-dos
and the panels on the enterprise and major hazard unit pages register from panels.py, imported here."""

from django.utils.translation import gettext_lazy as _

from safegrid.core.choices import ENTERPRISE_ROLES, Role
from safegrid.core.navigation import NavItem, register
from safegrid.core.scoping import Scope

GROUP = _("在线监测预警")

# alarms: regulators and the enterprise's people on duty
_DUTY = frozenset({*ENTERPRISE_ROLES, Role.UNIT_USER})


def _sees_alarms(scope: Scope) -> bool:
    return scope.is_government or scope.superuser or bool(scope.enterprises_with(_DUTY))


def _sees_bypasses(scope: Scope) -> bool:
    return scope.is_government or scope.superuser or bool(scope.enterprises_with(ENTERPRISE_ROLES))


register(
    NavItem(
        _("监测报警"), "monitoring:alarms", icon="bell-ringing", group=GROUP, order=70, visible=_sees_alarms
    ),
    NavItem(
        _("点位旁路"), "monitoring:bypasses", icon="bell-off", group=GROUP, order=72, visible=_sees_bypasses
    ),
)

from . import navigation_events, navigation_index, navigation_points, navigation_wall, panels  # noqa: E402, F401 - entries, panels
