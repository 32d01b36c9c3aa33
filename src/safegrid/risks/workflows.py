"""The 一企一册 filing workflow, declared once on the core workflow kit.

    (new) ─compile─▶ compiled ─submit─▶ to_sign ─sign─▶ signed ─file─▶ filed ─accept─▶ accepted
                                  ▲         │                            └──return──▶ returned
                                  └─submit── sent_back ◀─send_back─┘
    compiled / to_sign / sent_back / signed ──supersede──▶ superseded ◀──supersede── filed / accepted

The compiler (the enterprise's safety manager or administrator) submits a compiled book for signature;
the legal representative — or whoever holds their written signing delegation — reviews it and signs with
their own login, which files it with the regulator at once (`services.filing.filing_sign` takes both
steps), or sends it back with a comment. Who reviews a filed book is a county setting per sector
(`FilingReviewer`): the sector's regulator department by default, or the enterprise's town.

A newer compiled version supersedes the older ones still being prepared; a newer *filed* version
supersedes the older filed or accepted ones. A returned version stays returned (the regulator's comment
is part of the record) and the enterprise answers it with a new version. `services.filing` moves
filings only through `core.workflow.create`/`transition` with `FILING`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safegrid.core.audit import Actor, SystemActor
from safegrid.core.choices import Role
from safegrid.core.models import User
from safegrid.core.scoping import restrict, scope_for
from safegrid.core.workflow import NEW, Step, TransitionEvent, Workflow
from safegrid.enterprises.models import Enterprise
from safegrid.notifications.services import notify

from . import permissions
from .choices import FilingStatus
from .models.filing import FilingTransition, RiskRegisterFiling
from .rules import filing as filing_rules
from .selectors import delegation as delegation_selectors
from .selectors import filing as filing_selectors


class FilingAction(StrEnum):
    COMPILE = "compile"
    SUBMIT = "submit"
    SEND_BACK = "send_back"
    SIGN = "sign"
    FILE = "file"
    ACCEPT = "accept"
    RETURN = "return"
    SUPERSEDE = "supersede"


# Statuses a regulator has received: the latest of these is "the filing" on the regulator's list.
SUBMITTED: Final = frozenset({FilingStatus.FILED, FilingStatus.ACCEPTED, FilingStatus.RETURNED})
# Earlier versions that a newly compiled version replaces (never signed off by the regulator).
SUPERSEDED_ON_COMPILE: Final = frozenset(
    {FilingStatus.COMPILED, FilingStatus.TO_SIGN, FilingStatus.SENT_BACK, FilingStatus.SIGNED}
)
# Earlier versions that a newly filed version replaces.
SUPERSEDED_ON_FILE: Final = frozenset({FilingStatus.FILED, FilingStatus.ACCEPTED})


# ---- who may take each step ----------------------------------------------------------------------


def _may_edit(actor: Actor, filing: RiskRegisterFiling) -> bool:
    return isinstance(actor, SystemActor) or permissions.can_edit_register(actor, filing.enterprise_id)


def _may_sign(actor: Actor, filing: RiskRegisterFiling) -> bool:
    """The legal representative with their own login, or the holder of their written delegation today."""
    if isinstance(actor, SystemActor):
        return True
    if permissions.can_sign_register(actor, filing.enterprise_id):
        return True
    return delegation_selectors.active_delegation(actor, filing.enterprise_id) is not None


def _may_file(actor: Actor, filing: RiskRegisterFiling) -> bool:
    """A signed book goes to the regulator: sent by its signer at once, or by the compiler."""
    return _may_edit(actor, filing) or _may_sign(actor, filing)


def _may_review(actor: Actor, filing: RiskRegisterFiling) -> bool:
    """County roles; the sector's regulator department; the enterprise's town where the county delegated
    the sector's review to the towns. Raises PermissionDenied saying which part is missing."""
    if isinstance(actor, SystemActor):
        return True
    scope = scope_for(actor)
    if not permissions.can_review_filings(actor):
        raise PermissionDenied(gettext("只有县级部门、行业主管部门和受委托的镇街可以审核一企一册备案"))
    if not restrict(Enterprise.objects.filter(pk=filing.enterprise_id), actor).exists():
        raise PermissionDenied(gettext("该企业不在您的监管范围内"))
    if scope.is_county:
        return True
    sectors, config = filing_selectors.review_setting_for(filing.enterprise_id)
    if scope.sector_ids:
        officer_sectors = filing_selectors.sector_codes(scope.sector_ids)
        if filing_rules.department_reviews(sectors, officer_sectors, config):
            return True
    if scope.division_codes and filing_rules.town_reviews(sectors, config):
        return True
    if scope.division_codes:
        raise PermissionDenied(gettext("县里未委托镇街审核该企业所属行业领域的一企一册备案"))
    raise PermissionDenied(gettext("该企业所属行业领域的一企一册备案已委托属地镇街审核"))


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


