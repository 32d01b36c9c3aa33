"""Every write of hidden hazards: report, fix on the spot, confirm, reject, five in place, rectify, accept,
send back, extensions, reopen, photos.

Each moves the hazard only through `core.workflow.create`/`transition` with `workflows.HAZARD` (lock,
table, permission, log, audit, notifications in one transaction); input is checked whole first and
refused with field-named Chinese messages; nothing is half-saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safegrid.core import audit
from safegrid.core.audit import Actor
from safegrid.core.choices import AuditAction
from safegrid.core.models import User
from safegrid.core.services import authorize
from safegrid.core.workflow import create, transition
from safegrid.enterprises.models import Enterprise, Person

from . import permissions, services_major
from .choices import Handling, HazardLevel, Origin, PhotoKind, RejectReason
from .models import HazardPhoto, HiddenHazard, MajorCriterion
from .rules import closure, criteria
from .rules import major as major_rules
from .rules.photos import check_photo
from .workflows import HAZARD, HazardAction

REPORT_FIELDS = ("title", "location", "description", "cause", "source", "hazard_type", "risk_point")


@dataclass(frozen=True)
class PhotoIn:
    """A photo as received: its bytes, file name and (optionally) when the device says it was taken."""

    content: bytes
    name: str
    kind: str
    device_time: dt.datetime | None = None


def _today() -> dt.date:
    return timezone.localdate()


def _enterprise_sector_codes(enterprise: Enterprise) -> list[str]:
    return list(enterprise.sectors.values_list("code", flat=True))


def criteria_for(enterprise: Enterprise) -> list[MajorCriterion]:
    """The active major-hazard criteria of the enterprise's sectors (what the report form offers)."""
    return list(
        MajorCriterion.objects.filter(active=True, sector_code__in=_enterprise_sector_codes(enterprise))
    )


def propose_level(enterprise: Enterprise, matched: Iterable[str]) -> criteria.MajorProposal:
    known = [
        criteria.Criterion(c.code, c.sector_code, c.number, c.text, c.standard)
        for c in MajorCriterion.objects.filter(active=True)
    ]
    return criteria.propose_major(_enterprise_sector_codes(enterprise), matched, known)


def _check_photos(photos: Sequence[PhotoIn], errors: dict[str, list[str]], field: str = "photos") -> None:
    for photo in photos:
        if photo.kind not in PhotoKind.values:
            errors.setdefault(field, []).append(_("照片类型无效"))
            continue
        result = check_photo(photo.content)
        if not result.ok:
            errors.setdefault(field, []).append(f"{photo.name}：{result.message}")


def _save_photo(actor: Actor, hazard: HiddenHazard, photo: PhotoIn) -> HazardPhoto:
    result = check_photo(photo.content)
    if not result.ok:
        raise ValidationError({"photos": [f"{photo.name}：{result.message}"]})
    row = HazardPhoto(
        hazard=hazard,
        kind=photo.kind,
        sha256=result.sha256,
        width=result.width,
        height=result.height,
        uploaded_by=actor if isinstance(actor, User) else None,
        server_time=timezone.now(),
        device_time=photo.device_time,
    )
    ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[result.format]
    row.image.save(f"{result.sha256[:16]}.{ext}", ContentFile(photo.content), save=False)
    row.save(force_insert=True)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=row,
        after={"hazard": hazard.pk, "kind": row.kind, "sha256": row.sha256, "device_time": photo.device_time},
        comment=_("上传隐患照片"),
    )
    return row


def photo_store(actor: Actor, hazard: HiddenHazard, photo: PhotoIn) -> HazardPhoto:
    """Store a checked photo of a hazard (audited) for a writer that has checked the permission itself
    (the national-format import, inside its transaction)."""
    return _save_photo(actor, hazard, photo)


def _risk_point_problem(enterprise: Enterprise, risk_point: Any) -> str | None:
    if risk_point is not None and risk_point.enterprise_id != enterprise.pk:
        return _("风险点须属于该企业")
    return None


