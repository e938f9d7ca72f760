"""Passkeys (WebAuthn): the web counterpart of the app's fingerprint/face login.

Each ceremony is two steps. `begin_*` returns options for the browser and stores a fresh
challenge in a `PasskeyChallenge` row (one use, five minutes) that the browser names by an
opaque handle; `take_challenge` spends it and `finish_*` checks the browser's answer against
it with py_webauthn and only then touches the passkeys.
Everything a browser can send is untrusted: any problem becomes a `PasskeyError` with a
message for the person, never an exception that escapes as a 500.
"""

import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from hashlib import sha256
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, options_to_json_dict
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from agentmatch.accounts.models import CeremonyPurpose, Passkey, PasskeyChallenge, User
from agentmatch.accounts.text import has_control_characters
from agentmatch.core.secrets import hash_secret, new_secret

CHALLENGE_TTL = timedelta(minutes=5)
MAX_PASSKEYS_PER_USER = 20
NAME_MAX_LENGTH = Passkey._meta.get_field("name").max_length or 100
# What new_secret() makes (43 characters); anything else is refused before it is hashed.
_HANDLE = re.compile(r"[A-Za-z0-9_-]{20,100}")
_KNOWN_TRANSPORTS = {t.value for t in AuthenticatorTransport}


class PasskeyError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Ceremony:
    options: dict[str, Any]  # JSON-ready PublicKeyCredential{Creation,Request}Options
    handle: str  # what the browser sends back with its answer (see remember_challenge)

    def as_json(self) -> dict[str, Any]:
        return {"ceremony": self.handle, "publicKey": self.options}


# --- Challenges, one row per ceremony begun -------------------------------------------


def _no_challenge() -> PasskeyError:
    return PasskeyError(
        "no_challenge", _("This passkey request was already used or never started. Try again.")
    )


def remember_challenge(
    *, purpose: CeremonyPurpose, challenge: bytes, user: User | None, now: datetime
) -> str:
    """Stores the challenge and returns the handle the browser sends back with its answer.

    Not in the session: a concurrent request of the same browser that loaded the session
    earlier would save it later and drop the challenge. Only the handle's hash is stored.
    """
    # Stale rows go here, cheaply (the expiry index; a user's own few), so the table stays
    # small between the worker's sweeps. A new "Add a passkey" replaces the user's last one.
    forget_expired_challenges(now=now)
    if user is not None:
        PasskeyChallenge.objects.filter(user=user, purpose=purpose).delete()
    handle = new_secret()
    PasskeyChallenge.objects.create(
        purpose=purpose,
        user=user,
        handle_hash=hash_secret(handle),
        challenge=challenge,
        created_at=now,
        expires_at=now + CHALLENGE_TTL,
    )
    return handle


def take_challenge(
    *, handle: object, purpose: CeremonyPurpose, user: User | None, now: datetime
) -> bytes:
    """The challenge that `handle` stands for, deleted on first use so an answer cannot be
    replayed; of two concurrent finishes with one handle, only one gets it.

    Unknown, already used, another purpose or another user's: all refused the same way.
    """
    if not isinstance(handle, str) or not _HANDLE.fullmatch(handle):
        raise _no_challenge()
    row = (
        PasskeyChallenge.objects.filter(handle_hash=hash_secret(handle), purpose=purpose, user=user)
        .values_list("pk", "challenge", "expires_at")
        .first()
    )
    if row is None:
        raise _no_challenge()
    pk, challenge, expires_at = row
    if now >= expires_at:  # left for the purge: raising here rolls back any delete
        raise PasskeyError("challenge_expired", _("This passkey request expired. Try again."))
    # Checked by row count: a concurrent finish that deleted it first wins, this one loses.
    deleted, _rows = PasskeyChallenge.objects.filter(pk=pk).delete()
    if deleted != 1:
        raise _no_challenge()
    return bytes(challenge)


