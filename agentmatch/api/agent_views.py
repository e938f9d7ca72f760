"""Agent side: pending offers, accept/reject, availability and preferences."""

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router

from agentmatch.agents.models import Agent
from agentmatch.agents.services import availability_of, set_availability, set_languages
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
from agentmatch.core.languages import normalize_language
from agentmatch.eligibility.preferences import (
    PreferenceError,
    profile_states,
    set_state_preferences,
)
from agentmatch.planyears.services import current_plan_year
from agentmatch.referrals.models import Offer, OfferStatus
from agentmatch.referrals.services import (
    OfferConflict,
    accept_offer,
    offer_waiting_referrals,
    reject_offer,
)

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


@router.post("/offers/{offer_id}/accept", response={200: ConsumerContactOut, 409: ErrorOut})
def accept(request: HttpRequest, offer_id: int):  # type: ignore[no-untyped-def]
    """Accept the referral: the consumer's contact details are returned (and audited)."""
    try:
        with transaction.atomic():
            offer = accept_offer(offer_id=offer_id, agent=_agent(request), now=timezone.now())
    except OfferConflict as exc:
        return _error(request, 409, exc.code, exc.message)
    r = offer.referral
    return {
        "referral_id": r.public_id,
        "first_name": r.first_name,
        "last_name": r.last_name,
        "phone": r.phone,
        "email": r.email,
        "zip": r.zip_code,
        "city": r.city,
        "state": r.state,
        "language": r.language,
    }


@router.post("/offers/{offer_id}/reject", response={200: OfferSettledOut, 409: ErrorOut})
def reject(request: HttpRequest, offer_id: int):  # type: ignore[no-untyped-def]
    """Reject the referral: it moves to the next agent at once."""
    try:
        with transaction.atomic():
            offer = reject_offer(offer_id=offer_id, agent=_agent(request), now=timezone.now())
    except OfferConflict as exc:
        return _error(request, 409, exc.code, exc.message)
    return {"id": offer.pk, "status": offer.status}


def _availability_out(agent: Agent) -> dict[str, object]:
    result = availability_of(agent=agent, now=timezone.now())
    return {
        "switch": agent.availability_switch,
        "is_available": result.is_available,
        "reason": result.reason,
        "changes_at": result.changes_at,
    }


@router.put("/agent/availability", response={200: AvailabilityOut, 422: ErrorOut})
def update_availability(request: HttpRequest, payload: AvailabilityIn):  # type: ignore[no-untyped-def]
    """Switch (on / off / schedule), weekly hours and extended absences."""
    agent = _agent(request)
    now = timezone.now()
    try:
        with transaction.atomic():
            set_availability(
                agent=agent,
                now=now,
                switch=payload.switch,
                weekly_hours=(
                    None
                    if payload.weekly_hours is None
                    else [(h.weekday, h.start, h.end) for h in payload.weekly_hours]
                ),
                absences=(
                    None
                    if payload.absences is None
                    else [(a.first_day, a.last_day, a.note) for a in payload.absences]
                ),
            )
            offer_waiting_referrals(now=now, agent=agent)
    except ValueError as exc:
        return _error(request, 422, "invalid", str(exc))
    return _availability_out(agent)


@router.get("/agent/profile", response=ProfileOut)
def profile(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Languages, eligible and selected states, and current availability."""
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
    }


@router.put("/agent/preferences", response={200: ProfileOut, 422: ErrorOut})
def update_preferences(request: HttpRequest, payload: PreferencesIn):  # type: ignore[no-untyped-def]
    """Languages spoken, and states to receive referrals for (among eligible states)."""
    agent = _agent(request)
    now = timezone.now()
    try:
        languages = (
            None
            if payload.languages is None
            else [normalize_language(x) for x in payload.languages]
        )
    except ValueError as exc:
        return _error(request, 422, "invalid", str(exc), "languages")
    try:
        with transaction.atomic():
            if languages is not None:
                set_languages(agent=agent, languages=languages)
            if payload.states is not None:
                set_state_preferences(
                    agent=agent,
                    selected=payload.states,
                    plan_year=current_plan_year(),
                    today=timezone.localdate(),
                )
            offer_waiting_referrals(now=now, agent=agent)
    except PreferenceError as exc:
        return _error(request, 422, "invalid", exc.message, exc.field)
    except ValueError as exc:
        return _error(request, 422, "invalid", str(exc), "languages")
    return profile(request)
