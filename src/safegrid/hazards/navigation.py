"""Menu entries for hidden-hazard governance (imported by core.navigation.autodiscover())."""

from django.utils.translation import gettext_lazy as _

from safegrid.core.navigation import NavItem, register
from safegrid.core.scoping import Scope

from .permissions import MANAGER_ROLES, REGULATOR_ROLES

GROUP = _("隐患排查治理")


def _reporter(scope: Scope) -> bool:
    return scope.is_government or bool(scope.own_enterprise_ids)


def _staff(scope: Scope) -> bool:
    return bool(scope.own_enterprise_ids) or scope.is_government


def _manager(scope: Scope) -> bool:
    return bool(scope.enterprises_with(MANAGER_ROLES))


def _regulator(scope: Scope) -> bool:
    return scope.superuser or scope.has_role(*REGULATOR_ROLES)


def _regulator_or_county(scope: Scope) -> bool:
    return scope.is_county_admin or _regulator(scope)


register(
    NavItem(_("我的检查任务"), "hazards:my_checks", icon="checklist", group=GROUP, order=29),
    NavItem(_("排查记录"), "hazards:records", icon="list-check", group=GROUP, order=35),
    NavItem(_("检查表"), "hazards:checklists", icon="clipboard-list", group=GROUP, order=36),
    NavItem(_("停用检修"), "hazards:shutdowns", icon="tool", group=GROUP, order=37, visible=_staff),
    NavItem(_("巡检点二维码"), "hazards:checkpoints", icon="qrcode", group=GROUP, order=37, visible=_staff),
    NavItem(
        _("国家平台数据交换"),
        "hazards:national_index",
        icon="arrows-exchange",
        group=GROUP,
        order=39,
        visible=_manager,
    ),
    NavItem(
        _("工作日历"),
        "hazards:calendar",
        icon="calendar",
        group=GROUP,
        order=41,
        visible=_regulator_or_county,
    ),
    NavItem(_("系统使用情况"), "hazards:metrics", icon="chart-bar", group=GROUP, order=38),
    NavItem(_("隐患清单"), "hazards:list", icon="alert-triangle", group=GROUP, order=30),
    NavItem(_("登记隐患"), "hazards:report", icon="camera", group=GROUP, order=31, visible=_reporter),
    NavItem(_("逾期隐患"), "hazards:overdue", icon="clock-exclamation", group=GROUP, order=32),
    NavItem(_("挂牌督办"), "hazards:supervision", icon="flag", group=GROUP, order=33),
    NavItem(_("隐患统计"), "hazards:stats", icon="chart", group=GROUP, order=35, visible=_reporter),
    NavItem(
        _("自查自报"),
        "hazards:self_reports",
        icon="file-certificate",
        group=GROUP,
        order=39,
        visible=_reporter,
    ),
    NavItem(
        _("自查自报逾期未报"),
        "hazards:self_reports_missing",
        icon="file-alert",
        group=GROUP,
        order=40,
        visible=_regulator,
    ),
    NavItem(
        _("“五个一律”审查"), "hazards:five_musts", icon="gavel", group=GROUP, order=34, visible=_regulator
    ),
)
