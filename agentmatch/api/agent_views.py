"""Agent side: pending offers, accept/reject, availability and preferences."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router

from agentmatch.accounts.agent_actions import change_availability, change_preferences
from agentmatch.agents.errors import SettingError
from agentmatch.agents.models import Agent, Channel
from agentmatch.agents.schedule import ScheduleError
from agentmatch.agents.services import availability_of
from agentmatch.api.agent_doors import agent_of, error
from agentmatch.api.auth import AgentToken
from agentmatch.api.documentation import AGENT, READ_ONLY, SAFE, Refusal, documented, error_example
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


OFFER_EXAMPLE = {
    "id": 812,
    "zip": "53703",
    "city": "Madison",
    "state": "WI",
    "language": "es",
    "offered_at": "2026-11-02T15:00:00Z",
    "expires_at": "2026-11-02T15:15:00Z",
    "seconds_left": 540,
    "distance_miles": 3.2,
}
OFFER_NOT_FOUND = Refusal(
    ("not_found",),
    "`not_found`: no such offer among this agent's offers (unknown and someone else's "
    "are one answer: it reveals no offer ids)",
    error_example(None, "not_found", "This offer does not exist or was not made to you."),
)
OFFER_SETTLED = Refusal(
    ("expired", "already_accepted", "rejected", "canceled", "closed"),
    "The offer can no longer be answered: `expired` (moved to another agent), "
    "`already_accepted`, `rejected` (answered before), `canceled` (the consumer canceled), "
    "`closed` (the referral ended)",
    error_example(None, "expired", "This offer expired and has moved to another agent."),
)
AVAILABILITY_OUT_EXAMPLE = {
    "switch": "schedule",
    "is_available": True,
    "reason": "Within your weekly hours",
    "changes_at": "2026-11-02T23:00:00Z",
    "paused_after_missed_offer_at": None,
    "mode_before_pause": None,
}
PROFILE_EXAMPLE = {
    "npn": "17000123",
    "name": "Rosa Martinez",
    "languages": ["en", "es"],
    "eligible_states": ["IA", "WI"],
    "selected_states": ["WI"],
    "routing_states": ["WI"],
    "availability": AVAILABILITY_OUT_EXAMPLE,
    "texts_not_delivered": None,
}
SETTING_ERRORS = (
    "named in `field` (the index of a row included, e.g. `weekly_hours.0.end`), in the "
    "language of Accept-Language (English or Spanish), as on the web page"
)


@router.get(
    "/agent/offers",
    response=list[OfferOut],
    summary="Offers waiting for this agent's answer, soonest deadline first",
    openapi_extra=documented(who=AGENT, effects=READ_ONLY, retry=SAFE, answer=[OFFER_EXAMPLE]),
)
def pending_offers(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Offers still open (not answered, not expired). No consumer name, phone or email
    here: accepting an offer gives them. Poll it, or follow app notifications."""
    now = timezone.now()
    offers = (
        Offer.objects.filter(
            agent=agent_of(request), status=OfferStatus.PENDING, expires_at__gt=now
        )
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
        offer_id=offer_id, agent=agent_of(request), answer=answer, now=timezone.now(), channel="api"
    )


def _offererror(request: HttpRequest, exc: OfferConflict) -> HttpResponse:
    # Unknown and someone else's offer are one 404: the answer reveals no offer ids.
    status = 404 if exc.code == NOT_FOUND else 409
    return error(request, status, exc.code, exc.message)


@router.post(
    "/offers/{offer_id}/accept",
    response={200: ConsumerContactOut, 404: ErrorOut, 409: ErrorOut},
    summary="Accept an offer and get the consumer's contact details",
    openapi_extra=documented(
        who=AGENT + " Only the agent the offer was made to.",
        effects=(
            "The referral is the agent's (status accepted); the consumer is told who will "
            "call; the disclosure of the contact details is recorded (channel api)."
        ),
        retry=(
            "Not repeatable: a second accept answers 409 `already_accepted` (the details "
            "stay available at GET /agent/referrals/{referral_id})."
        ),
        answer={
            "referral_id": "0b7c2f3e-0f54-4c1a-9a53-7d1f3c9e2a10",
            "reference": "K7QF-3M9D",
            "first_name": "Ana",
            "last_name": "Diaz",
            "phone": "+16085550199",
            "email": "ana@example.com",
            "zip": "53703",
            "city": "Madison",
            "state": "WI",
            "language": "es",
        },
        errors={404: OFFER_NOT_FOUND, 409: OFFER_SETTLED},
    ),
)
def accept(request: HttpRequest, offer_id: int):  # type: ignore[no-untyped-def]
    """Accept the referral while the offer is open: the consumer's contact details are
    returned (and audited). The agent should call the consumer soon and record the
    follow-up (POST /agent/referrals/{referral_id}/follow-ups)."""
    try:
        offer = _answer(request, offer_id, ACCEPT)
    except OfferConflict as exc:
        return _offererror(request, exc)
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
    "/offers/{offer_id}/reject",
    response={200: OfferSettledOut, 404: ErrorOut, 409: ErrorOut},
    summary="Turn an offer down: the referral moves to the next agent at once",
    openapi_extra=documented(
        who=AGENT + " Only the agent the offer was made to.",
        effects="The offer is rejected and the referral is offered to the next qualified agent.",
        retry="Not repeatable: a second reject answers 409 `rejected`.",
        answer={"id": 812, "status": "rejected"},
        errors={404: OFFER_NOT_FOUND, 409: OFFER_SETTLED},
    ),
)
def reject(request: HttpRequest, offer_id: int):  # type: ignore[no-untyped-def]
    """Reject the referral (404 and 409 as for accept); the answer is the offer's status."""
    try:
        offer = _answer(request, offer_id, REJECT)
    except OfferConflict as exc:
        return _offererror(request, exc)
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
    return error(request, 422, exc.code, exc.message, exc.api_field(prefix))


