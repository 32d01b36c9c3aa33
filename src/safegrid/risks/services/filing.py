"""一企一册: compile the enterprise's register into a frozen, fingerprinted book; sign; file; review.

Every function here is a service: it checks who may act (risks.permissions), locks the filing row,
checks the step against the transition table in `rules.filing`, writes a FilingTransition and an
audit entry in the same transaction, and refuses bad input whole with a Chinese message. The PDF is
always rendered from the filing's snapshot, so the book shows exactly what was fingerprinted; it is
rendered on compile, sign (signature block) and file (filing departments) and never changes after
filing, so the regulator's copy is the enterprise's copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from safegrid.core import audit
from safegrid.core.choices import AuditAction
from safegrid.core.models import AuditEntry, User
from safegrid.core.scoping import restrict
from safegrid.enterprises.models import Enterprise
from safegrid.regions.models import Department, Division

from .. import permissions
from ..choices import AccidentType, ControlTier, HazardCategory, MeasureKind, RiskPointType
from ..documents.filing_pdf import BookInfo, render_register_pdf
from ..models import RiskAssessment, RiskPoint
from ..models.filing import FilingTransition, RiskRegisterFiling
from ..rules import assessment as rules
from ..rules import filing as filing_rules
from ..rules import methods
from ..rules.filing import Action, Status
from ..selectors import points as selectors
from ..selectors.filing import current_revision

SNAPSHOT_SCHEMA = 1
SIGN_MAX_FAILURES = 5  # wrong passwords per user and filing within SIGN_LOCKOUT
SIGN_LOCKOUT = dt.timedelta(minutes=15)
TIME_FORMAT = "%Y-%m-%d %H:%M"


# ---- reading the register into a snapshot --------------------------------------------------------


def _register_points(enterprise: Enterprise) -> list[RiskPoint]:
    """The enterprise's active points with factors, current assessments, measures and tiers (constant queries)."""
    points = RiskPoint.objects.filter(enterprise=enterprise, active=True)
    return list(selectors.with_register(points).order_by("code", "id"))


def register_problems(points: Sequence[RiskPoint]) -> list[str]:
    """Everything that keeps the register from being compiled, one message per point (empty: ready)."""
    if not points:
        return ["风险清单为空：尚无在用的风险点，请先辨识风险点、危险源并完成风险评价"]
    problems: list[str] = []
    for point in points:
        label = f"{point.code} {point.name}"
        if point.level is None:
            problems.append(f"{label}：尚未评定风险等级（须至少有一项已评价的危险源）")
            continue
        missing = rules.missing_tiers(point.level, [t.tier for t in point.tiers.all()])
        if missing:
            problems.append(f"{label}：缺少 {'、'.join(methods.TIER_NAMES[t] for t in missing)}")
    return problems


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


def book_info(filing: RiskRegisterFiling, departments: Iterable[Department] | None = None) -> BookInfo:
    if departments is None:
        departments = filing.departments.all() if filing.pk else []
    return BookInfo(
        version=filing.version,
        compiled_at=_local(filing.compiled_at),
        status_label=str(filing.get_status_display()),
        fingerprint=filing.fingerprint,
        signer_name=filing.signer_name,
        signed_at=_local(filing.signed_at),
        departments=[d.name for d in departments],
        filed_at=_local(filing.filed_at),
    )


def _render(filing: RiskRegisterFiling, departments: Iterable[Department] | None = None) -> None:
    """(Re)write the filing's PDF from its snapshot; the old file goes once the transaction commits."""
    content = render_register_pdf(filing.snapshot, book_info(filing, departments))
    old_name = filing.pdf.name if filing.pdf else ""
    uscc = filing.snapshot.get("enterprise", {}).get("uscc", "") or str(filing.enterprise_id)
    filing.pdf.save(f"{uscc}-v{filing.version}-{filing.status}.pdf", ContentFile(content), save=False)
    if old_name and old_name != filing.pdf.name:
        storage = filing.pdf.storage
        transaction.on_commit(lambda: storage.delete(old_name))


def _actor_label(actor: User) -> str:
    return actor.username


