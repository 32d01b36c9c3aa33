"""Monitoring points for the test world (see safegrid.testworld), called by monitoring/testing.py.

Enterprise A gets a tank level point (and a toxic detector with default limits); enterprise B a level point
with a pending limit change, an approved, expired temporary change and a pending deactivation, and a second
point taken out of use by an approved deactivation, each with unique markers that must never reach a town-A
user.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from safegrid.core.choices import Role
from safegrid.core.testing import Leaks, make_user

from .models import LimitChange, PointDeactivation
from .rules.limits import LimitSet
from .services import deactivations as deactivation_services
from .services import limits as limit_services
from .services import points as point_services

if TYPE_CHECKING:
    from safegrid.testworld import World

A_CODE = "A-T101-LT-01"
B_CODE = "B-T201-LT-9d3e"
B_NAME = "乙储罐液位（监测测试标记）"
B_LOCATION = "乙罐区东侧（监测测试标记）"
B_SOURCE = "乙公司工艺控制指标（监测测试标记）"
B_CHANGE_REASON = "乙储罐扩容后重新核定（监测测试标记）"
B_TEMP_VERSION = "乙临时-3f7a"
B_RETIRED_CODE = "B-T202-LT-61c0"
B_DEACTIVATION_REASON = "乙储罐传感器拆除（监测测试标记）"


def _level(code: str, name: str, location: str, source: str) -> dict[str, object]:
    return {
        "code": code,
        "name": name,
        "kind": "level",
        "location": location,
        "ll": 0.5,
        "l": 1.0,
        "h": 8.0,
        "hh": 9.0,
        "deadband": 0.05,
        "limits_version": "V1",
        "limits_source": source,
    }


def add_points(world: World, leaks: Leaks) -> None:
    point_services.point_create(
        actor=world.user("ent_a"),
        enterprise=world.ent_a,
        data=_level(A_CODE, "甲储罐液位", "甲罐区", "甲公司工艺控制指标"),
    )
    point_services.point_create(
        actor=world.user("ent_a"),
        enterprise=world.ent_a,
        data={"code": "A-GT-01", "name": "甲硫化氢探测器", "kind": "gas_toxic", "oel_ppm": 10.0},
    )
    ent_b = world.user("ent_b")
    point = point_services.point_create(
        actor=ent_b, enterprise=world.ent_b, data=_level(B_CODE, B_NAME, B_LOCATION, B_SOURCE)
    )
    approver = make_user("lr_b_mon", {"role": Role.LEGAL_REP, "enterprise": world.ent_b})
    now = timezone.now()
    temporary = limit_services.limit_change_request(
        actor=ent_b,
        point=point,
        kind="temporary",
        values=LimitSet(ll=0.5, l=1.0, h=8.4, hh=9.2, deadband=0.05, version=B_TEMP_VERSION, source=B_SOURCE),
        reason=B_CHANGE_REASON,
        expires_at=now + dt.timedelta(hours=1),
    )
    limit_services.limit_change_approve(actor=approver, change=temporary)
    limit_services.limits_watch(actor=approver, now=now + dt.timedelta(hours=2))
    limit_services.limit_change_request(
        actor=ent_b,
        point=point,
        kind="permanent",
        values=LimitSet(ll=0.5, l=1.0, h=8.6, hh=9.4, deadband=0.05, version="V2", source=B_SOURCE),
        reason=B_CHANGE_REASON,
    )
    retired = point_services.point_create(
        actor=ent_b, enterprise=world.ent_b, data=_level(B_RETIRED_CODE, B_NAME, B_LOCATION, B_SOURCE)
    )
    done = deactivation_services.deactivation_request(
        actor=ent_b, point=retired, reason=B_DEACTIVATION_REASON
    )
    deactivation_services.deactivation_approve(actor=approver, request=done)
    deactivation_services.deactivation_request(actor=ent_b, point=point, reason=B_DEACTIVATION_REASON)
    leaks.markers.extend(
        [
            B_CODE,
            B_NAME,
            B_LOCATION,
            B_SOURCE,
            B_CHANGE_REASON,
            B_TEMP_VERSION,
            B_RETIRED_CODE,
            B_DEACTIVATION_REASON,
        ]
    )
    leaks.add_ids("pk", point.pk, *LimitChange.objects.filter(point=point).values_list("pk", flat=True))
    leaks.add_ids(
        "pk",
        retired.pk,
        *PointDeactivation.objects.filter(point__enterprise=world.ent_b).values_list("pk", flat=True),
    )
    leaks.add_ids("action", "approve", "reject")
