"""The major-hazard-sources app's part of the test world (see safegrid.testworld): one function per area,
each adding enterprise B's data through the services and returning its Leaks; `extend_world` merges them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils import timezone

from safegrid.core.testing import SYSTEM, Leaks

from .models import HazardUnit

if TYPE_CHECKING:
    from safegrid.testworld import World


# ---- work: a special-work filing and a commitment of enterprise B ------------------------------------------

WORK_PERMIT = "乙动火-测试-0001"
WORK_PLACE = "乙储罐区东侧管廊（测试标记）"
WORK_CONTENT = "乙罐区管线更换焊接（测试标记）"
WORK_WATCHER = "乙监护人甲（测试标记）"
WORK_ANALYST = "乙分析员（测试标记）"
WORK_PAUSE = "乙作业中断原因（测试标记）"
COMMITMENT_TEXT = "乙公司今日承诺安全（测试标记）"
COMMITMENT_PRINCIPAL = "乙主要负责人（测试标记）"
COMMITMENT_EXPLANATION = "乙补报说明（测试标记）"
WORK_UNIT_CODE = "MH-WORK-B01"


def _work(world: World) -> Leaks:
    from .services import work as services

    ent_b = world.ent_b
    unit = HazardUnit.objects.create(
        enterprise=ent_b,
        code=WORK_UNIT_CODE,
        name="乙储罐区（测试标记）",
        kind="tank_farm",
        latitude=36.9701,
        longitude=118.1202,
        is_major=True,
        grade=3,
    )
    now = timezone.now().replace(microsecond=0)
    work = services.special_work_file(
        actor=world.user("ent_b"),
        enterprise=ent_b,
        data={
            "unit": unit,
            "work_type": "hot",
            "grade": "1",
            "content": WORK_CONTENT,
            "place": WORK_PLACE,
            "latitude": 36.9702,
            "longitude": 118.1203,
            "start": now - dt.timedelta(hours=1),
            "end": now + dt.timedelta(hours=3),
            "permit_number": WORK_PERMIT,
            "watcher_name": WORK_WATCHER,
            "watcher_phone": "13900000002",
            "video_channel": "乙罐区 3 号摄像机",
        },
    )
    services.gas_analysis_record(
        actor=world.user("ent_b"),
        work=work,
        at=now - dt.timedelta(minutes=5),
        location="乙罐区东侧管廊",
        result="可燃气体 0%LEL，氧气 20.9%",
        qualified=True,
        analyst=WORK_ANALYST,
    )
    services.special_work_start(actor=world.user("ent_b"), work=work)
    services.special_work_pause(actor=world.user("ent_b"), work=work, reason=WORK_PAUSE)
    commitment = services.commitment_post(
        actor=SYSTEM,
        enterprise=ent_b,
        day=timezone.localdate(),
        data={
            **services.commitment_prefill(ent_b, timezone.localdate()),
            "hot_one": 2,
            "commitment_text": COMMITMENT_TEXT,
            "principal_name": COMMITMENT_PRINCIPAL,
            "explanation": COMMITMENT_EXPLANATION,
        },
    )
    services.board_issue(actor=SYSTEM, enterprise=ent_b)
    leaks = Leaks(
        markers=[
            WORK_PERMIT,
            WORK_PLACE,
            WORK_CONTENT,
            WORK_WATCHER,
            WORK_ANALYST,
            WORK_PAUSE,
            COMMITMENT_TEXT,
            COMMITMENT_PRINCIPAL,
            COMMITMENT_EXPLANATION,
        ]
    )
    leaks.add_ids("pk", work.pk, commitment.pk)
    leaks.add_ids("special_work_id", work.pk)
    return leaks


# ---- the app's extension: every area's part ------------------------------------------------------------------

PARTS: list[Callable[[World], Leaks]] = [_work]


def extend_world(world: World) -> Leaks:
    merged = Leaks()
    for part in PARTS:
        found = part(world)
        merged.markers.extend(found.markers)
        merged.area_markers.extend(found.area_markers)
        for name, values in found.ids.items():
            merged.add_ids(name, *values)
    return merged
