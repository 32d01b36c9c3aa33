"""Menu entries for hidden-hazard governance (imported by core.navigation.autodiscover())."""

from django.utils.translation import gettext_lazy as _

from safegrid.core.navigation import NavItem, register
from safegrid.core.scoping import Scope

GROUP = _("隐患排查治理")


def _reporter(scope: Scope) -> bool:
    return scope.is_government or bool(scope.own_enterprise_ids)


register(
    NavItem(_("隐患清单"), "hazards:list", icon="alert-triangle", group=GROUP, order=30),
    NavItem(_("登记隐患"), "hazards:report", icon="camera", group=GROUP, order=31, visible=_reporter),
)
