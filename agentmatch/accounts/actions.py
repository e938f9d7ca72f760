"""What a person (or the app) does with an account, one function per use case.

Each action opens its own durable transaction, checks every rule, writes its audit row
(AccountEvent) and queues its follow-ups (emails, routing refresh, waiting referrals).
Web views, the API and commands call one action each and only render its answer.

Signing out everywhere, changing or resetting a password all end every browser session
(a new session epoch) *and* revoke every device token: a stolen app token must not
outlive the password it was obtained with.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.utils import reset as axes_reset
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from agentmatch.accounts import passkeys, recovery
from agentmatch.accounts.agent_actions import apply_preferences
from agentmatch.accounts.devices import (
    DEVICE_TOKEN_LIFETIME,
    end_every_session,
    issue_device_token,
    issue_device_token_for_agent,
    revoke_device_token,
)
from agentmatch.accounts.invitations import Invitation, request_fresh_link
from agentmatch.accounts.lockout import (
    LOCKED_OUT_CODE,
    address_key,
    locked_out_message,
    retry_after_seconds,
)
from agentmatch.accounts.models import (
    AccountEvent,
    AccountEventKind,
    CeremonyPurpose,
    Passkey,
    RecoveryKind,
    Role,
    User,
)
from agentmatch.accounts.registration import SignUp, accept_cms_terms, register_agent
from agentmatch.accounts.text import has_control_characters
from agentmatch.agents.models import Agent, Channel
from agentmatch.core.json_errors import control_characters_message
from agentmatch.planyears.services import NoCurrentPlanYear, current_plan_year


class AccountError(Exception):
    """A refused account action: a stable `code`, a message, and the field concerned."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class LockedOut(AccountError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(LOCKED_OUT_CODE, locked_out_message())
        self.retry_after = retry_after


def refuse_control_characters(value: str, *, field: str) -> str:
    if has_control_characters(value):
        raise AccountError("control_characters", control_characters_message(field), field)
    return value


def _record(*, user: User, kind: str, now: datetime, detail: str = "") -> None:
    AccountEvent.objects.create(user=user, kind=kind, at=now, detail=detail[:200])


# --- Registration ---------------------------------------------------------------------


def create_support_account(
    *, username: str, email: str, password: str, administrator: bool, now: datetime
) -> User:
    """An operator (support) or administrator login (`create_operator`)."""
    username, email = username.strip(), email.strip()
    if not username:
        raise AccountError("bad_username", "The username is empty.", "username")
    refuse_control_characters(username, field="username")
    try:
        validate_email(email)
    except ValidationError as exc:
        raise AccountError("bad_email", f"'{email}' is not an email address.", "email") from exc
    role = Role.ADMINISTRATOR if administrator else Role.OPERATOR
    user = User(username=username, email=email, role=role)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise AccountError(
            "bad_password", "Password refused: " + " ".join(exc.messages), "password"
        ) from exc
    user.set_password(password)
    with transaction.atomic(durable=True):
        if User.objects.filter(username__iexact=username).exists():
            raise AccountError("taken", f"A user named '{username}' already exists.", "username")
        user.save()
        _record(user=user, kind=AccountEventKind.CREATED, now=now, detail=role)
    return user


def register(*, invitation: Invitation, sign_up: SignUp, now: datetime) -> User:
    """Signs an agent up from their invitation (raises RegistrationError, InvitationError)."""
    with transaction.atomic(durable=True):
        user = register_agent(invitation=invitation, sign_up=sign_up, now=now)
        _record(user=user, kind=AccountEventKind.REGISTERED, now=now)
    return user


def request_fresh_invitation(*, token: str, now: datetime) -> None:
    """From an expired link's page: a new link to the email on file, quietly (see
    invitations.request_fresh_link for when nothing is sent)."""
    try:
        plan_year = current_plan_year()
    except NoCurrentPlanYear:
        return
    if token:
        with transaction.atomic(durable=True):
            request_fresh_link(token=token, plan_year=plan_year, now=now)


