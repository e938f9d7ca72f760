"""The time zones an operator may see the support pages in (`User.time_zone`).

US zones first (the Marketplace's states and territories), then UTC. A name is checked
against this list when stored, so a page never meets an unknown zone.
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# (IANA name, label): the label names the zone as people in it say it.
ZONES: list[tuple[str, str | Promise]] = [
    ("America/New_York", _("Eastern time (New York)")),
    ("America/Chicago", _("Central time (Chicago)")),
    ("America/Denver", _("Mountain time (Denver)")),
    ("America/Phoenix", _("Mountain time without daylight saving (Phoenix)")),
    ("America/Los_Angeles", _("Pacific time (Los Angeles)")),
    ("America/Anchorage", _("Alaska time (Anchorage)")),
    ("Pacific/Honolulu", _("Hawaii time (Honolulu)")),
    ("America/Puerto_Rico", _("Atlantic time (Puerto Rico, U.S. Virgin Islands)")),
    ("Pacific/Guam", _("Chamorro time (Guam, Northern Mariana Islands)")),
    ("Pacific/Pago_Pago", _("Samoa time (American Samoa)")),
    ("UTC", _("Coordinated Universal Time (UTC)")),
]
NAMES = frozenset(name for name, _label in ZONES)


def zone_named(name: str) -> ZoneInfo:
    """The zone of this name; UTC for a name not on the list (never raises)."""
    if name not in NAMES:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:  # a system without tzdata; tzdata is a dependency
        return ZoneInfo("UTC")


def label_of(zone: ZoneInfo | str) -> str:
    """How the list names this zone ("Eastern time (New York)"), in the active language."""
    return str(dict(ZONES).get(str(zone), str(zone)))
