"""The shared shape of the import_* management commands: parse options, import, report."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agentmatch.imports.actions import import_file
from agentmatch.imports.base import UnreadableFile
from agentmatch.imports.models import ImportKind


class ImportCommand(BaseCommand):
    kind: ImportKind
    takes_plan_year = False

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the file to import")
        parser.add_argument(
            "--rejects", metavar="FILE", help="write rejected rows (line, reason, raw) as CSV"
        )
        if self.takes_plan_year:
            parser.add_argument(
                "--plan-year",
                type=int,
                help="import only rows of this plan year (and use it for rows without one)",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            report = import_file(
                kind=self.kind,
                path=path,
                now=timezone.now(),
                plan_year=options.get("plan_year"),
                rejects_path=options["rejects"],
                show_rejected=self.stderr.write,
                show_progress=self.stdout.isatty(),
            )
        except UnreadableFile as exc:
            reason = exc.message.rstrip(".")
            ending = " " if reason.endswith("?") else ". "
            raise CommandError(f"{path}: {reason}{ending}Nothing was imported.") from exc
        self.stdout.write(report.summary())
