"""一企一册: compile the enterprise's register into a frozen, fingerprinted book; submit it for signature;
the legal representative signs (which files it) or sends it back; the regulator reviews.

Every step goes through the filing workflow (`risks.workflows.FILING`) and the core kit's
`create`/`transition`, which lock the row, check the transition table and the step's permission, write
the FilingTransition and the audit entry and send the notifications, all in one transaction; bad input
is refused whole with a Chinese message. The PDF book is rendered on the worker
(`risks.render_filing_book`, enqueued on compile, submit, send-back and file) from the filing's snapshot,
so the book shows exactly what was fingerprinted; a review never re-renders it, so the regulator's copy
is the enterprise's copy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from safegrid import jobs
from safegrid.core import signing
from safegrid.core.audit import Actor
from safegrid.core.models import User
from safegrid.core.services import object_update, writing_protected
from safegrid.core.workflow import create, transition
from safegrid.enterprises.models import Enterprise
from safegrid.jobs.models import Job
from safegrid.regions.models import Department, Division

from .. import permissions
from ..choices import AccidentType, ControlTier, FilingStatus, HazardCategory, MeasureKind, RiskPointType
from ..documents.filing_pdf import BookInfo, render_register_pdf
from ..models import RiskAssessment, RiskPoint
from ..models.filing import RiskRegisterFiling
from ..rules import assessment as rules
from ..rules import filing as filing_rules
from ..rules import methods
from ..rules.filing import signed_as_text
from ..selectors import delegation as delegation_selectors
from ..selectors import points as selectors
from ..selectors.filing import current_revision
from ..workflows import FILING, SUPERSEDED_ON_COMPILE, SUPERSEDED_ON_FILE, FilingAction, enterprise_signers

SNAPSHOT_SCHEMA = 1
SIGN_MAX_FAILURES = signing.SIGN_MAX_FAILURES  # wrong passwords per user and filing within SIGN_LOCKOUT
TIME_FORMAT = "%Y-%m-%d %H:%M"
BOOK_JOB = "risks.render_filing_book"


# ---- reading the register into a snapshot --------------------------------------------------------


def _register_points(enterprise: Enterprise) -> list[RiskPoint]:
    """The enterprise's active points with factors, current assessments, measures and tiers (constant queries)."""
    points = RiskPoint.objects.filter(enterprise=enterprise, active=True)
    return list(selectors.with_register(points).order_by("code", "id"))


@dataclass(frozen=True)
class RegisterProblem:
    """One thing that keeps the register from being compiled: a point to fix, or (None) the register."""

    text: str
    point_id: int | None = None

    def __str__(self) -> str:
        return self.text


class RegisterIncomplete(ValidationError):
    """The register cannot be compiled; `problems` names each point to fix (the messages, one each)."""

    def __init__(self, problems: list[RegisterProblem]) -> None:
        super().__init__([p.text for p in problems])
        self.problems = problems


def register_issues(points: Sequence[RiskPoint]) -> list[RegisterProblem]:
    """Everything that keeps the register from being compiled, one problem per point (empty: ready):
    a point in use without a level, or without a holder of a tier its level requires
    (`views.points.blocks_filing_q` selects the same points)."""
    if not points:
        return [RegisterProblem("风险清单为空：尚无在用的风险点，请先辨识风险点、危险源并完成风险评价")]
    problems: list[RegisterProblem] = []
    for point in points:
        label = f"{point.code} {point.name}"
        if point.level is None:
            problems.append(
                RegisterProblem(f"{label}：尚未评定风险等级（须至少有一项已评价的危险源）", point.pk)
            )
            continue
        missing = rules.missing_tiers(point.level, [t.tier for t in point.tiers.all() if t.active])
        if missing:
            names = "、".join(methods.TIER_NAMES[t] for t in missing)
            problems.append(RegisterProblem(f"{label}：缺少 {names}", point.pk))
    return problems


def register_problems(points: Sequence[RiskPoint]) -> list[str]:
    """The messages of `register_issues`."""
    return [p.text for p in register_issues(points)]


def _assessment_data(assessment: RiskAssessment | None) -> dict[str, Any] | None:
    if assessment is None:
        return None
    return {
        "kind": assessment.kind,
        "method": assessment.method,
        "inputs": assessment.inputs,
        "score": format(assessment.score.normalize(), "f"),
        "level": assessment.level,
        "colour": assessment.colour,
        "method_version": assessment.method_version,
        "assessed_at": timezone.localtime(assessment.assessed_at).isoformat(timespec="seconds"),
    }


