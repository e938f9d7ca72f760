"""A consumer's request: submit it (web form or API, with or without a partner key) and
cancel it. Both doors call these and only these.

submit_request checks the partner key, then intake open and every field at once
(intake.validate_contact_request, with the phone policy); then, in one transaction: the
Idempotency-Key (a retry gets the first answer), "one open request per phone" (also a
database constraint), the rate limits per phone and per client address (or per partner
key), the referral, its first offer and its "received" messages (services.create_referral);
all of it again with a new reference code should the one drawn be taken.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.crypto import salted_hmac

from agentmatch.core.secrets import new_secret
from agentmatch.partners.keys import InvalidPartnerKey, authenticate_partner_key
from agentmatch.partners.models import PartnerKey
from agentmatch.planyears.services import intake_settings
from agentmatch.referrals import limits
from agentmatch.referrals.intake import ContactRequest, IntakeError, validate_contact_request
from agentmatch.referrals.models import OPEN_STATUSES, IdempotencyKey, Referral
from agentmatch.referrals.services import cancel_referral, create_referral

WEB = "web"
API = "api"
IDEMPOTENCY_KEY_MAX = 255
OPEN_PHONE_CONSTRAINT = "one_open_request_per_phone"
# Draws of a reference code before giving up: a second collision in a row is as likely as
# a meteorite, a third means something else is wrong.
REFERENCE_ATTEMPTS = 3


@dataclass(frozen=True)
class RequestFields:
    """What the consumer sent, as sent (the validator normalises it)."""

    first_name: str
    last_name: str
    phone: str
    email: str | None
    zip_code: str
    language: str
    consent: bool


@dataclass(frozen=True)
class Submitted:
    referral: Referral
    status_token: str
    # True when this answers a retry with the same Idempotency-Key: nothing new was made.
    replayed: bool = False
    # The referral's status when it was first answered (a replay repeats that answer).
    status: str = ""


class AlreadyOpen(IntakeError):
    """This phone already has an open request: its status, not a second request."""

    def __init__(self, referral: Referral) -> None:
        super().__init__(
            "phone",
            "This phone number already has an open request: wait for its answer, or cancel "
            "it before you make a new one.",
            code="already_open",
        )
        self.referral = referral


def _refused_key(message: str, code: str) -> IntakeError:
    return IntakeError("idempotency_key", message, code=code)


def _fingerprint(fields: RequestFields, channel: str) -> str:
    body = json.dumps([channel, *fields.__dict__.values()], sort_keys=True, default=str)
    return salted_hmac("agentmatch.referrals.request", body, algorithm="sha256").hexdigest()


def _key_hash(key: str, partner: PartnerKey | None) -> str:
    scope = f"partner:{partner.pk}" if partner else "public"
    return hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()


def _token_for(key: str, salt: str) -> str:
    # Only a caller who holds the Idempotency-Key can have it re-derived; the database
    # holds neither the key nor the token.
    return salted_hmac(
        "agentmatch.referrals.idempotent-token", f"{salt}\0{key}", algorithm="sha256"
    ).hexdigest()


def _claim_key(
    *, key: str, partner: PartnerKey | None, fingerprint: str, now: datetime
) -> tuple[IdempotencyKey, bool]:
    """(row, True) when this request may proceed under `key`; (first row, False) when a
    request with the same key was answered within IDEMPOTENCY_KEY_HOURS.

    The insert waits for a concurrent request with the same key to end (the unique index),
    then finds its row: two retries never both create a referral."""
    if not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX or not key.isprintable() or not key.isascii():
        raise _refused_key(
            f"Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX} printable ASCII characters "
            "(a random UUID is best).",
            "invalid",
        )
    key_hash = _key_hash(key, partner)
    IdempotencyKey.objects.filter(key_hash=key_hash, expires_at__lte=now).delete()
    salt = new_secret()
    IdempotencyKey.objects.bulk_create(
        [
            IdempotencyKey(
                key_hash=key_hash,
                fingerprint=fingerprint,
                token_salt=salt,
                created_at=now,
                expires_at=now + timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS),
            )
        ],
        ignore_conflicts=True,
    )
    row = IdempotencyKey.objects.select_related("referral").get(key_hash=key_hash)
    if row.token_salt == salt:
        return row, True
    if row.fingerprint != fingerprint:
        raise _refused_key(
            "This Idempotency-Key was used for a different request: use a new key for a "
            "new request.",
            "idempotency_key_reused",
        )
    return row, False


def _partner(partner_key: str | None) -> PartnerKey | None:
    if partner_key is None:
        return None
    try:
        return authenticate_partner_key(partner_key)
    except InvalidPartnerKey as exc:
        raise IntakeError(
            None, "The X-Partner-Key is unknown or revoked.", code="invalid_partner_key"
        ) from exc


def _open_request_for(phone: str) -> Referral | None:
    return Referral.objects.filter(phone=phone, status__in=OPEN_STATUSES).order_by("-pk").first()


def submit_request(
    *,
    fields: RequestFields,
    channel: str,
    client_address: str,
    now: datetime,
    page_language: str = "",
    partner_key: str | None = None,
    idempotency_key: str | None = None,
) -> Submitted:
    """Stores the consumer's request and offers it to the closest qualified agent.

    Raises NoCurrentPlanYear, or an IntakeError with its `code`: invalid_partner_key,
    intake_paused, an InvalidRequest naming every wrong field, idempotency_key_reused or
    invalid (field idempotency_key), already_open (AlreadyOpen, with the open referral),
    rate_limited (limits.RateLimited, with retry_after).
    """
    partner = _partner(partner_key)
    current = intake_settings()
    contact = validate_contact_request(
        plan_year=current.plan_year,
        served_states=current.served_states,
        first_name=fields.first_name,
        last_name=fields.last_name,
        phone=fields.phone,
        email=fields.email,
        zip_code=fields.zip_code,
        language=fields.language,
        consent=fields.consent,
        channel=channel,
    )
    for attempt in range(1, REFERENCE_ATTEMPTS + 1):
        try:
            return _store(
                contact=contact,
                fields=fields,
                channel=channel,
                client_address=client_address,
                now=now,
                plan_year=current.plan_year.year,
                page_language=page_language,
                partner=partner,
                idempotency_key=idempotency_key,
            )
        except IntegrityError as exc:
            if _is_reference_collision(exc) and attempt < REFERENCE_ATTEMPTS:
                # The reference code drawn belongs to another referral (about one chance
                # in 650,000 with a million referrals stored): everything was rolled back,
                # so the whole transaction runs again with a new code.
                continue
            # Otherwise only reachable if another request for this phone slipped past the
            # counter lock: the database constraint still holds, and the door still gets
            # a clean answer.
            existing = _open_request_for(contact.phone)
            if not _is_open_phone_violation(exc) or existing is None:
                raise
            raise AlreadyOpen(existing) from exc
    raise AssertionError("unreachable: the last attempt returns or raises")


def _store(
    *,
    contact: ContactRequest,
    fields: RequestFields,
    channel: str,
    client_address: str,
    now: datetime,
    plan_year: int,
    page_language: str,
    partner: PartnerKey | None,
    idempotency_key: str | None,
) -> Submitted:
    """submit_request's transaction: everything after the checks that need no database."""
    with transaction.atomic(durable=True):
        claimed: IdempotencyKey | None = None
        token: str | None = None
        if idempotency_key is not None:
            claimed, fresh = _claim_key(
                key=idempotency_key,
                partner=partner,
                fingerprint=_fingerprint(fields, channel),
                now=now,
            )
            if not fresh:
                return _replay(claimed, idempotency_key)
            token = _token_for(idempotency_key, claimed.token_salt)
        phone_count, shared_count = _counts(contact.phone, partner, client_address)
        # Counted first: the phone's counter row stays locked until commit, so a second
        # request for the same phone waits here and then finds the first one's referral.
        # A refusal below rolls the count back, and the refusals keep their order (an
        # open request, then the shared limit, then the phone's).
        phone_counted = limits.take(limit=phone_count[0], value=phone_count[1], now=now)
        _refuse_open_request_or_spent_limit(contact.phone, shared_count, now)
        if not phone_counted:
            raise limits.refused(phone_count[0], now)
        referral, token = create_referral(
            request=contact,
            plan_year=plan_year,
            now=now,
            token=token,
            page_language=page_language,
            partner_key=partner,
        )
        if claimed is not None:
            claimed.referral, claimed.first_status = referral, referral.status
            claimed.save(update_fields=["referral", "first_status"])
        _tidy_up(now)
        # The address's (or partner's) counter is shared by every request from it, so it is
        # counted last: its row stays locked only for the commit, not for the routing, and
        # one busy address or partner does not serialise its own requests (with the count
        # taken first, one address topped out at about 50 requests/s). Over the limit here,
        # the whole request rolls back and counts nowhere.
        limits.take_all(counts=[shared_count], now=now)
    return Submitted(referral=referral, status_token=token, status=referral.status)


