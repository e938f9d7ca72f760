"""The consumer's pages: Get Contacted, confirmation, the status page and cancel.

Thin: the intake's rules and every state change belong to agentmatch.referrals; this
module adds what only the web needs (wording, the friendly pages, the session grant).
"""

import logging
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from agentmatch.consumers.access import (
    grant,
    granted_ids,
    granted_referral,
)
from agentmatch.consumers.contact_form import FIELDS, HONEYPOT, FormCheck, explain, read_form
from agentmatch.consumers.languages import language_choices
from agentmatch.core.clients import client_address
from agentmatch.core.languages import LANGUAGE_NAMES
from agentmatch.core.marketplace import CALL_CENTER_PHONE
from agentmatch.core.phones import display_phone
from agentmatch.planyears.models import PlanYear
from agentmatch.planyears.services import NoCurrentPlanYear, intake_settings
from agentmatch.referrals.actions.requests import WEB, AlreadyOpen, cancel_request, submit_request
from agentmatch.referrals.intake import IntakeError, InvalidRequest
from agentmatch.referrals.limits import PHONE, RateLimited
from agentmatch.referrals.models import (
    OPEN_STATUSES,
    Referral,
)
from agentmatch.referrals.services import ReferralClosed
from agentmatch.referrals.status import agent_who_will_call, referral_for_status_token

logger = logging.getLogger(__name__)

OPEN = "open"


# --- Get Contacted ------------------------------------------------------------------------


def _page_language() -> str:
    code = (translation.get_language() or "en").split("-")[0]
    return code if code in LANGUAGE_NAMES else "en"


def _form(
    request: HttpRequest,
    *,
    check: FormCheck | None = None,
    problem: str = "",
    status: int = 200,
    zip_code: str = "",
) -> HttpResponse:
    values = check.values if check else {name: "" for name in FIELDS}
    if check is None:
        values["zip"] = zip_code
    if not values.get("language"):
        values["language"] = _page_language()
    errors = check.errors if check else {}
    summary = [(name, errors[name]) for name in FIELDS if name in errors]
    return render(
        request,
        "consumers/index.html",
        {
            "values": values,
            "consent": check.consent if check else False,
            "errors": errors,
            "summary": summary,
            "problem": problem,
            "unserved_state": check.unserved_state if check else "",
            "languages": language_choices(),
            "honeypot": HONEYPOT,
        },
        status=status,
    )


def _paused(request: HttpRequest, plan_year: PlanYear | None) -> HttpResponse:
    # Paused intake is the front page's normal off-season state: a plain page to look at,
    # but a request sent to it was not taken (503, like the API).
    status = 503 if request.method == "POST" else 200
    page = "es" if (translation.get_language() or "").startswith("es") else "en"
    message = plan_year.paused_message(page) if plan_year else ""
    # Only one language's message written: it is shown, marked as that language.
    same = plan_year is not None and message == (
        plan_year.intake_paused_message_es if page == "es" else plan_year.intake_paused_message
    )
    context = {
        "plan_year": plan_year,
        "paused_message": message,
        "page_language": page,
        "paused_message_language": page if same else ("en" if page == "es" else "es"),
    }
    return render(request, "consumers/paused.html", context, status=status)


def _already_open(request: HttpRequest, referral: Referral) -> HttpResponse:
    """The same phone already waits for an agent: its status, not a second request."""
    if str(referral.public_id) in granted_ids(request):
        return redirect("consumers:status", public_id=referral.public_id)
    # Without its secret link this browser may not see that request's details.
    return render(request, "consumers/already_open.html")


