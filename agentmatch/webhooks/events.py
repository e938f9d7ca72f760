"""Which rows of the event tables are webhook events, and what each delivery says.

Referral events go to the subscriptions of the partner whose key created the referral
(a partner hears only about its own consumers' requests); agent status events go to
every subscription that chose them. A payload is built when its delivery is sent, from
the rows as they are then, so a consumer's details are never copied into the log.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agentmatch.eligibility.models import AgentStatusEvent, AgentStatusKind
from agentmatch.referrals.models import EventKind, Referral, ReferralEvent
from agentmatch.webhooks.models import EventSource, EventType, WebhookDelivery

REFERRAL_TYPES: dict[str, str] = {
    EventKind.CREATED: EventType.REFERRAL_CREATED,
    EventKind.OFFERED: EventType.REFERRAL_OFFERED,
    EventKind.ACCEPTED: EventType.REFERRAL_ACCEPTED,
    EventKind.UNMATCHED: EventType.REFERRAL_UNMATCHED,
    EventKind.CANCELED: EventType.REFERRAL_CANCELED,
}
AGENT_TYPES: dict[str, str] = {
    AgentStatusKind.AVAILABILITY: EventType.AGENT_AVAILABILITY_CHANGED,
    AgentStatusKind.ELIGIBILITY: EventType.AGENT_ELIGIBILITY_CHANGED,
}


class EventGone(Exception):
    """The event's row was deleted (retention) before its delivery went out."""


@dataclass(frozen=True)
class Payload:
    body: bytes
    # The referral whose consumer's details the body carries (to audit), if any.
    disclosed_referral_id: int | None = None


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _encode(delivery: WebhookDelivery, occurred_at: datetime, data: dict[str, Any]) -> bytes:
    envelope = {
        "id": str(delivery.pk),
        "type": delivery.event_type,
        "occurred_at": _time(occurred_at),
        "data": data,
    }
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True).encode()


def referral_data(referral: Referral, *, with_details: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(referral.public_id),
        "reference": referral.reference,
        "status": referral.status,
        "state": referral.state,
        "language": referral.language,
        "created_at": _time(referral.created_at),
        "ended_at": _time(referral.ended_at),
    }
    if with_details and referral.anonymised_at is None:
        data["consumer"] = {
            "first_name": referral.first_name,
            "last_name": referral.last_name,
            "phone": referral.phone,
            "email": referral.email,
            "zip_code": referral.zip_code,
        }
    return data


def payload_of(delivery: WebhookDelivery, *, with_details: bool, now: datetime) -> Payload:
    """The body of this delivery; EventGone when its event no longer exists."""
    if delivery.source == EventSource.TEST:
        return Payload(_encode(delivery, delivery.created_at, {"test": True}))
    if delivery.source == EventSource.REFERRAL:
        event = (
            ReferralEvent.objects.select_related("referral", "agent")
            .filter(pk=delivery.event_id)
            .first()
        )
        if event is None:
            raise EventGone
        data = referral_data(event.referral, with_details=with_details)
        if event.agent is not None:
            data["agent"] = {"npn": event.agent.npn}
        body = _encode(delivery, event.at, data)
        shown = "consumer" in data
        return Payload(body, event.referral_id if shown else None)
    status = AgentStatusEvent.objects.select_related("agent").filter(pk=delivery.event_id).first()
    if status is None:
        raise EventGone
    data = {"agent": {"npn": status.agent.npn}, **status.params}
    return Payload(_encode(delivery, status.at, data))
