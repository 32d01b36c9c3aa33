"""Writes of checklists (检查表), checkpoints and the ad-hoc inspections built from a checklist.

- `checklist_save`: create or edit a county or enterprise checklist, its items replaced whole (audited with
  the items before and after); shipped lists are read-only.
- `checklist_import` / `checklist_export`: a checklist's items as one Excel sheet through the core Excel
  kit (the same columns both ways, so an export imports back unchanged), checked whole before anything is
  written.
- `inspection_from_checklist`: an ad-hoc, seasonal, holiday, before-restart, specialist or expert
  inspection (the `dangerSrc` kinds) for one enterprise: a one-off task holding the checklist's items and
  their major-hazard criteria, with one occurrence (its window) to check.
- `checkpoint_issue`: the secret token of a risk point's checkpoint (QR code / NFC tag); reissuing revokes
  the printed one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safegrid.core import audit, excel
from safegrid.core.audit import Actor
from safegrid.core.choices import AuditAction
from safegrid.core.models import User
from safegrid.core.services import authorize
from safegrid.enterprises.models import Enterprise, OrgUnit
from safegrid.regions.models import Sector
from safegrid.risks.models import RiskPoint

from . import permissions
from .choices import CycleUnit, OccurrenceStatus
from .models import (
    ChecklistItem,
    ChecklistTemplate,
    Checkpoint,
    InspectionTask,
    MajorCriterion,
    TaskOccurrence,
)
from .rules.checklists import ItemIn, item_problems

TEMPLATE_FIELDS = ("name", "sector_code", "kind", "basis", "description", "active")
# The kinds an inspection from a checklist may have (dangerSrc): not 1 daily (from the register's
# measures) nor 9 (a control measure failed, found by the daily checks).
ADHOC_KINDS = frozenset({2, 3, 4, 5, 6, 7, 8, 10})


def _known_criteria() -> dict[str, MajorCriterion]:
    return {c.code: c for c in MajorCriterion.objects.filter(active=True)}


def _items_snapshot(items: Sequence[ItemIn]) -> list[dict[str, str]]:
    return [{"code": i.code, "text": i.text, "basis": i.basis, "criterion": i.criterion} for i in items]


def items_of(template: ChecklistTemplate) -> list[ItemIn]:
    return [
        ItemIn(i.code, i.text, i.basis, i.criterion.code if i.criterion_id and i.criterion else "")
        for i in template.items.select_related("criterion").order_by("number")
    ]


def checklist_save(
    *,
    actor: Actor,
    data: Mapping[str, Any],
    items: Sequence[ItemIn],
    template: ChecklistTemplate | None = None,
    enterprise: Enterprise | None = None,
) -> ChecklistTemplate:
    """Create (`template` None, owned by `enterprise` or the county) or edit a checklist; items replaced."""
    owner_id = template.enterprise_id if template is not None else (enterprise.pk if enterprise else None)
    authorize(
        actor,
        lambda u: permissions.can_edit_checklist(u, owner_id),
        _("您不能编辑该检查表") if owner_id else _("只有县级管理人员可以编辑县级检查表"),
    )
    if template is not None and template.shipped_code:
        raise ValidationError({"__all__": [_("内置检查表不能修改；可导出后作为新检查表导入")]})
    unknown = sorted(set(data) - set(TEMPLATE_FIELDS))
    if unknown:
        raise ValueError(f"unexpected checklist fields: {unknown}")
    errors: dict[str, list[str]] = {}
    row = template or ChecklistTemplate(
        enterprise=enterprise, created_by=actor if isinstance(actor, User) else None
    )
    before = (
        None
        if template is None
        else {**_template_snapshot(template), "items": _items_snapshot(items_of(template))}
    )
    for key in TEMPLATE_FIELDS:
        if key in data:
            setattr(row, key, data[key])
    if row.sector_code and not Sector.objects.filter(code=row.sector_code).exists():
        errors["sector_code"] = [_("行业不存在")]
    known = _known_criteria()
    for index, problems in sorted(item_problems(items, frozenset(known)).items()):
        label = _("检查项") if index < 0 else _("第 %(n)s 项") % {"n": index + 1}
        errors.setdefault("items", []).extend(f"{label}：{p}" for p in problems)
    try:
        row.full_clean(exclude=["enterprise", "created_by"])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row.save()
        row.items.all().delete()
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                template=row,
                number=n,
                code=i.code.strip(),
                text=i.text.strip(),
                basis=i.basis.strip(),
                criterion=known.get(i.criterion) if i.criterion else None,
            )
            for n, i in enumerate(items, start=1)
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
            obj=row,
            before=before,
            after={**_template_snapshot(row), "items": _items_snapshot(items)},
            comment=_("新建检查表") if before is None else _("修改检查表"),
        )
    return row


def _template_snapshot(t: ChecklistTemplate) -> dict[str, Any]:
    return {k: getattr(t, k) for k in TEMPLATE_FIELDS}


# ---- Excel: one sheet of items, the same both ways ---------------------------------------------------

SHEET = excel.SheetSpec(
    "检查项",
    (
        excel.Column("code", "编号", required=True, width=12, max_length=32, text_format=True),
        excel.Column("text", "检查内容", required=True, width=60, max_length=500),
        excel.Column("basis", "依据", width=30, max_length=200),
        excel.Column(
            "criterion",
            "重大隐患判定标准",
            width=16,
            max_length=16,
            codes="criteria",
            strict=False,
            note="不合格即判定为重大隐患时，填写判定标准代码（如 HC-05）",
        ),
    ),
    max_rows=200,
)


def checklist_export(template: ChecklistTemplate) -> bytes:
    """The checklist's items as a workbook that imports back unchanged (an empty one is the template)."""
    rows = [
        {"code": i.code, "text": i.text, "basis": i.basis, "criterion": i.criterion}
        for i in items_of(template)
    ]
    codes = sorted(MajorCriterion.objects.filter(active=True).values_list("code", flat=True))
    return excel.build_workbook(
        [
            excel.SheetData(
                SHEET, rows=rows, example=None if rows else {"code": "A-01", "text": "安全出口畅通"}
            )
        ],
        code_lists=[excel.CodeList("criteria", "重大隐患判定标准", codes)],
        help_text=excel.HelpText(
            pairs=[("检查表", template.name), ("依据", template.basis)],
            lines=["每行一个检查项；编号和检查内容在表内不能重复。", "导入时整表替换该检查表的全部检查项。"],
        ),
    )