def _division_names(code: str) -> str:
    prefixes = [code[:n] for n in (6, 9, 12) if len(code) >= n]
    names = dict(Division.objects.filter(code__in=prefixes).values_list("code", "name"))
    return " ".join(names[c] for c in prefixes if c in names)


def build_snapshot(enterprise: Enterprise, points: Sequence[RiskPoint], revision: int) -> dict[str, Any]:
    """The whole register as plain JSON: what the book prints and the fingerprint covers."""
    categories = dict(HazardCategory.choices)
    accident_types = dict(AccidentType.choices)
    point_types = dict(RiskPointType.choices)
    measure_kinds = dict(MeasureKind.choices)
    tier_labels = dict(ControlTier.choices)
    tier_order = {t: i for i, t in enumerate(methods.TIERS)}
    levels = {str(level): 0 for level in methods.LEVELS}
    totals = {"factors": 0, "measures": 0, "tiers": 0}
    point_data: list[dict[str, Any]] = []
    for point in points:
        factors = []
        for view in selectors.factor_views(point):
            factor = view.factor
            current = view.residual or view.initial
            factors.append(
                {
                    "id": factor.pk,
                    "method": factor.method,
                    "step_no": factor.step_no,
                    "step_name": factor.step_name,
                    "description": factor.description,
                    "category": factor.category,
                    "category_label": str(categories.get(factor.category, factor.category)),
                    "accident_types": list(factor.accident_types),
                    "accident_type_labels": [str(accident_types.get(c, c)) for c in factor.accident_types],
                    "consequences": factor.consequences,
                    "existing_controls": factor.existing_controls,
                    "initial": _assessment_data(view.initial),
                    "residual": _assessment_data(view.residual),
                    "assessment": _assessment_data(current),
                }
            )
        measures = [
            {
                "id": m.pk,
                "hazard_factor_id": m.hazard_factor_id,
                "kind": m.kind,
                "kind_label": str(measure_kinds.get(m.kind, m.kind)),
                "classify1": m.classify1,
                "classify1_label": str(m.get_classify1_display()),
                "classify2": m.classify2,
                "classify2_label": str(m.get_classify2_display()),
                "classify3": m.classify3,
                "description": m.description,
                "check_content": m.check_content,
                "check_cycle": m.check_cycle,
                "check_cycle_unit": m.check_cycle_unit,
                "work_day_type": m.work_day_type,
                "data_src": m.data_src,
                "responsible_post": m.responsible_post.name,
                "responsible_post_id": m.responsible_post_id,
            }
            for m in point.measures.all()
            if m.active
        ]
        tiers = [
            {
                "tier": t.tier,
                "tier_label": str(tier_labels.get(t.tier, t.tier)),
                "org_unit": t.org_unit.name if t.org_unit else "",
                "person": t.person.name,
                "job_title": t.person.job_title,
                "phone": t.person.phone,
            }
            for t in sorted(point.tiers.all(), key=lambda t: tier_order.get(t.tier, 99))
        ]
        assert point.level is not None  # register_problems() refused ungraded points
        levels[str(point.level)] += 1
        totals["factors"] += len(factors)
        totals["measures"] += len(measures)
        totals["tiers"] += len(tiers)
        point_data.append(
            {
                "id": point.pk,
                "code": point.code,
                "name": point.name,
                "type": point.type,
                "type_label": str(point_types.get(point.type, point.type)),
                "org_unit": point.org_unit.name if point.org_unit else "",
                "location": point.location,
                "description": point.description,
                "lat": point.lat,
                "lon": point.lon,
                "level": point.level,
                "level_name": methods.LEVEL_NAMES[point.level],
                "colour": methods.LEVEL_COLOURS[point.level],
                "level_method_version": point.level_method_version,
                "required_tiers": list(rules.required_tiers(point.level)),
                "required_tier_labels": [methods.TIER_NAMES[t] for t in rules.required_tiers(point.level)],
                "factors": factors,
                "measures": measures,
                "tiers": tiers,
            }
        )
    return {
        "schema": SNAPSHOT_SCHEMA,
        "standard": methods.STANDARD,
        "register_revision": revision,
        "enterprise": {
            "id": enterprise.pk,
            "name": enterprise.name,
            "uscc": enterprise.uscc,
            "address": enterprise.address,
            "division_code": enterprise.division_id,
            "division_name": _division_names(enterprise.division_id),
            "sectors": [s.name for s in enterprise.sectors.order_by("sort_order")],
            "industry": enterprise.industry,
            "scale": str(enterprise.get_scale_display()),
            "employees": enterprise.employees,
            "legal_rep": enterprise.legal_rep,
            "principal": enterprise.principal,
            "safety_manager": enterprise.safety_manager,
            "safety_manager_phone": enterprise.safety_manager_phone,
        },
        "summary": {"points": len(point_data), "levels": levels, **totals},
        "points": point_data,
    }


