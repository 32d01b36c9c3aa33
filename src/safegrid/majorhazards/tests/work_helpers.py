"""Helpers for the work tests: enterprise A's major unit, a principal, a filing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from safegrid.core.choices import Role
from safegrid.core.testing import make_user
from safegrid.majorhazards.models import HazardUnit
from safegrid.majorhazards.services import work as services


def major_unit(enterprise: Any, code: str = "TK-A01", name: str = "甲醇储罐区") -> HazardUnit:
    return HazardUnit.objects.create(
        enterprise=enterprise, code=code, name=name, kind="tank_farm", is_major=True, grade=2
    )


def principal(world: Any, name: str = "lr_a") -> Any:
    """Enterprise A's legal representative/principal (made once)."""
    from safegrid.core.models import User

    found = User.objects.filter(username=name).first()
    return found or make_user(name, {"role": Role.LEGAL_REP, "enterprise": world.ent_a})


def filing_data(**changes: Any) -> dict[str, Any]:
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=10)
    data = {
        "work_type": "hot",
        "grade": "1",
        "content": "甲醇储罐区管线焊接",
        "place": "1 号罐区东侧管廊",
        "latitude": 36.9502,
        "longitude": 118.0803,
        "start": start,
        "end": start + dt.timedelta(hours=6),
        "permit_number": "DH-2026-001",
        "watcher_name": "李监护",
        "watcher_phone": "13900000001",
        "video_channel": "罐区 1 号",
    }
    data.update(changes)
    return data


def file_work(world: Any, **changes: Any) -> Any:
    return services.special_work_file(
        actor=world.user("ent_a"), enterprise=world.ent_a, data=filing_data(**changes)
    )


def analyse(world: Any, work: Any, minutes_ago: int = 5, qualified: bool = True) -> Any:
    return services.gas_analysis_record(
        actor=world.user("ent_a"),
        work=work,
        at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        location="罐区东侧管廊",
        result="可燃气体 0%LEL，氧气 20.9%",
        qualified=qualified,
        analyst="王分析",
    )