class _Silent:
    def progress(self, done: int, total: int, message: str = "") -> None:
        return None


@dataclass
class _ItemsImporter:
    """Checks the sheet into items, then saves the checklist with them (inside run_import's transaction)."""

    save: Callable[[list[ItemIn]], ChecklistTemplate]
    saved: ChecklistTemplate | None = None

    @property
    def sheets(self) -> Sequence[excel.SheetSpec]:
        return (SHEET,)

    def check(
        self,
        rows: Mapping[str, Sequence[excel.Row]],
        errors: list[excel.RowError],
        on_row: Callable[[int], None],
    ) -> list[ItemIn]:
        known = frozenset(_known_criteria())
        items: list[ItemIn] = []
        codes: dict[Any, int] = {}
        texts: dict[Any, int] = {}
        for done, row in enumerate(rows[SHEET.name], start=1):
            c = excel.RowChecker(SHEET, row, errors)
            values = c.values("code", "text", "basis", "criterion")
            c.duplicate("code", values["code"], codes)
            c.duplicate("text", values["text"], texts)
            if values["criterion"] and values["criterion"] not in known:
                c.error("criterion", _("重大隐患判定标准不存在"), values["criterion"])
            if not c.failed:
                items.append(
                    ItemIn(values["code"], values["text"], values["basis"], values["criterion"] or "")
                )
            on_row(done)
        return items

    def write(self, plan: list[ItemIn], on_rows: Callable[[int], None]) -> int:
        self.saved = self.save(plan)
        on_rows(len(plan))
        return len(plan)


@dataclass(frozen=True)
class ImportOutcome:
    result: excel.ImportResult
    template: ChecklistTemplate | None


def checklist_import(
    *,
    actor: Actor,
    content: bytes,
    file_name: str,
    template: ChecklistTemplate | None = None,
    enterprise: Enterprise | None = None,
    data: Mapping[str, Any] | None = None,
) -> ImportOutcome:
    """Replace a checklist's items (or create one with `data`) from a workbook, all or nothing."""
    owner_id = template.enterprise_id if template is not None else (enterprise.pk if enterprise else None)
    authorize(actor, lambda u: permissions.can_edit_checklist(u, owner_id), _("您不能编辑该检查表"))

    def save(items: list[ItemIn]) -> ChecklistTemplate:
        saved = checklist_save(
            actor=actor,
            data=data or {},
            items=items,
            template=template,
            enterprise=enterprise,
        )
        audit.record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=saved,
            after={"file": file_name, "sha256": excel_sha(content), "rows": len(items)},
            comment=_("导入检查表"),
        )
        return saved

    importer = _ItemsImporter(save)
    result = excel.run_import(_Silent(), importer, content, first_sheet_fallback=True)
    return ImportOutcome(result, importer.saved)