# Ended windows' counters and expired Idempotency-Keys are deleted by at most one request
# per process in this interval, not by every request: the two DELETEs were 2 of the
# intake's 16 statements and found nothing almost every time. A row left a little longer
# changes no answer: counters are read by their own window, and _claim_key deletes its
# own key's expired row before it inserts.
TIDY_UP_SECONDS = 60
_last_tidy_up: datetime | None = None


def _tidy_up(now: datetime) -> None:
    global _last_tidy_up
    last = _last_tidy_up
    if last is not None and last <= now < last + timedelta(seconds=TIDY_UP_SECONDS):
        return
    _last_tidy_up = now
    limits.forget_old_counters(now=now)
    IdempotencyKey.objects.filter(expires_at__lte=now).delete()


def _is_reference_collision(exc: IntegrityError) -> bool:
    # PostgreSQL names the constraint (referral_reference_code_unique), SQLite the column.
    return "reference_code" in str(exc)


def _is_open_phone_violation(exc: IntegrityError) -> bool:
    # PostgreSQL names the constraint; SQLite names the column of the partial index.
    text = str(exc)
    return OPEN_PHONE_CONSTRAINT in text or f"{Referral._meta.db_table}.phone" in text


def _replay(claimed: IdempotencyKey, key: str) -> Submitted:
    assert claimed.referral is not None  # committed rows always name their referral
    return Submitted(
        referral=claimed.referral,
        status_token=_token_for(key, claimed.token_salt),
        replayed=True,
        status=claimed.first_status,
    )


