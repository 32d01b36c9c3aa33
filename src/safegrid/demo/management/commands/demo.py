"""`safegrid demo`: build the deterministic demo county (桓台县) into the database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safegrid.core import audit_anchor
from safegrid.demo import builders


class Command(BaseCommand):
    help = (
        "生成确定性的演示县（桓台县）数据 / Build the deterministic demo county. "
        "--scale N 生成 N 倍企业；--if-empty 数据库已有数据时跳过；--reset 先删除演示数据再重建。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=int, default=1, help="企业数量倍数（1 ≈ 640 家）/ enterprise multiplier"
        )
        parser.add_argument("--seed", type=int, default=builders.DEFAULT_SEED, help="随机种子 / random seed")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="数据库已有企业或区划时什么也不做 / do nothing when enterprises or divisions exist",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="先删除演示县内全部数据和演示账号再重建 / delete the demo county and demo users first",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale: int = options["scale"]
        if scale < 1:
            raise CommandError("--scale 必须 ≥ 1 / --scale must be at least 1")
        occupied = builders.county_occupied()
        conflicts = builders.conflicting_usernames()
        if options["if_empty"] and occupied:
            self.stdout.write("数据库已有数据，跳过演示数据生成 / database not empty, demo skipped")
            return
        if (occupied or conflicts) and not options["reset"]:
            shown = ", ".join(conflicts[:5]) + (f" … (+{len(conflicts) - 5})" if len(conflicts) > 5 else "")
            detail = f"；已存在的演示账号 / existing demo users: {shown}" if conflicts else ""
            raise CommandError(
                "数据库不是空的，拒绝生成演示数据；如确需覆盖请加 --reset（将删除桓台县内全部企业与区划）"
                f" / database is not empty; use --reset to delete the demo county first{detail}"
            )
        if options["reset"]:
            try:
                builders.reset(progress=self.stdout.write)
            except builders.ResetBlocked as exc:
                raise CommandError(str(exc))
        self.stdout.write(f"生成演示县 / building demo county: scale={scale} seed={options['seed']}")
        summary = builders.build(scale=scale, seed=options["seed"], progress=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"完成 / done in {summary.seconds:.1f} s: "
                + ", ".join(f"{k} {v}" for k, v in summary.counts.items())
            )
        )
        if options["reset"]:
            # The rebuilt county's audit chain no longer extends the anchors written before the reset.
            audit_anchor.write(reset="演示数据已重建 / demo county rebuilt")
        self.stdout.write("演示账号见 / demo logins: safegrid demo_logins")
