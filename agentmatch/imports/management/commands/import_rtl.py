"""`agentmatch import_rtl FILE [--rejects FILE]`: load a CMS Registration Termination List CSV."""

from agentmatch.imports.command import ImportCommand
from agentmatch.imports.models import ImportKind


class Command(ImportCommand):
    help = "Load a CMS Registration Termination List CSV."
    kind = ImportKind.RTL
    takes_plan_year = False
