"""`agentmatch import_roster FILE [--plan-year N] [--rejects FILE]`: load the MLMS roster CSV."""

from agentmatch.imports.command import ImportCommand
from agentmatch.imports.roster import RosterImporter


class Command(ImportCommand):
    help = "Load the MLMS roster CSV."
    importer_class = RosterImporter
    takes_plan_year = True
