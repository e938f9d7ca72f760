"""`agentmatch import_nipr FILE [--rejects FILE]`: load NIPR PDB producer licensing XML."""

from agentmatch.imports.command import ImportCommand
from agentmatch.imports.nipr import NiprImporter


class Command(ImportCommand):
    help = "Load NIPR PDB producer licensing XML."
    importer_class = NiprImporter
    takes_plan_year = False
