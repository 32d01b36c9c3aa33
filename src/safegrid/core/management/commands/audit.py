from django.core.management.base import BaseCommand, CommandError, CommandParser

from safegrid.core import audit


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链 / Audit log tools: `audit verify` checks the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: object, **options: object) -> None:
        result = audit.verify()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"审计链完整 / audit chain intact: {result.checked} rows"))
            return
        where = f"#{result.first_bad_id}" if result.first_bad_id else "-"
        raise CommandError(
            f"审计链被破坏 / audit chain broken at row {where}: {result.problem} (checked {result.checked})"
        )
