"""`safegrid rebuild_hazard_stats`: recompute the hidden-hazard statistics rollups from scratch.

The rollups are kept current by the services as hazards and checks change; this is for after a restore,
a bulk load that bypassed the services, or a check (`--check` reports whether the stored rollups equal a
fresh computation without writing anything).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safegrid.hazards import rollups


class Command(BaseCommand):
    help = "重算隐患统计汇总（按企业、月份）/ rebuild the hidden-hazard statistics rollups from scratch"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="只比较，不写入：汇总与重新计算不一致时返回错误 / compare only; fail when they differ",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            differing = rollups.check()
            if differing:
                raise CommandError(f"隐患统计汇总与重新计算不一致：{differing} 行 / {differing} rows differ")
            self.stdout.write(self.style.SUCCESS("隐患统计汇总与重新计算一致 / rollups match"))
            return
        result = rollups.rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"已重算隐患统计：{result.hazards} 条隐患 → {result.hazard_rows} 行月度汇总、"
                f"{result.deadline_rows} 行期限汇总；排查 {result.occurrence_rows} 行月度汇总"
                f"（{result.seconds:.1f} s）"
            )
        )
