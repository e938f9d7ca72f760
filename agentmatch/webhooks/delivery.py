"""The delivery job: sends one due webhook per call, safe with many workers.

Like the outbox (notifications/delivery.py), three short steps, so no transaction stays
open while a receiver is talked to:

1. claim (one transaction): lock one due pending delivery with SKIP LOCKED, count the
   attempt, push next_attempt_at forward by WEBHOOKS_CLAIM_SECONDS (hiding it from other
   workers), build the body from the event as it is now and, when it carries a consumer's
   details, write the ContactDisclosure naming the partner;
2. send (no transaction): POST, signed with every current secret;
3. record (one transaction): delivered, retried later with exponential backoff and
   jitter, or failed after WEBHOOKS_MAX_ATTEMPTS; a conditional UPDATE on the attempt
   number, so a claim that ran out and was taken by another worker records nothing.

At-least-once: a worker that dies after the receiver answered sends the event again after
the claim runs out; receivers deduplicate on AgentMatch-Delivery (docs/webhooks.md).
"""

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from agentmatch.referrals.models import ContactDisclosure
from agentmatch.webhooks.events import EventGone, payload_of
from agentmatch.webhooks.models import DeliveryState, WebhookDelivery
from agentmatch.webhooks.signing import signature_header
from agentmatch.webhooks.signing_secrets import SecretUnreadable, signing_secrets
from agentmatch.webhooks.transport import Answer, SendFailed, post

log = logging.getLogger("agentmatch.webhooks")

DISCLOSURE_CHANNEL = "webhook"


@dataclass(frozen=True)
class Claim:
    delivery: WebhookDelivery
    attempt: int  # the attempt counter after this claim: a fencing token
    url: str
    body: bytes
    secrets: list[str]


def retry_delay(attempt: int) -> timedelta:
    """Exponential backoff with jitter: base * 2^(attempt-1), capped, times 0.5..1.0."""
    ceiling = min(
        settings.WEBHOOKS_RETRY_MAX_SECONDS,
        settings.WEBHOOKS_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0),
    )
    return timedelta(seconds=ceiling * (0.5 + random.random() / 2))


def _fail_now(delivery: WebhookDelivery, *, now: datetime, error: str) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING).update(
        state=DeliveryState.FAILED, last_error=error[:300], last_attempt_at=now
    )


def claim_one(*, now: datetime) -> Claim | bool:
    """A claimed delivery to send; True when one was ended at claim time (nothing to
    send); False when none is due."""
    with transaction.atomic(durable=True):
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription__partner")
            .filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if delivery is None:
            return False
        subscription = delivery.subscription
        if not subscription.is_active:
            _fail_now(delivery, now=now, error="the subscription was deactivated")
            return True
        with_details = (
            subscription.include_consumer_details
            and subscription.partner.may_receive_consumer_details
        )
        try:
            payload = payload_of(delivery, with_details=with_details, now=now)
            secrets = signing_secrets(subscription.pk, now=now)
        except EventGone:
            _fail_now(delivery, now=now, error="the event no longer exists (retention)")
            return True
        except SecretUnreadable as exc:
            _fail_now(delivery, now=now, error=str(exc))
            return True
        if not secrets:
            _fail_now(delivery, now=now, error="the subscription has no signing secret")
            return True
        if payload.disclosed_referral_id is not None:
            ContactDisclosure.objects.create(
                referral_id=payload.disclosed_referral_id,
                partner=subscription.partner,
                at=now,
                channel=DISCLOSURE_CHANNEL,
                context=DISCLOSURE_CHANNEL,
            )
        attempt = delivery.attempts + 1
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            attempts=attempt,
            next_attempt_at=now + timedelta(seconds=settings.WEBHOOKS_CLAIM_SECONDS),
            last_attempt_at=now,
        )
        return Claim(delivery, attempt, subscription.url, payload.body, secrets)


def send(claim: Claim, *, now: datetime) -> Answer | SendFailed:
    headers = {
        "AgentMatch-Signature": signature_header(claim.secrets, int(now.timestamp()), claim.body),
        "AgentMatch-Event": claim.delivery.event_type,
        "AgentMatch-Delivery": str(claim.delivery.pk),
    }
    try:
        return post(claim.url, claim.body, headers)
    except SendFailed as exc:
        return exc


def record(claim: Claim, outcome: Answer | SendFailed, *, now: datetime) -> str:
    """Stores the attempt's outcome; returns the delivery's state after it."""
    if isinstance(outcome, Answer) and 200 <= outcome.status < 300:
        fields: dict[str, object] = {
            "state": DeliveryState.DELIVERED,
            "delivered_at": now,
            "last_status_code": outcome.status,
            "last_error": "",
            "response_excerpt": outcome.excerpt,
        }
    else:
        if isinstance(outcome, Answer):
            error = f"HTTP {outcome.status}"
            if 300 <= outcome.status < 400:
                error += " (redirects are not followed)"
            fields = {"last_status_code": outcome.status, "response_excerpt": outcome.excerpt}
        else:
            error = outcome.message
            fields = {"last_status_code": None, "response_excerpt": ""}
        permanent = isinstance(outcome, SendFailed) and outcome.permanent
        if permanent or claim.attempt >= settings.WEBHOOKS_MAX_ATTEMPTS:
            fields["state"] = DeliveryState.FAILED
        else:
            fields["next_attempt_at"] = now + retry_delay(claim.attempt)
        fields["last_error"] = error[:300]
    with transaction.atomic(durable=True):
        updated = WebhookDelivery.objects.filter(
            pk=claim.delivery.pk, state=DeliveryState.PENDING, attempts=claim.attempt
        ).update(**fields)
    state = str(fields.get("state", DeliveryState.PENDING))
    # The log names the delivery and the outcome, never the URL's query, body or secret.
    log.info(
        "webhook delivery %s (%s) attempt %s: %s",
        claim.delivery.pk,
        claim.delivery.event_type,
        claim.attempt,
        state if updated else "outcome not recorded (claim taken over)",
    )
    return state


def deliver_one(now: datetime) -> bool:
    """Claims, sends and records one due delivery; False when none is due."""
    claimed = claim_one(now=now)
    if not isinstance(claimed, Claim):
        return claimed
    outcome = send(claimed, now=now)
    record(claimed, outcome, now=now)
    return True
