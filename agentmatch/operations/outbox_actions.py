"""Administrators' outbox controls: send a failed message again, send a channel's failed
messages again (after a provider outage), cancel a waiting message.

Each action opens its own durable transaction, calls the outbox's step
(notifications/resending.py: conditional UPDATEs checked by row count, safe with the
delivery workers running) and writes its ControlChange row in the same transaction.
OperationError leaves nothing changed. The audit rows name the message by id and never
hold its recipient (often a consumer's phone).
"""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from agentmatch.accounts.models import User
from agentmatch.notifications import resending
from agentmatch.notifications.models import Channel, Message
from agentmatch.operations.models import ControlChange, ControlKind
from agentmatch.operations.services import OperationError


def _audit(*, operator: User, kind: str, subject: str, detail: dict, now: datetime) -> None:
    ControlChange.objects.create(
        operator=operator, kind=kind, subject=subject[:200], detail=detail, at=now
    )


def requeue_message(*, operator: User, message_id: int, now: datetime) -> Message:
    with transaction.atomic(durable=True):
        try:
            message = resending.resend(message_id, now=now)
        except resending.CannotChange as exc:
            raise OperationError(exc.message) from exc
        _audit(
            operator=operator,
            kind=ControlKind.MESSAGE_REQUEUED,
            subject=f"message {message.pk}",
            detail={"channel": message.channel, "kind": message.kind, "attempts": message.attempts},
            now=now,
        )
    return message


def requeue_failed_messages(*, operator: User, channel: str, now: datetime) -> resending.Resent:
    """Returns what was sent again; OperationError (nothing written) when nothing could be."""
    if channel not in Channel.values:
        raise OperationError(_("Choose a channel."))
    with transaction.atomic(durable=True):
        result = resending.resend_failed(channel, now=now)
        if not result.resent:
            raise OperationError(
                _("No failed message of this channel from the last 24 hours can be sent again.")
            )
        _audit(
            operator=operator,
            kind=ControlKind.MESSAGES_REQUEUED,
            subject=f"{channel}: {len(result.resent)} message(s)",
            detail={
                "channel": channel,
                "count": len(result.resent),
                "messages": result.resent,
                "left_failed": result.refused,
            },
            now=now,
        )
    return result


def cancel_message(*, operator: User, message_id: int, now: datetime) -> Message:
    with transaction.atomic(durable=True):
        try:
            message = resending.cancel(message_id, now=now, by=operator.get_username())
        except resending.CannotChange as exc:
            raise OperationError(exc.message) from exc
        _audit(
            operator=operator,
            kind=ControlKind.MESSAGE_CANCELED,
            subject=f"message {message.pk}",
            detail={"channel": message.channel, "kind": message.kind, "attempts": message.attempts},
            now=now,
        )
    return message
