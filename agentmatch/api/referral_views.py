"""Consumer side: the "Get Contacted" intake, its status and cancellation."""

from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from ninja import Header, Query, Router, Status

from agentmatch.api.schemas import (
    AssignedAgentOut,
    ErrorOut,
    ReferralCreatedOut,
    ReferralIn,
    ReferralStatusOut,
)
from agentmatch.core.phones import display_phone
from agentmatch.core.secrets import hash_secret
from agentmatch.planyears.services import NoCurrentPlanYear, intake_settings
from agentmatch.referrals.intake import IntakeError, validate_contact_request
from agentmatch.referrals.models import Offer, OfferStatus, Referral, ReferralStatus
from agentmatch.referrals.services import ReferralClosed, cancel_referral, create_referral

router = Router(tags=["consumers"])


def _error(
    request: HttpRequest, status: int, code: str, message: str, field: str | None = None
) -> HttpResponse:
    from agentmatch.api.api import error_response

    return error_response(request, status, code, message, field)


@router.post(
    "/referrals", response={201: ReferralCreatedOut, 422: ErrorOut, 503: ErrorOut}, auth=None
)
def create(request: HttpRequest, payload: ReferralIn):  # type: ignore[no-untyped-def]
    """Get Contacted: store the request and offer it to the closest qualified agent."""
    try:
        current = intake_settings()
    except NoCurrentPlanYear as exc:
        return _error(request, 503, "no_plan_year", str(exc))
    plan_year = current.plan_year
    try:
        contact = validate_contact_request(
            plan_year=plan_year,
            served_states=current.served_states,
            first_name=payload.first_name,
            last_name=payload.last_name,
            phone=payload.phone,
            email=payload.email,
            zip_code=payload.zip,
            language=payload.language,
            consent=payload.consent,
        )
    except IntakeError as exc:
        status = 503 if exc.code == "intake_paused" else 422
        return _error(request, status, exc.code, exc.message, exc.field)
    with transaction.atomic():
        referral, token = create_referral(
            request=contact, plan_year=plan_year.year, now=timezone.now()
        )
    return Status(201, {"id": referral.public_id, "status": referral.status, "status_token": token})


def _authorized_referral(
    referral_id: UUID, header_token: str | None, query_token: str | None
) -> Referral | None:
    token = header_token or query_token or ""
    referral = Referral.objects.filter(public_id=referral_id).first()
    if referral is None or not constant_time_compare(
        hash_secret(token), referral.status_token_hash
    ):
        return None
    # The token is a bearer secret: it stops working a while after the request is made.
    if timezone.now() - referral.created_at > timedelta(days=settings.STATUS_TOKEN_DAYS):
        return None
    return referral


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
    if referral.status == ReferralStatus.ACCEPTED:
        offer = Offer.objects.select_related("agent").get(
            referral=referral, status=OfferStatus.ACCEPTED
        )
        agent = AssignedAgentOut(
            name=offer.agent.full_name,
            npn=offer.agent.npn,
            phone=display_phone(offer.agent.cell_phone) if offer.agent.cell_phone else "",
        )
    return {
        "id": referral.public_id,
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
        with transaction.atomic():
            referral = cancel_referral(referral_id=referral.pk, now=timezone.now())
    except ReferralClosed as exc:
        return _error(request, 409, "closed", exc.message)
    return {
        "id": referral.public_id,
        "status": referral.status,
        "status_text": referral.get_status_display(),
        "created_at": referral.created_at,
        "ended_at": referral.ended_at,
        "agent": None,
    }