def fingerprint(snapshot: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# ---- the book ------------------------------------------------------------------------------------


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime(TIME_FORMAT) if value else ""


def book_info(
    filing: RiskRegisterFiling, departments: Iterable[Department] | None = None, *, status: str | None = None
) -> BookInfo:
    """What the book prints besides the snapshot; `status` is the one it is rendered for (default: now)."""
    if departments is None:
        departments = filing.departments.all() if filing.pk else []
    status = status or filing.status
    return BookInfo(
        version=filing.version,
        compiled_at=_local(filing.compiled_at),
        status_label=str(FilingStatus(status).label),
        fingerprint=filing.fingerprint,
        signer_name=filing.signed_as,
        signed_at=_local(filing.signed_at),
        departments=[d.name for d in departments],
        filed_at=_local(filing.filed_at),
    )


def _enqueue_book(filing: RiskRegisterFiling, actor: Actor, status: str) -> Job:
    """Queue the rendering of `filing`'s book as it stands in `status` (sent to the worker on commit)."""
    return jobs.enqueue(
        BOOK_JOB,
        title=f"生成一企一册第 {filing.version} 版 PDF",
        actor=actor,
        args={"filing_id": filing.pk, "status": status},
        enterprise=filing.enterprise,
    )


def book_ready(filing: RiskRegisterFiling) -> bool:
    """Whether the PDF for the filing's current status exists (its rendering job, if any, succeeded)."""
    job = filing.book_job
    return bool(filing.pdf) and (job is None or job.status == "succeeded")


def filing_book_render(*, actor: Actor, filing_id: int, status: str, job_id: int | None = None) -> str:
    """Render the book from the snapshot and store it (the worker's job body); returns the file name.

    The slow rendering happens outside any transaction; the result is stored only if the filing still
    waits for this job (a later step has queued a newer rendering otherwise) — "" when it was dropped.
    """
    filing = RiskRegisterFiling.objects.select_related("enterprise").filter(pk=filing_id).first()
    if filing is None or (job_id is not None and filing.book_job_id != job_id):
        return ""  # gone, or a later step already queued a newer rendering: do not render this one
    departments = list(filing.departments.all())
    content = render_register_pdf(filing.snapshot, book_info(filing, departments, status=status))
    with transaction.atomic():
        locked = RiskRegisterFiling.objects.select_for_update().get(pk=filing_id)
        if job_id is not None and locked.book_job_id != job_id:
            return ""
        old_name = locked.pdf.name if locked.pdf else ""
        uscc = locked.snapshot.get("enterprise", {}).get("uscc", "") or str(locked.enterprise_id)
        locked.pdf.save(f"{uscc}-v{locked.version}-{status}.pdf", ContentFile(content), save=False)
        new_name = locked.pdf.name
        with writing_protected("pdf"):
            object_update(actor=actor, obj=locked, data={"pdf": new_name})
        if old_name and old_name != new_name:
            storage = locked.pdf.storage
            transaction.on_commit(lambda: storage.delete(old_name))
    return str(new_name)


# ---- the services --------------------------------------------------------------------------------


def _refuse_outdated(filing: RiskRegisterFiling) -> None:
    if filing_rules.is_outdated(filing.register_revision, current_revision(filing.enterprise_id)):
        raise ValidationError(
            {"status": "风险清单在本版编制后已有变更，本版已过期：请重新编制一企一册后再签署、报送"}
        )


def _supersede(*, actor: User, old: RiskRegisterFiling, new: RiskRegisterFiling) -> None:
    transition(
        old,
        FilingAction.SUPERSEDE,
        actor=actor,
        workflow=FILING,
        comment=f"被第 {new.version} 版替代",
        changes={"superseded_by": new},
    )


def _check_may(actor: User, filing: RiskRegisterFiling, action: FilingAction) -> None:
    """Refuse early, before slow work (the transition checks the same on the locked row)."""
    if not FILING.may(actor, filing, action):
        raise PermissionDenied(FILING.step(action).denied_message)


def filing_compile(*, actor: User, enterprise: Enterprise) -> RiskRegisterFiling:
    """Freeze the register into a new version of the book (refused, listing every problem, if incomplete)."""
    _check_may(actor, RiskRegisterFiling(enterprise=enterprise), FilingAction.COMPILE)
    with transaction.atomic():
        # One compile at a time per enterprise, so versions are consecutive.
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        points = _register_points(enterprise)
        problems = register_issues(points)
        if problems:
            raise RegisterIncomplete(problems)
        revision = current_revision(enterprise.pk)
        snapshot = build_snapshot(enterprise, points, revision)
        previous = RiskRegisterFiling.objects.filter(enterprise=enterprise)
        version = int(previous.aggregate(v=Max("version"))["v"] or 0) + 1
        filing = RiskRegisterFiling(
            enterprise=enterprise,
            version=version,
            register_revision=revision,
            snapshot=snapshot,
            summary=snapshot["summary"],
            fingerprint=fingerprint(snapshot),
            compiled_by=actor,
            compiled_at=timezone.now(),
        )
        create(filing, FilingAction.COMPILE, actor=actor, workflow=FILING)
        filing.book_job = _enqueue_book(filing, actor, FilingStatus.COMPILED)
        RiskRegisterFiling.objects.filter(pk=filing.pk).update(book_job=filing.book_job)
        for old in previous.filter(status__in=SUPERSEDED_ON_COMPILE).exclude(pk=filing.pk):
            _supersede(actor=actor, old=old, new=filing)
    return filing


def _check_signing_password(actor: User, filing: RiskRegisterFiling, password: str) -> None:
    """The signer re-enters their password (`core.signing`: failures audited and limited)."""
    signing.check_password(actor, filing, password, purpose="一企一册签署")


def _check_signers(enterprise: Enterprise) -> None:
    if not enterprise_signers(enterprise.pk):
        raise ValidationError(
            {
                "status": "企业尚无可以签署的账号：请为法定代表人开通账号（角色“法定代表人/主要负责人”），"
                "或由法定代表人登记书面签署委托后再提交"
            }
        )


def filing_submit(
    *, actor: User, filing: RiskRegisterFiling, departments: Iterable[Department] | None = None
) -> RiskRegisterFiling:
    """The compiler hands the book to the legal representative for signature, naming the departments it
    will be filed with once signed (default: the regulators leading the enterprise's sectors)."""
    _check_may(actor, filing, FilingAction.SUBMIT)
    given = list(departments) if departments is not None else None

    def prepare(locked: RiskRegisterFiling) -> None:
        _refuse_outdated(locked)
        _check_signers(locked.enterprise)
        chosen = given if given is not None else default_departments(locked.enterprise)
        if not chosen:
            raise ValidationError({"departments": "请选择至少一个备案部门"})
        locked.departments.set(chosen)
        locked.book_job = _enqueue_book(locked, actor, FilingStatus.TO_SIGN)

    return transition(
        filing,
        FilingAction.SUBMIT,
        actor=actor,
        workflow=FILING,
        changes={"submitted_by": actor, "submitted_at": timezone.now(), "sent_back_comment": ""},
        prepare=prepare,
    )


def filing_send_back(*, actor: User, filing: RiskRegisterFiling, comment: str) -> RiskRegisterFiling:
    """The signer does not sign and returns the book to the compiler with what must change."""
    _check_may(actor, filing, FilingAction.SEND_BACK)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "退回时须填写意见，说明需要修改的内容"})

    def prepare(locked: RiskRegisterFiling) -> None:
        locked.book_job = _enqueue_book(locked, actor, FilingStatus.SENT_BACK)

    return transition(
        filing,
        FilingAction.SEND_BACK,
        actor=actor,
        workflow=FILING,
        comment=comment,
        changes={"sent_back_comment": comment},
        prepare=prepare,
    )


