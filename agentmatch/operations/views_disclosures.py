"""Who was shown which consumer's contact details (referrals.ContactDisclosure), for
support investigating a complaint: by agent, by referral, by period, newest first. A
partner sent the details in a webhook is listed too, by the partner's name.

The page names the agent and the referral's reference, never the consumer: reading it
is not itself a disclosure.
"""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from agentmatch.core import time_zones
from agentmatch.operations.outbox_forms import DisclosureFilter
from agentmatch.operations.permissions import operator_required, operator_time_zone
from agentmatch.referrals.models import ContactDisclosure

PER_PAGE = 50

# How the details were shown (ContactDisclosure.context) and through which door.
CONTEXTS = {
    "accept": _("Accepted the referral"),
    "view": _("Opened the referral"),
    "export": _("Exported their history"),
    "webhook": _("Sent to a partner's webhook"),
}
CHANNELS = {
    "web": _("Web page"),
    "api": _("Agent API"),
    "link": _("Link in a message"),
    "sms": _("Text reply"),
    "webhook": _("Webhook"),
}


@require_GET
@operator_required
def disclosures(request: HttpRequest) -> HttpResponse:
    form = DisclosureFilter(request.GET)
    page = None
    if form.is_valid():
        found = (
            ContactDisclosure.objects.filter(form.filters())
            .select_related("agent", "partner", "referral")
            .order_by("-at", "-pk")
        )
        page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows = [
        {
            "disclosure": d,
            "context": CONTEXTS.get(d.context, d.context),
            "channel": CHANNELS.get(d.channel, d.channel),
        }
        for d in (page or [])
    ]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "zone_name": time_zones.label_of(operator_time_zone(request.user)),
    }
    return render(request, "operations/disclosures.html", context, status=200 if page else 400)
