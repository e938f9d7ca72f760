"""Consumer side: the "Get Contacted" intake, its status and cancellation."""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Header, Query, Router, Status

from agentmatch.api.agent_doors import error
from agentmatch.api.documentation import RETRY_AFTER, Refusal, documented, error_example
from agentmatch.api.schemas import (
    AssignedAgentOut,
    ErrorOut,
    ReferralCreatedOut,
    ReferralIn,
    ReferralStatusOut,
)
from agentmatch.core.clients import client_address
from agentmatch.core.phones import display_phone
from agentmatch.referrals.actions.requests import (
    API,
    RequestFields,
    cancel_request,
    submit_request,
)
from agentmatch.referrals.intake import IntakeError
from agentmatch.referrals.limits import RateLimited
from agentmatch.referrals.models import Referral
from agentmatch.referrals.services import ReferralClosed
from agentmatch.referrals.status import agent_who_will_call, referral_for_status_token

router = Router(tags=["consumers"])

# The HTTP status of each intake refusal (any other: 422, the field named).
_STATUS_OF = {
    "intake_paused": 503,
    "invalid_partner_key": 401,
    "already_open": 409,
    "rate_limited": 429,
}


def _refused(request: HttpRequest, exc: IntakeError) -> HttpResponse:
    response = error(request, _STATUS_OF.get(exc.code, 422), exc.code, exc.message, exc.field)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


REFERENCE_EXAMPLE = "K7QF-3M9D"
REFERRAL_ID_EXAMPLE = "0b7c2f3e-0f54-4c1a-9a53-7d1f3c9e2a10"
INTAKE_EXAMPLE = {
    "first_name": "Ana",
    "last_name": "Diaz",
    "phone": "(608) 555-0199",
    "email": "ana@example.com",
    "zip": "53703",
    "language": "es",
    "consent": True,
}
STATUS_EXAMPLE = {
    "id": REFERRAL_ID_EXAMPLE,
    "reference": REFERENCE_EXAMPLE,
    "status": "accepted",
    "status_text": "Accepted by an agent",
    "created_at": "2026-11-02T15:00:00Z",
    "ended_at": "2026-11-02T15:04:05Z",
    "agent": {"name": "Rosa Martinez", "npn": "17000123", "phone": "(608) 555-0123"},
}
NOT_FOUND = Refusal(
    ("not_found",),
    "`not_found`: no request with this id and status token (an unknown id and a wrong "
    "token are one answer: it reveals no ids)",
    error_example(None, "not_found", "No request with this id and status token."),
)
STATUS_TOKEN = (
    "Anyone holding the request's status token from the intake's answer (X-Status-Token "
    "header, or `token` in the query as in the consumer's status link); a token works "
    "STATUS_TOKEN_DAYS days (30 by default)."
)


@router.post(
    "/referrals",
    response={
        201: ReferralCreatedOut,
        401: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
        503: ErrorOut,
    },
    auth=None,
    summary="Ask to be contacted by a licensed agent (Get Contacted)",
    openapi_extra=documented(
        who=(
            "Anyone (the consumer, or an integrator on their behalf with X-Partner-Key); "
            "limited per phone and per client address or partner key."
        ),
        effects=(
            "Stores the request and offers it at once to the closest qualified agent "
            "(status offered), or queues it (waiting) until one is available; the agent "
            "is notified by email, text or app. The answer's status_token is shown once."
        ),
        retry=(
            "Send an Idempotency-Key to make a retry safe: the same key and body within 24 "
            "hours answer the first result again (Idempotent-Replayed: true) and create "
            "nothing. Without a key, a second request for the same phone while the first "
            "is open is refused (409 already_open)."
        ),
        body=INTAKE_EXAMPLE,
        status=201,
        answer={
            "id": REFERRAL_ID_EXAMPLE,
            "reference": REFERENCE_EXAMPLE,
            "status": "offered",
            "status_token": "s3cr3t-5tatus-t0ken-from-the-answer",
        },
        errors={
            401: Refusal(
                ("invalid_partner_key",),
                "`invalid_partner_key`: the X-Partner-Key is unknown or revoked",
                error_example(
                    None, "invalid_partner_key", "The X-Partner-Key is unknown or revoked."
                ),
            ),
            409: Refusal(
                ("already_open",),
                "`already_open` (field phone): this phone already has an open request; "
                "wait for its answer or cancel it first",
                error_example(
                    "phone",
                    "already_open",
                    "This phone number already has an open request: wait for its answer, "
                    "or cancel it before you make a new one.",
                ),
            ),
            422: Refusal(
                (
                    "invalid",
                    "required",
                    "control_character",
                    "phone_not_allowed",
                    "state_not_served",
                    "idempotency_key_reused",
                ),
                "The field concerned is named in `field`. `required`: a name or consent "
                "missing; `invalid`: a value that is not a phone, email, known ZIP or "
                "language; `phone_not_allowed`: not a US landline or mobile number; "
                "`state_not_served`: the ZIP's state is not served by HealthCare.gov this "
                "plan year; `control_character`: in a name; `idempotency_key_reused` (field "
                "idempotency_key): the key was used with another body",
                error_example("zip", "invalid", "ZIP code 00000 is not a known US ZIP code"),
            ),
            429: Refusal(
                ("rate_limited",),
                "`rate_limited`: too many requests from this phone (field phone), client "
                "address or partner key this hour; Retry-After says when to try again",
                error_example(
                    "phone",
                    "rate_limited",
                    "This phone number made several requests in the last hour. Try again "
                    "in 40 minutes.",
                ),
                RETRY_AFTER,
            ),
            503: Refusal(
                ("intake_paused", "no_plan_year"),
                "`intake_paused`: operators paused new requests (the message says why); "
                "`no_plan_year`: no plan year is set up yet",
            ),
        },
    ),
)
def create(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    response: HttpResponse,
    payload: ReferralIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description=(
            "Optional, a random value (a UUID) per request. A retry with the same key and "
            "body within 24 hours gets the first answer (same id and status token, header "
            "Idempotent-Replayed: true) and makes nothing new; the same key with another "
            "body is refused (422, code idempotency_key_reused)."
        ),
    ),
    x_partner_key: str | None = Header(
        None,
        alias="X-Partner-Key",
        description=(
            "Optional, for integrators: the key from `agentmatch partner_key create`. Its "
            "own hourly limit replaces the per-address one; the referral records it. An "
            "unknown or revoked key: 401."
        ),
    ),
):
    """Get Contacted: store the request and offer it to the closest qualified agent who
    speaks the consumer's language and is licensed in the ZIP code's state.

    Limits, as on the web form: a few requests per phone and many per client address (or
    per partner key) each hour (429 with Retry-After, in seconds); one open request per
    phone (409, code already_open); US landline and mobile numbers only (422, field phone).
    """
    try:
        submitted = submit_request(
            fields=RequestFields(
                first_name=payload.first_name,
                last_name=payload.last_name,
                phone=payload.phone,
                email=payload.email,
                zip_code=payload.zip,
                language=payload.language,
                consent=payload.consent,
            ),
            channel=API,
            client_address=client_address(request),
            now=timezone.now(),
            partner_key=x_partner_key,
            idempotency_key=idempotency_key,
        )
    except IntakeError as exc:
        return _refused(request, exc)
    body = {
        "id": submitted.referral.public_id,
        "reference": submitted.referral.reference,
        "status": submitted.status,
        "status_token": submitted.status_token,
    }
    if submitted.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(201, body)


