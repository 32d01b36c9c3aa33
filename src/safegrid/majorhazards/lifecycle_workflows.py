"""Who may act on a major hazard source's lifecycle, and its two workflows on the core workflow kit.

Filing with the county (备案, 40号令):

    (new) ──draft──▶ draft ──submit──▶ submitted ──accept──▶ accepted
                                          │  ▲
                                    return│  │resubmit
                                          ▼  │
                                        returned

Deregistration (核销):

    (new) ──apply──▶ applied ──accept──▶ accepted
                        │ ▲
                  return│ │reapply
                        ▼ │
                      returned

Who: the enterprise's managers (its admin and safety managers) write and submit; the county's
hazardous-chemicals regulators review — the county admin and county officers (应急局), and officers of a
sector department that regulates hazardous chemicals when their scope reaches the enterprise (the filing
is with the county, so towns do not review).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safegrid.core.audit import Actor, SystemActor
from safegrid.core.choices import COUNTY_ROLES, Role
from safegrid.core.models import User
from safegrid.core.scoping import Scope, restrict, scope_for
from safegrid.core.workflow import NEW, Step, TransitionEvent, Workflow
from safegrid.enterprises.models import Enterprise
from safegrid.hazards import permissions as hazard_permissions
from safegrid.notifications.services import notify

from .models import (
    Deregistration,
    DeregistrationTransition,
    FilingTransition,
    SourceFiling,
)
from .models.lifecycle import DeregistrationStatus, FilingStatus

CHEMICALS_SECTOR: Final = "hazardous_chemicals"


# ---- who may ---------------------------------------------------------------------------------------


def is_manager(user: Any, enterprise_id: int | None) -> bool:
    """Files and records for the enterprise: its admin and safety managers."""
    return hazard_permissions.is_manager(user, enterprise_id)


def _chemicals_sector_ids() -> frozenset[int]:
    from safegrid.regions.selectors import sector_ids

    return sector_ids(CHEMICALS_SECTOR)


def can_review(user: Any, enterprise_id: int | None) -> bool:
    """Accepts or returns filings and deregistrations: the county admin and county officers, and officers of
    a department regulating hazardous chemicals whose scope reaches the enterprise."""
    if enterprise_id is None:
        return False
    scope = scope_for(user)
    if scope.superuser or scope.has_role(*COUNTY_ROLES):
        return True
    if not (scope.has_role(Role.DEPT_OFFICER) and scope.sector_ids & _chemicals_sector_ids()):
        return False
    return restrict(Enterprise.objects.filter(pk=enterprise_id), user).exists()


def is_reviewer(user: Any) -> bool:
    """Whether the user reviews any enterprise's filings (for menus and to-dos)."""
    return reviews_in(scope_for(user))


def reviews_in(scope: Scope) -> bool:
    if scope.superuser or scope.has_role(*COUNTY_ROLES):
        return True
    return scope.has_role(Role.DEPT_OFFICER) and bool(scope.sector_ids & _chemicals_sector_ids())


def _enterprise_id(obj: Any) -> int:
    return int(obj.unit.enterprise_id)


def _may_write(actor: Actor, obj: Any) -> bool:
    return isinstance(actor, SystemActor) or is_manager(actor, _enterprise_id(obj))


def _may_review(actor: Actor, obj: Any) -> bool:
    return isinstance(actor, SystemActor) or can_review(actor, _enterprise_id(obj))


# ---- who hears about it ----------------------------------------------------------------------------


def _users(q: Q) -> list[User]:
    return list(User.objects.filter(q, is_active=True).distinct().order_by("pk"))


def enterprise_managers(enterprise_id: int) -> list[User]:
    roles = sorted({*hazard_permissions.MANAGER_ROLES, *hazard_permissions.PRINCIPAL_ROLES})
    return _users(Q(role_assignments__enterprise_id=enterprise_id, role_assignments__role__in=roles))


def reviewers(enterprise: Enterprise) -> list[User]:
    """Officers of the departments regulating hazardous chemicals (when the enterprise is in that sector),
    else the county officers."""
    if enterprise.sectors.filter(code=CHEMICALS_SECTOR).exists():
        found = _users(
            Q(
                role_assignments__role=Role.DEPT_OFFICER,
                role_assignments__department__sectors__code=CHEMICALS_SECTOR,
            )
        )
        if found:
            return found
    return _users(Q(role_assignments__role=Role.COUNTY_OFFICER)) or _users(
        Q(role_assignments__role=Role.COUNTY_ADMIN)
    )


def lifecycle_url(unit_id: int) -> str:
    return reverse("majorhazards:unit_lifecycle", args=[unit_id])


def _tell_enterprise(kind: str, text: str) -> Any:
    def hook(event: TransitionEvent[Any]) -> None:
        unit = event.obj.unit
        message = text.format(unit=unit.name, comment=event.comment or "")
        notify(enterprise_managers(unit.enterprise_id), kind, event.obj, message, url=lifecycle_url(unit.pk))

    return hook


