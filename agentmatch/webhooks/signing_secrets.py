"""Signing secrets: random, shown once, stored encrypted (we must sign with them, so a
hash would not do).

The Fernet key is derived (HKDF-SHA256) from WEBHOOKS_ENCRYPTION_KEY, or from SECRET_KEY
when that is empty: a stolen database alone does not reveal the secrets.
"""

import base64
import secrets as random_secrets
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db.models import Q

from agentmatch.webhooks.models import WebhookSecret, WebhookSubscription

PREFIX = "whsec_"


class SecretUnreadable(Exception):
    """The encryption key changed since the secret was stored: rotate the secret."""


def _fernet() -> Fernet:
    material = settings.WEBHOOKS_ENCRYPTION_KEY or settings.SECRET_KEY
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"agentmatch webhook secrets"
    ).derive(material.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def new_secret() -> str:
    return PREFIX + random_secrets.token_urlsafe(32)


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("the webhook secret cannot be decrypted: rotate it") from exc


def add_secret(*, subscription: WebhookSubscription, now: datetime) -> str:
    """Stores a new secret for the subscription and returns it (the only time it is seen
    in clear). Never commits."""
    secret = new_secret()
    WebhookSecret.objects.create(
        subscription=subscription, encrypted=encrypt(secret), created_at=now
    )
    return secret


def signing_secrets(subscription_id: int, *, now: datetime) -> list[str]:
    """The secrets that sign now: the newest first, then any still in its overlap."""
    rows = (
        WebhookSecret.objects.filter(subscription_id=subscription_id)
        .filter(Q(retires_at__isnull=True) | Q(retires_at__gt=now))
        .order_by("-created_at", "-pk")
    )
    return [decrypt(row.encrypted) for row in rows]