def forget_expired_challenges(*, now: datetime) -> int:
    """For the worker's sweep: ceremonies begun and never finished; how many."""
    deleted, _rows = PasskeyChallenge.objects.filter(expires_at__lte=now).delete()
    return deleted


# --- Registration ---------------------------------------------------------------------


def user_handle(user: User) -> bytes:
    """A stable, opaque WebAuthn user id: no name or e-mail reaches the authenticator's storage.

    Stable so that an authenticator replaces, rather than piles up, its passkeys for one account.
    """
    return hmac.new(
        settings.SECRET_KEY.encode(), f"passkey-user:{user.pk}".encode(), sha256
    ).digest()


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    transports = [AuthenticatorTransport(t) for t in passkey.transports.split(",") if t]
    return PublicKeyCredentialDescriptor(id=bytes(passkey.credential_id), transports=transports)


def begin_registration(*, user: User, now: datetime) -> Ceremony:
    options = generate_registration_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        rp_name=settings.WEBAUTHN_RP_NAME,
        user_name=user.get_username(),
        user_id=user_handle(user),
        user_display_name=user.get_full_name() or user.get_username(),
        timeout=int(CHALLENGE_TTL.total_seconds() * 1000),
        # Discoverable, so "Log in with a passkey" needs no username; verified, so it is the
        # fingerprint or face (or device PIN), not just a tap.
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[_descriptor(p) for p in user.passkeys.all()],
    )
    handle = remember_challenge(
        purpose=CeremonyPurpose.REGISTRATION, challenge=options.challenge, user=user, now=now
    )
    return Ceremony(options=options_to_json_dict(options), handle=handle)


def _as_object(credential_json: Any) -> dict[str, Any]:
    if not isinstance(credential_json, dict):
        raise PasskeyError("malformed", _("The passkey answer is missing or is not a JSON object."))
    return credential_json


def _refused(exc: Exception) -> PasskeyError:
    # py_webauthn explains itself in WebAuthnException; anything else (bad base64, bad CBOR,
    # a wrong type deep in the structure) means the data was malformed or forged.
    if isinstance(exc, WebAuthnException) and str(exc):
        detail = str(exc)
    else:
        detail = _("the data is malformed")
    return PasskeyError("not_verified", _("The passkey could not be verified: %s.") % detail)


def _transports(credential: dict[str, Any]) -> str:
    response = credential.get("response")
    values = response.get("transports") if isinstance(response, dict) else None
    if not isinstance(values, list):
        return ""
    return ",".join(sorted({v for v in values if isinstance(v, str) and v in _KNOWN_TRANSPORTS}))


def finish_registration(
    *, user: User, credential_json: Any, challenge: bytes, name: str, now: datetime
) -> Passkey:
    credential = _as_object(credential_json)
    if has_control_characters(name or ""):
        raise PasskeyError("bad_name", _("The passkey name contains a control character."))
    name = (name or "").strip() or _("Passkey added %s") % now.date().isoformat()
    if len(name) > NAME_MAX_LENGTH:
        raise PasskeyError(
            "bad_name", _("Keep the passkey name to %d characters or fewer.") % NAME_MAX_LENGTH
        )
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=list(settings.WEBAUTHN_ORIGINS),
            require_user_verification=True,
        )
    except Exception as exc:  # see _refused: forged data must not become a 500
        raise _refused(exc) from exc
    if Passkey.objects.filter(credential_id=verified.credential_id).exists():
        raise PasskeyError("duplicate", _("This passkey is already registered."))
    if user.passkeys.count() >= MAX_PASSKEYS_PER_USER:
        raise PasskeyError(
            "too_many",
            _("You already have %d passkeys. Delete one you no longer use first.")
            % MAX_PASSKEYS_PER_USER,
        )
    try:
        # A savepoint, so a concurrent duplicate leaves the caller's transaction usable.
        with transaction.atomic():
            return Passkey.objects.create(
                user=user,
                name=name,
                credential_id=verified.credential_id,
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                transports=_transports(credential),
                created_at=now,
            )
    except IntegrityError as exc:
        raise PasskeyError("duplicate", _("This passkey is already registered.")) from exc