def filing_sign(*, actor: User, filing: RiskRegisterFiling, password: str) -> RiskRegisterFiling:
    """The legal representative (or the holder of their written delegation) signs with their own login,
    re-entering their password; the signed book is filed with the departments chosen at submission in the
    same transaction. The record names the signer, and the delegation they signed under."""
    _check_may(actor, filing, FilingAction.SIGN)
    _check_signing_password(actor, filing, password)
    delegation = None
    if not permissions.can_sign_register(actor, filing.enterprise_id):
        delegation = delegation_selectors.active_delegation(actor, filing.enterprise_id)
    signer = (actor.display_name or actor.username)[:32]
    comment = signer if delegation is None else signed_as_text(signer, delegation.delegator_name)

    def prepare(locked: RiskRegisterFiling) -> None:
        _refuse_outdated(locked)

    with transaction.atomic():
        signed = transition(
            filing,
            FilingAction.SIGN,
            actor=actor,
            workflow=FILING,
            comment=f"签署人：{comment}",
            changes={
                "signer_name": signer,
                "signed_by": actor,
                "signed_at": timezone.now(),
                "signed_delegation": delegation,
            },
            prepare=prepare,
        )
        return _file(actor=actor, filing=signed, departments=None)


def default_departments(enterprise: Enterprise) -> list[Department]:
    """The regulators leading the enterprise's sectors; the safety office when no sector has one."""
    leading = list(
        Department.objects.filter(sectors__enterprises=enterprise, is_safety_office=False)
        .distinct()
        .order_by("id")
    )
    return leading or list(Department.objects.filter(is_safety_office=True).order_by("id"))


