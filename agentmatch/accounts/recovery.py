"""Forgot username, forgot password: the steps behind accounts.actions' recovery actions.

The web page only records a RecoveryRequest (`record_request`): the same statements
whether or not an account matches, so neither the answer nor its timing tells an outsider
anything. The worker (`handle_one_request`) looks the account up and composes the email,
at most RECOVERY_EMAILS_PER_ACCOUNT an hour per account; only the mailbox on file learns
anything.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from agentmatch.accounts.emails import send_account_email
from agentmatch.accounts.models import (
    PasswordResetLink,
    RecoveryKind,
    RecoveryOutcome,
    RecoveryRequest,
    User,
)
from agentmatch.core.secrets import hash_secret, new_secret
from agentmatch.notifications.rendering import agent_language

log = logging.getLogger("agentmatch.accounts")

RECOVERY_WINDOW = timedelta(hours=1)


class ResetError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _language(user: User) -> str:
    return agent_language(user.agent) if user.agent is not None else "en"


def record_request(*, kind: str, given: str, address: str, now: datetime) -> bool:
    """Stores the request for the worker unless this address asked too often; True if stored.

    Never reads the user table: what this does cannot depend on whether an account exists.
    """
    recent = RecoveryRequest.objects.filter(
        address=address, requested_at__gt=now - RECOVERY_WINDOW
    ).count()
    if recent >= settings.RECOVERY_REQUESTS_PER_ADDRESS:
        log.warning("recovery request refused: %d from one address this hour", recent)
        return False
    RecoveryRequest.objects.create(
        kind=kind, given=given.strip()[:254], address=address, requested_at=now
    )
    return True


def _matching_users(*, kind: str, given: str) -> list[User]:
    given = given.strip()
    if not given:
        return []
    active = User.objects.filter(is_active=True).exclude(email="").select_related("agent")
    if kind == RecoveryKind.USERNAME:
        return list(active.filter(email__iexact=given))
    return list(active.filter(Q(username__iexact=given) | Q(email__iexact=given)))


def remind_username(*, email: str, now: datetime) -> list[User]:
    """Queues the username reminder to every active account with this email (no limit)."""
    users = _matching_users(kind=RecoveryKind.USERNAME, given=email)
    for user in users:
        _send_username(user=user, now=now)
    return users


def request_password_reset(*, username_or_email: str, now: datetime) -> list[User]:
    """Queues a reset link to every active account so named (no limit)."""
    users = _matching_users(kind=RecoveryKind.PASSWORD, given=username_or_email)
    for user in users:
        _send_reset_link(user=user, now=now)
    return users


def _emails_this_hour(*, user: User, now: datetime) -> int:
    return RecoveryRequest.objects.filter(
        user=user, outcome=RecoveryOutcome.SENT, requested_at__gt=now - RECOVERY_WINDOW
    ).count()


def handle_one_request(*, now: datetime) -> bool:
    """Worker job: composes the email for the oldest unhandled request; False when none."""
    with transaction.atomic(durable=True):
        request = (
            RecoveryRequest.objects.select_for_update(skip_locked=True)
            .filter(handled_at__isnull=True)
            .order_by("requested_at", "pk")
            .first()
        )
        if request is None:
            return False
        users = _matching_users(kind=request.kind, given=request.given)
        outcome, first = RecoveryOutcome.NO_ACCOUNT, None
        for user in users:
            if _emails_this_hour(user=user, now=now) >= settings.RECOVERY_EMAILS_PER_ACCOUNT:
                outcome = RecoveryOutcome.LIMITED
                continue
            if request.kind == RecoveryKind.USERNAME:
                _send_username(user=user, now=now)
            else:
                _send_reset_link(user=user, now=now)
            outcome, first = RecoveryOutcome.SENT, first or user
        RecoveryRequest.objects.filter(pk=request.pk).update(
            handled_at=now, outcome=outcome, user=first or (users[0] if users else None), given=""
        )
        return True


def _send_username(*, user: User, now: datetime) -> None:
    send_account_email(
        to=user.email,
        template="username_reminder",
        context={"username": user.username},
        language=_language(user),
        now=now,
        agent=user.agent,
    )


def _send_reset_link(*, user: User, now: datetime) -> None:
    token = new_secret()
    reset_link = PasswordResetLink.objects.create(
        user=user,
        token_hash=hash_secret(token),
        created_at=now,
        expires_at=now + timedelta(minutes=settings.PASSWORD_RESET_MINUTES),
    )
    send_account_email(
        to=user.email,
        template="password_reset",
        context={
            "username": user.username,
            "link": f"{settings.SITE_URL}/accounts/reset/{token}/",
            "minutes": settings.PASSWORD_RESET_MINUTES,
        },
        language=_language(user),
        now=now,
        agent=user.agent,
        dedupe_key=f"password_reset:{reset_link.pk}",
    )


def forget_handled_requests(*, now: datetime) -> int:
    """Drops requests older than the limits look back (they only ever count for an hour)."""
    deleted, _ = RecoveryRequest.objects.filter(
        handled_at__isnull=False, requested_at__lt=now - RECOVERY_WINDOW
    ).delete()
    return deleted


def find_reset_link(*, token: str, now: datetime) -> PasswordResetLink:
    link = (
        PasswordResetLink.objects.select_related("user")
        .filter(token_hash=hash_secret(token))
        .first()
    )
    if link is None:
        raise ResetError("invalid", "This link is not valid.")
    if link.used_at is not None:
        raise ResetError("used", "This link has already been used.")
    if link.expires_at <= now or not link.user.is_active:
        raise ResetError("expired", "This link has expired.")
    return link


def check_new_password(*, user: User, password: str, password_again: str) -> None:
    if password != password_again:
        raise ValidationError("The two passwords do not match.", code="mismatch")
    validate_password(password, user=user)


def use_reset_link(*, token: str, password: str, password_again: str, now: datetime) -> User:
    """Claims the link once (any other open link of the user dies with it); returns its user.

    Setting the password and signing out everywhere is the caller's (accounts.actions).
    """
    link = find_reset_link(token=token, now=now)
    user = link.user
    check_new_password(user=user, password=password, password_again=password_again)
    claimed = PasswordResetLink.objects.filter(
        pk=link.pk, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if claimed != 1:
        raise ResetError("used", "This link has already been used.")
    PasswordResetLink.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    return user
