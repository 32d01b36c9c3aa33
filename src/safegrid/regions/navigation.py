"""Menu entries for divisions, grids and departments (imported by core.navigation.autodiscover())."""

from django.utils.translation import gettext_lazy as _

from safegrid.core.navigation import NavItem, register

GROUP = _("区划与网格")

register(
    NavItem(
        _("行政区划"),
        "regions:division_list",
        icon="map",
        group=GROUP,
        order=50,
        visible=lambda scope: scope.is_government,
    ),
    NavItem(
        _("网格"),
        "regions:grid_list",
        icon="grid",
        group=GROUP,
        order=51,
        visible=lambda scope: scope.is_government,
    ),
    NavItem(_("部门"), "regions:department_list", icon="department", group=GROUP, order=52),
)