def _refuse_open_request_or_spent_limit(
    phone: str, shared: tuple[limits.Limit, str], now: datetime
) -> None:
    """AlreadyOpen when the phone has an open request, else RateLimited when the shared
    (address or partner) limit is spent: both read in one round trip, as every intake
    asks both."""
    limit, value = shared
    spent_sql, spent_params = limits.spent_check(limit=limit, value=value, now=now)
    q = connection.ops.quote_name
    statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT {q('id')} FROM {q(Referral._meta.db_table)} WHERE {q('phone')} = %s "
            f"AND {q('status')} IN ({statuses}) ORDER BY {q('id')} DESC LIMIT 1), {spent_sql}",
            [phone, *map(str, OPEN_STATUSES), *spent_params],
        )
        open_id, spent = cursor.fetchone()
    if open_id is not None:
        raise AlreadyOpen(Referral.objects.get(pk=open_id))
    if spent:
        raise limits.refused(limit, now)


def _counts(
    phone: str, partner: PartnerKey | None, client_address: str
) -> tuple[tuple[limits.Limit, str], tuple[limits.Limit, str]]:
    """The phone's count, and the count shared by everyone at the address (or partner)."""
    if partner is not None:
        # The partner's own limit replaces the per-address one: its requests come from a
        # few servers, each carrying many consumers.
        return (
            (limits.phone_limit(), phone),
            (limits.partner_limit(partner.requests_per_hour), str(partner.pk)),
        )
    return (
        (limits.phone_limit(), phone),
        (limits.address_limit(), limits.address_key(client_address)),
    )


def cancel_request(*, referral_id: int, now: datetime) -> Referral:
    """The consumer no longer wants to be contacted: the referral ends canceled, its
    pending offer is withdrawn and the freed agent gets the next waiting referral.
    Raises services.ReferralClosed when the request had already ended."""
    with transaction.atomic(durable=True):
        return cancel_referral(referral_id=referral_id, now=now)
