"""`agentmatch import_nipr FILE [--rejects FILE]`: load NIPR PDB producer licensing XML."""

from agentmatch.imports.command import ImportCommand
from agentmatch.imports.models import ImportKind


class Command(ImportCommand):
    help = "Load NIPR PDB producer licensing XML."
    kind = ImportKind.NIPR
    takes_plan_year = False
