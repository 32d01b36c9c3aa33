"""Readings sent over HTTP (`POST /api/v1/monitoring/readings`): the same pipeline as MQTT, written in the
request.

Who may send: a user holding an enterprise role (legal representative, enterprise admin, safety manager —
a gateway signs in as one) in the enterprise the readings are for. The enterprise is the one the user
works for, or the USCC the payload names when they manage several. The readings are not audited one by one:
they are the monitoring record itself (and their refusals are dead letters); what is audited is a change
of a point or its limits.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from safegrid.core.choices import ENTERPRISE_ROLES
from safegrid.core.models import User
from safegrid.core.scoping import scope_for
from safegrid.enterprises.models import Enterprise

from ..ingest.pipeline import EnterpriseDirectory, Outcome, Pipeline


def sending_enterprise(*, actor: User, uscc: str | None) -> Enterprise:
    """The enterprise the actor sends readings for; 422 naming `enterprise` when it cannot be told."""
    allowed = scope_for(actor).enterprises_with(ENTERPRISE_ROLES)
    if not allowed:
        raise PermissionDenied(
            "只有企业的法定代表人、企业管理员或安全管理员（含其数据网关账号）可以上报监测数据"
        )
    if uscc is None:
        if len(allowed) > 1:
            raise ValidationError({"enterprise": ["您管理多家企业，请填写企业统一社会信用代码"]})
        return Enterprise.objects.get(pk=next(iter(allowed)))
    enterprise = Enterprise.objects.filter(uscc=uscc, pk__in=allowed).first()
    if enterprise is None:
        raise ValidationError({"enterprise": ["不是您管理的企业的统一社会信用代码"]})
    return enterprise


def readings_submit(*, actor: User, enterprise: Enterprise, payload: bytes) -> Outcome:
    """Decode, check and write one message for `enterprise` (its refusals become dead letters)."""
    if not scope_for(actor).has_role(*ENTERPRISE_ROLES, enterprise_id=enterprise.pk):
        raise PermissionDenied("无权为该企业上报监测数据")
    pipeline = Pipeline(directory=EnterpriseDirectory(enterprise.pk, enterprise.uscc))
    with transaction.atomic():
        return pipeline.accept_now(enterprise.uscc, payload, enterprise_id=enterprise.pk)