def accept_terms(
    *,
    user: User,
    now: datetime,
    languages: Iterable[str] | None = None,
    states: Sequence[str] | None = None,
) -> None:
    """The CMS Agents and Brokers Terms of Use; completes registration once both are in.

    The screen also shows the languages and state preferences MLMS gave (as Help On
    Demand's does) and lets the agent correct them: given here, they are saved with the
    acceptance or, if one is refused (SettingError), nothing is, not even the acceptance.
    """
    with transaction.atomic(durable=True):
        if user.agent is not None and (languages is not None or states is not None):
            apply_preferences(
                agent=user.agent, now=now, channel=Channel.WEB, languages=languages, states=states
            )
        accept_cms_terms(user=user, now=now)
        _record(user=user, kind=AccountEventKind.TERMS_ACCEPTED, now=now)


# --- The agent app's devices ----------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in_days: int


def log_in_device(
    *, request: HttpRequest, username: str, password: str, device_name: str, now: datetime
) -> IssuedToken:
    """Username and password in, a bearer token for this device out.

    Authentication goes through django-axes like the login page (outside the transaction,
    so a failure is recorded even though the action then refuses).
    """
    refuse_control_characters(username, field="username")
    refuse_control_characters(device_name, field="device_name")
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise LockedOut(retry_after_seconds(request))
    if not isinstance(user, User) or user.agent_id is None:
        raise AccountError(
            "bad_credentials", _("Wrong username or password, or not an agent account.")
        )
    with transaction.atomic(durable=True):
        token = issue_device_token(user=user, name=device_name, now=now)
        _record(user=user, kind=AccountEventKind.DEVICE_LOGIN, now=now, detail=device_name)
    return IssuedToken(token, DEVICE_TOKEN_LIFETIME.days)


def issue_token_for_agent(*, agent: Agent, name: str, lifetime: timedelta, now: datetime) -> str:
    """A device token made by support (`issue_token`); raises devices.NoAccount."""
    refuse_control_characters(name, field="name")
    with transaction.atomic(durable=True):
        token = issue_device_token_for_agent(agent=agent, name=name, now=now, lifetime=lifetime)
        user = User.objects.get(agent=agent)
        _record(user=user, kind=AccountEventKind.DEVICE_ISSUED, now=now, detail=name)
    return token


def revoke_device(*, user: User, token_id: int, now: datetime) -> bool:
    """Signs one of the user's devices out; False if it was not theirs or already out."""
    with transaction.atomic(durable=True):
        revoked = revoke_device_token(user=user, token_id=token_id, now=now)
        if revoked:
            _record(user=user, kind=AccountEventKind.DEVICE_REVOKED, now=now, detail=str(token_id))
    return revoked


# --- Passwords and sessions -----------------------------------------------------------


def change_password(
    *,
    request: HttpRequest,
    user: User,
    current_password: str,
    password: str,
    password_again: str,
    now: datetime,
) -> None:
    """Raises AccountError (wrong current password, LockedOut) or ValidationError (the new
    one's rules). The current password is checked through django-axes like a login, so a
    borrowed session cannot guess it without limit."""
    checked = authenticate(request, username=user.get_username(), password=current_password)
    if getattr(request, "axes_locked_out", False):
        raise LockedOut(retry_after_seconds(request))
    if checked is None or checked.pk != user.pk:
        raise AccountError(
            "wrong_password", _("Your current password is not correct."), "current_password"
        )
    recovery.check_new_password(user=user, password=password, password_again=password_again)
    with transaction.atomic(durable=True):
        user.set_password(password)
        user.save(update_fields=["password"])
        revoked = end_every_session(user=user, now=now)
        _record(
            user=user,
            kind=AccountEventKind.PASSWORD_CHANGED,
            now=now,
            detail=f"{revoked} device(s) signed out",
        )