def _tell_reviewers(kind: str, text: str) -> Any:
    def hook(event: TransitionEvent[Any]) -> None:
        unit = event.obj.unit
        message = text.format(enterprise=unit.enterprise.name, unit=unit.name)
        notify(
            reviewers(unit.enterprise), kind, event.obj, message, url=reverse("majorhazards:lifecycle_review")
        )

    return hook


# ---- the workflows ---------------------------------------------------------------------------------


class FilingAction(StrEnum):
    DRAFT = "draft"
    SUBMIT = "submit"
    ACCEPT = "accept"
    RETURN = "return"
    RESUBMIT = "resubmit"


class DeregistrationAction(StrEnum):
    APPLY = "apply"
    ACCEPT = "accept"
    RETURN = "return"
    REAPPLY = "reapply"


_WRITE_DENIED = _("只有本企业的管理员或安全管理员可以办理重大危险源备案")
_REVIEW_DENIED = _("只有县级应急管理部门或危险化学品行业主管部门可以审核")

FS, FA = FilingStatus, FilingAction

FILING: Final = Workflow(
    model=SourceFiling,
    states=FilingStatus,
    transitions={
        (NEW, FA.DRAFT): FS.DRAFT,
        (FS.DRAFT, FA.SUBMIT): FS.SUBMITTED,
        (FS.SUBMITTED, FA.ACCEPT): FS.ACCEPTED,
        (FS.SUBMITTED, FA.RETURN): FS.RETURNED,
        (FS.RETURNED, FA.RESUBMIT): FS.SUBMITTED,
    },
    steps={
        FA.DRAFT: Step(_("填写备案"), allowed=_may_write, denied=_WRITE_DENIED),
        FA.SUBMIT: Step(
            _("提交备案"),
            allowed=_may_write,
            denied=_WRITE_DENIED,
            after=(
                _tell_reviewers(
                    "majorhazards.filing_submitted", "{enterprise}报送「{unit}」重大危险源备案，请审核"
                ),
            ),
        ),
        FA.ACCEPT: Step(
            _("准予备案"),
            allowed=_may_review,
            denied=_REVIEW_DENIED,
            after=(_tell_enterprise("majorhazards.filing_accepted", "「{unit}」重大危险源已准予备案"),),
        ),
        FA.RETURN: Step(
            _("退回备案"),
            allowed=_may_review,
            comment_required=True,
            denied=_REVIEW_DENIED,
            after=(
                _tell_enterprise("majorhazards.filing_returned", "「{unit}」重大危险源备案被退回：{comment}"),
            ),
        ),
        FA.RESUBMIT: Step(
            _("重新提交备案"),
            allowed=_may_write,
            denied=_WRITE_DENIED,
            after=(
                _tell_reviewers(
                    "majorhazards.filing_submitted", "{enterprise}重新报送「{unit}」重大危险源备案，请审核"
                ),
            ),
        ),
    },
    log=FilingTransition,
    log_fk="filing",
    audit_exclude=("report_file",),
)

DS, DA = DeregistrationStatus, DeregistrationAction

DEREGISTRATION: Final = Workflow(
    model=Deregistration,
    states=DeregistrationStatus,
    transitions={
        (NEW, DA.APPLY): DS.APPLIED,
        (DS.APPLIED, DA.ACCEPT): DS.ACCEPTED,
        (DS.APPLIED, DA.RETURN): DS.RETURNED,
        (DS.RETURNED, DA.REAPPLY): DS.APPLIED,
    },
    steps={
        DA.APPLY: Step(
            _("申请核销"),
            allowed=_may_write,
            denied=_WRITE_DENIED,
            after=(
                _tell_reviewers(
                    "majorhazards.deregistration", "{enterprise}申请核销「{unit}」重大危险源，请审核"
                ),
            ),
        ),
        DA.ACCEPT: Step(
            _("准予核销"),
            allowed=_may_review,
            denied=_REVIEW_DENIED,
            after=(_tell_enterprise("majorhazards.deregistration", "「{unit}」重大危险源已准予核销"),),
        ),
        DA.RETURN: Step(
            _("退回核销申请"),
            allowed=_may_review,
            comment_required=True,
            denied=_REVIEW_DENIED,
            after=(
                _tell_enterprise(
                    "majorhazards.deregistration", "「{unit}」重大危险源核销申请被退回：{comment}"
                ),
            ),
        ),
        DA.REAPPLY: Step(
            _("重新申请核销"),
            allowed=_may_write,
            denied=_WRITE_DENIED,
            after=(
                _tell_reviewers(
                    "majorhazards.deregistration", "{enterprise}重新申请核销「{unit}」重大危险源，请审核"
                ),
            ),
        ),
    },
    log=DeregistrationTransition,
    log_fk="deregistration",
)
