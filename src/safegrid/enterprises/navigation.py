"""Menu entries for enterprises (imported by core.navigation.autodiscover())."""

from django.utils.translation import gettext_lazy as _

from safegrid.core.navigation import NavItem, register

GROUP = _("企业")

register(
    NavItem(_("企业台账"), "enterprises:enterprise_list", icon="building", group=GROUP, order=10),
    NavItem(_("人员"), "enterprises:person_list", icon="users", group=GROUP, order=11),
    NavItem(_("证照"), "enterprises:certificate_list", icon="certificate", group=GROUP, order=12),
    NavItem(
        _("证照到期提醒"),
        "enterprises:certificate_attention",
        icon="alert",
        group=GROUP,
        order=13,
        visible=lambda scope: scope.is_government,
    ),
    NavItem(
        _("批量导入"),
        "enterprise_import:start",
        icon="upload",
        group=GROUP,
        order=14,
        visible=lambda scope: bool(
            scope.roles & {"county_admin", "county_officer", "town_officer", "ent_admin", "safety_manager"}
        ),
    ),
)