def _transition(
    *,
    actor: User,
    filing: RiskRegisterFiling,
    from_status: str,
    to_status: str,
    comment: str = "",
) -> None:
    at = timezone.now()
    FilingTransition.objects.create(
        filing=filing,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        actor_label=_actor_label(actor),
        at=at,
        comment=comment,
    )
    audit.record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=filing,
        before={"status": from_status} if from_status else None,
        after={"status": to_status, "version": filing.version, "fingerprint": filing.fingerprint},
        comment=comment,
    )


def _lock(filing: RiskRegisterFiling | int) -> RiskRegisterFiling:
    pk = filing if isinstance(filing, int) else filing.pk
    return RiskRegisterFiling.objects.select_for_update().select_related("enterprise").get(pk=pk)


def _check_step(filing: RiskRegisterFiling, action: Action) -> Status:
    try:
        return filing_rules.next_status(filing.status, action)
    except filing_rules.IllegalTransition as exc:
        raise ValidationError({"status": exc.message}) from None


def _supersede(*, actor: User, old: RiskRegisterFiling, new: RiskRegisterFiling) -> None:
    locked = _lock(old)
    target = _check_step(locked, Action.SUPERSEDE)
    before = locked.status
    locked.status = target
    locked.superseded_by = new
    locked.save(update_fields=["status", "superseded_by"])
    _transition(
        actor=actor, filing=locked, from_status=before, to_status=target, comment=f"被第 {new.version} 版替代"
    )


def _refuse_outdated(filing: RiskRegisterFiling) -> None:
    if filing_rules.is_outdated(filing.register_revision, current_revision(filing.enterprise_id)):
        raise ValidationError(
            {"status": "风险清单在本版编制后已有变更，本版已过期：请重新编制一企一册后再签署、报送"}
        )


# ---- the services --------------------------------------------------------------------------------


def filing_compile(*, actor: User, enterprise: Enterprise) -> RiskRegisterFiling:
    """Freeze the register into a new version of the book (refused, listing every problem, if incomplete)."""
    if not permissions.can_edit_register(actor, enterprise.pk):
        raise PermissionDenied("您没有编制该企业一企一册的权限")
    with transaction.atomic():
        # One compile at a time per enterprise, so versions are consecutive.
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        points = _register_points(enterprise)
        problems = register_problems(points)
        if problems:
            raise ValidationError(problems)
        revision = current_revision(enterprise.pk)
        snapshot = build_snapshot(enterprise, points, revision)
        previous = RiskRegisterFiling.objects.filter(enterprise=enterprise)
        version = int(previous.aggregate(v=Max("version"))["v"] or 0) + 1
        filing = RiskRegisterFiling(
            enterprise=enterprise,
            version=version,
            status=Status.COMPILED,
            register_revision=revision,
            snapshot=snapshot,
            summary=snapshot["summary"],
            fingerprint=fingerprint(snapshot),
            compiled_by=actor,
            compiled_at=timezone.now(),
        )
        filing.full_clean()
        _render(filing, departments=[])
        filing.save(force_insert=True)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=filing,
            after={
                "version": version,
                "status": filing.status,
                "register_revision": revision,
                "fingerprint": filing.fingerprint,
                "summary": filing.summary,
                "pdf": filing.pdf.name,
            },
        )
        _transition(actor=actor, filing=filing, from_status="", to_status=Status.COMPILED)
        for old in previous.filter(status__in=filing_rules.SUPERSEDED_ON_COMPILE).exclude(pk=filing.pk):
            _supersede(actor=actor, old=old, new=filing)
    return filing


def _recent_password_failures(actor: User, filing: RiskRegisterFiling) -> int:
    since = timezone.now() - SIGN_LOCKOUT
    return AuditEntry.objects.filter(
        action=AuditAction.LOGIN_FAILED,
        actor=actor,
        object_type=RiskRegisterFiling._meta.label_lower,
        object_id=str(filing.pk),
        at__gte=since,
    ).count()


