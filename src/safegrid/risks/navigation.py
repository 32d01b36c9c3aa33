"""Menu entries for risk grading and control (imported by core.navigation.autodiscover()).

Entries whose URL does not exist yet are skipped by the menu, so each area's pages appear when they land.
"""

from django.utils.translation import gettext_lazy as _

from safegrid.core.navigation import NavItem, register
from safegrid.core.scoping import Scope

GROUP = _("风险分级管控")


def _government(scope: Scope) -> bool:
    return scope.is_government


def _register_keeper(scope: Scope) -> bool:
    """Users who compile or sign their enterprise's book (post workers and experts only read it)."""
    return bool(scope.enterprise_ids) and bool(scope.roles & {"legal_rep", "ent_admin", "safety_manager"})


def _staff(scope: Scope) -> bool:
    """Enterprise staff (workers and managers) read and confirm the cards of their posts."""
    return bool(scope.own_enterprise_ids)


register(
    NavItem(_("我的告知卡"), "risks:my_cards", icon="id-badge-2", group=GROUP, order=19, visible=_staff),
    NavItem(_("风险点清单"), "risks:point_list", icon="list-check", group=GROUP, order=20),
    NavItem(_("一企一册"), "risks:filing_mine", icon="book", group=GROUP, order=21, visible=_register_keeper),
    NavItem(_("备案审核"), "risks:filing_status", icon="book", group=GROUP, order=22, visible=_government),
    NavItem(_("风险四色图"), "risks:map", icon="map", group=GROUP, order=23),
    NavItem(_("区域风险"), "risks:regional_list", icon="map-pin", group=GROUP, order=24, visible=_government),
    NavItem(_("风险清单导入导出"), "risks:excel_import", icon="file-spreadsheet", group=GROUP, order=25),
    NavItem(
        _("备案审核单位"),
        "risks:filing_reviewers",
        icon="settings",
        group=GROUP,
        order=26,
        visible=lambda scope: scope.is_county_admin,
    ),
)
