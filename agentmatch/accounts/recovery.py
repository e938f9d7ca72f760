"""Forgot username, forgot password, and signing out everywhere.

Both "forgot" requests answer the same way whether or not an account exists; only the
mailbox on file learns anything.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import F

from agentmatch.accounts.emails import send_account_email
from agentmatch.accounts.models import PasswordResetLink, User
from agentmatch.core.secrets import hash_secret, new_secret
from agentmatch.notifications.rendering import agent_language


class ResetError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _language(user: User) -> str:
    return agent_language(user.agent) if user.agent is not None else "en"


def remind_username(*, email: str, now: datetime) -> None:
    for user in User.objects.filter(email__iexact=email.strip(), is_active=True):
        send_account_email(
            to=user.email,
            template="username_reminder",
            context={"username": user.username},
            language=_language(user),
            now=now,
            agent=user.agent,
        )


def request_password_reset(*, username_or_email: str, now: datetime) -> None:
    given = username_or_email.strip()
    if not given:
        return
    users = User.objects.filter(is_active=True).filter(
        username__iexact=given
    ) | User.objects.filter(is_active=True, email__iexact=given)
    for user in users.distinct():
        if not user.email:
            continue
        token = new_secret()
        reset_link = PasswordResetLink.objects.create(
            user=user,
            token_hash=hash_secret(token),
            created_at=now,
            expires_at=now + timedelta(minutes=settings.PASSWORD_RESET_MINUTES),
        )
        link = f"{settings.SITE_URL}/accounts/reset/{token}/"
        send_account_email(
            to=user.email,
            template="password_reset",
            context={
                "username": user.username,
                "link": link,
                "minutes": settings.PASSWORD_RESET_MINUTES,
            },
            language=_language(user),
            now=now,
            agent=user.agent,
            dedupe_key=f"password_reset:{reset_link.pk}",
        )


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


def reset_password(*, token: str, password: str, password_again: str, now: datetime) -> User:
    """Sets a new password through a reset link, once; signs the user out everywhere."""
    link = find_reset_link(token=token, now=now)
    user = link.user
    if password != password_again:
        raise ValidationError("The two passwords do not match.", code="mismatch")
    validate_password(password, user=user)
    claimed = PasswordResetLink.objects.filter(
        pk=link.pk, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if claimed != 1:
        raise ResetError("used", "This link has already been used.")
    # Any other outstanding links die with this one.
    PasswordResetLink.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    user.set_password(password)
    user.session_epoch += 1
    user.save(update_fields=["password", "session_epoch"])
    from axes.utils import reset as axes_reset

    axes_reset(username=user.username)
    return user


def sign_out_everywhere(*, user: User) -> None:
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
