"""The shared shape of the import_* management commands: parse options, run, report."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from agentmatch.imports.base import Importer, UnreadableFile
from agentmatch.imports.runner import run_import


class ImportCommand(BaseCommand):
    importer_class: type[Importer]
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
            report = run_import(
                self.importer_class(),
                path=path,
                plan_year=options.get("plan_year"),
                rejects_path=options["rejects"],
                err=self.stderr,
                show_progress=self.stdout.isatty(),
            )
        except UnreadableFile as exc:
            reason = str(exc).rstrip(".")
            ending = " " if reason.endswith("?") else ". "
            raise CommandError(f"{path}: {reason}{ending}Nothing was imported.") from exc
        self.stdout.write(report.summary())
