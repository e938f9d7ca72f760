"""What every page's frame needs: the official-site banner's owner (if any) and the
Marketplace Call Center, from their one source."""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.utils import formats, translation

from agentmatch.core import marketplace
from agentmatch.core.official_site import is_federal, official_owner


def site(request: HttpRequest) -> dict[str, object]:
    language = (translation.get_language() or "en").split("-")[0]
    return {
        "official_owner": official_owner(language),
        "official_federal": is_federal(),
        # The identifier names the site by its address, as USWDS's shows "domain.gov".
        "site_domain": urlsplit(settings.SITE_URL).hostname or "",
        "call_center": {
            "phone": marketplace.CALL_CENTER_PHONE,
            "e164": marketplace.CALL_CENTER_PHONE_E164,
            "tty": marketplace.CALL_CENTER_TTY,
        },
        # How long an agent has to answer an offer, as the pages say it: the full window,
        # "up to" it when the deployment shortens windows at busy times.
        "offer_minutes": formats.number_format(
            round(settings.OFFER_WINDOW_SECONDS / 60, 1), use_l10n=True
        )
        .removesuffix(",0")
        .removesuffix(".0"),
        "offer_window_adapts": settings.ROUTING_ADAPTIVE_WINDOW,
    }
