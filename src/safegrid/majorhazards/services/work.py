"""Special-work filings (特殊作业报备) and the daily safety commitment (安全承诺公告): every write.

The filing's status moves only through the `SPECIAL_WORK` workflow (core.workflow):

    (new) ─file─▶ filed ─start─▶ in_progress ⇄ paused (pause / resume) ─complete─▶ completed
                     └──────────────┴──────────────┴─cancel─▶ cancelled

Filing, starting (a qualified gas analysis within 30 min for hot work and confined space), pausing,
resuming (refused after a pause over 30 min without a newer qualified analysis), completing and
cancelling are the enterprise's managers' (`hazards.permissions.MANAGER_ROLES`); the day's commitment is
posted by its principal (`hazards.permissions.PRINCIPAL_ROLES`: the legal representative/principal, or the
enterprise admin posting in their name). Every write is atomic, audited, and refuses bad input whole with a
ValidationError naming the field (rules in `rules.work`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safegrid.core import audit
from safegrid.core.audit import Actor, SystemActor
from safegrid.core.choices import AuditAction
from safegrid.core.models import User
from safegrid.core.scoping import restrict
from safegrid.core.services import authorize, object_create, object_update
from safegrid.core.workflow import NEW, Step, Workflow, by_scope, create, transition
from safegrid.enterprises.models import Enterprise
from safegrid.hazards import deadline_watch
from safegrid.hazards import permissions as hazard_permissions
from safegrid.notifications.services import notify

from .. import work_config
from ..models import (
    CommitmentBoard,
    CommitmentNotice,
    GasAnalysis,
    HazardUnit,
    SafetyCommitment,
    SpecialWork,
    SpecialWorkTransition,
    WorkPause,
)
from ..models.work import SpecialWorkStatus
from ..rules import work as rules
from ..selectors.lifecycle import active_units

S = SpecialWorkStatus
MANAGER_ROLES: Final = hazard_permissions.MANAGER_ROLES
PRINCIPAL_ROLES: Final = hazard_permissions.PRINCIPAL_ROLES
NOT_MANAGER: Final = _("只有本企业的管理员或安全管理员可以报备和管理特殊作业")
NOT_PRINCIPAL: Final = _("安全承诺公告须由本企业主要负责人（或企业管理员代为）发布")


# ---- who may ----------------------------------------------------------------------------------------


def can_manage_work(user: Any, enterprise_id: int | None) -> bool:
    return hazard_permissions.is_manager(user, enterprise_id)


def can_post_commitment(user: Any, enterprise_id: int | None) -> bool:
    return hazard_permissions.is_principal(user, enterprise_id)


def can_issue_board(user: Any, enterprise_id: int | None) -> bool:
    return can_manage_work(user, enterprise_id) or can_post_commitment(user, enterprise_id)


# ---- the workflow -------------------------------------------------------------------------------------


def _may_manage(scope: Any, work: SpecialWork) -> bool:
    return bool(scope.has_role(*MANAGER_ROLES, enterprise_id=work.enterprise_id))


MANAGE: Final = by_scope(_may_manage)

SPECIAL_WORK: Final = Workflow(
    model=SpecialWork,
    states=SpecialWorkStatus,
    transitions={
        (NEW, "file"): S.FILED,
        (S.FILED, "start"): S.IN_PROGRESS,
        (S.IN_PROGRESS, "pause"): S.PAUSED,
        (S.PAUSED, "resume"): S.IN_PROGRESS,
        (S.IN_PROGRESS, "complete"): S.COMPLETED,
        (S.PAUSED, "complete"): S.COMPLETED,
        (S.FILED, "cancel"): S.CANCELLED,
        (S.IN_PROGRESS, "cancel"): S.CANCELLED,
        (S.PAUSED, "cancel"): S.CANCELLED,
    },
    steps={
        "file": Step(_("报备"), allowed=MANAGE, denied=NOT_MANAGER),
        "start": Step(_("开始作业"), allowed=MANAGE, denied=NOT_MANAGER),
        "pause": Step(_("作业中断"), allowed=MANAGE, denied=NOT_MANAGER),
        "resume": Step(_("恢复作业"), allowed=MANAGE, denied=NOT_MANAGER),
        "complete": Step(_("完工"), allowed=MANAGE, denied=NOT_MANAGER),
        "cancel": Step(_("取消作业"), allowed=MANAGE, denied=NOT_MANAGER, comment_required=True),
    },
    log=SpecialWorkTransition,
    log_fk="work",
)

# The moves a page or the API offers by name (file is the form itself).
MOVES: Final = ("start", "pause", "resume", "complete", "cancel")


# ---- filing -----------------------------------------------------------------------------------------

FILING_FIELDS: Final = (
    "unit",
    "work_type",
    "grade",
    "content",
    "place",
    "latitude",
    "longitude",
    "start",
    "end",
    "permit_number",
    "watcher_name",
    "watcher_phone",
    "video_channel",
)


def _float(value: Any) -> float | None:
    return None if value is None or value == "" else float(value)


def _home(enterprise: Enterprise) -> tuple[float, float] | None:
    lat, lon = getattr(enterprise, "lat", None), getattr(enterprise, "lon", None)
    return None if lat is None or lon is None else (float(lat), float(lon))


def special_work_file(*, actor: Actor, enterprise: Enterprise, data: Mapping[str, Any]) -> SpecialWork:
    """File a special work (特殊作业报备); refused whole when its type/grade, interval or place is wrong."""
    authorize(actor, lambda u: can_manage_work(u, enterprise.pk), str(NOT_MANAGER))
    values = {name: data.get(name) for name in FILING_FIELDS if name in data}
    values["grade"] = values.get("grade") or ""
    problems = rules.filing_problems(
        work_type=str(values.get("work_type") or ""),
        grade=str(values["grade"]),
        start=values.get("start"),
        end=values.get("end"),
        lat=_float(values.get("latitude")),
        lon=_float(values.get("longitude")),
        home=_home(enterprise),
        limits=work_config.limits(),
    )
    unit = values.get("unit")
    if unit is not None and (not isinstance(unit, HazardUnit) or unit.enterprise_id != enterprise.pk):
        problems["unit"] = gettext("所在单元须为本企业的单元")
    permit = str(values.get("permit_number") or "")
    if permit and SpecialWork.objects.filter(enterprise=enterprise, permit_number=permit).exists():
        problems["permit_number"] = gettext("本企业已有编号为 %(permit)s 的作业票报备") % {"permit": permit}
    if problems:
        raise ValidationError(problems)
    for name in ("latitude", "longitude"):
        if values.get(name) is not None:
            values[name] = Decimal(str(values[name])).quantize(Decimal("0.000001"))
    work = SpecialWork(
        enterprise=enterprise,
        filed_by=actor if isinstance(actor, User) else None,
        filed_at=timezone.now(),
        **values,
    )
    return create(work, "file", actor=actor, workflow=SPECIAL_WORK)


def _analyses(work: SpecialWork) -> list[rules.Analysis]:
    return [rules.Analysis(a.at, a.qualified) for a in GasAnalysis.objects.filter(work=work)]


def gas_analysis_record(
    *,
    actor: Actor,
    work: SpecialWork,
    at: dt.datetime,
    location: str,
    result: str,
    qualified: bool,
    analyst: str,
) -> GasAnalysis:
    """Record a gas analysis of the work (before it starts, during it or after a pause)."""
    authorize(actor, lambda u: can_manage_work(u, work.enterprise_id), str(NOT_MANAGER))
    problems: dict[str, str] = {}
    if work.status in {S.COMPLETED, S.CANCELLED}:
        problems["status"] = gettext("作业已结束，不能再记录气体分析")
    if at is not None and at > timezone.now() + dt.timedelta(minutes=5):
        problems["at"] = gettext("分析时间不能晚于当前时间")
    if problems:
        raise ValidationError(problems)
    return object_create(
        actor=actor,
        model=GasAnalysis,
        data={
            "work": work,
            "at": at,
            "location": location,
            "result": result,
            "qualified": qualified,
            "analyst": analyst,
            "recorded_by": actor if isinstance(actor, User) else None,
            "recorded_at": timezone.now(),
        },
    )


def special_work_start(*, actor: Actor, work: SpecialWork, comment: str = "") -> SpecialWork:
    """Start the work; hot work and confined space need a qualified analysis within 30 min."""
    now = timezone.now()

    def check(locked: SpecialWork) -> None:
        problem = rules.start_problem(locked.work_type, _analyses(locked), now, work_config.limits())
        if problem:
            raise ValidationError({"analyses": problem})

    return transition(
        work,
        "start",
        actor=actor,
        workflow=SPECIAL_WORK,
        comment=comment,
        changes={"started_at": now},
        prepare=check,
    )


def special_work_pause(*, actor: Actor, work: SpecialWork, reason: str = "") -> SpecialWork:
    """Interrupt the work: a pause row from now until it resumes."""
    with transaction.atomic():
        moved = transition(work, "pause", actor=actor, workflow=SPECIAL_WORK, comment=reason)
        object_create(
            actor=actor, model=WorkPause, data={"work": moved, "start": timezone.now(), "reason": reason}
        )
    return moved


def special_work_resume(*, actor: Actor, work: SpecialWork, comment: str = "") -> SpecialWork:
    """Resume paused work; after a pause over 30 min only with a qualified analysis taken since it began."""
    now = timezone.now()
    with transaction.atomic():

        def check(locked: SpecialWork) -> None:
            pause = WorkPause.objects.select_for_update().filter(work=locked, end__isnull=True).last()
            if pause is None:
                return
            problem = rules.resume_problem(
                locked.work_type,
                rules.Pause(pause.start),
                _analyses(locked),
                now,
                work_config.limits(),
            )
            if problem:
                raise ValidationError({"analyses": problem})

        moved = transition(work, "resume", actor=actor, workflow=SPECIAL_WORK, comment=comment, prepare=check)
        pause = WorkPause.objects.filter(work=moved, end__isnull=True).last()
        if pause is not None:
            object_update(actor=actor, obj=pause, data={"end": now})
    return moved


def _close_pause(actor: Actor, work: SpecialWork, now: dt.datetime) -> None:
    pause = WorkPause.objects.filter(work=work, end__isnull=True).last()
    if pause is not None:
        object_update(actor=actor, obj=pause, data={"end": now})


def special_work_complete(*, actor: Actor, work: SpecialWork, comment: str = "") -> SpecialWork:
    now = timezone.now()
    with transaction.atomic():
        moved = transition(
            work,
            "complete",
            actor=actor,
            workflow=SPECIAL_WORK,
            comment=comment,
            changes={"finished_at": now},
        )
        _close_pause(actor, moved, now)
    return moved


def special_work_cancel(*, actor: Actor, work: SpecialWork, comment: str) -> SpecialWork:
    now = timezone.now()
    with transaction.atomic():
        moved = transition(
            work, "cancel", actor=actor, workflow=SPECIAL_WORK, comment=comment, changes={"finished_at": now}
        )
        _close_pause(actor, moved, now)
    return moved


def special_work_move(*, actor: Actor, work: SpecialWork, action: str, comment: str = "") -> SpecialWork:
    """One of MOVES by name (pages and the API)."""
    if action == "start":
        return special_work_start(actor=actor, work=work, comment=comment)
    if action == "pause":
        return special_work_pause(actor=actor, work=work, reason=comment)
    if action == "resume":
        return special_work_resume(actor=actor, work=work, comment=comment)
    if action == "complete":
        return special_work_complete(actor=actor, work=work, comment=comment)
    if action == "cancel":
        return special_work_cancel(actor=actor, work=work, comment=comment)
    raise ValidationError({"action": gettext("未知的操作")})


# ---- the commitment -----------------------------------------------------------------------------------


def county_tz() -> dt.tzinfo:
    return timezone.get_default_timezone()


def must_post_q(prefix: str = "") -> Q:
    """Enterprises that post the daily commitment: those with a major hazard source still in force (not
    deregistered, 核销)."""
    sources = active_units(HazardUnit.objects.filter(enterprise=OuterRef(f"{prefix}pk"), is_major=True))
    return Q(Exists(sources))


def must_post(enterprise: Enterprise) -> bool:
    return active_units(HazardUnit.objects.filter(enterprise=enterprise, is_major=True)).exists()


def day_filings(enterprise_ids: Any, day: dt.date) -> QuerySet[SpecialWork]:
    """The (not cancelled) filings whose interval touches the county `day`, unscoped (callers scope)."""
    lo, hi = rules.day_bounds(day, county_tz())
    return SpecialWork.objects.filter(enterprise_id__in=enterprise_ids, start__lt=hi, end__gt=lo).exclude(
        status=S.CANCELLED
    )


def filed_counts(enterprise_ids: Any, day: dt.date) -> dict[int, rules.WorkCounts]:
    """The day's derived counts per enterprise (one query)."""
    intervals: dict[int, list[rules.Interval]] = defaultdict(list)
    for eid, work_type, grade, start, end in day_filings(enterprise_ids, day).values_list(
        "enterprise_id", "work_type", "grade", "start", "end"
    ):
        intervals[eid].append(rules.Interval(work_type, grade, start, end))
    ids = enterprise_ids if isinstance(enterprise_ids, list | tuple | set | frozenset) else intervals.keys()
    return {eid: rules.day_counts(intervals.get(eid, []), day, county_tz()) for eid in ids}


