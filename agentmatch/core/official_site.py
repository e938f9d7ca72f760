"""Whether this deployment is an official government website, and whose.

AgentMatch is open-source software: CMS or a state's exchange may run it on their .gov
domain, and anyone may run it elsewhere (a demo, a test, an integrator's copy). Only the
first may show the USWDS banner "An official website of ...", so it is off unless the
deployer names the owner (OFFICIAL_SITE_OWNER): a default that claimed to be the U.S.
government would be untrue on every other copy.
"""

from django.conf import settings

# What Spanish pages say for the owner the USWDS banner names by default (its own words).
FEDERAL = "the United States government"
FEDERAL_ES = "del Gobierno de Estados Unidos"


def official_owner(language: str) -> str:
    """The owner as it ends "An official website of ..." (English) or "Un sitio oficial
    ..." (Spanish, with its "de"/"del"); "" when this is not an official site."""
    owner: str = settings.OFFICIAL_SITE_OWNER
    if not owner:
        return ""
    if language != "es":
        return owner
    if settings.OFFICIAL_SITE_OWNER_ES:
        return str(settings.OFFICIAL_SITE_OWNER_ES)
    return FEDERAL_ES if is_federal() else f"de {owner}"


def is_federal() -> bool:
    return str(settings.OFFICIAL_SITE_OWNER).lower() == FEDERAL.lower()