def _new_hazard(
    actor: Actor, enterprise: Enterprise, data: dict[str, Any]
) -> tuple[HiddenHazard, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - {*REPORT_FIELDS, "major_criteria", "level"})
    if unknown:
        raise ValueError(f"unexpected hazard fields: {unknown}")
    problem = _risk_point_problem(enterprise, data.get("risk_point"))
    if problem:
        errors["risk_point"] = [problem]
    proposal = propose_level(enterprise, data.get("major_criteria") or [])
    if proposal.not_applicable:
        errors.setdefault("major_criteria", []).append(
            _("不适用于该企业行业的判定标准：%(codes)s") % {"codes": "、".join(proposal.not_applicable)}
        )
    user = actor if isinstance(actor, User) else None
    is_user = user is not None
    level = data.get("level") or HazardLevel.GENERAL
    if level not in HazardLevel.values:
        errors.setdefault("level", []).append(_("隐患等级无效"))
        level = HazardLevel.GENERAL
    if level == HazardLevel.MAJOR and is_user and not permissions.is_regulator_of(actor, enterprise.pk):
        errors.setdefault("level", []).append(
            _("只有监管部门可以直接认定重大隐患；请选择符合的重大隐患判定标准")
        )
    hazard = HiddenHazard(
        enterprise=enterprise,
        origin=permissions.reporting_origin(actor, enterprise.pk) if is_user else Origin.REGULATOR,
        reported_by=user,
        reporter_name=(user.display_name or user.username)
        if user is not None
        else getattr(actor, "label", ""),
        reported_at=timezone.now(),
        major_criteria=list(proposal.matched),
        major_proposed=proposal.major,
        level=HazardLevel.MAJOR if proposal.major else level,
        **{k: data.get(k) for k in REPORT_FIELDS if k in data},
    )
    if hazard.cause is None:
        hazard.cause = ""
    return hazard, errors