def units_prefill(enterprise: Enterprise) -> dict[str, int]:
    """Units total from the enterprise's major hazard units; all counted running until the principal says
    otherwise (the platform does not know which units are stopped or under maintenance)."""
    total = HazardUnit.objects.filter(enterprise=enterprise, is_major=True).count()
    return {"units_total": total, "units_running": total, "units_stopped": 0, "units_maintenance": 0}


DEFAULT_TEXT: Final = (
    "今天我公司已进行安全风险研判，各项安全风险防控措施已落实到位，"
    "我承诺所有生产装置处于安全运行状态，罐区、仓库等重大危险源安全风险得到有效管控。"
)


def commitment_prefill(enterprise: Enterprise, day: dt.date) -> dict[str, Any]:
    """What the form starts with: unit counts from the units, special-work counts from the filings."""
    counts = filed_counts([enterprise.pk], day)[enterprise.pk]
    return {
        **units_prefill(enterprise),
        **counts.as_dict(),
        "trial_production": False,
        "startup_shutdown": False,
        "sources_safe": True,
        "commitment_text": DEFAULT_TEXT,
        "principal_name": enterprise.principal or enterprise.legal_rep or "",
    }


COMMITMENT_FIELDS: Final = (
    "units_total",
    "units_running",
    "units_stopped",
    "units_maintenance",
    *rules.COUNT_FIELDS,
    "trial_production",
    "startup_shutdown",
    "sources_safe",
    "commitment_text",
    "principal_name",
    "explanation",
)


