"""Writes of a major hazard source's lifecycle: the assessment and its filing (备案), re-assessment triggers,
deregistration (核销), drills and facility tests, and the daily lifecycle watch.

Every write checks its caller's permission itself (`lifecycle_workflows`: the enterprise's managers write,
the county's hazardous-chemicals regulators review), refuses bad input whole with field-named messages, and
is atomic and audited (workflow moves through `core.workflow`, records through `core.services`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safegrid.core import audit
from safegrid.core.audit import Actor, SystemActor
from safegrid.core.choices import AuditAction
from safegrid.core.models import User
from safegrid.core.services import authorize, object_create, object_update
from safegrid.core.text import TextRefused, clean_text
from safegrid.core.workflow import create, transition
from safegrid.enterprises.models import Enterprise
from safegrid.hazards.rules.major import evaluation_file_problem
from safegrid.notifications.services import notify

from .. import config
from ..lifecycle_workflows import (
    DEREGISTRATION,
    FILING,
    DeregistrationAction,
    FilingAction,
    can_review,
    enterprise_managers,
    is_manager,
    lifecycle_url,
)
from ..models import (
    Deregistration,
    DrillRecord,
    FacilityTest,
    HazardUnit,
    LifecycleNotice,
    ReassessmentTrigger,
    SourceFiling,
)
from ..models.lifecycle import (
    DeregistrationStatus,
    FilingStatus,
    LifecycleNoticeKind,
    PlanChoices,
    TestResult,
    TriggerChoices,
)
from ..rules import lifecycle as rules
from ..selectors import lifecycle as selectors

WATCH_ACTOR = SystemActor("job:majorhazards.lifecycle_watch")
FILING_FIELDS = ("assessing_org", "assessed_on", "report_summary")


@dataclass(frozen=True)
class FileIn:
    """An uploaded file as received: its bytes and name."""

    content: bytes
    name: str


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _may_write(actor: Actor, enterprise_id: int, message: str) -> None:
    authorize(actor, lambda u: is_manager(u, enterprise_id), message)


def _text(value: Any, name: str) -> str:
    """Text through the input rule (forms and the API have cleaned it already; this guards other callers)."""
    if not isinstance(value, str):
        return ""
    try:
        return clean_text(value, multiline=True).strip()
    except TextRefused as exc:
        raise ValidationError({name: [exc.message]}) from None


def _refuse(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _unit_open(unit: HazardUnit, errors: dict[str, list[str]]) -> None:
    if selectors.is_deregistered(unit):
        errors.setdefault("unit", []).append(_("该单元已核销，不能再办理"))


def _today() -> dt.date:
    return timezone.localdate()


# ---- the filing ----------------------------------------------------------------------------------------


def _filing_values(data: dict[str, Any], errors: dict[str, list[str]], today: dt.date) -> dict[str, Any]:
    values = {
        "assessing_org": _text(data.get("assessing_org"), "assessing_org"),
        "assessed_on": data.get("assessed_on"),
        "report_summary": _text(data.get("report_summary"), "report_summary"),
    }
    if not values["assessing_org"]:
        errors["assessing_org"] = [_("请填写评估机构")]
    if not values["report_summary"]:
        errors["report_summary"] = [_("请填写评估报告摘要")]
    assessed = values["assessed_on"]
    if not isinstance(assessed, dt.date):
        errors["assessed_on"] = [_("请填写评估日期")]
    elif assessed > today:
        errors["assessed_on"] = [_("评估日期不能晚于今天")]
    return values


def _document_problem(document: FileIn | None, errors: dict[str, list[str]]) -> None:
    if document is not None:
        problem = evaluation_file_problem(document.name, document.content[:16], len(document.content))
        if problem:
            errors["report_file"] = [problem]


def _attach(filing: SourceFiling, document: FileIn | None) -> None:
    if document is not None:
        extension = document.name.rsplit(".", 1)[-1].lower()
        filing.report_file.save(
            f"assessment-{filing.unit_id}-{filing.assessed_on:%Y%m%d}.{extension}",
            ContentFile(document.content),
            save=False,
        )


def filing_draft(
    *, actor: Actor, unit: HazardUnit, data: dict[str, Any], document: FileIn | None = None
) -> SourceFiling:
    """A new assessment of `unit` as a draft filing (the unit's one open filing)."""
    _may_write(actor, unit.enterprise_id, _("只有本企业的管理员或安全管理员可以办理重大危险源备案"))
    cfg = config.lifecycle()
    errors: dict[str, list[str]] = {}
    _unit_open(unit, errors)
    if not unit.is_major:
        errors.setdefault("unit", []).append(_("该单元经辨识不构成重大危险源，无需备案"))
    if selectors.open_filing(unit) is not None:
        errors.setdefault("unit", []).append(_("该单元已有未办结的备案，请在原备案上修改或提交"))
    values = _filing_values(data, errors, _today())
    _document_problem(document, errors)
    _refuse(errors)
    assessed: dt.date = values["assessed_on"]
    filing = SourceFiling(
        unit=unit,
        **values,
        grade_on_record=unit.grade,
        filing_due=rules.filing_due(assessed, cfg),
        reassessment_due=rules.add_years(assessed, cfg.reassessment_years),
        created_by=_user(actor),
    )
    with transaction.atomic():
        _attach(filing, document)
        try:
            with transaction.atomic():
                return create(filing, FilingAction.DRAFT, actor=actor, workflow=FILING)
        except IntegrityError:
            raise ValidationError({"unit": [_("该单元已有未办结的备案，请刷新")]}) from None


def filing_update(
    *, actor: Actor, filing: SourceFiling, data: dict[str, Any], document: FileIn | None = None
) -> SourceFiling:
    """Change a draft or returned filing's assessment (and its report file)."""
    _may_write(actor, filing.unit.enterprise_id, _("只有本企业的管理员或安全管理员可以办理重大危险源备案"))
    cfg = config.lifecycle()
    errors: dict[str, list[str]] = {}
    if filing.status not in (FilingStatus.DRAFT, FilingStatus.RETURNED):
        errors["status"] = [_("只有草稿或被退回的备案可以修改")]
    values = _filing_values(data, errors, _today())
    _document_problem(document, errors)
    _refuse(errors)
    assessed: dt.date = values["assessed_on"]
    values |= {
        "filing_due": rules.filing_due(assessed, cfg),
        "reassessment_due": rules.add_years(assessed, cfg.reassessment_years),
        "grade_on_record": filing.unit.grade,
    }
    with transaction.atomic():
        if document is not None:
            holder = SourceFiling(unit=filing.unit, assessed_on=assessed)
            _attach(holder, document)
            values["report_file"] = holder.report_file.name
        return object_update(actor=actor, obj=filing, data=values)


def filing_submit(*, actor: Actor, filing: SourceFiling, today: dt.date | None = None) -> SourceFiling:
    """Send the draft (or the returned filing, again) to the county; marked late after the filing days."""
    day = today or _today()
    errors: dict[str, list[str]] = {}
    _unit_open(filing.unit, errors)
    _refuse(errors)
    action = FilingAction.RESUBMIT if filing.status == FilingStatus.RETURNED else FilingAction.SUBMIT
    return transition_filing(
        filing,
        action,
        actor=actor,
        changes={
            "submitted_at": timezone.now(),
            "submitted_late": rules.filing_late(filing.assessed_on, day, config.lifecycle()),
        },
    )


def filing_file(
    *, actor: Actor, unit: HazardUnit, data: dict[str, Any], document: FileIn | None = None
) -> SourceFiling:
    """Draft and submit in one go (the API's POST): all or nothing."""
    with transaction.atomic():
        filing = filing_draft(actor=actor, unit=unit, data=data, document=document)
        return filing_submit(actor=actor, filing=filing)


def filing_accept(*, actor: Actor, filing: SourceFiling, comment: str = "") -> SourceFiling:
    return _review(filing, FilingAction.ACCEPT, actor, comment)


def filing_return(*, actor: Actor, filing: SourceFiling, comment: str) -> SourceFiling:
    return _review(filing, FilingAction.RETURN, actor, comment)


def _review(filing: SourceFiling, action: str, actor: Actor, comment: str) -> SourceFiling:
    authorize(
        actor,
        lambda u: can_review(u, filing.unit.enterprise_id),
        _("只有县级应急管理部门或危险化学品行业主管部门可以审核"),
    )
    text = _text(comment, "comment")
    return transition_filing(
        filing,
        action,
        actor=actor,
        comment=text,
        changes={"reviewed_by": _user(actor), "reviewed_at": timezone.now(), "review_comment": text},
    )


def transition_filing(
    filing: SourceFiling, action: str, *, actor: Actor, comment: str = "", changes: dict[str, Any]
) -> SourceFiling:
    return transition(filing, action, actor=actor, workflow=FILING, comment=comment, changes=changes)


# ---- re-assessment triggers ------------------------------------------------------------------------------


def trigger_record(*, actor: Actor, unit: HazardUnit, data: dict[str, Any]) -> ReassessmentTrigger:
    """Record what makes a re-assessment due at once; the enterprise's managers are told at once."""
    _may_write(actor, unit.enterprise_id, _("只有本企业的管理员或安全管理员可以登记重新评估情形"))
    errors: dict[str, list[str]] = {}
    _unit_open(unit, errors)
    kind = str(data.get("kind") or "")
    deaths, injuries = data.get("deaths"), data.get("injuries")
    for key, message in rules.trigger_problems(kind, deaths, injuries).items():
        errors.setdefault(key, []).append(_(message))
    occurred = data.get("occurred_on")
    if not isinstance(occurred, dt.date):
        errors["occurred_on"] = [_("请填写发生日期")]
    elif occurred > _today():
        errors["occurred_on"] = [_("发生日期不能晚于今天")]
    description = _text(data.get("description"), "description")
    if not description:
        errors["description"] = [_("请填写情况说明")]
    _refuse(errors)
    with transaction.atomic():
        trigger = object_create(
            actor=actor,
            model=ReassessmentTrigger,
            data={
                "unit": unit,
                "kind": kind,
                "occurred_on": occurred,
                "description": description,
                "deaths": deaths if kind == TriggerChoices.ACCIDENT else None,
                "injuries": injuries if kind == TriggerChoices.ACCIDENT else None,
                "recorded_by": _user(actor),
                "recorded_at": timezone.now(),
            },
        )
        text = _("「%(unit)s」发生须重新评估的情形（%(kind)s），请立即组织重新辨识和安全评估") % {
            "unit": unit.name,
            "kind": trigger.get_kind_display(),
        }
        notify(
            enterprise_managers(unit.enterprise_id),
            "majorhazards.reassessment_due",
            trigger,
            text,
            url=lifecycle_url(unit.pk),
        )
    return trigger


# ---- deregistration ----------------------------------------------------------------------------------------


def deregistration_apply(
    *, actor: Actor, unit: HazardUnit, reason: str, applied_on: dt.date | None = None
) -> Deregistration:
    """Apply to deregister the unit (a returned application is applied for again on the same row)."""
    _may_write(actor, unit.enterprise_id, _("只有本企业的管理员或安全管理员可以申请核销"))
    errors: dict[str, list[str]] = {}
    _unit_open(unit, errors)
    text = _text(reason, "reason")
    if not text:
        errors["reason"] = [_("请填写核销理由")]
    day = applied_on or _today()
    if day > _today():
        errors["applied_on"] = [_("申请日期不能晚于今天")]
    latest = selectors.deregistration_of(unit)
    if latest is not None and latest.status == DeregistrationStatus.APPLIED:
        errors.setdefault("unit", []).append(_("该单元的核销申请正在审核"))
    _refuse(errors)
    if latest is not None and latest.status == DeregistrationStatus.RETURNED:
        return transition(
            latest,
            DeregistrationAction.REAPPLY,
            actor=actor,
            workflow=DEREGISTRATION,
            comment=text,
            changes={"reason": text, "applied_on": day, "applied_by": _user(actor)},
        )
    row = Deregistration(unit=unit, reason=text, applied_on=day, applied_by=_user(actor))
    try:
        with transaction.atomic():
            return create(row, DeregistrationAction.APPLY, actor=actor, workflow=DEREGISTRATION, comment=text)
    except IntegrityError:
        raise ValidationError({"unit": [_("该单元的核销申请正在审核")]}) from None


def deregistration_review(
    *, actor: Actor, deregistration: Deregistration, accept: bool, comment: str = ""
) -> Deregistration:
    authorize(
        actor,
        lambda u: can_review(u, deregistration.unit.enterprise_id),
        _("只有县级应急管理部门或危险化学品行业主管部门可以审核"),
    )
    text = _text(comment, "comment")
    return transition(
        deregistration,
        DeregistrationAction.ACCEPT if accept else DeregistrationAction.RETURN,
        actor=actor,
        workflow=DEREGISTRATION,
        comment=text,
        changes={"reviewed_by": _user(actor), "reviewed_at": timezone.now(), "review_comment": text},
    )


# ---- drills and facility tests ------------------------------------------------------------------------------


def drill_record(
    *, actor: Actor, enterprise: Enterprise, unit: HazardUnit | None, data: dict[str, Any]
) -> DrillRecord:
    """A drill of the unit's plan, or of the enterprise's (no unit: it counts for all its units)."""
    _may_write(actor, enterprise.pk, _("只有本企业的管理员或安全管理员可以登记应急演练"))
    errors: dict[str, list[str]] = {}
    if unit is not None:
        if unit.enterprise_id != enterprise.pk:
            errors["unit"] = [_("单元须属于该企业")]
        else:
            _unit_open(unit, errors)
    kind = str(data.get("plan_kind") or "")
    if kind not in PlanChoices.values:
        errors["plan_kind"] = [_("请选择预案类型")]
    held = data.get("held_on")
    if not isinstance(held, dt.date):
        errors["held_on"] = [_("请填写演练日期")]
    elif held > _today():
        errors["held_on"] = [_("演练日期不能晚于今天")]
    participants = data.get("participants")
    if not isinstance(participants, int) or isinstance(participants, bool) or participants < 1:
        errors["participants"] = [_("参演人数须为正整数")]
    summary = _text(data.get("summary"), "summary")
    if not summary:
        errors["summary"] = [_("请填写演练情况")]
    _refuse(errors)
    return object_create(
        actor=actor,
        model=DrillRecord,
        data={
            "enterprise": enterprise,
            "unit": unit,
            "plan_kind": kind,
            "held_on": held,
            "participants": participants,
            "summary": summary,
            "recorded_by": _user(actor),
            "recorded_at": timezone.now(),
        },
    )


def facility_test_record(*, actor: Actor, unit: HazardUnit, data: dict[str, Any]) -> FacilityTest:
    """A periodic test of a safety facility; its next due date from the cycle unless given."""
    _may_write(actor, unit.enterprise_id, _("只有本企业的管理员或安全管理员可以登记安全设施检测"))
    errors: dict[str, list[str]] = {}
    _unit_open(unit, errors)
    facility = _text(data.get("facility"), "facility")
    if not facility:
        errors["facility"] = [_("请填写安全设施名称")]
    tested = data.get("tested_on")
    if not isinstance(tested, dt.date):
        errors["tested_on"] = [_("请填写检测日期")]
    elif tested > _today():
        errors["tested_on"] = [_("检测日期不能晚于今天")]
    result = str(data.get("result") or "")
    if result not in TestResult.values:
        errors["result"] = [_("请选择检测结论")]
    cycle = data.get("cycle_months") or 12
    if not isinstance(cycle, int) or isinstance(cycle, bool) or not 1 <= cycle <= 120:
        errors["cycle_months"] = [_("检测周期须为 1–120 个月")]
    next_due = data.get("next_due")
    if next_due is not None and isinstance(tested, dt.date) and next_due <= tested:
        errors["next_due"] = [_("下次检测期限须晚于检测日期")]
    _refuse(errors)
    assert isinstance(tested, dt.date)
    return object_create(
        actor=actor,
        model=FacilityTest,
        data={
            "unit": unit,
            "facility": facility,
            "tested_on": tested,
            "result": result,
            "tested_by": _text(data.get("tested_by"), "tested_by"),
            "cycle_months": cycle,
            "next_due": next_due or rules.test_next_due(tested, cycle),
            "note": _text(data.get("note"), "note"),
            "recorded_by": _user(actor),
            "recorded_at": timezone.now(),
        },
    )


# ---- the daily watch ---------------------------------------------------------------------------------------


@dataclass
class WatchResult:
    day: dt.date
    sent: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "sent": dict(sorted(self.sent.items())),
            "summary": _("%(day)s：发出重大危险源到期提醒 %(n)s 条")
            % {"day": self.day.isoformat(), "n": sum(self.sent.values())},
        }