@router.put(
    "/agent/availability",
    response={200: AvailabilityOut, 422: ErrorOut},
    summary="Replace the availability mode, weekly hours and absences",
    openapi_extra=documented(
        who=AGENT,
        effects=(
            "Changes what routing uses at once (recorded in the agent's change log, channel "
            "api); waiting referrals may be offered at once if the agent becomes available."
        ),
        retry="Safe to repeat: the same body sets the same state (PUT).",
        body={
            "switch": "schedule",
            "weekly_hours": [
                {"weekday": 0, "start": "09:00", "end": "17:00"},
                {"weekday": 1, "start": "09:00", "end": "17:00"},
            ],
            "absences": [
                {"first_day": "2026-11-26", "last_day": "2026-11-27", "note": "Thanksgiving"}
            ],
        },
        answer=AVAILABILITY_OUT_EXAMPLE,
        errors={
            422: Refusal(
                (
                    "bad_switch",
                    "bad_weekday",
                    "time_has_offset",
                    "end_not_after_start",
                    "too_many_ranges",
                    "overlap",
                    "in_the_past",
                    "too_far_ahead",
                    "ends_before_it_starts",
                    "too_long",
                ),
                "A rule of the availability page broke: weekly hours (`bad_weekday`, "
                "`time_has_offset`, `end_not_after_start`, `too_many_ranges`, `overlap`) or "
                "absences (`in_the_past`, `too_far_ahead`, `ends_before_it_starts`, "
                "`overlap`, `too_long`); " + SETTING_ERRORS,
                error_example(
                    "weekly_hours.0.end",
                    "end_not_after_start",
                    "The end time must be after the start time.",
                ),
            )
        },
    ),
)
def update_availability(request: HttpRequest, payload: AvailabilityIn):  # type: ignore[no-untyped-def]
    """Switch (on / off / schedule), weekly hours and extended absences; a field left out
    (or null) stays as it is.

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
            agent=agent_of(request),
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
    return _availability_out(agent_of(request))


@router.get(
    "/agent/profile",
    response=ProfileOut,
    summary="The agent's profile: languages, states, availability now",
    openapi_extra=documented(who=AGENT, effects=READ_ONLY, retry=SAFE, answer=PROFILE_EXAMPLE),
)
def profile(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Languages, eligible and selected states (routing_states: where referrals come from
    now), current availability, and whether texts reach the agent's cell phone. Name and
    NPN come from MLMS and are changed there."""
    agent = agent_of(request)
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


@router.put(
    "/agent/preferences",
    response={200: ProfileOut, 422: ErrorOut},
    summary="Choose the languages spoken and the states to receive referrals for",
    openapi_extra=documented(
        who=AGENT,
        effects=(
            "Routing follows the new languages and states at once (recorded in the agent's "
            "change log, channel api); the roster import no longer overwrites the languages."
        ),
        retry="Safe to repeat: the same body sets the same state (PUT).",
        body={"languages": ["en", "es"], "states": ["WI"]},
        answer=PROFILE_EXAMPLE,
        errors={
            422: Refusal(
                ("unknown_language", "required", "not_eligible"),
                "Field `languages`: `unknown_language`, or `required` (none chosen); field "
                "`states`: `not_eligible` (a state outside eligible_states); " + SETTING_ERRORS,
                error_example(
                    "states",
                    "not_eligible",
                    "Not eligible for referrals in TX; eligible states: IA, WI.",
                ),
            )
        },
    ),
)
def update_preferences(request: HttpRequest, payload: PreferencesIn):  # type: ignore[no-untyped-def]
    """Languages spoken (ISO 639-1 codes or English names), and states to receive referrals
    for (among eligible states, case-insensitive); a field left out stays as it is. The
    answer is the profile afterwards."""
    try:
        change_preferences(
            agent=agent_of(request),
            now=timezone.now(),
            channel=Channel.API,
            languages=payload.languages,
            states=payload.states,
        )
    except SettingError as exc:
        return _setting_error(request, exc)
    return profile(request)