def commitment_post(
    *, actor: Actor, enterprise: Enterprise, day: dt.date, data: Mapping[str, Any]
) -> SafetyCommitment:
    """Post the day's commitment once. Counts that differ from the day's filings need an explanation
    naming why (refused otherwise, the fields named); the unit counts must add up; a future day is
    refused; after the county's deadline it is marked late."""
    authorize(actor, lambda u: can_post_commitment(u, enterprise.pk), str(NOT_PRINCIPAL))
    now = timezone.now()
    local = timezone.localtime(now, county_tz())
    values: dict[str, Any] = {name: data.get(name) for name in COMMITMENT_FIELDS if name in data}
    numbers: dict[str, int] = {
        name: int(values.get(name) or 0)
        for name in (
            "units_total",
            "units_running",
            "units_stopped",
            "units_maintenance",
            *rules.COUNT_FIELDS,
        )
    }
    values.update(numbers)
    values["explanation"] = (values.get("explanation") or "").strip()
    problems: dict[str, str] = {}
    if day > local.date():
        problems["day"] = gettext("不能发布今后日期的安全承诺公告")
    if not must_post(enterprise):
        problems["day"] = gettext("本企业没有登记构成重大危险源的单元，无需发布安全承诺公告")
    units = rules.units_problem(
        numbers["units_total"],
        numbers["units_running"],
        numbers["units_stopped"],
        numbers["units_maintenance"],
    )
    if units:
        problems["units_total"] = units
    with transaction.atomic():
        Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()  # one post per day at a time
        if SafetyCommitment.objects.filter(enterprise=enterprise, day=day).exists():
            problems["day"] = gettext("%(day)s 的安全承诺公告已发布") % {"day": day.isoformat()}
        derived = filed_counts([enterprise.pk], day)[enterprise.pk]
        differences = rules.count_differences(derived, numbers)
        if differences and not values["explanation"]:
            problems["explanation"] = rules.DIFFERENCE_NEEDS_EXPLANATION % {
                "fields": rules.difference_text(derived, numbers, differences)
            }
        if problems:
            raise ValidationError(problems)
        return object_create(
            actor=actor,
            model=SafetyCommitment,
            data={
                **values,
                "enterprise": enterprise,
                "day": day,
                "filed_counts": derived.as_dict(),
                "differences": differences,
                "posted_at": now,
                "posted_by": actor if isinstance(actor, User) else None,
                "late": rules.is_late(local, day, work_config.commitment_deadline()),
            },
        )


