"""Agent side, the settings pages: availability (read, the header switch, absences one at
a time), contact details, the Find Local Help listing, state eligibility, test messages.

Each operation calls the action of accounts/agent_actions.py that the availability and
profile pages call, with channel `api` in the audit row. Replacing the mode, the weekly
hours or every absence at once is PUT /agent/availability (agent_views).
"""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Router, Status

from agentmatch.accounts import agent_actions
from agentmatch.accounts.notification_test import NothingToSend
from agentmatch.agents.contact import ContactDetails
from agentmatch.agents.errors import SettingError
from agentmatch.agents.models import Agent, Channel, WeeklyHours
from agentmatch.agents.services import coming_absences, follows_hours_without_any
from agentmatch.api import agent_views
from agentmatch.api.agent_doors import agent_of, error
from agentmatch.api.agent_schemas import (
    AbsenceOut,
    AvailabilityDetailOut,
    ContactIn,
    ContactOut,
    ListingIn,
    ListingOut,
    NewAbsenceIn,
    StateEligibilityOut,
    SwitchIn,
    TestMessageIn,
    TestMessageOut,
)
from agentmatch.api.auth import AgentToken
from agentmatch.api.documentation import (
    AGENT,
    READ_ONLY,
    SAFE,
    Refusal,
    documented,
    error_example,
)
from agentmatch.api.schemas import ErrorOut
from agentmatch.eligibility.preferences import directory_states
from agentmatch.eligibility.state_report import state_eligibility
from agentmatch.notifications.undeliverable import describe, undeliverable
from agentmatch.planyears.services import current_plan_year

router = Router(tags=["agents"], auth=AgentToken())
NO_ABSENCE = gettext_noop("No absence with this id among yours.")
# PUT /agent/availability lives on agent_views' router; Django routes one address to one
# router, so the GET of the same address must be on that router too.
same_address = agent_views.router
CHANNEL = Channel.API
CHANGE_LOG = "recorded in the agent's change log, channel api"


def _availability(agent: Agent) -> dict[str, Any]:
    now = timezone.now()
    return {
        # The switch and the state now, as PUT /agent/availability answers them.
        **agent_views._availability_out(agent),
        "follows_hours_without_any": follows_hours_without_any(agent),
        "time_zone": agent.zone.key,
        "weekly_hours": [
            {"weekday": row.weekday, "start": row.starts_at, "end": row.ends_at}
            for row in WeeklyHours.objects.filter(agent=agent).order_by("weekday", "starts_at")
        ],
        "absences": [
            {"id": a.pk, "first_day": a.first_day, "last_day": a.last_day, "note": a.note}
            for a in coming_absences(agent=agent, now=now)
        ],
    }


LISTING_EXAMPLE = {"eligible_states": ["IA", "WI"], "listed_states": ["WI"]}
ABSENCE_EXAMPLE = {"id": 31, "first_day": "2026-12-24", "last_day": "2026-12-31", "note": ""}
AVAILABILITY_EXAMPLE = {
    "switch": "schedule",
    "is_available": True,
    "reason": "Within your weekly hours",
    "changes_at": "2026-11-02T23:00:00Z",
    "paused_after_missed_offer_at": None,
    "mode_before_pause": None,
    "follows_hours_without_any": False,
    "time_zone": "America/Chicago",
    "weekly_hours": [{"weekday": 0, "start": "09:00:00", "end": "17:00:00"}],
    "absences": [ABSENCE_EXAMPLE],
}


@same_address.get(
    "/agent/availability",
    response=AvailabilityDetailOut,
    summary="The availability page: switch, state now, weekly hours, absences",
    openapi_extra=documented(who=AGENT, effects=READ_ONLY, retry=SAFE, answer=AVAILABILITY_EXAMPLE),
)
def availability(request: HttpRequest):  # type: ignore[no-untyped-def]
    """What the availability page shows; change it with PUT /agent/availability, the
    switch, or one absence at a time."""
    return _availability(agent_of(request))


@router.post(
    "/agent/availability/switch",
    response={200: AvailabilityDetailOut, 422: ErrorOut},
    summary="The green/red switch at the top of every page",
    openapi_extra=documented(
        who=AGENT,
        effects=(
            "Routing follows the switch at once (" + CHANGE_LOG + "); turning on may bring "
            "waiting referrals at once."
        ),
        retry="Safe to repeat: the same switch again leaves the same state.",
        bodies={"on": {"switch": "on"}, "off": {"switch": "off"}},
        answer=AVAILABILITY_EXAMPLE,
        errors={
            422: Refusal(
                ("invalid",),
                '`invalid`, field `switch`: "on" or "off" only (to follow the weekly hours, '
                'PUT /agent/availability with "schedule")',
                error_example("switch", "invalid", "switch: Input should be 'on' or 'off'"),
            )
        },
    ),
)
def switch(request: HttpRequest, payload: SwitchIn):  # type: ignore[no-untyped-def]
    """Off is off. On after a pause for a missed offer returns to the mode before it (the
    weekly hours, or available); on otherwise is available now, as the web's switch."""
    agent = agent_of(request)
    agent_actions.flip_switch(
        agent=agent, now=timezone.now(), channel=CHANNEL, on=str(payload.switch) == "on"
    )
    return _availability(agent)


