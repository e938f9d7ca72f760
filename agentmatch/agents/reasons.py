"""The eligibility rules' reasons (eligibility/rules.py, in English) in the page's language.

The rules keep one English wording, shared by support, the API and the logs; the profile
page shows the same reason translated. A reason this table does not know is shown as is.
"""

import re
from collections.abc import Callable

from django.utils.translation import gettext as _

_Render = Callable[[re.Match[str]], str]

_PATTERNS: list[tuple[re.Pattern[str], _Render]] = [
    (
        re.compile(r"NPN is not on the Registration Completion List"),
        lambda m: _("NPN is not on the Registration Completion List"),
    ),
    (
        re.compile(r"NPN is on the Registration Completion List but not valid"),
        lambda m: _("NPN is on the Registration Completion List but not valid"),
    ),
    (
        re.compile(r"no Individual Marketplace registration completion date"),
        lambda m: _("no Individual Marketplace registration completion date"),
    ),
    (
        re.compile(r"Individual Marketplace registration ended (?P<day>\S+)"),
        lambda m: _("Individual Marketplace registration ended %(day)s") % m.groupdict(),
    ),
    (
        re.compile(r"terminated or suspended \((?P<status>.*)\) on (?P<day>\S+)"),
        lambda m: _("terminated or suspended (%(status)s) on %(day)s") % m.groupdict(),
    ),
    (
        re.compile(r"no training completion in the MLMS roster"),
        lambda m: _("no training completion in the MLMS roster"),
    ),
    (re.compile(r"registration incomplete"), lambda m: _("registration incomplete")),
    (
        re.compile(r"display option 4: does not participate"),
        lambda m: _("display option 4: does not participate"),
    ),
    (re.compile(r"deactivated by support"), lambda m: _("deactivated by support")),
    (
        re.compile(r"(?P<state>[A-Z]{2}) runs its own exchange in (?P<year>\d{4})"),
        lambda m: _("%(state)s runs its own exchange in %(year)s") % m.groupdict(),
    ),
    (
        re.compile(r"no (?P<state>[A-Z]{2}) license on record from NIPR"),
        lambda m: _("no %(state)s license on record from NIPR") % m.groupdict(),
    ),
    (
        re.compile(r"(?P<state>[A-Z]{2}) license is not active"),
        lambda m: _("%(state)s license is not active") % m.groupdict(),
    ),
    (
        re.compile(r"(?P<state>[A-Z]{2}) license expired (?P<day>\S+)"),
        lambda m: _("%(state)s license expired %(day)s") % m.groupdict(),
    ),
    (
        re.compile(r"no active health line of authority \(lines: (?P<lines>.*)\)"),
        lambda m: (
            _("no active health line of authority (lines: %(lines)s)")
            % {"lines": _("none") if m["lines"] == "none" else m["lines"]}
        ),
    ),
    (
        re.compile(r"display option 3: home state \((?P<home>.*)\) only"),
        lambda m: (
            _("display option 3: home state (%(home)s) only")
            % {"home": _("unknown") if m["home"] == "unknown" else m["home"]}
        ),
    ),
    (
        re.compile(r"agent deselected (?P<state>[A-Z]{2})"),
        lambda m: _("agent deselected %(state)s") % m.groupdict(),
    ),
]


def translate_reason(reason: str) -> tuple[str, bool]:
    """(text in the active language, whether it was translated)."""
    for pattern, render in _PATTERNS:
        match = pattern.fullmatch(reason)
        if match:
            return render(match), True
    return reason, False