def _check_signing_password(actor: User, filing: RiskRegisterFiling, password: str) -> None:
    """The signer re-enters their password; failures are audited and, past a limit, signing pauses.

    The sign page must not become a way round the sign-in lockout (django-axes) for guessing passwords.
    """
    minutes = int(SIGN_LOCKOUT.total_seconds() // 60)
    if _recent_password_failures(actor, filing) >= SIGN_MAX_FAILURES:
        raise ValidationError({"password": f"密码错误次数过多，请 {minutes} 分钟后再签署"})
    if password and actor.check_password(password):
        return
    audit.record(actor=actor, action=AuditAction.LOGIN_FAILED, obj=filing, comment="一企一册签署：密码错误")
    raise ValidationError({"password": "密码不正确，签署未完成"})


def filing_sign(
    *, actor: User, filing: RiskRegisterFiling, signer_name: str, password: str
) -> RiskRegisterFiling:
    """The legal representative (or principal) signs the book; the acting user confirms with their password."""
    if not permissions.can_sign_register(actor, filing.enterprise_id):
        raise PermissionDenied("您没有签署该企业一企一册的权限")
    _check_signing_password(actor, filing, password)
    with transaction.atomic():
        locked = _lock(filing)
        target = _check_step(locked, Action.SIGN)
        enterprise = locked.enterprise
        problem = filing_rules.signer_problem(signer_name, enterprise.legal_rep, enterprise.principal)
        if problem:
            raise ValidationError({"signer_name": problem})
        _refuse_outdated(locked)
        before = locked.status
        locked.status = target
        locked.signer_name = "".join(signer_name.split())
        locked.signed_by = actor
        locked.signed_at = timezone.now()
        _render(locked)
        locked.save(update_fields=["status", "signer_name", "signed_by", "signed_at", "pdf"])
        _transition(
            actor=actor,
            filing=locked,
            from_status=before,
            to_status=target,
            comment=f"签署人：{locked.signer_name}",
        )
    return locked


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
    """Send a signed book to the regulators; earlier filed or accepted versions are superseded by it."""
    if not permissions.can_sign_register(actor, filing.enterprise_id):
        raise PermissionDenied("您没有报送该企业一企一册的权限")
    with transaction.atomic():
        locked = _lock(filing)
        target = _check_step(locked, Action.FILE)
        _refuse_outdated(locked)
        chosen = list(departments) if departments is not None else default_departments(locked.enterprise)
        if not chosen:
            raise ValidationError({"departments": "请选择至少一个备案部门"})
        before = locked.status
        locked.status = target
        locked.filed_by = actor
        locked.filed_at = timezone.now()
        _render(locked, departments=chosen)
        locked.save(update_fields=["status", "filed_by", "filed_at", "pdf"])
        locked.departments.set(chosen)
        _transition(
            actor=actor,
            filing=locked,
            from_status=before,
            to_status=target,
            comment=f"备案部门：{'、'.join(d.name for d in chosen)}",
        )
        earlier = RiskRegisterFiling.objects.filter(
            enterprise_id=locked.enterprise_id,
            status__in=filing_rules.SUPERSEDED_ON_FILE,
            version__lt=locked.version,
        )
        for old in earlier:
            _supersede(actor=actor, old=old, new=locked)
    return locked


def _check_reviewer(actor: User, filing: RiskRegisterFiling) -> None:
    if not permissions.can_review_filings(actor):
        raise PermissionDenied("只有县级部门和行业主管部门可以审核一企一册备案")
    if not restrict(Enterprise.objects.filter(pk=filing.enterprise_id), actor).exists():
        raise PermissionDenied("该企业不在您的监管范围内")


def filing_accept(*, actor: User, filing: RiskRegisterFiling, comment: str = "") -> RiskRegisterFiling:
    """The regulator accepts a filed book."""
    _check_reviewer(actor, filing)
    return _review(actor=actor, filing=filing, action=Action.ACCEPT, comment=comment.strip())


def filing_return(*, actor: User, filing: RiskRegisterFiling, comment: str) -> RiskRegisterFiling:
    """The regulator returns a filed book with what must change (the comment is required)."""
    _check_reviewer(actor, filing)
    if not (comment or "").strip():
        raise ValidationError({"comment": "退回时须填写审核意见，说明需要修改的内容"})
    return _review(actor=actor, filing=filing, action=Action.RETURN, comment=comment.strip())


def _review(*, actor: User, filing: RiskRegisterFiling, action: Action, comment: str) -> RiskRegisterFiling:
    with transaction.atomic():
        locked = _lock(filing)
        target = _check_step(locked, action)
        before = locked.status
        locked.status = target
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.review_comment = comment
        # The book stays exactly as it was filed: the review lives in the record, not in the PDF.
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
        _transition(actor=actor, filing=locked, from_status=before, to_status=target, comment=comment)
    return locked
