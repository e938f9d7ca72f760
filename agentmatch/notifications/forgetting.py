"""The outbox's part of forgetting a consumer (retention.actions composes the steps).

Messages about a referral carry the consumer's phone or email (`to`, and the dedupe key
built from it), their name in the words sent to the agent, and provider ids and errors
that name the number. A step, never committing: the caller's transaction holds the
referrals' locks. What stays is what the delivery statistics need: channel, kind,
language, status, attempts and every time.
"""

from collections.abc import Sequence

from django.db.models import Q, QuerySet

from agentmatch.notifications.models import DeliveryAttempt, Message, MessageStatus

REMOVED = "[removed]"


def messages_about(referral_ids: Sequence[int]) -> QuerySet[Message]:
    """Every message about these referrals or their offers (the outbox names them by
    label, so this takes ids, not referrals)."""
    return Message.objects.filter(
        Q(referral_id__in=referral_ids) | Q(offer__referral_id__in=referral_ids)
    )


def attempts_about(referral_ids: Sequence[int]) -> QuerySet[DeliveryAttempt]:
    return DeliveryAttempt.objects.filter(message__in=messages_about(referral_ids))


def forget_messages_about(*, referral_ids: Sequence[int]) -> tuple[int, int]:
    """Empties the recipients, words and provider details of these referrals' messages and
    their delivery attempts; returns (messages, attempts) changed."""
    ids = list(messages_about(referral_ids).values_list("pk", flat=True))
    # Long ended referrals have nothing pending; if one had, it must not go out to "".
    Message.objects.filter(pk__in=ids, status=MessageStatus.PENDING).update(
        status=MessageStatus.SUPPRESSED
    )
    attempts = DeliveryAttempt.objects.filter(message_id__in=ids).update(provider_id="", error="")
    messages = Message.objects.filter(pk__in=ids).update(
        to="",
        subject="",
        body="",
        payload={},
        context={},
        dedupe_key=None,
        provider_id="",
        last_error="",
    )
    return messages, attempts