ABSENCE_ERRORS = (
    "`in_the_past` (field first_day), `too_far_ahead` (first_day or last_day: more than two "
    "years ahead), `ends_before_it_starts` (last_day), `overlap` (first_day: days already "
    "taken by another absence), `too_long` or `control_characters` (note); messages in the "
    "language of Accept-Language (English or Spanish), as on the availability page"
)


@router.post(
    "/agent/absences",
    response={201: AbsenceOut, 422: ErrorOut},
    summary="Add one extended absence (whole days in the agent's time zone)",
    openapi_extra=documented(
        who=AGENT,
        effects="Stores the absence (" + CHANGE_LOG + "): no offers on those days.",
        retry="Not repeatable: the same days again answer 422 `overlap`.",
        body={"first_day": "2026-12-24", "last_day": "2026-12-31", "note": ""},
        answer=ABSENCE_EXAMPLE,
        status=201,
        errors={
            422: Refusal(
                (
                    "in_the_past",
                    "too_far_ahead",
                    "ends_before_it_starts",
                    "overlap",
                    "too_long",
                    "control_characters",
                ),
                ABSENCE_ERRORS,
                error_example(
                    "last_day",
                    "ends_before_it_starts",
                    "The last day must be on or after the first day.",
                ),
            )
        },
    ),
)
def add_absence(request: HttpRequest, payload: NewAbsenceIn):  # type: ignore[no-untyped-def]
    """No referrals come during an absence, whatever the switch says."""
    agent = agent_of(request)
    try:
        absence = agent_actions.add_absence(
            agent=agent,
            now=timezone.now(),
            channel=CHANNEL,
            first_day=payload.first_day,
            last_day=payload.last_day,
            note=payload.note,
        )
    except SettingError as exc:
        return error(request, 422, exc.code, exc.message, exc.field)
    [row] = [a for a in coming_absences(agent=agent, now=timezone.now()) if a.pk == absence.pk]
    return Status(
        201, {"id": row.pk, "first_day": row.first_day, "last_day": row.last_day, "note": row.note}
    )


@router.delete(
    "/agent/absences/{absence_id}",
    response={204: None, 404: ErrorOut},
    summary="Remove one of the agent's absences",
    openapi_extra=documented(
        who=AGENT + " Only the agent the absence belongs to.",
        effects=("Removes the absence (" + CHANGE_LOG + "); waiting referrals may come at once."),
        retry="Not repeatable: once removed, the same request answers 404 `not_found`.",
        errors={
            404: Refusal(
                ("not_found",),
                "`not_found`: no such absence among yours (or already removed)",
                error_example(None, "not_found", NO_ABSENCE),
            )
        },
    ),
)
def remove_absence(request: HttpRequest, absence_id: int):  # type: ignore[no-untyped-def]
    """Waiting referrals may come at once if the agent is now available."""
    removed = agent_actions.remove_absence(
        agent=agent_of(request), now=timezone.now(), channel=CHANNEL, absence_id=absence_id
    )
    if not removed:
        return error(request, 404, "not_found", _(NO_ABSENCE))
    return Status(204, None)


def _contact(agent: Agent) -> dict[str, Any]:
    mark = undeliverable(agent.cell_phone)
    return {
        "cell_phone": agent.cell_phone,
        "contact_method": agent.contact_method,
        "zip_code": agent.business_zip,
        "texts_not_delivered": describe(mark.error_code) if mark else None,
    }


CONTACT_EXAMPLE = {
    "cell_phone": "+16085550123",
    "contact_method": "email_text_app",
    "zip_code": "53711",
    "texts_not_delivered": None,
}


