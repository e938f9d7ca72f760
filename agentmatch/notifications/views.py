"""One-tap offer links and the inbound text webhook. Thin: the work is in the services.

A GET on an offer link only shows a confirmation page (mail scanners follow links); the
answer is the POST from that page.
"""

from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from agentmatch.core.phones import display_phone
from agentmatch.notifications.links import ACCEPT, BadLink, read_token
from agentmatch.notifications.rendering import agent_language, agent_time_zone, language_name
from agentmatch.notifications.sms_replies import (
    Reply,
    answer_reply,
    signature_is_valid,
    webhook_url,
)
from agentmatch.referrals.models import Offer, OfferStatus
from agentmatch.referrals.services import OfferConflict, accept_offer, reject_offer


def _problem(request: HttpRequest, problem: str, status: int) -> HttpResponse:
    context = {"problem": problem, "workspace_url": settings.AGENT_WORKSPACE_URL}
    return render(request, "notifications/link/problem.html", context, status=status)


def _state_problem(offer: Offer, now: Any) -> str | None:
    """Why the offer cannot be answered any more, in OfferConflict's codes; None if it can."""
    if offer.status == OfferStatus.PENDING:
        return "expired" if offer.expires_at <= now else None
    problems: dict[str, str] = {
        OfferStatus.ACCEPTED: "already_accepted",
        OfferStatus.REJECTED: "rejected",
        OfferStatus.EXPIRED: "expired",
        OfferStatus.CANCELED: "canceled",
    }
    return problems.get(offer.status, "closed")


@require_http_methods(["GET", "POST"])
def offer_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = read_token(token)
    except BadLink:
        return _problem(request, "invalid", 400)
    offer = (
        Offer.objects.select_related("agent", "referral")
        .filter(pk=link.offer_id, agent_id=link.agent_id)
        .first()
    )
    if offer is None:
        return _problem(request, "invalid", 404)
    agent = offer.agent
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.agent_id not in (None, agent.pk):
        # Someone logged in as another agent opened a forwarded link: do nothing.
        return _problem(request, "not_your_offer", 403)
    with translation.override(agent_language(agent)), timezone.override(agent_time_zone(agent)):
        now = timezone.now()
        if now >= link.expires_at:
            return _problem(request, "expired", 409)
        problem = _state_problem(offer, now)
        if problem is not None:
            return _problem(request, problem, 409)
        referral = offer.referral
        context: dict[str, Any] = {
            "action": link.action,
            "referral": referral,
            "language_name": language_name(referral.language),
            "deadline": offer.expires_at,
            "workspace_url": settings.AGENT_WORKSPACE_URL,
        }
        if request.method == "GET":
            return render(request, "notifications/link/confirm.html", context)
        try:
            with transaction.atomic():
                if link.action == ACCEPT:
                    # The same audited service as the API: the disclosure is recorded.
                    accept_offer(offer_id=offer.pk, agent=agent, now=now, channel="link")
                else:
                    reject_offer(offer_id=offer.pk, agent=agent, now=now)
        except OfferConflict as exc:
            return _problem(request, exc.code, 409)
        if link.action == ACCEPT:
            context["consumer_phone"] = display_phone(referral.phone)
            return render(request, "notifications/link/accepted.html", context)
        return render(request, "notifications/link/rejected.html", context)


def _twiml(text: str) -> HttpResponse:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Response><Message>{escape(text)}</Message></Response>"
    )
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    params = [(name, value) for name in request.POST for value in request.POST.getlist(name)]
    url = webhook_url(request.get_full_path())
    given = request.headers.get("X-Twilio-Signature", "")
    if not signature_is_valid(url=url, params=params, given=given):
        return HttpResponse("Invalid signature.", status=403, content_type="text/plain")
    phone = request.POST.get("From", "").strip()
    text = request.POST.get("Body", "")
    if not phone:
        return _twiml(Reply("help", context={"reason": "unknown_number"}).text())
    with transaction.atomic():
        reply = answer_reply(phone=phone, text=text, now=timezone.now())
    return _twiml(reply.text())