# ---- the public board ------------------------------------------------------------------------------


def new_board_token() -> str:
    return secrets.token_urlsafe(24)


def board_issue(*, actor: Actor, enterprise: Enterprise) -> CommitmentBoard:
    """Issue the enterprise's public board address, or a new one (the old address stops working)."""
    authorize(actor, lambda u: can_issue_board(u, enterprise.pk), str(NOT_MANAGER))
    with transaction.atomic():
        existing = CommitmentBoard.objects.select_for_update().filter(enterprise=enterprise).first()
        row = existing or CommitmentBoard(enterprise=enterprise)
        row.token = new_board_token()
        row.issued_at = timezone.now()
        row.issued_by = actor if isinstance(actor, User) else None
        row.save()
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE if existing else AuditAction.CREATE,
            obj=row,
            after={"enterprise": enterprise.pk, "issued_at": row.issued_at},
            comment=gettext("重新签发承诺公告屏地址（原地址作废）")
            if existing
            else gettext("签发承诺公告屏地址"),
        )
    return row


# ---- the daily watch: commitments not posted by the deadline ----------------------------------------------

WATCH_ACTOR: Final = SystemActor("job:majorhazards.commitment_watch")


def missing_enterprises(user: Any, day: dt.date, now: dt.datetime | None = None) -> QuerySet[Enterprise]:
    """Enterprises (in `user`'s scope; all for None) that must post and have not posted `day`'s commitment
    although its deadline has passed (empty before the deadline)."""
    local = timezone.localtime(now or timezone.now(), county_tz())
    qs = Enterprise.objects.all() if user is None else restrict(Enterprise.objects.all(), user)
    if not rules.deadline_passed(local, day, work_config.commitment_deadline()):
        return qs.none()
    posted = SafetyCommitment.objects.filter(enterprise=OuterRef("pk"), day=day)
    return qs.filter(must_post_q()).exclude(Exists(posted))


