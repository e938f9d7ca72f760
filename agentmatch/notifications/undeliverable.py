"""Phone numbers texts cannot reach: marked when the carrier says so, skipped by the outbox,
shown to the people who can fix them, cleared when fixed.

Steps that never commit: the delivery report action, the outbox's claim, the operator's
and the agent's actions call them inside their own transactions.
"""

import hashlib
import hmac
from datetime import datetime

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agentmatch.notifications.models import Message, UndeliverablePhone

# Twilio's error codes that say the number itself cannot take our texts (not a passing
# outage of ours or theirs): https://www.twilio.com/docs/api/errors/<code>.
# 30003 also covers a phone switched off for long; the mark stays until someone who knows
# the number works clears it, as one wrong mark costs a text, many missed ones cost offers.
UNDELIVERABLE_CODES: dict[int, Promise] = {
    21610: _("the number replied STOP: unsubscribed"),
    30003: _("unreachable phone"),
    30004: _("message blocked by the phone's owner or carrier"),
    30005: _("unknown destination: the number does not exist"),
    30006: _("landline or unreachable carrier"),
}

# A constant key, not SECRET_KEY: a mark must survive key rotation. The hash keeps numbers
# out of sight (admin, dumps, logs), it does not make them secret from someone who has the
# database, where the referrals already hold them.
_KEY = b"agentmatch.notifications.undeliverable-phone"


def phone_hash(phone: str) -> str:
    return hmac.new(_KEY, phone.strip().encode(), hashlib.sha256).hexdigest()


def _looks_like_e164(phone: str) -> bool:
    # An anonymised recipient ("", "redacted") must never become a mark.
    return phone.startswith("+") and phone[1:].isdigit() and 8 <= len(phone) <= 16


def describe(code: int) -> str:
    """ "code 30005: unknown destination: ...", in the active language."""
    reason = UNDELIVERABLE_CODES.get(code)
    if reason is None:
        return gettext("code %(code)s") % {"code": code}
    return gettext("code %(code)s: %(reason)s") % {"code": code, "reason": reason}


def mark(*, phone: str, code: int, now: datetime, message: Message | None = None) -> bool:
    """Records that texts to `phone` fail with `code`; False if it is not such a code."""
    if code not in UNDELIVERABLE_CODES or not _looks_like_e164(phone):
        return False
    key = phone_hash(phone)
    updated = UndeliverablePhone.objects.filter(phone_hash=key).update(
        error_code=code, last_failed_at=now, message=message
    )
    if not updated:
        # A concurrent report of the same number may insert first: theirs stands.
        UndeliverablePhone.objects.bulk_create(
            [
                UndeliverablePhone(
                    phone_hash=key,
                    error_code=code,
                    first_failed_at=now,
                    last_failed_at=now,
                    message=message,
                )
            ],
            ignore_conflicts=True,
        )
    return True


def undeliverable(phone: str) -> UndeliverablePhone | None:
    if not phone:
        return None
    return UndeliverablePhone.objects.filter(phone_hash=phone_hash(phone)).first()


def clear(*phones: str) -> int:
    """Texts may go to these numbers again; returns how many marks were removed."""
    keys = [phone_hash(p) for p in phones if p]
    deleted, _by_model = UndeliverablePhone.objects.filter(phone_hash__in=keys).delete()
    return deleted


def skip_reason(phone: str) -> str | None:
    """Why the outbox does not text `phone` (in English, for the outbox's records), or None."""
    return skip_reasons([phone]).get(phone)


def skip_reasons(phones: list[str]) -> dict[str, str]:
    """skip_reason for many numbers in one query: the reason by number, for those marked."""
    keys = {p: phone_hash(p) for p in phones if p}
    if not keys:
        return {}
    codes = dict(
        UndeliverablePhone.objects.filter(phone_hash__in=set(keys.values())).values_list(
            "phone_hash", "error_code"
        )
    )
    with translation.override("en"):
        return {
            phone: f"texts to this number are not delivered ({describe(codes[key])})"
            for phone, key in keys.items()
            if key in codes
        }
