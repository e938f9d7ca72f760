"""`agentmatch import_rtl FILE [--rejects FILE]`: load a CMS Registration Termination List CSV."""

from agentmatch.imports.command import ImportCommand
from agentmatch.imports.rtl import RtlImporter


class Command(ImportCommand):
    help = "Load a CMS Registration Termination List CSV."
    importer_class = RtlImporter
    takes_plan_year = False
