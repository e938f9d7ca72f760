"""Support staff's logins (operators and administrators): the steps behind the web page
where administrators manage them (operations.staff_actions owns the transactions and the
audit rows; these steps never commit on their own).

A new login has no password: its owner chooses one through an emailed one-time link (the
password-reset machinery: a long random secret, stored only as its hash, expiring), so
no password is ever shown to or typed by an administrator.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from agentmatch.accounts.devices import end_every_session
from agentmatch.accounts.emails import send_account_email
from agentmatch.accounts.models import (
    AccountEvent,
    AccountEventKind,
    PasswordResetLink,
    Role,
    User,
)
from agentmatch.accounts.text import has_control_characters
from agentmatch.core.secrets import hash_secret, new_secret

STAFF_ROLES = (Role.OPERATOR, Role.ADMINISTRATOR)

# Longer than a self-service reset (PASSWORD_RESET_MINUTES): the person did not ask for
# this email and may read it hours later. Still one use, and any newer link replaces it.
STAFF_LINK_LIFETIME = timedelta(hours=24)


class StaffAccountError(ValueError):
    """A refused change: a stable `code`, a message naming the problem, and the field."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class NewStaff:
    username: str
    email: str
    role: str


def check_new_staff(*, username: str, email: str, role: str) -> NewStaff:
    """The username, email and role of a new login, cleaned, or StaffAccountError.

    Whether the names are taken is checked again by `create_staff_user`, under the lock.
    """
    username, email = username.strip(), email.strip()
    if has_control_characters(username):
        raise StaffAccountError(
            "control_characters", _("The username cannot contain control characters."), "username"
        )
    if has_control_characters(email):
        raise StaffAccountError(
            "control_characters", _("The email cannot contain control characters."), "email"
        )
    if not username:
        raise StaffAccountError("bad_username", _("Enter a username."), "username")
    max_length = User._meta.get_field("username").max_length or 150
    if len(username) > max_length:
        raise StaffAccountError(
            "bad_username",
            _("The username can have at most %(count)d characters.") % {"count": max_length},
            "username",
        )
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise StaffAccountError(
            "bad_username",
            _("The username can only have letters, digits and the characters @ . + - _"),
            "username",
        ) from exc
    try:
        validate_email(email)
    except ValidationError as exc:
        raise StaffAccountError(
            "bad_email", _("Enter an email address, like name@example.com."), "email"
        ) from exc
    if role not in STAFF_ROLES:
        raise StaffAccountError("bad_role", _("Choose operator or administrator."), "role")
    return NewStaff(username=username, email=email, role=role)


def staff_accounts() -> QuerySet[User]:
    """Operators and administrators; agents' accounts are never among them."""
    return User.objects.filter(role__in=STAFF_ROLES, agent__isnull=True)


def lock_staff() -> list[User]:
    """Every staff row, locked in one order (no deadlock between two administrators).

    Whatever an administrator changes, it is decided on these rows as they are once any
    other change to them has committed: two administrators demoting each other at the
    same moment cannot both succeed and leave nobody to manage the service.
    """
    return list(staff_accounts().select_for_update().order_by("pk"))


def create_staff_user(*, new: NewStaff, now: datetime) -> User:
    """The login, without a usable password until its owner sets one from the email."""
    if User.objects.filter(username__iexact=new.username).exists():
        raise StaffAccountError(
            "username_taken",
            _("The username %(username)s is already taken.") % {"username": new.username},
            "username",
        )
    if User.objects.filter(email__iexact=new.email).exists():
        raise StaffAccountError(
            "email_taken",
            _("Another account already uses the email %(email)s.") % {"email": new.email},
            "email",
        )
    user = User(username=new.username, email=new.email, role=new.role)
    user.set_unusable_password()
    user.save()
    AccountEvent.objects.create(
        user=user, kind=AccountEventKind.CREATED, at=now, detail=f"{new.role} (web)"
    )
    return user


def set_role(*, user: User, role: str) -> None:
    User.objects.filter(pk=user.pk).update(role=role)
    user.role = role


def _close_open_links(*, user: User, now: datetime) -> None:
    PasswordResetLink.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )


def deactivate(*, user: User, now: datetime) -> int:
    """No more logins; every browser and device signed out at once; open links dead."""
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    _close_open_links(user=user, now=now)
    return end_every_session(user=user, now=now)


def reactivate(*, user: User) -> None:
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.is_active = True


def send_password_link(*, user: User, now: datetime, welcome: bool) -> PasswordResetLink:
    """Emails a one-time link to choose a password (a new login's first, or a new one);
    any older open link of the user stops working."""
    _close_open_links(user=user, now=now)
    token = new_secret()
    link = PasswordResetLink.objects.create(
        user=user,
        token_hash=hash_secret(token),
        created_at=now,
        expires_at=now + STAFF_LINK_LIFETIME,
    )
    send_account_email(
        to=user.email,
        template="staff_welcome" if welcome else "staff_password",
        context={
            "username": user.username,
            "link": f"{settings.SITE_URL}/accounts/reset/{token}/",
            "hours": int(STAFF_LINK_LIFETIME.total_seconds() // 3600),
        },
        language=user.language or settings.LANGUAGE_CODE,
        now=now,
        dedupe_key=f"staff_password_link:{link.pk}",
    )
    return link
