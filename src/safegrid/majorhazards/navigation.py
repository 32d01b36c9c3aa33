"""Menu entries for major hazard sources (imported by core.navigation.autodiscover())."""

from django.utils.translation import gettext_lazy as _

from safegrid.core.choices import ENTERPRISE_ROLES, Role
from safegrid.core.navigation import NavItem, register
from safegrid.core.scoping import Scope

GROUP = _("重大危险源")


# sources: regulators, and the enterprise's principal, managers and experts (workshop users see no units)
_ENTERPRISE_READERS = frozenset({*ENTERPRISE_ROLES, Role.EXPERT})


def _enterprise_staff(scope: Scope) -> bool:
    return bool(scope.enterprises_with(_ENTERPRISE_READERS))


def _sees_sources(scope: Scope) -> bool:
    return scope.is_government or scope.superuser or _enterprise_staff(scope)


# ---- lifecycle (mhlife): the review queue for the county's regulators, the due list for enterprises and
# their regulators; the home page's to-dos (imported here so they register at start-up)
def _lifecycle_reviewer(scope: Scope) -> bool:
    from .lifecycle_workflows import reviews_in

    return reviews_in(scope)


def _lifecycle_due(scope: Scope) -> bool:
    return scope.is_government or bool(scope.own_enterprise_ids)


# ---- work: special-work filings and the daily commitment --------------------------------------------------
def _work_staff(scope: Scope) -> bool:
    from safegrid.hazards.permissions import MANAGER_ROLES, PRINCIPAL_ROLES

    return (
        bool(scope.enterprises_with(MANAGER_ROLES | PRINCIPAL_ROLES))
        or scope.is_government
        or scope.superuser
    )


def _work_regulator(scope: Scope) -> bool:
    from safegrid.hazards.permissions import REGULATOR_ROLES

    return scope.superuser or scope.has_role(*REGULATOR_ROLES)


register(
    NavItem(
        _("重大危险源清单"), "majorhazards:list", icon="flame", group=GROUP, order=50, visible=_sees_sources
    ),
    NavItem(
        _("本企业辨识单元"),
        "majorhazards:my_units",
        icon="building-factory",
        group=GROUP,
        order=51,
        visible=_enterprise_staff,
    ),
    NavItem(
        _("临界量表"), "majorhazards:substances", icon="flask", group=GROUP, order=58, visible=_sees_sources
    ),
    NavItem(
        _("重大危险源备案审核"),
        "majorhazards:lifecycle_review",
        icon="file-check",
        group=GROUP,
        order=62,
        visible=_lifecycle_reviewer,
    ),
    NavItem(
        _("重大危险源到期事项"),
        "majorhazards:lifecycle_due",
        icon="calendar-due",
        group=GROUP,
        order=63,
        visible=_lifecycle_due,
    ),
    NavItem(
        _("特殊作业报备"),
        "majorhazards:special_works",
        icon="flame",
        group=GROUP,
        order=52,
        visible=_work_staff,
    ),
    NavItem(
        _("安全承诺公告"),
        "majorhazards:commitment_history",
        icon="speakerphone",
        group=GROUP,
        order=53,
        visible=_work_staff,
    ),
    NavItem(
        _("承诺公告监管"),
        "majorhazards:commitments",
        icon="list-check",
        group=GROUP,
        order=54,
        visible=_work_regulator,
    ),
    NavItem(
        _("今日高风险作业"),
        "majorhazards:special_works_today",
        icon="alert-octagon",
        group=GROUP,
        order=55,
        visible=_work_regulator,
    ),
)

from . import todos_lifecycle  # noqa: E402, F401