_KIND_OF_ROW = {
    "reassessment": (LifecycleNoticeKind.REASSESSMENT, "majorhazards.reassessment_due"),
    "filing_late": (LifecycleNoticeKind.FILING, "majorhazards.reassessment_due"),
    "drill": (LifecycleNoticeKind.DRILL, "majorhazards.drill_overdue"),
    "test": (LifecycleNoticeKind.TEST, "majorhazards.test_overdue"),
}


def _message(row: selectors.DueRow, threshold: int) -> str:
    unit = row.unit.name
    if row.kind == "reassessment":
        assert row.due is not None
        if row.days is not None and row.days < 0:
            return _(
                "「%(unit)s」重大危险源重新评估已于 %(due)s 到期，已逾期 %(n)s 天，请立即组织重新评估并备案"
            ) % {
                "unit": unit,
                "due": row.due.isoformat(),
                "n": -row.days,
            }
        if threshold == 0:
            return _("「%(unit)s」重大危险源重新评估今日到期，请立即组织重新评估并备案") % {"unit": unit}
        return _("「%(unit)s」重大危险源重新评估将于 %(due)s 到期（还有 %(n)s 天），请及时安排") % {
            "unit": unit,
            "due": row.due.isoformat(),
            "n": row.days,
        }
    due = row.due.isoformat() if row.due else ""
    return _("「%(unit)s」%(what)s（期限 %(due)s），请尽快办理") % {
        "unit": unit,
        "what": row.label,
        "due": due,
    }


