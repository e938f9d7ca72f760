"""Agent side, after the offer: accepted referrals, their follow-ups, and the history.

The doors of the workspace pages for the agent app: each operation calls the action the
page calls (workspace.actions), so the rules, the disclosure audit and the follow-up
history are the same whichever door the agent uses.
"""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Query, Router, Status

from agentmatch.agents.models import Channel
from agentmatch.api.agent_doors import agent_of, error
from agentmatch.api.agent_schemas import (
    AcceptedReferralOut,
    FollowUpIn,
    FollowUpOut,
    HistoryPageOut,
    ReferralDetailOut,
)
from agentmatch.api.auth import AgentToken
from agentmatch.api.cursors import BadCursor, read_cursor, write_cursor
from agentmatch.api.documentation import AGENT, SAFE, Refusal, documented, error_example
from agentmatch.api.enums import FollowUpFilter, Outcome
from agentmatch.api.schemas import ErrorOut
from agentmatch.notifications.messages import agent_time_zone
from agentmatch.referrals.models import OfferStatus
from agentmatch.workspace import queries
from agentmatch.workspace.actions import (
    AcceptedReferral,
    open_accepted_referrals,
    open_referral,
    record_follow_up,
)
from agentmatch.workspace.forms import HistoryFilterForm
from agentmatch.workspace.models import FollowUp
from agentmatch.workspace.services import FollowUpError, FollowUpInput

router = Router(tags=["agents"], auth=AgentToken())
CHANNEL = Channel.API.value
MAX_LIMIT = 100
NOT_FOUND = gettext_noop("No referral with this id among the referrals you accepted.")


def _consumer(referral: Any) -> dict[str, str]:
    return {
        "first_name": referral.first_name,
        "last_name": referral.last_name,
        "phone": referral.phone,
        "email": referral.email,
    }


def _follow_up(row: FollowUp | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "status": row.status,
        "application_id": row.application_id,
        "reason": row.reason,
        "at": row.at,
    }


def _detail(page: AcceptedReferral) -> dict[str, Any]:
    referral, removed = page.referral, page.details_removed
    return {
        "referral_id": referral.public_id,
        "reference": referral.reference,
        "requested_at": referral.created_at,
        "accepted_at": page.offer.responded_at,
        "contact_by": page.contact_by,
        "needs_reminder": page.needs_reminder,
        "details_removed": removed,
        "consumer": None if removed else _consumer(referral),
        "texts_not_delivered": page.texts_undelivered or None,
        "city": "" if removed else referral.city,
        "state": referral.state,
        "zip": "" if removed else referral.zip_code,
        "language": referral.language,
        "follow_up": _follow_up(page.current),
        "follow_ups": [_follow_up(row) for row in page.history],
    }


ACCEPTED_EXAMPLE = {
    "referral_id": "0b7c2f3e-0f54-4c1a-9a53-7d1f3c9e2a10",
    "reference": "K7QF-3M9D",
    "accepted_at": "2026-11-02T15:04:05Z",
    "contact_by": "2026-11-02T16:04:05Z",
    "needs_reminder": False,
    "follow_up": None,
    "consumer": {
        "first_name": "Ana",
        "last_name": "Diaz",
        "phone": "+16085550199",
        "email": "ana@example.com",
    },
    "city": "Madison",
    "state": "WI",
    "zip": "53703",
    "language": "es",
}
FOLLOW_UP_EXAMPLE = {
    "status": "contacted",
    "application_id": "",
    "reason": "",
    "at": "2026-11-02T15:20:00Z",
}
NOT_FOUND_ERROR = Refusal(
    ("not_found",),
    "`not_found`: unknown, someone else's, or not accepted by you (one answer for all "
    "three: it reveals no referral ids)",
    error_example(None, "not_found", NOT_FOUND),
)
DISCLOSES = (
    "Each referral in the answer is recorded as a disclosure of the consumer's contact "
    "details (channel api), as when the agent opens the page."
)
DISCLOSE_AGAIN = "Safe to repeat: it changes nothing, though each answer is recorded again."


