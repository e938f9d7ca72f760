"""`agentmatch import_rcl FILE [--plan-year N] [--rejects FILE]`: load a CMS RCL CSV."""

from agentmatch.imports.command import ImportCommand
from agentmatch.imports.models import ImportKind


class Command(ImportCommand):
    help = "Load a CMS Registration Completion List CSV."
    kind = ImportKind.RCL
    takes_plan_year = True