def lifecycle_watch(*, today: dt.date | None = None, actor: Actor = WATCH_ACTOR) -> WatchResult:
    """Send each due lifecycle reminder once: re-assessment 90/30/0 days before it is due (and once overdue
    if every earlier one was missed), a filing late after the assessment, drills and tests overdue.

    Each reminder first inserts its `LifecycleNotice` row, whose unique constraint decides between two runs
    (the same day or two workers at once): only the run whose insert succeeded notifies."""
    day = today or _today()
    cfg = config.lifecycle()
    result = WatchResult(day)
    for row in selectors.due_rows_in(HazardUnit.objects.all(), day):
        if row.kind not in _KIND_OF_ROW or row.due is None:
            continue
        threshold = 0
        if row.kind == "reassessment":
            found = rules.reminder_threshold(row.days or 0, cfg.reminder_days)
            if found is None:
                continue
            threshold = found
        notice_kind, kind = _KIND_OF_ROW[row.kind]
        try:
            with transaction.atomic():
                notice = LifecycleNotice.objects.create(
                    unit=row.unit,
                    kind=notice_kind,
                    subject=row.subject,
                    due=row.due,
                    number=threshold,
                    day=day,
                    sent_at=timezone.now(),
                )
                sent = notify(
                    enterprise_managers(row.unit.enterprise_id),
                    kind,
                    row.unit,
                    _message(row, threshold),
                    url=lifecycle_url(row.unit.pk),
                )
                notice.recipients = len(sent)
                notice.save(update_fields=["recipients"])
                audit.record(
                    actor=actor,
                    action=AuditAction.CREATE,
                    obj=notice,
                    after={
                        "unit": row.unit.pk,
                        "kind": notice_kind,
                        "subject": row.subject,
                        "due": row.due,
                        "days_before": threshold,
                        "recipients": len(sent),
                    },
                    comment=_("重大危险源到期提醒"),
                )
        except IntegrityError:
            continue  # sent already (an earlier run, or another worker right now)
        result.sent[row.kind] += 1
    return result
