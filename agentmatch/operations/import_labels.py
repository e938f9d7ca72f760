"""The import page's words: the four files in the product's words, and the states."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

KIND: dict[str, Promise] = {
    "roster": _("MLMS roster (the agents, their contact details and languages)"),
    "rcl": _("CMS registration list (RCL: agents who completed Marketplace registration)"),
    "rtl": _("CMS termination list (RTL: agents whose Marketplace registration ended)"),
    "nipr": _("NIPR licensing file (PDB XML: state licenses and lines of authority)"),
}
# Short names for the history table.
KIND_SHORT: dict[str, Promise] = {
    "roster": _("MLMS roster"),
    "rcl": _("CMS registration list"),
    "rtl": _("CMS termination list"),
    "nipr": _("NIPR licensing file"),
}
UPLOAD_STATUS: dict[str, Promise] = {
    "queued": _("Waiting for a worker"),
    "running": _("Importing"),
    "done": _("Imported"),
    "failed": _("Failed: nothing imported"),
    "canceled": _("Canceled"),
}
RUN_STATUS: dict[str, Promise] = {
    "running": _("Importing"),
    "succeeded": _("Imported"),
    "failed": _("Failed: nothing imported"),
}
TAG_COLOUR = {
    "queued": "bg-base",
    "running": "bg-primary",
    "done": "bg-green",
    "succeeded": "bg-green",
    "failed": "bg-secondary-dark",
    "canceled": "bg-base-dark",
}
