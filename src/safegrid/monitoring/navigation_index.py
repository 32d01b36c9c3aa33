"""Menu entries of alarm quality and the dynamic risk index (imported by monitoring/navigation.py)."""

from django.utils.translation import gettext_lazy as _

from safegrid.core.navigation import NavItem, register
from safegrid.core.scoping import Scope

GROUP = _("在线监测预警")


def _sees(scope: Scope) -> bool:
    return bool(scope.is_government or scope.superuser or scope.own_enterprise_ids)


register(
    NavItem(_("报警质量"), "monitoring:quality", icon="chart-bar", group=GROUP, order=74, visible=_sees),
    NavItem(_("动态风险指数"), "monitoring:risk_index", icon="flame", group=GROUP, order=76, visible=_sees),
)
