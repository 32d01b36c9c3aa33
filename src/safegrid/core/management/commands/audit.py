from django.core.management.base import BaseCommand, CommandError, CommandParser

from safegrid.core import audit, audit_anchor


class Command(BaseCommand):
    help = (
        "审计日志：verify 链接待链接记录后校验哈希链并与链外锚点比对，link 只链接，anchor 写入锚点 / "
        "Audit log tools: `audit verify` links pending entries, checks the hash chain and compares it with "
        "the latest anchor kept outside the database (--anchor: then writes a new one); `audit link` only "
        "links them (safe to run from a schedule); `audit anchor` appends the chain's head to the anchor file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "link", "anchor"])
        parser.add_argument(
            "--no-link",
            action="store_true",
            help="verify 时不链接待链接记录，只报告数量 / do not link pending entries, only count them",
        )
        parser.add_argument(
            "--anchor",
            action="store_true",
            help="verify 通过后写入新锚点 / after a clean verify, append a new anchor",
        )
        parser.add_argument(
            "--require-anchor",
            action="store_true",
            help="尚无锚点时也判为失败 / fail when there is no anchor yet",
        )
        parser.add_argument(
            "--reset",
            default="",
            metavar="REASON",
            help="anchor：链不延续上一锚点时（如从备份恢复后）仍以当前链头为新锚点，并记录原因 / "
            "anchor the current head even though it does not extend the previous anchor (e.g. after a "
            "restore from backup), recording why",
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "link":
            linked = audit.link_pending()
            self.stdout.write(
                self.style.SUCCESS(f"已链接 {linked} 条待链接记录 / linked {linked} pending entries")
            )
            return
        if options["action"] == "anchor":
            self._write_anchor(str(options["reset"]))
            return
        result = audit.verify(link=not options["no_link"])
        if result.linked:
            self.stdout.write(
                f"先链接了 {result.linked} 条待链接记录 / linked {result.linked} pending entries first"
            )
        if result.pending:
            self.stdout.write(
                self.style.WARNING(
                    f"{result.pending} 条待链接，未校验 / {result.pending} entries pending, not checked"
                )
            )
        if not result.ok:
            where = f"#{result.first_bad_id}" if result.first_bad_id else "-"
            raise CommandError(
                f"审计链被破坏 / audit chain broken at row {where}: {result.problem} (checked {result.checked})"
            )
        anchored = audit_anchor.check(result.checked)
        if not anchored.ok:
            raise CommandError(
                f"审计链与链外锚点不符 / audit chain does not match its anchor: {anchored.problem}"
            )
        self.stdout.write(self.style.SUCCESS(f"审计链完整 / audit chain intact: {result.checked} rows"))
        if anchored.anchor is None:
            message = (
                f"尚无锚点（{audit_anchor.path()}）：只校验了链本身，整链删除无法发现 / "
                "no anchor yet: the chain was checked only against itself, so a wiped chain would pass"
            )
            if options["require_anchor"]:
                raise CommandError(message)
            self.stdout.write(self.style.WARNING(message))
        else:
            anchor = anchored.anchor
            self.stdout.write(
                f"与 {anchor.at} 的锚点一致（{anchor.count} 条）/ "
                f"matches the anchor of {anchor.at} ({anchor.count} rows)"
            )
        if options["anchor"]:
            self._write_anchor("")

    def _write_anchor(self, reset: str) -> None:
        try:
            anchor = audit_anchor.write(reset=reset)
        except audit_anchor.AnchorError as exc:
            raise CommandError(f"未写入锚点 / no anchor written: {exc}")
        self.stdout.write(
            self.style.SUCCESS(
                f"已写入锚点 / anchor written: {anchor.count} rows, #{anchor.last_id} → {audit_anchor.path()}"
            )
        )
