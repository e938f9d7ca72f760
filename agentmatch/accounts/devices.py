"""Per-device bearer tokens for the agent app: issued at app login, listed, revocable."""

from datetime import datetime, timedelta

from django.db.models import F

from agentmatch.accounts.models import DeviceToken, User
from agentmatch.agents.models import Agent
from agentmatch.core.secrets import hash_secret, new_secret

DEVICE_TOKEN_LIFETIME = timedelta(days=90)


def issue_device_token(
    *, user: User, name: str, now: datetime, lifetime: timedelta = DEVICE_TOKEN_LIFETIME
) -> str:
    token = new_secret()
    DeviceToken.objects.create(
        user=user,
        name=(name.strip() or "Device")[:100],
        token_hash=hash_secret(token),
        created_at=now,
        expires_at=now + lifetime,
    )
    return token


class NoAccount(LookupError):
    pass


def issue_device_token_for_agent(
    *, agent: Agent, name: str, now: datetime, lifetime: timedelta = DEVICE_TOKEN_LIFETIME
) -> str:
    user = User.objects.filter(agent=agent).first()
    if user is None:
        raise NoAccount(
            f"NPN {agent.npn} has no account yet: agents create one from their invitation."
        )
    return issue_device_token(user=user, name=name, now=now, lifetime=lifetime)


def user_for_device_token(*, token: str, now: datetime) -> User | None:
    row = (
        DeviceToken.objects.select_related("user", "user__agent")
        .filter(
            token_hash=hash_secret(token),
            revoked_at__isnull=True,
            expires_at__gt=now,
            user__is_active=True,
        )
        .first()
    )
    if row is None:
        return None
    # Coarse last-used stamp: once a minute is enough and spares a write per request.
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        DeviceToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def revoke_device_token(*, user: User, token_id: int, now: datetime) -> bool:
    return (
        DeviceToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
            revoked_at=now
        )
        == 1
    )


def revoke_all_device_tokens(*, user: User, now: datetime) -> int:
    """Signs every device of the user out (password change or reset, sign out everywhere)."""
    return DeviceToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)


def end_every_session(*, user: User, now: datetime) -> int:
    """A new session epoch (part of the session hash: every browser is signed out) and
    every device token revoked; returns how many devices were signed out."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    return revoke_all_device_tokens(user=user, now=now)
