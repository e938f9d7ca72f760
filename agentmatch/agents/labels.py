"""Page labels of the agents' choices, in the page's language (the models keep English)."""

from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from agentmatch.agents.models import ContactMethod, DisplayOption
from agentmatch.core.languages import LANGUAGE_NAMES

CONTACT_METHODS = {
    ContactMethod.EMAIL_TEXT_APP: _("Email, Text & App Notification (recommended)"),
    ContactMethod.EMAIL_TEXT: _("Email & Text"),
    ContactMethod.EMAIL_APP: _("Email & App Notification"),
    ContactMethod.EMAIL_ONLY: _("Email Only"),
}

# The four options worded as MLMS and the CMS tip sheets (000, 003) word them.
DISPLAY_OPTIONS = {
    DisplayOption.ALL_STATES: _(
        "I would like all my contact information displayed for all states where I have a "
        "valid health license."
    ),
    DisplayOption.ALL_STATES_NO_STREET: _(
        "I would like my contact information, except my street address, displayed for all "
        "states where I have a valid health license."
    ),
    DisplayOption.HOME_STATE_ONLY: _(
        "I would like all my contact information displayed but only for my home state."
    ),
    DisplayOption.NOT_PARTICIPATING: _(
        "I don't want my contact information displayed and do not want to participate in "
        "Find Local Help or Help On Demand."
    ),
}

# Django's names for languages it knows, by our ISO 639-1 code.
_DJANGO_CODES = {"zh": "zh-hans", "pt": "pt-br"}


def language_choices() -> list[tuple[str, str, bool]]:
    """(code, name in the active language, whether the name is translated), by name."""
    rows = []
    for code, english in LANGUAGE_NAMES.items():
        try:
            name = str(get_language_info(_DJANGO_CODES.get(code, code))["name_translated"])
            translated = True
        except KeyError:
            name, translated = english, False
        rows.append((code, name[:1].upper() + name[1:], translated))
    # English and Spanish first: most agents speak one of them.
    return sorted(rows, key=lambda r: (r[0] not in ("en", "es"), r[0] != "en", r[1]))