def enterprise_signers(enterprise_id: int) -> list[User]:
    """Who may sign the book today: the legal representatives' accounts and the holders of their delegation."""
    delegates = delegation_selectors.active_delegate_ids(enterprise_id)
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(
                role_assignments__enterprise_id=enterprise_id,
                role_assignments__role__in=sorted(permissions.REGISTER_SIGNER_ROLES),
            )
            | Q(pk__in=delegates)
        )
        .distinct()
        .order_by("username")
    )


def reviewing_officers(filing: RiskRegisterFiling) -> list[User]:
    """Who reviews the filed book: the officers of the departments it was filed with, for the sectors the
    county left to them, and the officers of the enterprise's town for the sectors delegated to towns."""
    sectors, config = filing_selectors.review_setting_for(filing.enterprise_id)
    kinds = filing_rules.reviewing_kinds(sectors, config)
    wanted = Q(pk__in=[])
    if filing_rules.ReviewerKind.DEPARTMENT in kinds:
        wanted |= Q(
            role_assignments__role=Role.DEPT_OFFICER,
            role_assignments__department__in=filing.departments.all(),
        )
    if filing_rules.ReviewerKind.TOWN in kinds:
        town = str(filing.enterprise.division_id)[:9]
        wanted |= Q(role_assignments__role=Role.TOWN_OFFICER, role_assignments__division_id=town)
    return list(User.objects.filter(wanted, is_active=True).distinct())


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


def notify_to_sign(event: TransitionEvent[Any]) -> None:
    filing: RiskRegisterFiling = event.obj
    text = f"{_name(filing)}已提交，请审阅并签署"
    notify(
        enterprise_signers(filing.enterprise_id),
        "risks.filing_to_sign",
        filing,
        text,
        url=reverse("risks:filing_sign", args=[filing.pk]),
    )


def notify_sent_back(event: TransitionEvent[Any]) -> None:
    filing: RiskRegisterFiling = event.obj
    text = f"{_name(filing)}被签署人退回：{event.comment}"
    keepers = enterprise_register_keepers(filing.enterprise_id)
    if filing.submitted_by is not None and filing.submitted_by not in keepers:
        keepers.append(filing.submitted_by)
    notify(keepers, "risks.filing_sent_back", filing, text, url=_url(filing))


def notify_signed(event: TransitionEvent[Any]) -> None:
    filing: RiskRegisterFiling = event.obj
    text = f"{_name(filing)}已由{filing.signed_as}签署"
    notify(
        enterprise_register_keepers(filing.enterprise_id),
        "risks.filing_signed",
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
        (FilingStatus.COMPILED, FilingAction.SUBMIT): FilingStatus.TO_SIGN,
        (FilingStatus.SENT_BACK, FilingAction.SUBMIT): FilingStatus.TO_SIGN,
        (FilingStatus.TO_SIGN, FilingAction.SIGN): FilingStatus.SIGNED,
        (FilingStatus.TO_SIGN, FilingAction.SEND_BACK): FilingStatus.SENT_BACK,
        (FilingStatus.SIGNED, FilingAction.FILE): FilingStatus.FILED,
        (FilingStatus.FILED, FilingAction.ACCEPT): FilingStatus.ACCEPTED,
        (FilingStatus.FILED, FilingAction.RETURN): FilingStatus.RETURNED,
        (FilingStatus.COMPILED, FilingAction.SUPERSEDE): FilingStatus.SUPERSEDED,
        (FilingStatus.TO_SIGN, FilingAction.SUPERSEDE): FilingStatus.SUPERSEDED,
        (FilingStatus.SENT_BACK, FilingAction.SUPERSEDE): FilingStatus.SUPERSEDED,
        (FilingStatus.SIGNED, FilingAction.SUPERSEDE): FilingStatus.SUPERSEDED,
        (FilingStatus.FILED, FilingAction.SUPERSEDE): FilingStatus.SUPERSEDED,
        (FilingStatus.ACCEPTED, FilingAction.SUPERSEDE): FilingStatus.SUPERSEDED,
    },
    steps={
        FilingAction.COMPILE: Step(_("编制"), allowed=_may_edit, denied=_("您没有编制该企业一企一册的权限")),
        FilingAction.SUBMIT: Step(
            _("提交签署"),
            allowed=_may_edit,
            denied=_("一企一册由企业管理员或安全管理员提交法定代表人签署"),
            after=(notify_to_sign,),
        ),
        FilingAction.SEND_BACK: Step(
            _("签署人退回"),
            allowed=_may_sign,
            comment_required=True,
            denied=_("只有法定代表人或其书面委托的签署人可以退回待签署的一企一册"),
            after=(notify_sent_back,),
        ),
        FilingAction.SIGN: Step(
            _("签署"),
            allowed=_may_sign,
            denied=_("一企一册须由法定代表人本人（或其书面委托的签署人）用自己的账号签署"),
            after=(notify_signed,),
        ),
        FilingAction.FILE: Step(
            _("报送备案"),
            allowed=_may_file,
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
