"""Consumer side: the "Get Contacted" intake, its status and cancellation."""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Header, Query, Router, Status

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


def _error(
    request: HttpRequest, status: int, code: str, message: str, field: str | None = None
) -> HttpResponse:
    from agentmatch.api.api import error_response

    return error_response(request, status, code, message, field)


def _refused(request: HttpRequest, exc: IntakeError) -> HttpResponse:
    response = _error(request, _STATUS_OF.get(exc.code, 422), exc.code, exc.message, exc.field)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


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
    """Get Contacted: store the request and offer it to the closest qualified agent.

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


def _authorized_referral(
    referral_id: UUID, header_token: str | None, query_token: str | None
) -> Referral | None:
    return referral_for_status_token(
        public_id=referral_id, token=header_token or query_token or "", now=timezone.now()
    )


@router.get("/referrals/{referral_id}", response={200: ReferralStatusOut, 404: ErrorOut}, auth=None)
def status(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    referral_id: UUID,
    x_status_token: str | None = Header(None, alias="X-Status-Token"),
    token: str | None = Query(None),
):
    """Status of a request; once accepted, who will call (name, NPN, phone)."""
    referral = _authorized_referral(referral_id, x_status_token, token)
    if referral is None:
        return _error(request, 404, "not_found", "No request with this id and status token.")
    agent = None
    who = agent_who_will_call(referral)
    if who is not None:
        agent = AssignedAgentOut(
            name=who.full_name,
            npn=who.npn,
            phone=display_phone(who.cell_phone) if who.cell_phone else "",
        )
    return {
        "id": referral.public_id,
        "reference": referral.reference,
        "status": referral.status,
        "status_text": referral.get_status_display(),
        "created_at": referral.created_at,
        "ended_at": referral.ended_at,
        "agent": agent,
    }


@router.post(
    "/referrals/{referral_id}/cancel",
    response={200: ReferralStatusOut, 404: ErrorOut, 409: ErrorOut},
    auth=None,
)
def cancel(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    referral_id: UUID,
    x_status_token: str | None = Header(None, alias="X-Status-Token"),
    token: str | None = Query(None),
):
    """The consumer no longer wants to be contacted."""
    referral = _authorized_referral(referral_id, x_status_token, token)
    if referral is None:
        return _error(request, 404, "not_found", "No request with this id and status token.")
    try:
        referral = cancel_request(referral_id=referral.pk, now=timezone.now())
    except ReferralClosed as exc:
        return _error(request, 409, "closed", exc.message)
    return {
        "id": referral.public_id,
        "reference": referral.reference,
        "status": referral.status,
        "status_text": referral.get_status_display(),
        "created_at": referral.created_at,
        "ended_at": referral.ended_at,
        "agent": None,
    }