@router.get(
    "/agent/referrals",
    response=list[AcceptedReferralOut],
    summary="Accepted referrals still being worked, with the consumers' contact details",
    openapi_extra=documented(
        who=AGENT, effects=DISCLOSES, retry=DISCLOSE_AGAIN, answer=[ACCEPTED_EXAMPLE]
    ),
)
def accepted_referrals(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Referrals the agent accepted with no follow-up yet, or contacted, quoted or deferred.

    Each referral in the answer is one recorded disclosure of the consumer's contact
    details (channel `api`), exactly as when the agent opens Manage Referrals.
    """
    accepted = open_accepted_referrals(agent=agent_of(request), now=timezone.now(), channel=CHANNEL)
    return [
        {
            "referral_id": offer.referral.public_id,
            "reference": offer.referral.reference,
            "accepted_at": offer.responded_at,
            "contact_by": offer.contact_by,
            "needs_reminder": offer.needs_reminder,
            "follow_up": offer.follow_up_status,
            "consumer": _consumer(offer.referral),
            "city": offer.referral.city,
            "state": offer.referral.state,
            "zip": offer.referral.zip_code,
            "language": offer.referral.language,
        }
        for offer in accepted
    ]


@router.get(
    "/agent/referrals/{referral_id}",
    response={200: ReferralDetailOut, 404: ErrorOut},
    summary="One accepted referral: the consumer, the follow-up and its history",
    openapi_extra=documented(
        who=AGENT + " Only the agent who accepted the referral.",
        effects=DISCLOSES,
        retry=DISCLOSE_AGAIN,
        answer={
            **ACCEPTED_EXAMPLE,
            "requested_at": "2026-11-02T15:00:00Z",
            "details_removed": False,
            "texts_not_delivered": None,
            "follow_up": FOLLOW_UP_EXAMPLE,
            "follow_ups": [FOLLOW_UP_EXAMPLE],
        },
        errors={404: NOT_FOUND_ERROR},
    ),
)
def referral_detail(request: HttpRequest, referral_id: UUID):  # type: ignore[no-untyped-def]
    """The referral's page in the workspace. Each answer with the consumer's details is one
    recorded disclosure; after the retention period the details are gone (`consumer` null)."""
    page = open_referral(
        public_id=referral_id, agent=agent_of(request), now=timezone.now(), channel=CHANNEL
    )
    if page is None:
        return error(request, 404, "not_found", _(NOT_FOUND))
    return _detail(page)


@router.post(
    "/agent/referrals/{referral_id}/follow-ups",
    response={201: FollowUpOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Record the referral's new follow-up status",
    openapi_extra=documented(
        who=AGENT + " Only the agent who accepted the referral.",
        effects=(
            "A new follow-up row (the previous stays in the history); after enrolled, "
            "not_good_prospect or could_not_reach the referral leaves GET /agent/referrals "
            "(it stays in the history)."
        ),
        retry=(
            "Each call records another row: retry only when no answer came (a repeated "
            "status is recorded again, as on the page)."
        ),
        bodies={
            "enrolled": {"status": "enrolled", "application_id": "1234567890"},
            "deferred": {"status": "deferred", "reason": "Call back in January"},
        },
        answer=FOLLOW_UP_EXAMPLE,
        status=201,
        errors={
            404: NOT_FOUND_ERROR,
            409: Refusal(
                ("details_removed", "not_accepted"),
                "`details_removed`: the referral ended and its details were removed; no "
                "follow-up can be added. `not_accepted`: the referral stopped being this "
                "agent's while the request ran",
                error_example(
                    None, "details_removed", "This referral has ended and its details were removed."
                ),
            ),
            422: Refusal(
                ("invalid",),
                "`invalid`, with `field`: `status`, `application_id` (required for "
                "enrolled, at most 40 characters) or `reason` (required for deferred, "
                "not_good_prospect, could_not_reach; at most 1000 characters); in the "
                "language of Accept-Language (English or Spanish)",
                error_example(
                    "application_id",
                    "invalid",
                    "Enter the application ID of the enrollment (from HealthCare.gov).",
                ),
            ),
        },
    ),
)
def add_follow_up(request: HttpRequest, referral_id: UUID, payload: FollowUpIn):  # type: ignore[no-untyped-def]
    """The same rules as the referral's page: the previous status stays in the history."""
    agent = agent_of(request)
    referral = queries.accepted_referral(public_id=referral_id, agent=agent)
    if referral is None:
        return error(request, 404, "not_found", _(NOT_FOUND))
    data = FollowUpInput(
        status=str(payload.status), application_id=payload.application_id, reason=payload.reason
    )
    try:
        row = record_follow_up(referral=referral, agent=agent, data=data, now=timezone.now())
    except FollowUpError as exc:
        if exc.field is None:
            # Removed after retention, or (a race) no longer this agent's referral.
            return error(request, 409, exc.code, exc.message)
        return error(request, 422, exc.code, exc.message, exc.field)
    return Status(201, _follow_up(row))


def _history_row(offer: Any) -> dict[str, Any]:
    referral = offer.referral
    removed = referral.anonymised_at is not None
    accepted = offer.status == OfferStatus.ACCEPTED
    return {
        "offer_id": offer.pk,
        "offered_at": offer.offered_at,
        "outcome": offer.status,
        "answered_at": offer.responded_at,
        "follow_up": offer.follow_up_status,
        "referral_id": referral.public_id if accepted else None,
        "city": "" if removed else referral.city,
        "state": referral.state,
        "zip": "" if removed else referral.zip_code,
        "language": referral.language,
        "details_removed": removed,
    }


DAY = "A day as YYYY-MM-DD, in the agent's time zone"


@router.get(
    "/agent/history",
    response={200: HistoryPageOut, 400: ErrorOut, 422: ErrorOut},
    summary="Every offer made to the agent, newest first, filtered, a page at a time",
    openapi_extra=documented(
        who=AGENT,
        effects="None: it reads (no consumer contact details in it).",
        retry=SAFE,
        answer={
            "rows": [
                {
                    "offer_id": 812,
                    "offered_at": "2026-11-02T15:00:00Z",
                    "outcome": "accepted",
                    "answered_at": "2026-11-02T15:04:05Z",
                    "follow_up": "contacted",
                    "referral_id": "0b7c2f3e-0f54-4c1a-9a53-7d1f3c9e2a10",
                    "city": "Madison",
                    "state": "WI",
                    "zip": "53703",
                    "language": "es",
                    "details_removed": False,
                }
            ],
            "next_cursor": "WyIyMDI2LTExLTAyVDE1OjAwOjAwKzAwOjAwIiw4MTJd:1v3xQb:Zk",
        },
        errors={
            400: Refusal(
                ("invalid_cursor",),
                "`invalid_cursor` (field `cursor`): not a cursor this API gave",
                error_example(
                    "cursor",
                    "invalid_cursor",
                    "This cursor is not one we gave: start again without it.",
                ),
            ),
            422: Refusal(
                ("invalid",),
                "`invalid`, with `field`: an unknown outcome or follow_up, a date that is "
                "not YYYY-MM-DD or outside 2015-2099, date_to before date_from, limit "
                "outside 1-100; worded as on the history page",
                error_example(
                    "date_to", "invalid", "The end date must be on or after the start date."
                ),
            ),
        },
    ),
)
def history(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    outcome: Outcome | None = Query(None),  # type: ignore[valid-type]  # noqa: B008
    follow_up: FollowUpFilter | None = Query(  # type: ignore[valid-type]  # noqa: B008
        None, description='A follow-up status, or "none" for accepted with none yet'
    ),
    date_from: str | None = Query(None, description=f"Offered on or after. {DAY}"),
    date_to: str | None = Query(None, description=f"Offered on or before. {DAY}"),
    cursor: str | None = Query(None, description="`next_cursor` of the previous page"),
    limit: int = Query(20, ge=1, le=MAX_LIMIT, description="Rows per page (at most 100)"),
):
    """The history page's rows with its filters (outcome, follow-up status, offered
    between two days). No consumer contact details here: open an accepted referral for
    them. Pages follow a cursor, a position in the list: offers made while the agent walks
    the pages come before it, so every row is seen once."""
    form = HistoryFilterForm(
        {
            "outcome": str(outcome) if outcome else "",
            "follow_up": str(follow_up) if follow_up else "",
            "date_from": date_from or "",
            "date_to": date_to or "",
        }
    )
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        return error(request, 422, "invalid", str(errors[0]), field)
    try:
        position = read_cursor(cursor) if cursor else None
    except BadCursor as exc:
        return error(request, 400, "invalid_cursor", exc.message, "cursor")
    filters: dict[str, Any] = {k: v for k, v in form.cleaned_data.items() if v}
    agent = agent_of(request)
    offers = queries.history(agent=agent, tz=agent_time_zone(agent), **filters)
    if position is not None:
        offers = queries.history_after(offers, offered_at=position[0], pk=position[1])
    rows = list(offers[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows else None
    return {
        "rows": [_history_row(offer) for offer in rows],
        "next_cursor": write_cursor(last.offered_at, last.pk) if more and last else None,
    }
