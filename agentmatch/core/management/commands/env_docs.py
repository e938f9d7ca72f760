"""`agentmatch env-docs`: the table of every environment variable, as Markdown.

`--write docs/deploy.md` puts it between the document's markers (the test that compares
them tells you to run this). Needs no secret key or database: it only reads the registry.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from agentmatch.core.environment import markdown_table, replace_table


class Command(BaseCommand):
    help = "Print the environment variables table (Markdown), or --write it into a document."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--write",
            metavar="FILE",
            help="replace the table between the env-table markers in FILE (docs/deploy.md)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["write"]:
            self.stdout.write(markdown_table(), ending="")
            return
        path = Path(options["write"])
        try:
            document = path.read_text(encoding="utf-8")
            path.write_text(replace_table(document), encoding="utf-8")
        except (OSError, ValueError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        self.stdout.write(f"Wrote the environment table into {path}.")