@router.get(
    "/agent/contact",
    response=ContactOut,
    summary="The profile's contact details: cell phone, contact method, business ZIP",
    openapi_extra=documented(who=AGENT, effects=READ_ONLY, retry=SAFE, answer=CONTACT_EXAMPLE),
)
def contact(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Name, email and NPN come from MLMS (GET /agent/profile) and are changed there."""
    return _contact(agent_of(request))


@router.put(
    "/agent/contact",
    response={200: ContactOut, 422: ErrorOut},
    summary="Change the contact details (all three together, as the profile form)",
    openapi_extra=documented(
        who=AGENT,
        effects=(
            "Saves the three details (" + CHANGE_LOG + "); a new business ZIP moves the "
            "agent for routing and the directory."
        ),
        retry="Safe to repeat: the same body sets the same details (PUT).",
        body={"cell_phone": "(608) 555-0123", "contact_method": "email_text", "zip_code": "53711"},
        answer=CONTACT_EXAMPLE,
        errors={
            422: Refusal(
                ("bad_phone", "bad_choice", "unknown_zip"),
                "`bad_phone` (cell_phone), `bad_choice` (contact_method), `unknown_zip` "
                "(zip_code); the message as on the profile page",
                error_example(
                    "zip_code", "unknown_zip", "ZIP code 00000 is not a known US ZIP code"
                ),
            )
        },
    ),
)
def update_contact(request: HttpRequest, payload: ContactIn):  # type: ignore[no-untyped-def]
    """A new business ZIP moves the agent for routing; saving the cell phone lets texts go
    to it again after the carrier refused them."""
    agent = agent_of(request)
    details = ContactDetails(payload.cell_phone, str(payload.contact_method), payload.zip_code)
    try:
        agent_actions.change_contact_details(
            agent=agent, now=timezone.now(), channel=CHANNEL, details=details
        )
    except SettingError as exc:
        return error(request, 422, exc.code, exc.message, exc.field)
    return _contact(agent)


def _listing(agent: Agent) -> dict[str, Any]:
    states = directory_states(
        agent=agent, plan_year=current_plan_year(), today=timezone.localdate()
    )
    return {"eligible_states": states.selectable, "listed_states": states.selected}


@router.get(
    "/agent/directory-listing",
    response=ListingOut,
    summary="Where Find Local Help lists the agent",
    openapi_extra=documented(who=AGENT, effects=READ_ONLY, retry=SAFE, answer=LISTING_EXAMPLE),
)
def directory_listing(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Referrals do not follow this: they follow the state preferences (PUT
    /agent/preferences)."""
    return _listing(agent_of(request))


@router.put(
    "/agent/directory-listing",
    response={200: ListingOut, 422: ErrorOut},
    summary="Choose the states where Find Local Help lists the agent",
    openapi_extra=documented(
        who=AGENT,
        effects="Find Local Help lists the agent in these states only (" + CHANGE_LOG + ").",
        retry="Safe to repeat: the same body sets the same listing (PUT).",
        body={"states": ["WI"]},
        answer=LISTING_EXAMPLE,
        errors={
            422: Refusal(
                ("not_eligible",),
                "`not_eligible` (field states): a state outside eligible_states",
                error_example(
                    "states",
                    "not_eligible",
                    "Not eligible for the directory in TX; eligible states: IA, WI.",
                ),
            )
        },
    ),
)
def update_directory_listing(request: HttpRequest, payload: ListingIn):  # type: ignore[no-untyped-def]
    """The states among eligible_states where the directory shows the agent (codes,
    case-insensitive); [] lists the agent nowhere. The answer is the listing afterwards."""
    agent = agent_of(request)
    try:
        agent_actions.change_directory_listing(
            agent=agent, now=timezone.now(), channel=CHANNEL, states=payload.states
        )
    except SettingError as exc:
        return error(request, 422, exc.code, exc.message, exc.field or "states")
    return _listing(agent)


@router.get(
    "/agent/eligibility",
    response=list[StateEligibilityOut],
    summary="Per state: can the agent receive referrals there, and if not, why",
    openapi_extra=documented(
        who=AGENT,
        effects=READ_ONLY,
        retry=SAFE,
        answer=[
            {"state": "WI", "ok": True, "licensed": True, "reasons": []},
            {"state": "IL", "ok": False, "licensed": False, "reasons": ["No health license"]},
        ],
    ),
)
def eligibility(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The profile's eligibility table: licensed states first."""
    return state_eligibility(agent_of(request), now=timezone.now())


@router.post(
    "/agent/test-message",
    response={200: TestMessageOut, 409: ErrorOut, 422: ErrorOut},
    summary="Send me a test: one email, text or app notification",
    openapi_extra=documented(
        who=AGENT,
        effects="Queues one test message on that channel to the agent's own address.",
        retry="At most one test per channel a minute: a repeat within it sends nothing (sent 0).",
        body={"channel": "sms"},
        answer={"sent": 1},
        errors={
            409: Refusal(
                ("nothing_to_send",),
                "`nothing_to_send`: no address for that channel (no app notifications set "
                "up, for instance)",
                error_example(None, "nothing_to_send", "You have not set up app notifications."),
            )
        },
    ),
)
def test_message(request: HttpRequest, payload: TestMessageIn):  # type: ignore[no-untyped-def]
    """At most one test per channel a minute: a second within the minute sends nothing."""
    try:
        sent = agent_actions.send_test_message(
            agent=agent_of(request), now=timezone.now(), via=str(payload.channel)
        )
    except NothingToSend as exc:
        return error(request, 409, "nothing_to_send", str(exc))
    return {"sent": sent}