def reset_password(*, token: str, password: str, password_again: str, now: datetime) -> User:
    """Sets a new password through an emailed link, once (raises ResetError or
    ValidationError); signs out every browser and device and clears login failures."""
    with transaction.atomic(durable=True):
        user = recovery.use_reset_link(
            token=token, password=password, password_again=password_again, now=now
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        revoked = end_every_session(user=user, now=now)
        axes_reset(username=user.username)
        _record(
            user=user,
            kind=AccountEventKind.PASSWORD_RESET,
            now=now,
            detail=f"{revoked} device(s) signed out",
        )
    return user


def sign_out_everywhere(*, user: User, now: datetime) -> None:
    with transaction.atomic(durable=True):
        revoked = end_every_session(user=user, now=now)
        _record(
            user=user,
            kind=AccountEventKind.SIGNED_OUT_EVERYWHERE,
            now=now,
            detail=f"{revoked} device(s) signed out",
        )


# --- Recovery -------------------------------------------------------------------------


def _request_recovery(*, kind: str, given: str, address: str, now: datetime) -> None:
    # Same statements whatever `given` names: the worker looks the account up.
    with transaction.atomic(durable=True):
        recovery.record_request(
            kind=kind, given=given, address=address_key(address) or "unknown", now=now
        )


def request_password_reset(*, username_or_email: str, address: str, now: datetime) -> None:
    _request_recovery(kind=RecoveryKind.PASSWORD, given=username_or_email, address=address, now=now)


def request_username_reminder(*, email: str, address: str, now: datetime) -> None:
    _request_recovery(kind=RecoveryKind.USERNAME, given=email, address=address, now=now)


# --- Passkeys -------------------------------------------------------------------------


def begin_adding_passkey(*, user: User, now: datetime) -> passkeys.Ceremony:
    with transaction.atomic(durable=True):
        return passkeys.begin_registration(user=user, now=now)


def add_passkey(
    *, user: User, ceremony: object, credential_json: object, name: str, now: datetime
) -> Passkey:
    # Its own transaction: the challenge is spent even when the answer is then refused.
    with transaction.atomic(durable=True):
        challenge = passkeys.take_challenge(
            handle=ceremony, purpose=CeremonyPurpose.REGISTRATION, user=user, now=now
        )
    with transaction.atomic(durable=True):
        passkey = passkeys.finish_registration(
            user=user, credential_json=credential_json, challenge=challenge, name=name, now=now
        )
        _record(user=user, kind=AccountEventKind.PASSKEY_ADDED, now=now, detail=passkey.name)
    return passkey


def begin_passkey_login(*, username: str, now: datetime) -> passkeys.Ceremony:
    with transaction.atomic(durable=True):
        return passkeys.begin_authentication(username=username, now=now)


def log_in_with_passkey(*, ceremony: object, credential_json: object, now: datetime) -> User:
    with transaction.atomic(durable=True):  # as in add_passkey: spent whatever follows
        challenge = passkeys.take_challenge(
            handle=ceremony, purpose=CeremonyPurpose.AUTHENTICATION, user=None, now=now
        )
    with transaction.atomic(durable=True):
        return passkeys.finish_authentication(
            credential_json=credential_json, challenge=challenge, now=now
        )


def remove_passkey(*, user: User, passkey_id: int, now: datetime) -> None:
    with transaction.atomic(durable=True):
        passkeys.delete_passkey(user=user, passkey_id=passkey_id)
        _record(user=user, kind=AccountEventKind.PASSKEY_REMOVED, now=now, detail=str(passkey_id))


__all__ = [
    "AccountError",
    "IssuedToken",
    "LockedOut",
    "accept_terms",
    "add_passkey",
    "begin_adding_passkey",
    "begin_passkey_login",
    "change_password",
    "create_support_account",
    "issue_token_for_agent",
    "log_in_device",
    "log_in_with_passkey",
    "register",
    "remove_passkey",
    "request_fresh_invitation",
    "request_password_reset",
    "request_username_reminder",
    "reset_password",
    "revoke_device",
    "sign_out_everywhere",
]
