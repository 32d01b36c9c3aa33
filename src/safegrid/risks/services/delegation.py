"""Signing delegations (签署委托): the legal representative records, with the scanned letter, that one of the
enterprise's managers may sign the 一企一册 from/until a date, and may revoke it. Atomic and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from safegrid.core.models import User
from safegrid.core.scoping import scope_for
from safegrid.core.services import object_create, object_update, writing_protected
from safegrid.enterprises.models import Enterprise

from .. import permissions
from ..models import SigningDelegation
from ..rules import filing as filing_rules


def _read_head(document: UploadedFile) -> bytes:
    document.seek(0)
    head = document.read(8)
    document.seek(0)
    return bytes(head)


def delegation_create(
    *,
    actor: User,
    enterprise: Enterprise,
    delegate: User | None,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
    document: UploadedFile | None,
    note: str = "",
) -> SigningDelegation:
    """The legal representative (`actor`) delegates signing to `delegate`, who must hold an enterprise role
    there. Refuses with field-named messages; nothing is saved on refusal."""
    if not permissions.can_delegate_signing(actor, enterprise.pk):
        raise PermissionDenied("只有企业法定代表人可以登记签署委托")
    errors: dict[str, str] = {}
    if delegate is None:
        errors["delegate"] = "请选择受托人"
    elif delegate.pk == actor.pk:
        errors["delegate"] = "不能委托给自己"
    elif not delegate.is_active or not scope_for(delegate).has_role(
        *permissions.DELEGATE_ROLES, enterprise_id=enterprise.pk
    ):
        errors["delegate"] = "受托人须为本企业的管理员、安全管理员或主要负责人账号"
    if valid_from is None:
        errors["valid_from"] = "请填写委托起始日期"
    if valid_until is None:
        errors["valid_until"] = "请填写委托截止日期"
    if valid_from and valid_until:
        problem = filing_rules.delegation_problem(valid_from, valid_until, timezone.localdate())
        if problem:
            errors["valid_until"] = problem
    if document is None:
        errors["document"] = "请上传法定代表人签字（盖章）的委托书扫描件"
    else:
        problem = filing_rules.document_problem(document.name or "", _read_head(document), document.size or 0)
        if problem:
            errors["document"] = problem
    if errors:
        raise ValidationError(errors)
    assert delegate is not None
    data: dict[str, Any] = {
        "enterprise": enterprise,
        "delegator": actor,
        "delegator_name": (actor.display_name or actor.username)[:32],
        "delegate": delegate,
        "delegate_name": (delegate.display_name or delegate.username)[:32],
        "valid_from": valid_from,
        "valid_until": valid_until,
        "document": document,
        "note": (note or "").strip(),
        "created_by": actor,
    }
    return object_create(actor=actor, model=SigningDelegation, data=data)


def delegation_revoke(*, actor: User, delegation: SigningDelegation) -> SigningDelegation:
    """End a delegation now (a book it signed keeps saying so)."""
    if not permissions.can_delegate_signing(actor, delegation.enterprise_id):
        raise PermissionDenied("只有企业法定代表人可以撤销签署委托")
    if delegation.revoked_at is not None:
        raise ValidationError({"revoked_at": "该委托已撤销"})
    with writing_protected("revoked_at", "revoked_by"):
        return object_update(
            actor=actor, obj=delegation, data={"revoked_at": timezone.now(), "revoked_by": actor}
        )
