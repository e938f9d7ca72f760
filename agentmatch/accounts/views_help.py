"""Public help for agents: what to do without an invitation, and the CMS tip sheets' resources.

The wording and the addresses come from the CMS Help On Demand tip sheets (001, 002, 004 for
the invitation; 000, 001, 002 for the resources). No login: an agent who never got an
invitation has no account yet.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# Links as the tip sheets give them.
REGISTRATION_TRACKER_URL = "https://data.healthcare.gov/ab-registration-tracker/"
REGISTRATION_LIST_URL = "https://data.healthcare.gov/ffm_ab_registration_lists"
NPN_LOOKUP_URL = "https://nipr.com/help/look-up-your-npn"
CMS_PORTAL_URL = "https://portal.cms.gov"
UPDATE_PROFILE_TIP_SHEET_URL = (
    "https://www.cms.gov/cciio/programs-and-initiatives/health-insurance-marketplaces/"
    "downloads/ab-helpondemandupdateprofile-tipsheet.pdf"
)
HELP_ON_DEMAND_SECTION_URL = (
    "https://www.cms.gov/CCIIO/Programs-and-Initiatives/Health-Insurance-Marketplaces/"
    "Help-On-Demand-for-Agents-and-Brokers"
)
AGENTS_BROKERS_RESOURCES_URL = "https://www.cms.gov/marketplace/agents-brokers/resources"


def help_links() -> dict[str, str]:
    return {
        "help_desk": settings.HELP_DESK_EMAIL,
        "licensed_state_email": settings.LICENSED_STATE_EMAIL,
        "tracker_url": REGISTRATION_TRACKER_URL,
        "registration_list_url": REGISTRATION_LIST_URL,
        "npn_lookup_url": NPN_LOOKUP_URL,
        "portal_url": CMS_PORTAL_URL,
        "update_profile_url": UPDATE_PROFILE_TIP_SHEET_URL,
        "hod_section_url": HELP_ON_DEMAND_SECTION_URL,
        "resources_url": AGENTS_BROKERS_RESOURCES_URL,
    }


def no_invitation(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/no_invitation.html", help_links())


def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/help.html", help_links())
