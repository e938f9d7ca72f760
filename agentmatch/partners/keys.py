"""Partner API keys: made (and shown) once, found by their prefix, checked by their hash,
revoked for good.

A key reads `amp_<prefix>_<secret>`: the prefix finds the row without a scan and is safe
to show in lists and logs; the secret is 256 random bits.
"""

import secrets
from datetime import datetime

from django.db import transaction
from django.utils.crypto import constant_time_compare

from agentmatch.core.secrets import hash_secret, new_secret
from agentmatch.partners.models import PartnerKey

SCHEME = "amp"
MAX_PER_HOUR = 1_000_000


class InvalidPartnerKey(Exception):
    """The key is unknown, malformed or revoked (which one is not said)."""


class UnknownPrefix(Exception):
    pass


def _prefix_of(key: str) -> str | None:
    scheme, _, rest = key.partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != SCHEME or not prefix or not secret or len(prefix) > 16:
        return None
    return prefix


def create_partner_key(
    *, name: str, requests_per_hour: int, now: datetime
) -> tuple[PartnerKey, str]:
    """A new key for `name`: the row and the key itself, which is never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("A partner's name is 1 to 100 characters.")
    if not 1 <= requests_per_hour <= MAX_PER_HOUR:
        raise ValueError(f"Requests per hour must be 1 to {MAX_PER_HOUR}.")
    prefix = secrets.token_hex(6)
    key = f"{SCHEME}_{prefix}_{new_secret()}"
    with transaction.atomic(durable=True):
        partner = PartnerKey.objects.create(
            name=name,
            prefix=prefix,
            secret_hash=hash_secret(key),
            requests_per_hour=requests_per_hour,
            created_at=now,
        )
    return partner, key


def authenticate_partner_key(key: str) -> PartnerKey:
    """The active key row for `key`, or InvalidPartnerKey."""
    prefix = _prefix_of(key or "")
    partner = PartnerKey.objects.filter(prefix=prefix).first() if prefix else None
    if partner is None or not constant_time_compare(hash_secret(key), partner.secret_hash):
        raise InvalidPartnerKey
    if partner.revoked_at is not None:
        raise InvalidPartnerKey
    return partner


def revoke_partner_key(*, prefix: str, now: datetime) -> PartnerKey:
    """Revokes the key (a conditional update: a second revoke changes nothing)."""
    with transaction.atomic(durable=True):
        PartnerKey.objects.filter(prefix=prefix, revoked_at__isnull=True).update(revoked_at=now)
        partner = PartnerKey.objects.filter(prefix=prefix).first()
    if partner is None:
        raise UnknownPrefix(f"No partner key with prefix {prefix}.")
    return partner
