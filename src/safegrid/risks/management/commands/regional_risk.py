"""`safegrid regional_risk propose --year 2026`: the yearly regional risk proposal (system actor)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from safegrid.core.audit import SystemActor
from safegrid.risks.rules import regional as rr
from safegrid.risks.services import regional

ACTOR = SystemActor("regional_risk")


class Command(BaseCommand):
    help = (
        f"区域风险：按方法 {rr.METHOD_VERSION} 与各县区域风险计算设置为全部镇、村提出年度风险等级建议 / "
        "propose the yearly regional risk level of every town and village"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        propose = sub.add_parser("propose", help="提出年度建议 / compute and store the proposals")
        propose.add_argument(
            "--year", type=int, default=None, help="年度（默认今年）/ year (default: this year)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"] or timezone.localdate().year
        try:
            result = regional.regional_propose(actor=ACTOR, year=year)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages))
        levels = "，".join(f"{level} 级 {result.by_level.get(level, 0)}" for level in rr.LEVELS)
        self.stdout.write(
            self.style.SUCCESS(
                f"{year} 年度区域风险建议（{rr.METHOD_VERSION}）：新建 {result.created}，更新 {result.updated}，"
                f"未变 {result.unchanged}；{levels}"
            )
        )