def excel_sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# ---- an inspection from a checklist -----------------------------------------------------------------


def inspection_from_checklist(
    *,
    actor: Actor,
    template: ChecklistTemplate,
    enterprise: Enterprise,
    data: Mapping[str, Any],
    now: dt.datetime | None = None,
) -> TaskOccurrence:
    """A one-off inspection of `enterprise` with the checklist's items: the task and its one occurrence.

    `data`: title, kind (dangerSrc 2–8, 10), window_start, window_end, risk_point, responsible_post.
    """
    authorize(
        actor,
        lambda u: permissions.can_plan_inspection(u, enterprise.pk),
        _("只有企业管理人员可以安排排查"),
    )
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if template.enterprise_id not in (None, enterprise.pk):
        errors["template"] = [_("检查表须为县级或本企业的检查表")]
    if not template.active:
        errors["template"] = [_("检查表已停用")]
    items = items_of(template)
    if not items:
        errors["template"] = [_("检查表没有检查项")]
    kind = data.get("kind") or template.kind
    if kind not in ADHOC_KINDS:
        errors["kind"] = [_("排查类型无效")]
    start, end = data.get("window_start"), data.get("window_end")
    if not isinstance(start, dt.datetime) or not isinstance(end, dt.datetime):
        errors["window_end"] = [_("请填写开始和截止时间")]
    elif end <= start:
        errors["window_end"] = [_("截止时间须晚于开始时间")]
    elif end <= now:
        errors["window_end"] = [_("截止时间不能早于现在")]
    point = data.get("risk_point")
    if point is not None and (not isinstance(point, RiskPoint) or point.enterprise_id != enterprise.pk):
        errors["risk_point"] = [_("风险点须属于该企业")]
    post = data.get("responsible_post")
    if post is not None and (not isinstance(post, OrgUnit) or post.enterprise_id != enterprise.pk):
        errors["responsible_post"] = [_("责任岗位须属于该企业")]
    title = str(data.get("title") or "").strip() or template.name
    if len(title) > 200:
        errors["title"] = [_("任务名称不能超过 200 字")]
    if errors:
        raise ValidationError(errors)
    assert isinstance(start, dt.datetime) and isinstance(end, dt.datetime)
    with transaction.atomic():
        task = InspectionTask.objects.create(
            enterprise=enterprise,
            risk_point=point,
            kind=kind,
            title=title,
            check_content="\n".join(filter(None, [template.name, template.basis, template.description])),
            check_items=[i.text for i in items],
            item_criteria={i.text: i.criterion for i in items if i.criterion},
            cycle_every=1,
            cycle_unit=CycleUnit.DAY,
            start_date=timezone.localtime(start).date(),
            responsible_post=post,
            checklist=template,
            one_off=True,
            created_by=actor if isinstance(actor, User) else None,
        )
        occurrence = TaskOccurrence.objects.create(
            task=task, enterprise=enterprise, window_start=start, window_end=end, status=OccurrenceStatus.DUE
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=task,
            after={
                "title": title,
                "kind": kind,
                "checklist": template.pk,
                "items": len(items),
                "window_start": start,
                "window_end": end,
                "risk_point": point.pk if point else None,
                "responsible_post": post.pk if post else None,
            },
            comment=_("按检查表安排排查"),
        )
    return occurrence


# ---- checkpoints ------------------------------------------------------------------------------------


def new_checkpoint_token() -> str:
    return secrets.token_urlsafe(24)


def checkpoint_issue(*, actor: Actor, risk_point: RiskPoint) -> Checkpoint:
    """Issue the checkpoint token of a risk point, or a new one (the printed QR code / NFC tag stops working)."""
    authorize(
        actor,
        lambda u: permissions.can_plan_inspection(u, risk_point.enterprise_id),
        _("只有企业管理人员可以签发巡检点二维码"),
    )
    with transaction.atomic():
        existing = Checkpoint.objects.select_for_update().filter(risk_point=risk_point).first()
        row = existing or Checkpoint(enterprise_id=risk_point.enterprise_id, risk_point=risk_point)
        row.token = new_checkpoint_token()
        row.issued_at = timezone.now()
        row.issued_by = actor if isinstance(actor, User) else None
        row.save()
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE if existing else AuditAction.CREATE,
            obj=row,
            after={"risk_point": risk_point.pk, "issued_at": row.issued_at},
            comment=_("重新签发巡检点二维码（原二维码作废）") if existing else _("签发巡检点二维码"),
        )
    return row