@dataclass
class WatchResult:
    day: dt.date
    skipped: bool = False
    missing: int = 0
    regulators: int = 0
    enterprises: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "missing": self.missing,
            "summary": gettext("%(day)s：新增未按时发布安全承诺公告的企业 %(n)s 家")
            % {"day": self.day.isoformat(), "n": self.missing},
        }


def _missing_url(day: dt.date) -> str:
    return f"{reverse('majorhazards:commitments')}?day={day.isoformat()}&state=missing"


def commitment_watch(*, now: dt.datetime | None = None, actor: Actor = WATCH_ACTOR) -> WatchResult:
    """After the deadline: tell each enterprise that has not posted today's commitment (once per day, the
    unique CommitmentNotice row decides between two runs), and each of their regulators once with how
    many; the regulator's list (`missing_enterprises`) shows them at once."""
    current = now or timezone.now()
    day = timezone.localtime(current, county_tz()).date()
    result = WatchResult(day)
    if not rules.deadline_passed(
        timezone.localtime(current, county_tz()), day, work_config.commitment_deadline()
    ):
        result.skipped = True
        return result
    new: list[Enterprise] = []
    text = gettext("%(day)s 的安全承诺公告截止 %(deadline)s 尚未发布，请主要负责人尽快发布") % {
        "day": day.isoformat(),
        "deadline": work_config.commitment_deadline().strftime("%H:%M"),
    }
    for enterprise in missing_enterprises(None, day, current).order_by("pk"):
        try:
            with transaction.atomic():
                notice = CommitmentNotice.objects.create(enterprise=enterprise, day=day, sent_at=current)
                people = deadline_watch.enterprise_users(enterprise.pk, MANAGER_ROLES | PRINCIPAL_ROLES)
                rows = notify(
                    people,
                    "majorhazards.commitment_missing",
                    enterprise,
                    text,
                    url=reverse("majorhazards:commitment_new"),
                )
                notice.recipients = len(rows)
                notice.save(update_fields=["recipients"])
                audit.record(
                    actor=actor,
                    action=AuditAction.CREATE,
                    obj=notice,
                    after={"day": day.isoformat(), "recipients": len(rows)},
                    comment=gettext("安全承诺公告逾期未发布"),
                )
        except IntegrityError:
            continue
        new.append(enterprise)
    result.missing = len(new)
    result.enterprises = [e.pk for e in new]
    counts: dict[int, int] = defaultdict(int)
    people_by_pk: dict[int, User] = {}
    for enterprise in new:
        for user in {
            *deadline_watch.town_officers(enterprise),
            *deadline_watch.county_regulators(enterprise),
        }:
            counts[user.pk] += 1
            people_by_pk[user.pk] = user
    for pk, count in counts.items():
        notify(
            [people_by_pk[pk]],
            "majorhazards.commitment_missing",
            None,
            gettext("%(day)s 辖区内 %(n)s 家重大危险源企业未按时发布安全承诺公告")
            % {"day": day.isoformat(), "n": count},
            url=_missing_url(day),
        )
    result.regulators = len(counts)
    return result
