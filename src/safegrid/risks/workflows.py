"""The 一企一册 filing workflow, declared once on the core workflow kit.

    (new) ──compile──▶ compiled ──sign──▶ signed ──file──▶ filed ──accept──▶ accepted
                           │                │                └───return──▶ returned
                           └───supersede────┴──supersede──▶ superseded ◀──supersede── filed / accepted

A newer compiled version supersedes the older ones still being prepared; a newer *filed* version
supersedes the older filed or accepted ones. A returned version stays returned (the regulator's comment
is part of the record) and the enterprise answers it with a new version. `services.filing` moves
filings only through `core.workflow.create`/`transition` with `FILING`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safegrid.core.audit import Actor, SystemActor
from safegrid.core.choices import Role
from safegrid.core.models import User
from safegrid.core.scoping import restrict
from safegrid.core.workflow import NEW, Step, TransitionEvent, Workflow
from safegrid.enterprises.models import Enterprise
from safegrid.notifications.services import notify

from . import permissions
from .choices import FilingStatus
from .models.filing import FilingTransition, RiskRegisterFiling


class FilingAction(StrEnum):
    COMPILE = "compile"
    SIGN = "sign"
    FILE = "file"
    ACCEPT = "accept"
    RETURN = "return"
    SUPERSEDE = "supersede"


# Statuses a regulator has received: the latest of these is "the filing" on the regulator's list.
SUBMITTED: Final = frozenset({FilingStatus.FILED, FilingStatus.ACCEPTED, FilingStatus.RETURNED})
# Earlier versions that a newly compiled version replaces (never signed off by the regulator).
SUPERSEDED_ON_COMPILE: Final = frozenset({FilingStatus.COMPILED, FilingStatus.SIGNED})
# Earlier versions that a newly filed version replaces.
SUPERSEDED_ON_FILE: Final = frozenset({FilingStatus.FILED, FilingStatus.ACCEPTED})


# ---- who may take each step ----------------------------------------------------------------------


def _may_edit(actor: Actor, filing: RiskRegisterFiling) -> bool:
    return isinstance(actor, SystemActor) or permissions.can_edit_register(actor, filing.enterprise_id)


def _may_sign(actor: Actor, filing: RiskRegisterFiling) -> bool:
    return isinstance(actor, SystemActor) or permissions.can_sign_register(actor, filing.enterprise_id)


def _may_review(actor: Actor, filing: RiskRegisterFiling) -> bool:
    """County roles and sector regulators, for enterprises they regulate (saying which part failed)."""
    if isinstance(actor, SystemActor):
        return True
    if not permissions.can_review_filings(actor):
        raise PermissionDenied("只有县级部门和行业主管部门可以审核一企一册备案")
    if not restrict(Enterprise.objects.filter(pk=filing.enterprise_id), actor).exists():
        raise PermissionDenied("该企业不在您的监管范围内")
    return True


# ---- who hears about it --------------------------------------------------------------------------


def enterprise_register_keepers(enterprise_id: int) -> list[User]:
    """The enterprise's administrators and safety managers (who compile the book and answer a return)."""
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__enterprise_id=enterprise_id,
            role_assignments__role__in=sorted(permissions.REGISTER_EDITOR_ROLES),
        ).distinct()
    )


def reviewing_officers(filing: RiskRegisterFiling) -> list[User]:
    """The officers of the departments the book was filed with."""
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.DEPT_OFFICER,
            role_assignments__department__in=filing.departments.all(),
        ).distinct()
    )


def _url(filing: RiskRegisterFiling) -> str:
    return reverse("risks:filing_detail", args=[filing.pk])


def _name(filing: RiskRegisterFiling) -> str:
    return f"{filing.enterprise.name}一企一册第 {filing.version} 版"


def notify_returned(event: TransitionEvent[Any]) -> None:
    filing: RiskRegisterFiling = event.obj
    text = f"{_name(filing)}被退回：{event.comment}"
    notify(
        enterprise_register_keepers(filing.enterprise_id),
        "risks.filing_returned",
        filing,
        text,
        url=_url(filing),
    )


def notify_accepted(event: TransitionEvent[Any]) -> None:
    filing: RiskRegisterFiling = event.obj
    text = f"{_name(filing)}已被监管部门接收"
    notify(
        enterprise_register_keepers(filing.enterprise_id),
        "risks.filing_accepted",
        filing,
        text,
        url=_url(filing),
    )


def notify_filed(event: TransitionEvent[Any]) -> None:
    filing: RiskRegisterFiling = event.obj
    text = f"{_name(filing)}已报送备案，请审核"
    notify(reviewing_officers(filing), "risks.filing_filed", filing, text, url=_url(filing))


FILING: Final = Workflow(
    model=RiskRegisterFiling,
    states=FilingStatus,
    transitions={
        (NEW, FilingAction.COMPILE): FilingStatus.COMPILED,
        (FilingStatus.COMPILED, FilingAction.SIGN): FilingStatus.SIGNED,
        (FilingStatus.SIGNED, FilingAction.FILE): FilingStatus.FILED,
        (FilingStatus.FILED, FilingAction.ACCEPT): FilingStatus.ACCEPTED,
        (FilingStatus.FILED, FilingAction.RETURN): FilingStatus.RETURNED,
        (FilingStatus.COMPILED, FilingAction.SUPERSEDE): FilingStatus.SUPERSEDED,
        (FilingStatus.SIGNED, FilingAction.SUPERSEDE): FilingStatus.SUPERSEDED,
        (FilingStatus.FILED, FilingAction.SUPERSEDE): FilingStatus.SUPERSEDED,
        (FilingStatus.ACCEPTED, FilingAction.SUPERSEDE): FilingStatus.SUPERSEDED,
    },
    steps={
        FilingAction.COMPILE: Step(_("编制"), allowed=_may_edit, denied=_("您没有编制该企业一企一册的权限")),
        FilingAction.SIGN: Step(_("签署"), allowed=_may_sign, denied=_("您没有签署该企业一企一册的权限")),
        FilingAction.FILE: Step(
            _("报送备案"),
            allowed=_may_sign,
            denied=_("您没有报送该企业一企一册的权限"),
            after=(notify_filed,),
        ),
        FilingAction.ACCEPT: Step(_("接收"), allowed=_may_review, after=(notify_accepted,)),
        FilingAction.RETURN: Step(
            _("退回"), allowed=_may_review, comment_required=True, after=(notify_returned,)
        ),
        FilingAction.SUPERSEDE: Step(_("被新版本替代"), system=True),
    },
    log=FilingTransition,
    log_fk="filing",
    audit_exclude=("snapshot", "summary"),
)
