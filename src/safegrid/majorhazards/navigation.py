"""Menu entries for major hazard sources (imported by core.navigation.autodiscover())."""

from django.utils.translation import gettext_lazy as _

from safegrid.core.navigation import NavItem, register
from safegrid.core.scoping import Scope

GROUP = _("重大危险源")


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
        _("特殊作业报备"),
        "majorhazards:special_works",
        icon="flame",
        group=GROUP,
        order=60,
        visible=_work_staff,
    ),
    NavItem(
        _("安全承诺公告"),
        "majorhazards:commitment_history",
        icon="speakerphone",
        group=GROUP,
        order=61,
        visible=_work_staff,
    ),
    NavItem(
        _("承诺公告监管"),
        "majorhazards:commitments",
        icon="list-check",
        group=GROUP,
        order=62,
        visible=_work_regulator,
    ),
    NavItem(
        _("今日高风险作业"),
        "majorhazards:special_works_today",
        icon="alert-octagon",
        group=GROUP,
        order=63,
        visible=_work_regulator,
    ),
)
