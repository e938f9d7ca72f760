"""The agent answers an offer by a one-tap link or a text: doors, the work is in the
actions (referrals.actions.offers). Served under /n/ (workspace/offer_answer_urls.py).

A GET on an offer link only shows a confirmation page (mail scanners follow links); the
answer is the POST from that page, made as the agent the link was sent to.
"""

from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from agentmatch.core.phones import display_phone
from agentmatch.notifications.rendering import agent_language, agent_time_zone, language_name
from agentmatch.notifications.twilio_signing import inbound_webhook_url, request_is_signed
from agentmatch.referrals.actions.offers import answer_offer
from agentmatch.referrals.links import ACCEPT, answer_of, find_link, link_problem
from agentmatch.referrals.problems import OfferConflict
from agentmatch.workspace.sms_replies import Reply, answer_reply

# The link pages' HTTP status for each problem (the rest: 409, the offer moved on).
LINK_STATUS = {"invalid_link": 404, "not_your_link": 403}


def _problem(request: HttpRequest, problem: OfferConflict) -> HttpResponse:
    context = {
        "message": problem.message,
        "workspace_url": settings.AGENT_WORKSPACE_URL,
    }
    status = LINK_STATUS.get(problem.code, 409)
    return render(request, "notifications/link/problem.html", context, status=status)


@require_http_methods(["GET", "POST"])
def offer_link(request: HttpRequest, token: str) -> HttpResponse:
    user = getattr(request, "user", None)
    viewer = user.agent_id if user is not None and user.is_authenticated else None
    try:
        link = find_link(token=token, viewer_agent_id=viewer)
    except OfferConflict as exc:
        return _problem(request, exc)
    agent, offer = link.agent, link.offer
    with translation.override(agent_language(agent)), timezone.override(agent_time_zone(agent)):
        problem = link_problem(link, now=timezone.now())
        if problem is not None:
            return _problem(request, problem)
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
            answer_offer(
                offer_id=offer.pk,
                agent=agent,
                answer=answer_of(link),
                now=timezone.now(),
                channel="link",
                link=link,
            )
        except OfferConflict as exc:
            return _problem(request, exc)
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
    if not request_is_signed(request, url=inbound_webhook_url(request.get_full_path())):
        return HttpResponse("Invalid signature.", status=403, content_type="text/plain")
    phone = request.POST.get("From", "").strip()
    text = request.POST.get("Body", "")
    if not phone:
        return _twiml(Reply("help", context={"reason": "unknown_number"}).text())
    reply = answer_reply(phone=phone, text=text, now=timezone.now())
    return _twiml(reply.text())
