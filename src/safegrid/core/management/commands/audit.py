from django.core.management.base import BaseCommand, CommandError, CommandParser

from safegrid.core import audit


class Command(BaseCommand):
    help = (
        "审计日志：verify 链接待链接记录后校验哈希链，link 只链接 / "
        "Audit log tools: `audit verify` links pending entries, then checks the hash chain; "
        "`audit link` only links them (safe to run from a schedule)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "link"])
        parser.add_argument(
            "--no-link",
            action="store_true",
            help="verify 时不链接待链接记录，只报告数量 / do not link pending entries, only count them",
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "link":
            linked = audit.link_pending()
            self.stdout.write(
                self.style.SUCCESS(f"已链接 {linked} 条待链接记录 / linked {linked} pending entries")
            )
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
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"审计链完整 / audit chain intact: {result.checked} rows"))
            return
        where = f"#{result.first_bad_id}" if result.first_bad_id else "-"
        raise CommandError(
            f"审计链被破坏 / audit chain broken at row {where}: {result.problem} (checked {result.checked})"
        )