def _rate_limited(request: HttpRequest, check: FormCheck, exc: RateLimited) -> HttpResponse:
    logger.info("Get Contacted: rate limit per %s reached", exc.kind)
    if exc.kind == PHONE:
        problem = _(
            "We received several requests for this phone number in the last hour. "
            "Please wait an hour before you try again, or call the Marketplace Call "
            "Center at %(phone)s."
        ) % {"phone": CALL_CENTER_PHONE}
    else:
        problem = _(
            "We received many requests from this connection in the last hour. "
            "Please wait an hour before you try again, or call the Marketplace Call "
            "Center at %(phone)s."
        ) % {"phone": CALL_CENTER_PHONE}
    response = _form(request, check=check, problem=problem, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    try:
        current = intake_settings()
    except NoCurrentPlanYear:
        return _paused(request, None)
    if not current.plan_year.intake_open:
        return _paused(request, current.plan_year)
    if request.method != "POST":
        # Find Local Help's "Ask to be contacted instead" brings the ZIP code searched.
        return _form(request, zip_code=request.GET.get("zip", "").strip()[:10])
    if request.POST.get(HONEYPOT):
        # A field people never see: filled in, it was a program. No details in the answer.
        logger.info("Get Contacted: honeypot filled, request dropped")
        return _form(
            request,
            problem=_("We could not send your request. Please try again."),
            status=400,
        )
    check = read_form(request.POST)
    try:
        submitted = submit_request(
            fields=check.fields(),
            channel=WEB,
            client_address=client_address(request),
            now=timezone.now(),
            page_language=_page_language(),
        )
    except NoCurrentPlanYear:
        return _paused(request, None)
    except AlreadyOpen as exc:
        return _already_open(request, exc.referral)
    except RateLimited as exc:
        return _rate_limited(request, check, exc)
    except InvalidRequest as exc:
        return _form(request, check=explain(check, exc, current.plan_year.year))
    except IntakeError:  # intake_paused: closed since the page was shown
        return _paused(request, current.plan_year)
    grant(request, submitted.referral)
    return redirect("consumers:confirmation", public_id=submitted.referral.public_id)


# --- After the request --------------------------------------------------------------------


def _link_problem(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "consumers/link_problem.html",
        {"days": settings.STATUS_TOKEN_DAYS},
        status=404,
    )


@require_GET
def confirmation(request: HttpRequest, public_id: UUID) -> HttpResponse:
    referral = granted_referral(request, public_id, timezone.now())
    if referral is None:
        return _link_problem(request)
    return render(request, "consumers/confirmation.html", {"referral": referral})


@require_GET
def status_link(request: HttpRequest, public_id: UUID, token: str) -> HttpResponse:
    """The secret link from the text message: traded for a session grant, then gone."""
    referral = referral_for_status_token(public_id=public_id, token=token, now=timezone.now())
    if referral is None:
        return _link_problem(request)
    grant(request, referral)
    return redirect("consumers:status", public_id=referral.public_id)


REMOVED = "removed"


def _state(referral: Referral) -> str:
    if referral.anonymised_at is not None:
        return REMOVED  # ended, and the details it was about are gone (retention)
    return OPEN if referral.status in OPEN_STATUSES else str(referral.status)


def _status_context(referral: Referral) -> dict[str, object]:
    state = _state(referral)
    agent = None
    who = agent_who_will_call(referral)
    if who is not None:
        phone = who.cell_phone
        agent = {
            "name": who.full_name,
            "npn": who.npn,
            "phone": display_phone(phone) if phone else "",
            "phone_e164": phone,
        }
    return {
        "referral": referral,
        "state": state,
        "is_open": state == OPEN,
        "agent": agent,
        "phone_end": referral.phone[-4:],
        "poll_seconds": settings.CONSUMER_STATUS_POLL_SECONDS,
    }


@require_GET
def status(request: HttpRequest, public_id: UUID) -> HttpResponse:
    referral = granted_referral(request, public_id, timezone.now())
    if referral is None:
        return _link_problem(request)
    return render(request, "consumers/status.html", _status_context(referral))


@require_GET
def status_partial(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The live part of the status page; 204 (htmx keeps it as it is) while nothing changed."""
    referral = granted_referral(request, public_id, timezone.now())
    if referral is None:
        return render(request, "consumers/_status_gone.html")
    context = _status_context(referral)
    if request.GET.get("shown") == context["state"]:
        return HttpResponse(status=204)
    return render(request, "consumers/_status.html", context)


@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """GET asks "are you sure?"; POST cancels."""
    referral = granted_referral(request, public_id, timezone.now())
    if referral is None:
        return _link_problem(request)
    if referral.status not in OPEN_STATUSES:
        messages.info(request, _("This request has already ended."))
        return redirect("consumers:status", public_id=referral.public_id)
    if request.method != "POST":
        return render(request, "consumers/cancel.html", {"referral": referral})
    try:
        cancel_request(referral_id=referral.pk, now=timezone.now())
    except ReferralClosed:
        messages.info(request, _("This request has already ended."))
    else:
        messages.success(request, _("Your request is canceled. No agent will contact you."))
    return redirect("consumers:status", public_id=referral.public_id)
