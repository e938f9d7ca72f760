"""`agentmatch import_rcl FILE [--plan-year N] [--rejects FILE]`: load a CMS RCL CSV."""

from agentmatch.imports.command import ImportCommand
from agentmatch.imports.rcl import RclImporter


class Command(ImportCommand):
    help = "Load a CMS Registration Completion List CSV."
    importer_class = RclImporter
    takes_plan_year = True
