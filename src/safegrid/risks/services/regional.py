"""Regional risk (区域风险) and site plan writes behind the four-colour map.

`regional_propose` computes every town's and village's proposed level for a year from ONE aggregate
query and upserts the RegionalRisk rows; `regional_adjust` lets a county user set the final level
with a reason. Both are atomic and audited. `site_plan_upload` stores an enterprise's site plan.
Method: `rules.regional` (REGIONAL/2); `regional_settings_save` stores a county's configuration of it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from safegrid.core import audit
from safegrid.core.audit import Actor
from safegrid.core.choices import AuditAction, Role
from safegrid.core.models import RoleAssignment, User
from safegrid.core.services import object_create, object_update
from safegrid.enterprises.models import Enterprise
from safegrid.notifications.services import notify
from safegrid.regions.models import Division

from ..models import RegionalReviewReminder, RegionalRisk, RiskSettings
from ..models.siteplan import SITE_PLAN_EXTENSIONS, SITE_PLAN_MAX_BYTES, EnterpriseSitePlan
from ..permissions import can_configure_regional_risk, can_edit_register, can_set_regional_risk
from ..rules import regional as rr
from ..selectors.regional import COUNTY_CODE_LENGTH, enterprise_level_counts, regional_configs, roll_up


@dataclass(frozen=True)
class ProposeResult:
    year: int
    created: int
    updated: int
    unchanged: int
    by_level: dict[int, int]


TermSource = Callable[[], Mapping[str, int]]
"""Division code (enterprise division, any depth) -> count of an extra term, e.g. major hazard sources."""

_TERM_SOURCES: dict[rr.ExtraTerm, TermSource] = {}


def register_term_source(term: rr.ExtraTerm, source: TermSource) -> None:
    """The extension point of REGIONAL/2: an app supplies per-division counts of a named extra term.

    Call it from the app's `AppConfig.ready()` (e.g. hazards for `MAJOR_HAZARD_SOURCES`); counts are
    rolled up to towns and villages like enterprises. The term's weight is county configuration
    (`RegionalConfig.extra_weights`, 0 until configured), so connecting a source changes no colour
    by itself; every basis records the term's count and weight from then on.
    """
    _TERM_SOURCES[rr.ExtraTerm(term)] = source


def unregister_term_source(term: rr.ExtraTerm) -> None:
    _TERM_SOURCES.pop(rr.ExtraTerm(term), None)


def _extra_counts() -> dict[rr.ExtraTerm, dict[str, int]]:
    return {term: roll_up(source().items()) for term, source in _TERM_SOURCES.items()}


def _actor_user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def regional_propose(*, actor: Actor, year: int) -> ProposeResult:
    """Propose the level of every town and village for `year` (method REGIONAL/2, with each county's
    configuration) and upsert the RegionalRisk rows.

    A row that a person has decided (`adjusted`) keeps its final level; only its proposal and basis
    move. Every created or changed row is audited.
    """
    if isinstance(actor, User) and not can_set_regional_risk(actor):
        raise PermissionDenied(gettext("您没有确定区域风险等级的权限"))
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": gettext("年度须在 2000–2100 之间")})
    counts = enterprise_level_counts()
    extra = _extra_counts()
    configs = regional_configs()
    today = timezone.localdate()
    now = timezone.now()
    divisions = list(
        Division.objects.filter(level__in=("town", "village")).order_by("code").values_list("code", flat=True)
    )
    created = updated = unchanged = 0
    by_level: dict[int, int] = defaultdict(int)
    with transaction.atomic():
        existing = {r.division_id: r for r in RegionalRisk.objects.select_for_update().filter(year=year)}
        for code in divisions:
            division_counts = counts.get(code, {})
            proposal = rr.propose(
                {lvl: n for lvl, n in division_counts.items() if lvl is not None},
                unassessed=division_counts.get(None, 0),
                config=configs.get(code[:COUNTY_CODE_LENGTH], rr.DEFAULT_CONFIG),
                extra={term: by_code.get(code, 0) for term, by_code in extra.items()},
            )
            basis = proposal.basis()
            row = existing.get(code)
            if row is None:
                row = RegionalRisk(
                    division_id=code,
                    year=year,
                    proposed_level=proposal.level,
                    proposal_basis=basis,
                    level=proposal.level,
                    decided_at=now,
                    decided_by=_actor_user(actor),
                    next_review_on=rr.next_review(proposal.level, today),
                    method_version=rr.METHOD_VERSION,
                )
                row.full_clean(validate_unique=False)
                row.save(force_insert=True)
                audit.record(actor=actor, action=AuditAction.CREATE, obj=row, after=audit.snapshot(row))
                created += 1
            else:
                before = audit.snapshot(row)
                row.proposed_level = proposal.level
                row.proposal_basis = basis
                row.method_version = rr.METHOD_VERSION
                if not row.adjusted and row.level != proposal.level:
                    row.level = proposal.level
                    row.decided_at = now
                    row.decided_by = _actor_user(actor)
                    row.next_review_on = rr.next_review(proposal.level, today)
                after = audit.snapshot(row)
                changed = sorted(k for k in after if before.get(k) != after.get(k))
                if changed:
                    row.save()
                    audit.record(
                        actor=actor,
                        action=AuditAction.UPDATE,
                        obj=row,
                        before={k: before.get(k) for k in changed},
                        after={k: after[k] for k in changed},
                    )
                    updated += 1
                else:
                    unchanged += 1
            by_level[row.level or 4] += 1
    return ProposeResult(year, created, updated, unchanged, dict(by_level))


REGIONAL_SETTINGS_FIELDS = (
    "regional_weight_major",
    "regional_weight_large",
    "regional_weight_general",
    "regional_weight_low",
    "regional_red",
    "regional_orange",
    "regional_yellow",
    "regional_min_base",
)


def regional_settings_save(*, actor: Actor, county_code: str, data: Mapping[str, Any]) -> RiskSettings:
    """The county admin sets the county's REGIONAL/2 weights, thresholds and base floor (audited).

    Takes effect at the next proposal run; rows already proposed keep the basis they were computed with.
    """
    if isinstance(actor, User) and not can_configure_regional_risk(actor):
        raise PermissionDenied(gettext("只有县级管理员可以修改区域风险计算设置"))
    unknown = sorted(set(data) - set(REGIONAL_SETTINGS_FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: gettext("该字段不属于区域风险计算设置")})
    if not Division.objects.filter(code=county_code, level="county").exists():
        raise ValidationError({"county": gettext("须选择县级行政区划")})
    with transaction.atomic():
        existing = RiskSettings.objects.select_for_update().filter(county_id=county_code).first()
        if existing is None:
            return object_create(actor=actor, model=RiskSettings, data={**data, "county_id": county_code})
        return object_update(actor=actor, obj=existing, data=data)


def regional_adjust(*, actor: Actor, regional_risk: RegionalRisk, level: Any, reason: str) -> RegionalRisk:
    """A county user sets the final level of a region, with a reason (required), and so decides it.

    Setting the level (even to the proposed one) marks the row as decided by a person: a later
    proposal run no longer changes its level. The next review is counted from today.
    """
    if not can_set_regional_risk(actor):
        raise PermissionDenied(gettext("您没有确定区域风险等级的权限"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("请填写确定或调整区域风险等级的理由")})
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in rr.LEVELS:
        raise ValidationError({"level": gettext("区域风险等级须为 1–4")})
    return object_update(
        actor=actor,
        obj=regional_risk,
        data={
            "level": level,
            "adjusted": True,
            "reason": reason,
            "decided_by": _actor_user(actor),
            "decided_at": timezone.now(),
            "next_review_on": rr.next_review(level, timezone.localdate()),
        },
    )


# ---- review reminders ----------------------------------------------------------------------------

REVIEW_KIND = "risks.regional_review_due"


def _review_recipients(code: str) -> list[User]:
    """Who answers for a region's review: the county's admins and officers, and the officers of its town."""
    county, town = code[:COUNTY_CODE_LENGTH], code[: COUNTY_CODE_LENGTH + 3]
    assignments = RoleAssignment.objects.filter(user__is_active=True).filter(
        Q(role__in=(Role.COUNTY_ADMIN, Role.COUNTY_OFFICER))
        & (Q(division_id=county) | Q(division__isnull=True))
        | Q(role=Role.TOWN_OFFICER, division_id=town)
    )
    return list({a.user_id: a.user for a in assignments.select_related("user")}.values())


def _review_text(row: RegionalRisk, days: int, day: dt.date) -> str:
    colour = "红色（重大）" if row.level == 1 else "橙色（较大）"
    assert row.next_review_on is not None
    if days:
        when = f"将于 {row.next_review_on:%Y-%m-%d} 到期复核（还有 {(row.next_review_on - day).days} 天）"
    elif row.next_review_on < day:
        when = f"复核已于 {row.next_review_on:%Y-%m-%d} 到期，已逾期 {(day - row.next_review_on).days} 天"
    else:
        when = "今天到期复核"
    return f"{row.division.name} {row.year} 年度区域风险为{colour}，{when}：请分析研判并确定等级"


def regional_review_reminders_send(*, day: dt.date) -> dict[int, int]:
    """Send the review reminders of red/orange regions due on `day` that were not sent before.

    Each (region row, review date, threshold) is reminded once: the `RegionalReviewReminder` row is
    inserted first and its unique constraint decides between two runs; only the run whose insert
    succeeded notifies. The reminder rows and notifications are not audited (no county data changes).
    """
    widest = max(rr.REVIEW_REMINDER_DAYS)
    due = (
        RegionalRisk.objects.filter(
            level__in=sorted(rr.ALERT_LEVELS), next_review_on__lte=day + dt.timedelta(days=widest)
        )
        .select_related("division")
        .order_by("next_review_on", "pk")
    )
    sent = dict.fromkeys(rr.REVIEW_REMINDER_DAYS, 0)
    for row in due:
        assert row.next_review_on is not None
        days = rr.review_reminder((row.next_review_on - day).days)
        if days is None:
            continue
        try:
            with transaction.atomic():
                RegionalReviewReminder.objects.create(
                    regional_risk=row, due_on=row.next_review_on, days_before=days
                )
                notify(
                    _review_recipients(row.division_id),
                    REVIEW_KIND,
                    row,
                    _review_text(row, days, day),
                    url=reverse("risks:regional_adjust", args=[row.pk]),
                )
        except IntegrityError:
            continue  # already reminded (an earlier run, or another worker right now)
        sent[days] += 1
    return sent


IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg"}

MAX_PLAN_PIXELS = 40_000_000  # refuse decompression bombs before decoding


def _image_size(upload: UploadedFile) -> tuple[int, int]:
    from PIL import Image, UnidentifiedImageError

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            fmt = image.format or ""
            width, height = image.size
            if fmt not in IMAGE_FORMATS:
                raise ValidationError({"image": gettext("平面图须为 PNG 或 JPG 图片")})
            if width * height > MAX_PLAN_PIXELS:
                raise ValidationError({"image": gettext("平面图像素过多（不超过 4000 万像素）")})
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError({"image": gettext("无法识别的图片文件，请上传 PNG 或 JPG")}) from exc
    finally:
        upload.seek(0)
    return width, height


def site_plan_upload(*, actor: Actor, enterprise: Enterprise, image: UploadedFile) -> EnterpriseSitePlan:
    """Store (or replace) an enterprise's site plan: PNG/JPG up to 5 MB; its pixel size is kept."""
    if isinstance(actor, User) and not can_edit_register(actor, enterprise.pk):
        raise PermissionDenied(gettext("您没有上传该企业平面图的权限"))
    if image is None:
        raise ValidationError({"image": gettext("请选择平面图文件")})
    if image.size is not None and image.size > SITE_PLAN_MAX_BYTES:
        raise ValidationError({"image": gettext("平面图不能超过 5 MB")})
    extension = (image.name or "").rsplit(".", 1)[-1].lower()
    if extension not in SITE_PLAN_EXTENSIONS:
        raise ValidationError({"image": gettext("平面图须为 PNG 或 JPG 图片")})
    width, height = _image_size(image)
    data = {"image": image, "width": width, "height": height, "uploaded_by": _actor_user(actor)}
    with transaction.atomic():
        existing = EnterpriseSitePlan.objects.select_for_update().filter(enterprise=enterprise).first()
        if existing is None:
            return object_create(
                actor=actor, model=EnterpriseSitePlan, data={**data, "enterprise": enterprise}
            )
        old = existing.image.name
        plan = object_update(actor=actor, obj=existing, data=data)
        if old and old != plan.image.name:
            storage = plan.image.storage
            transaction.on_commit(lambda: storage.delete(old))
        return plan