def _status_body(referral: Referral, agent: AssignedAgentOut | None) -> dict[str, object]:
    return {
        "id": referral.public_id,
        "reference": referral.reference,
        "status": referral.status,
        "status_text": referral.get_status_display(),
        "created_at": referral.created_at,
        "ended_at": referral.ended_at,
        "agent": agent,
    }


def _authorized_referral(
    referral_id: UUID, header_token: str | None, query_token: str | None
) -> Referral | None:
    return referral_for_status_token(
        public_id=referral_id, token=header_token or query_token or "", now=timezone.now()
    )


@router.get(
    "/referrals/{referral_id}",
    response={200: ReferralStatusOut, 404: ErrorOut},
    auth=None,
    summary="Where a request stands, and who will call once an agent accepted it",
    openapi_extra=documented(
        who=STATUS_TOKEN,
        effects="None: it reads.",
        retry="Safe to repeat: it changes nothing.",
        answer=STATUS_EXAMPLE,
        errors={404: NOT_FOUND},
    ),
)
def status(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    referral_id: UUID,
    x_status_token: str | None = Header(None, alias="X-Status-Token"),
    token: str | None = Query(None),
):
    """The request's status (new, offered, waiting, accepted, unmatched, canceled) in words
    too; once accepted, the agent who will call (name, NPN, phone), otherwise `agent` is
    null. `ended_at` is set once the request ended (accepted, unmatched or canceled)."""
    referral = _authorized_referral(referral_id, x_status_token, token)
    if referral is None:
        return error(request, 404, "not_found", "No request with this id and status token.")
    agent = None
    who = agent_who_will_call(referral)
    if who is not None:
        agent = AssignedAgentOut(
            name=who.full_name,
            npn=who.npn,
            phone=display_phone(who.cell_phone) if who.cell_phone else "",
        )
    return _status_body(referral, agent)


@router.post(
    "/referrals/{referral_id}/cancel",
    response={200: ReferralStatusOut, 404: ErrorOut, 409: ErrorOut},
    auth=None,
    summary="Cancel a request: the consumer no longer wants to be contacted",
    openapi_extra=documented(
        who=STATUS_TOKEN,
        effects=(
            "Ends the request (status canceled): a pending offer is withdrawn and no agent "
            "is offered it again."
        ),
        retry=(
            "Not repeatable: a second cancel of an ended request answers 409 `closed` and "
            "changes nothing."
        ),
        answer={
            **STATUS_EXAMPLE,
            "status": "canceled",
            "status_text": "Canceled by the consumer",
            "agent": None,
        },
        errors={
            404: NOT_FOUND,
            409: Refusal(
                ("closed",),
                "`closed`: the request already ended (accepted, unmatched or canceled)",
                error_example(None, "closed", "This request is already accepted by an agent."),
            ),
        },
    ),
)
def cancel(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    referral_id: UUID,
    x_status_token: str | None = Header(None, alias="X-Status-Token"),
    token: str | None = Query(None),
):
    """The consumer no longer wants to be contacted: only an open request (new, offered or
    waiting) can be canceled; the answer is its status afterwards."""
    referral = _authorized_referral(referral_id, x_status_token, token)
    if referral is None:
        return error(request, 404, "not_found", "No request with this id and status token.")
    try:
        referral = cancel_request(referral_id=referral.pk, now=timezone.now())
    except ReferralClosed as exc:
        return error(request, 409, "closed", exc.message)
    return _status_body(referral, None)
