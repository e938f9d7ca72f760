"""Support's hands on the outbox: send a failed message again, cancel a waiting one.

Steps that never commit: the administrators' actions (operations/outbox_actions.py) call
them inside their own transaction, with the audit row. Each transition is a conditional
UPDATE on the status it expects, checked by its row count, so a delivery worker that
moves the same message meanwhile wins cleanly and nothing is done twice:

- a worker claims only pending rows, so a failed row it cannot touch becomes pending only
  here; the worker then claims it like any other (no attempt runs twice: the claim's
  fencing counter `attempts` keeps growing, it is not reset);
- a cancel locks the row (the claim skips locked rows) and refuses while a worker holds a
  live claim on it, so a message being sent right now is never marked as not sent.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from agentmatch.notifications.models import Message, MessageStatus
from agentmatch.notifications.outbox import moot_reason
from agentmatch.notifications.redaction import MASK, redacted_fields
from agentmatch.notifications.undeliverable import skip_reason

# "Send all failed messages of a channel again" takes at most this many (the most recent
# first) and only those that failed within RESEND_WINDOW: after a provider outage, the
# messages of that outage; older ones are about events long past.
RESEND_BATCH = 200
RESEND_WINDOW = timedelta(hours=24)


class CannotChange(Exception):
    """Why support cannot do this to the message, in the operator's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _redacted(message: Message) -> bool:
    return MASK in message.subject or MASK in message.body or MASK in str(message.payload)


def resend_refusal(message: Message) -> str | None:
    """Why this message cannot be sent again, or None: it can."""
    if message.status != MessageStatus.FAILED:
        return _("Only a failed message can be sent again; this one is not failed.")
    if _redacted(message):
        # Its one-time links were cut out once it was done with (redaction.py): sent again,
        # it would carry dead links. The event that made it must send a new one.
        return _(
            "This message's links were removed after it failed, so it cannot be sent "
            "again: a new message has to be made (for example, resend the invitation)."
        )
    if not message.body and not message.context:
        return _("This message was never written (it failed before its words were made).")
    if moot_reason(message) is not None:
        return _(
            "This message is about an offer that is no longer pending: it would not be "
            "sent, so it is left as it is."
        )
    if message.channel == "sms" and skip_reason(message.to) is not None:
        return _(
            "Texts to this number are not delivered (the carrier said so): clear the mark "
            "on the agent's page first."
        )
    return None


def _back_to_pending(ids: list[int], now: datetime) -> int:
    return Message.objects.filter(pk__in=ids, status=MessageStatus.FAILED).update(
        status=MessageStatus.PENDING, next_attempt_at=now, last_error=""
    )


def resend(message_id: int, *, now: datetime) -> Message:
    """Puts one failed message back in the outbox, due now."""
    message = Message.objects.select_for_update().filter(pk=message_id).first()
    if message is None:
        raise CannotChange(_("This message no longer exists."))
    refusal = resend_refusal(message)
    if refusal is not None:
        raise CannotChange(refusal)
    if not _back_to_pending([message.pk], now):
        raise CannotChange(_("This message changed meanwhile; look at it again."))
    message.refresh_from_db()
    return message


@dataclass(frozen=True)
class Resent:
    channel: str
    resent: list[int]
    refused: int  # failed messages in the window that cannot be sent again (left as they are)


def resend_failed(channel: str, *, now: datetime) -> Resent:
    """Puts the channel's recent failed messages back in the outbox, due now: at most
    RESEND_BATCH of them, so one click is bounded; run again for more. Running it twice
    does nothing twice: what the first run took is pending, no longer failed."""
    candidates = list(
        Message.objects.select_for_update(skip_locked=True)
        .filter(channel=channel, status=MessageStatus.FAILED, created_at__gte=now - RESEND_WINDOW)
        .exclude(body__contains=MASK)
        .exclude(subject__contains=MASK)
        .order_by("-created_at", "-pk")[:RESEND_BATCH]
    )
    wanted = [m.pk for m in candidates if resend_refusal(m) is None]
    resent = _back_to_pending(wanted, now) if wanted else 0
    if resent != len(wanted):
        # Cannot happen while the rows are locked; a partial move must not be reported whole.
        wanted = list(
            Message.objects.filter(pk__in=wanted, status=MessageStatus.PENDING).values_list(
                "pk", flat=True
            )
        )
    return Resent(channel=channel, resent=wanted, refused=len(candidates) - len(wanted))


def being_sent(message: Message, now: datetime) -> bool:
    """Whether a worker holds a live claim on this pending message (is sending it now).

    A claim counts an attempt and pushes next_attempt_at NOTIFY_CLAIM_SECONDS ahead; the
    attempt's row is written when the send ends. So: more attempts counted than recorded,
    and that deadline not yet passed (past it, the claim is over: its worker died)."""
    recorded = message.delivery_attempts.exclude(outcome="suppressed").count()
    return message.attempts > recorded and message.next_attempt_at > now


def cancel(message_id: int, *, now: datetime, by: str) -> Message:
    """A pending message is not sent after all (suppressed, with who canceled it)."""
    message = Message.objects.select_for_update().filter(pk=message_id).first()
    if message is None:
        raise CannotChange(_("This message no longer exists."))
    if message.status != MessageStatus.PENDING:
        raise CannotChange(_("Only a message waiting to be sent can be canceled."))
    if being_sent(message, now):
        raise CannotChange(
            _("This message is being sent right now; look at it again in a few minutes.")
        )
    changed = Message.objects.filter(
        pk=message.pk, status=MessageStatus.PENDING, attempts=message.attempts
    ).update(
        status=MessageStatus.SUPPRESSED,
        last_error=f"canceled by {by}"[:500],
        context={},
        # The raw secrets in its links are no longer needed (as once sent or failed).
        **redacted_fields(subject=message.subject, body=message.body, payload=message.payload),
    )
    if not changed:
        raise CannotChange(_("This message changed meanwhile; look at it again."))
    message.refresh_from_db()
    return message
