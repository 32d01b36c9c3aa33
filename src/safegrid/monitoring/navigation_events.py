"""Menu entry of event sources: video channels and positioning zones (imported by monitoring/navigation.py)."""

from django.utils.translation import gettext_lazy as _

from safegrid.core.choices import ENTERPRISE_ROLES, Role
from safegrid.core.navigation import NavItem, register
from safegrid.core.scoping import Scope

GROUP = _("在线监测预警")
_READERS = frozenset({*ENTERPRISE_ROLES, Role.EXPERT})  # as the points' list (navigation_points.py)


def _sees_sources(scope: Scope) -> bool:
    return scope.is_government or scope.superuser or bool(scope.enterprises_with(_READERS))


register(
    NavItem(
        _("视频与人员定位"),
        "monitoring:event_sources",
        icon="video",
        group=GROUP,
        order=63,
        visible=_sees_sources,
    )
)