# --- Authentication -------------------------------------------------------------------


def begin_authentication(*, username: str = "", now: datetime) -> Ceremony:
    """Options for navigator.credentials.get(); without a username any passkey for us will do."""
    allow: list[PublicKeyCredentialDescriptor] = []
    if has_control_characters(username):
        raise PasskeyError("bad_username", _("The username contains a control character."))
    if username:
        allow = [
            _descriptor(p)
            for p in Passkey.objects.filter(user__username=username, user__is_active=True)
        ]
    options = generate_authentication_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        timeout=int(CHALLENGE_TTL.total_seconds() * 1000),
        allow_credentials=allow,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    handle = remember_challenge(
        purpose=CeremonyPurpose.AUTHENTICATION, challenge=options.challenge, user=None, now=now
    )
    return Ceremony(options=options_to_json_dict(options), handle=handle)


def _credential_id(credential: dict[str, Any]) -> bytes:
    raw = credential.get("rawId") or credential.get("id")
    try:
        if not isinstance(raw, str) or not raw:
            raise ValueError(raw)
        return base64url_to_bytes(raw)
    except ValueError as exc:  # binascii.Error is a ValueError
        raise PasskeyError(
            "malformed", _("The passkey answer has no valid credential id.")
        ) from exc


def finish_authentication(*, credential_json: Any, challenge: bytes, now: datetime) -> User:
    credential = _as_object(credential_json)
    passkey = (
        Passkey.objects.select_related("user")
        .filter(credential_id=_credential_id(credential))
        .first()
    )
    if passkey is None:
        raise PasskeyError(
            "unknown_passkey",
            _("This passkey is not registered with AgentMatch. Log in with your password."),
        )
    stored_count = passkey.sign_count
    try:
        # The library's own counter check is bypassed (0) so that the signature is checked
        # first and the counter rule below is ours, stated once.
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=list(settings.WEBAUTHN_ORIGINS),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=0,
            require_user_verification=True,
        )
    except Exception as exc:  # see _refused
        raise _refused(exc) from exc
    if not _handle_matches(credential, passkey.user):
        raise PasskeyError("not_verified", _("This passkey belongs to a different account."))
    # Authenticators that count must count up; a count that stands still or goes back means
    # a copied key or a replayed answer. Counters that stay at zero are passkeys that sync.
    new_count = verified.new_sign_count
    if (new_count or stored_count) and new_count <= stored_count:
        raise _counter_refused()
    user = passkey.user
    if not user.is_active:
        raise PasskeyError(
            "inactive", _("This account is deactivated. Contact the help desk to reopen it.")
        )
    # Conditional on the count we verified against: of two answers racing with the same
    # count, only one wins.
    updated = Passkey.objects.filter(pk=passkey.pk, sign_count=stored_count).update(
        sign_count=new_count, last_used_at=now
    )
    if updated != 1:
        raise _counter_refused()
    return user


def _handle_matches(credential: dict[str, Any], user: User) -> bool:
    """A discoverable passkey names its account; it must be the one the credential is on."""
    handle = credential["response"].get("userHandle")  # the library checked "response"
    if not handle:
        return True
    try:
        return hmac.compare_digest(base64url_to_bytes(handle), user_handle(user))
    except (TypeError, ValueError):
        return False


def _counter_refused() -> PasskeyError:
    return PasskeyError(
        "sign_count",
        _(
            "This passkey's use counter did not go up, so it may have been copied. "
            "Log in with your password and replace the passkey."
        ),
    )


def delete_passkey(*, user: User, passkey_id: int) -> None:
    deleted, _rows = Passkey.objects.filter(user=user, pk=passkey_id).delete()
    if not deleted:
        raise PasskeyError("not_found", _("There is no such passkey on your account."))
