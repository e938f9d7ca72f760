"""Bearer secrets (status tokens, API tokens, links): long, random, stored only as hashes."""

import hashlib
import secrets


def new_secret() -> str:
    # 32 bytes = 256 bits of randomness, URL-safe.
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    # The secret is high-entropy, so a fast hash is enough: no dictionary to guard against.
    return hashlib.sha256(secret.encode()).hexdigest()
