"""Menu entry of the live monitoring wall (imported by monitoring/navigation.py)."""

from django.utils.translation import gettext_lazy as _

from safegrid.core.choices import ENTERPRISE_ROLES, Role
from safegrid.core.navigation import NavItem, register
from safegrid.core.scoping import Scope

GROUP = _("在线监测预警")
_DUTY = frozenset({*ENTERPRISE_ROLES, Role.UNIT_USER})


def _sees_wall(scope: Scope) -> bool:
    return scope.is_government or scope.superuser or bool(scope.enterprises_with(_DUTY))


register(
    NavItem(
        _("监测预警大屏"), "monitoring:wall", icon="device-desktop", group=GROUP, order=59, visible=_sees_wall
    )
)