def filing_file(
    *, actor: User, filing: RiskRegisterFiling, departments: Iterable[Department] | None = None
) -> RiskRegisterFiling:
    """Send a signed book to the regulators (a book signed before signing filed it at once); earlier filed
    or accepted versions are superseded by it."""
    _check_may(actor, filing, FilingAction.FILE)
    return _file(actor=actor, filing=filing, departments=departments)


def _file(
    *, actor: User, filing: RiskRegisterFiling, departments: Iterable[Department] | None
) -> RiskRegisterFiling:
    # Given now, else chosen when the book was submitted for signature, else the sectors' regulators.
    chosen = list(departments) if departments is not None else list(filing.departments.all())
    chosen = chosen or default_departments(filing.enterprise)

    def prepare(locked: RiskRegisterFiling) -> None:
        _refuse_outdated(locked)
        if not chosen:
            raise ValidationError({"departments": "请选择至少一个备案部门"})
        # Set before the log and hooks run, so the reviewing officers are notified.
        locked.departments.set(chosen)
        locked.book_job = _enqueue_book(locked, actor, FilingStatus.FILED)

    with transaction.atomic():
        filed = transition(
            filing,
            FilingAction.FILE,
            actor=actor,
            workflow=FILING,
            comment=f"备案部门：{'、'.join(d.name for d in chosen)}",
            changes={"filed_by": actor, "filed_at": timezone.now()},
            prepare=prepare,
        )
        earlier = RiskRegisterFiling.objects.filter(
            enterprise_id=filed.enterprise_id, status__in=SUPERSEDED_ON_FILE, version__lt=filed.version
        )
        for old in earlier:
            _supersede(actor=actor, old=old, new=filed)
    return filed


def filing_accept(*, actor: User, filing: RiskRegisterFiling, comment: str = "") -> RiskRegisterFiling:
    """The regulator accepts a filed book."""
    return _review(actor=actor, filing=filing, action=FilingAction.ACCEPT, comment=comment)


def filing_return(*, actor: User, filing: RiskRegisterFiling, comment: str) -> RiskRegisterFiling:
    """The regulator returns a filed book with what must change (the comment is required)."""
    _check_may(actor, filing, FilingAction.RETURN)
    if not (comment or "").strip():
        raise ValidationError({"comment": "退回时须填写审核意见，说明需要修改的内容"})
    return _review(actor=actor, filing=filing, action=FilingAction.RETURN, comment=comment)


def _review(
    *, actor: User, filing: RiskRegisterFiling, action: FilingAction, comment: str
) -> RiskRegisterFiling:
    comment = (comment or "").strip()
    # The book stays exactly as it was filed: the review lives in the record, not in the PDF.
    return transition(
        filing,
        action,
        actor=actor,
        workflow=FILING,
        comment=comment,
        changes={"reviewed_by": actor, "reviewed_at": timezone.now(), "review_comment": comment},
    )
