"""`agentmatch import_roster FILE [--plan-year N] [--rejects FILE]`: load the MLMS roster CSV."""

from agentmatch.imports.command import ImportCommand
from agentmatch.imports.models import ImportKind


class Command(ImportCommand):
    help = "Load the MLMS roster CSV."
    kind = ImportKind.ROSTER
    takes_plan_year = True