def _validate_new(hazard: HiddenHazard, errors: dict[str, list[str]]) -> None:
    try:
        hazard.full_clean(exclude=["status"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def hazard_report(
    *, actor: Actor, enterprise: Enterprise, data: dict[str, Any], photos: Sequence[PhotoIn] = ()
) -> HiddenHazard:
    """Register a hazard found at `enterprise` (reported, to be confirmed by the enterprise).

    `data`: title, location, description, cause, source (dangerSrc 1–10), hazard_type (1–8), risk_point,
    major_criteria (codes); the level is major when a criterion of the enterprise's sector matches, and a
    regulator may report it as major by hand (`level`). Photos are taken as "before" evidence.
    """
    authorize(actor, lambda u: permissions.can_report(u, enterprise.pk), _("您不能为该企业登记隐患"))
    hazard, errors = _new_hazard(actor, enterprise, data)
    _check_photos(photos, errors)
    _validate_new(hazard, errors)
    with transaction.atomic():
        create(hazard, HazardAction.REPORT, actor=actor, workflow=HAZARD)
        for photo in photos:
            _save_photo(
                actor, hazard, PhotoIn(photo.content, photo.name, PhotoKind.BEFORE, photo.device_time)
            )
    return hazard


def hazard_fix_on_spot(
    *,
    actor: Actor,
    enterprise: Enterprise,
    data: dict[str, Any],
    measures: str,
    before: Sequence[PhotoIn],
    after: Sequence[PhotoIn],
) -> HiddenHazard:
    """即查即改: a general hazard found and removed at once, recorded directly as closed with both photos."""
    hazard, errors = _new_hazard(actor, enterprise, data)
    if hazard.level == HazardLevel.MAJOR:
        errors.setdefault("level", []).append(_("重大隐患不能即查即改，须限期整改"))
    if not before:
        errors.setdefault("before_photos", []).append(_("即查即改须有整改前照片"))
    if not after:
        errors.setdefault("after_photos", []).append(_("即查即改须有整改后照片"))
    if not (measures or "").strip():
        errors.setdefault("measures", []).append(_("请填写整改措施"))
    _check_photos(before, errors, "before_photos")
    _check_photos(after, errors, "after_photos")
    now = timezone.now()
    user = actor if isinstance(actor, User) else None
    hazard.handling = Handling.ON_THE_SPOT
    hazard.measures = measures.strip()
    hazard.rectified_by = user
    hazard.rectified_at = now
    hazard.accepted_by = user
    hazard.accepted_at = now
    hazard.closed_at = now
    hazard.days_to_close = 0
    _validate_new(hazard, errors)
    with transaction.atomic():
        create(hazard, HazardAction.FIX_ON_SPOT, actor=actor, workflow=HAZARD)
        for photo in before:
            _save_photo(
                actor, hazard, PhotoIn(photo.content, photo.name, PhotoKind.BEFORE, photo.device_time)
            )
        for photo in after:
            _save_photo(actor, hazard, PhotoIn(photo.content, photo.name, PhotoKind.AFTER, photo.device_time))
    return hazard


def hazard_confirm(
    *,
    actor: Actor,
    hazard: HiddenHazard,
    level: str,
    interim_measures: str = "",
    comment: str = "",
) -> HiddenHazard:
    """The enterprise confirms the finding and its level. A hazard matching a major criterion stays major
    unless a regulator grades it general; a major hazard needs its interim measures recorded."""
    errors: dict[str, list[str]] = {}
    if level not in HazardLevel.values:
        errors["level"] = [_("隐患等级无效")]
    elif (
        level == HazardLevel.GENERAL
        and hazard.major_proposed
        and not (isinstance(actor, User) and permissions.is_regulator_of(actor, hazard.enterprise_id))
    ):
        errors["level"] = [_("该隐患符合重大隐患判定标准，只有监管部门可以改定为一般隐患")]
    if level == HazardLevel.MAJOR and not (interim_measures or "").strip():
        errors["interim_measures"] = [_("重大隐患须记录临时管控措施（撤出人员、设置警戒、停止设备等）")]
    if errors:
        raise ValidationError(errors)
    return transition(
        hazard,
        HazardAction.CONFIRM,
        actor=actor,
        workflow=HAZARD,
        comment=comment,
        changes={
            "level": level,
            "interim_measures": (interim_measures or "").strip(),
            "confirmed_by": actor if isinstance(actor, User) else None,
            "confirmed_at": timezone.now(),
        },
    )


def hazard_reject(*, actor: Actor, hazard: HiddenHazard, reason: str, comment: str) -> HiddenHazard:
    if reason not in RejectReason.values:
        raise ValidationError({"reason": [_("请选择驳回原因：不构成隐患或重复登记")]})
    return transition(
        hazard,
        HazardAction.REJECT,
        actor=actor,
        workflow=HAZARD,
        comment=comment,
        changes={"reject_reason": reason},
    )


def hazard_assign(
    *,
    actor: Actor,
    hazard: HiddenHazard,
    responsible_person: Person | None,
    measures: str,
    funds: Decimal | None,
    deadline: dt.date | None,
    plan: str,
    comment: str = "",
    today: dt.date | None = None,
) -> HiddenHazard:
    """The five in place (五落实): responsible person, measures, funds, deadline, plan; then rectifying.

    A major hazard also needs its six-part treatment plan and its report to the regulator first (16号令
    art. 14, 20). System actors (a national-platform import, a maintenance script) are trusted code and
    are not held to it: their hazards arrive with their plans kept elsewhere. The demo writes both.
    """
    today = today or _today()
    errors: dict[str, list[str]] = (
        services_major.major_ready_problems(hazard) if isinstance(actor, User) else {}
    )
    values = closure.FiveInPlace(responsible_person, measures or "", funds, deadline, plan or "")
    labels = dict(closure.FIVE_IN_PLACE)
    for name in closure.missing_five(values):
        errors[name] = [_("五落实未到位：请填写%(what)s") % {"what": labels[name]}]
    problem = closure.deadline_problem(deadline, today)
    if problem:
        errors.setdefault("deadline", []).append(problem)
    if responsible_person is not None and (
        responsible_person.enterprise_id != hazard.enterprise_id or not responsible_person.active
    ):
        errors.setdefault("responsible_person", []).append(_("整改责任人须为本企业在岗人员"))
    if errors:
        raise ValidationError(errors)
    return transition(
        hazard,
        HazardAction.ASSIGN,
        actor=actor,
        workflow=HAZARD,
        comment=comment,
        changes={
            "responsible_person": responsible_person,
            "measures": measures.strip(),
            "funds": funds,
            "deadline": deadline,
            "plan": plan.strip(),
            "handling": Handling.BY_DEADLINE,
        },
    )


def hazard_submit(
    *, actor: Actor, hazard: HiddenHazard, note: str, photos: Sequence[PhotoIn] = ()
) -> HiddenHazard:
    """Rectification done: needs a note and an after photo (already uploaded or sent now)."""
    errors: dict[str, list[str]] = {}
    if not (note or "").strip():
        errors["note"] = [_("请填写整改情况")]
    _check_photos(photos, errors)
    has_after = (
        any(p.kind == PhotoKind.AFTER for p in photos) or hazard.photos.filter(kind=PhotoKind.AFTER).exists()
    )
    if not has_after:
        errors.setdefault("photos", []).append(_("提交验收须有整改后照片"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        moved = transition(
            hazard,
            HazardAction.SUBMIT,
            actor=actor,
            workflow=HAZARD,
            comment=note,
            changes={
                "rectified_by": actor if isinstance(actor, User) else None,
                "rectified_at": timezone.now(),
                "rectification_note": note.strip(),
            },
        )
        for photo in photos:
            _save_photo(actor, moved, photo)
    return moved


def hazard_accept(*, actor: Actor, hazard: HiddenHazard, comment: str = "") -> HiddenHazard:
    """验收销号: closes the hazard and stores the days it took (the regulator's for a major one).

    Under a suspension order the close-out needs the passed on-site review (16号令 art. 23), and it
    resumes production in the same transaction.
    """
    now = timezone.now()

    def stamp(locked: HiddenHazard) -> None:
        problem = major_rules.close_problem(services_major.suspension_state(locked))
        if problem:
            raise ValidationError({"suspension": [problem]})
        locked.days_to_close = closure.days_to_close(
            timezone.localdate(locked.reported_at), timezone.localdate(now)
        )

    with transaction.atomic():
        closed = _accept(hazard, actor, comment, now, stamp)
        services_major.resume_on_close(actor=actor, hazard=closed)
    return closed


def _accept(hazard: HiddenHazard, actor: Actor, comment: str, now: dt.datetime, stamp: Any) -> HiddenHazard:
    return transition(
        hazard,
        HazardAction.ACCEPT,
        actor=actor,
        workflow=HAZARD,
        comment=comment,
        changes={
            "accepted_by": actor if isinstance(actor, User) else None,
            "accepted_at": now,
            "acceptance_comment": (comment or "").strip(),
            "closed_at": now,
            "escalation_step": -1,
        },
        prepare=stamp,
    )


def hazard_send_back(*, actor: Actor, hazard: HiddenHazard, comment: str) -> HiddenHazard:
    return transition(hazard, HazardAction.SEND_BACK, actor=actor, workflow=HAZARD, comment=comment)


def hazard_request_extension(
    *,
    actor: Actor,
    hazard: HiddenHazard,
    new_deadline: dt.date | None,
    reason: str,
    today: dt.date | None = None,
) -> HiddenHazard:
    today = today or _today()
    errors: dict[str, list[str]] = {}
    if new_deadline is None:
        errors["new_deadline"] = [_("请填写申请延期至的日期")]
    elif hazard.deadline is not None and new_deadline <= hazard.deadline:
        errors["new_deadline"] = [_("延期后的期限须晚于原整改期限")]
    elif closure.deadline_problem(new_deadline, today):
        errors["new_deadline"] = [_("整改期限不能早于今天")]
    if not (reason or "").strip():
        errors["reason"] = [_("请填写延期理由")]
    if errors:
        raise ValidationError(errors)
    return transition(
        hazard,
        HazardAction.REQUEST_EXTENSION,
        actor=actor,
        workflow=HAZARD,
        comment=reason,
        changes={
            "extension_deadline": new_deadline,
            "extension_reason": reason.strip(),
            "extension_requested_by": actor if isinstance(actor, User) else None,
        },
    )


def hazard_decide_extension(
    *, actor: Actor, hazard: HiddenHazard, approve: bool, comment: str = ""
) -> HiddenHazard:
    """Approve (the deadline moves to the requested date) or refuse (it stays) a pending extension."""
    if approve:
        return transition(
            hazard,
            HazardAction.APPROVE_EXTENSION,
            actor=actor,
            workflow=HAZARD,
            comment=comment,
            changes={"escalation_step": -1},
            prepare=lambda locked: setattr(locked, "deadline", locked.extension_deadline),
        )
    return transition(hazard, HazardAction.REFUSE_EXTENSION, actor=actor, workflow=HAZARD, comment=comment)


def hazard_reopen(*, actor: Actor, hazard: HiddenHazard, comment: str) -> HiddenHazard:
    """A closed hazard found not fixed: back to confirmed (five in place again); the log keeps the history."""

    def count(locked: HiddenHazard) -> None:
        locked.reopen_count += 1

    return transition(
        hazard,
        HazardAction.REOPEN,
        actor=actor,
        workflow=HAZARD,
        comment=comment,
        changes={
            "accepted_by": None,
            "accepted_at": None,
            "acceptance_comment": "",
            "closed_at": None,
            "days_to_close": None,
            "deadline": None,
            "handling": Handling.BY_DEADLINE,
        },
        prepare=count,
    )


def photo_add(*, actor: Actor, hazard: HiddenHazard, photo: PhotoIn) -> HazardPhoto:
    """Evidence added while the hazard is open (the enterprise's managers, or whoever reported it)."""

    def allowed(user: User) -> bool:
        return (
            permissions.is_manager(user, hazard.enterprise_id)
            or hazard.reported_by_id == user.pk
            or (permissions.is_regulator_of(user, hazard.enterprise_id))
        )

    authorize(actor, allowed, _("您不能为该隐患上传照片"))
    if hazard.closed_at is not None:
        raise ValidationError({"photos": [_("已销号的隐患不能再添加照片")]})
    errors: dict[str, list[str]] = {}
    _check_photos([photo], errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return _save_photo(actor, hazard, photo)
