"""Agent side: pending offers, accept/reject, availability and preferences."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router

from agentmatch.accounts.agent_actions import change_availability, change_preferences
from agentmatch.agents.errors import SettingError
from agentmatch.agents.models import Agent, Channel
from agentmatch.agents.schedule import ScheduleError
from agentmatch.agents.services import availability_of
from agentmatch.api.auth import AgentToken
from agentmatch.api.schemas import (
    AvailabilityIn,
    AvailabilityOut,
    ConsumerContactOut,
    ErrorOut,
    OfferOut,
    OfferSettledOut,
    PreferencesIn,
    ProfileOut,
)
from agentmatch.eligibility.preferences import profile_states
from agentmatch.notifications.undeliverable import describe, undeliverable
from agentmatch.planyears.services import current_plan_year
from agentmatch.referrals.actions.offers import ACCEPT, REJECT, Answer, answer_offer
from agentmatch.referrals.models import Offer, OfferStatus
from agentmatch.referrals.problems import NOT_FOUND, OfferConflict

router = Router(tags=["agents"], auth=AgentToken())


def _error(
    request: HttpRequest, status: int, code: str, message: str, field: str | None = None
) -> HttpResponse:
    from agentmatch.api.api import error_response

    return error_response(request, status, code, message, field)


def _agent(request: HttpRequest) -> Agent:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@router.get("/agent/offers", response=list[OfferOut])
def pending_offers(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Offers waiting for this agent's answer. No consumer name, phone or email here."""
    now = timezone.now()
    offers = (
        Offer.objects.filter(agent=_agent(request), status=OfferStatus.PENDING, expires_at__gt=now)
        .select_related("referral")
        .order_by("expires_at")
    )
    return [
        {
            "id": o.pk,
            "zip": o.referral.zip_code,
            "city": o.referral.city,
            "state": o.referral.state,
            "language": o.referral.language,
            "offered_at": o.offered_at,
            "expires_at": o.expires_at,
            "seconds_left": max(0, int((o.expires_at - now).total_seconds())),
            "distance_miles": o.distance_miles,
        }
        for o in offers
    ]


def _answer(request: HttpRequest, offer_id: int, answer: Answer) -> Offer:
    return answer_offer(
        offer_id=offer_id, agent=_agent(request), answer=answer, now=timezone.now(), channel="api"
    )


def _offer_error(request: HttpRequest, exc: OfferConflict) -> HttpResponse:
    # Unknown and someone else's offer are one 404: the answer reveals no offer ids.
    status = 404 if exc.code == NOT_FOUND else 409
    return _error(request, status, exc.code, exc.message)


@router.post(
    "/offers/{offer_id}/accept",
    response={200: ConsumerContactOut, 404: ErrorOut, 409: ErrorOut},
)
def accept(request: HttpRequest, offer_id: int):  # type: ignore[no-untyped-def]
    """Accept the referral: the consumer's contact details are returned (and audited).

    404 `not_found`: no such offer among this agent's offers. 409: the offer can no
    longer be answered (`expired`, `already_accepted`, `rejected`, `canceled`, `closed`).
    """
    try:
        offer = _answer(request, offer_id, ACCEPT)
    except OfferConflict as exc:
        return _offer_error(request, exc)
    r = offer.referral
    return {
        "referral_id": r.public_id,
        "reference": r.reference,
        "first_name": r.first_name,
        "last_name": r.last_name,
        "phone": r.phone,
        "email": r.email,
        "zip": r.zip_code,
        "city": r.city,
        "state": r.state,
        "language": r.language,
    }


@router.post(
    "/offers/{offer_id}/reject", response={200: OfferSettledOut, 404: ErrorOut, 409: ErrorOut}
)
def reject(request: HttpRequest, offer_id: int):  # type: ignore[no-untyped-def]
    """Reject the referral: it moves to the next agent at once (404 and 409 as for accept)."""
    try:
        offer = _answer(request, offer_id, REJECT)
    except OfferConflict as exc:
        return _offer_error(request, exc)
    return {"id": offer.pk, "status": offer.status}


def _availability_out(agent: Agent) -> dict[str, object]:
    result = availability_of(agent=agent, now=timezone.now())
    return {
        "switch": agent.availability_switch,
        "is_available": result.is_available,
        "reason": result.reason,
        "changes_at": result.changes_at,
        "paused_after_missed_offer_at": agent.paused_after_missed_offer_at,
        "mode_before_pause": agent.mode_before_pause or None,
    }


def _setting_error(request: HttpRequest, exc: SettingError, prefix: str = "") -> HttpResponse:
    return _error(request, 422, exc.code, exc.message, exc.api_field(prefix))


@router.put("/agent/availability", response={200: AvailabilityOut, 422: ErrorOut})
def update_availability(request: HttpRequest, payload: AvailabilityIn):  # type: ignore[no-untyped-def]
    """Switch (on / off / schedule), weekly hours and extended absences.

    Weekly hours and absences replace the current ones, with the rules of the web page:
    each range within its day (end after start; an end of 00:00 is midnight), no overlaps,
    times without a UTC offset; absences from today to two years ahead, not overlapping.
    """
    weekly_hours = (
        None
        if payload.weekly_hours is None
        else [(h.weekday, h.start, h.end) for h in payload.weekly_hours]
    )
    absences = (
        None
        if payload.absences is None
        else [(a.first_day, a.last_day, a.note) for a in payload.absences]
    )
    try:
        change_availability(
            agent=_agent(request),
            now=timezone.now(),
            channel=Channel.API,
            switch=payload.switch,
            weekly_hours=weekly_hours,
            absences=absences,
        )
    except ScheduleError as exc:
        return _setting_error(request, exc, "weekly_hours")
    except SettingError as exc:
        return _setting_error(request, exc, "absences")
    return _availability_out(_agent(request))


@router.get("/agent/profile", response=ProfileOut)
def profile(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Languages, eligible and selected states, current availability, and whether texts
    reach the agent's cell phone."""
    agent = _agent(request)
    states = profile_states(agent=agent, plan_year=current_plan_year(), today=timezone.localdate())
    return {
        "npn": agent.npn,
        "name": agent.full_name,
        "languages": sorted(agent.languages.values_list("language", flat=True)),
        "eligible_states": states.selectable,
        "selected_states": states.selected,
        "routing_states": states.routing,
        "availability": _availability_out(agent),
        "texts_not_delivered": describe(mark.error_code)
        if (mark := undeliverable(agent.cell_phone))
        else None,
    }


@router.put("/agent/preferences", response={200: ProfileOut, 422: ErrorOut})
def update_preferences(request: HttpRequest, payload: PreferencesIn):  # type: ignore[no-untyped-def]
    """Languages spoken, and states to receive referrals for (among eligible states)."""
    try:
        change_preferences(
            agent=_agent(request),
            now=timezone.now(),
            channel=Channel.API,
            languages=payload.languages,
            states=payload.states,
        )
    except SettingError as exc:
        return _setting_error(request, exc)
    return profile(request)
