"""Accounts: who may log in, what they accepted, and the one-time links that get them in."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from agentmatch.agents.models import Agent


class Role(models.TextChoices):
    AGENT = "agent", "Agent or broker"
    OPERATOR = "operator", "Operator (support)"
    ADMINISTRATOR = "administrator", "Administrator"


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AGENT)
    agent = models.OneToOneField(
        Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    # Part of the session hash: bumping it signs this user out of every browser at once.
    session_epoch = models.PositiveIntegerField(default=0)
    # The language this person last chose with the site's language switch; an agent's
    # messages are written in it (blank: not chosen, see notifications.rendering).
    language = models.CharField(max_length=8, blank=True)
    # Operators: the zone the support pages show times in (core/time_zones.py); blank:
    # the service's OPERATOR_TIME_ZONE. A database default: a release still running
    # during a rolling deploy inserts users without this column.
    time_zone = models.CharField(max_length=40, blank=True, default="", db_default="")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="agent") & Q(agent__isnull=False))
                | (~Q(role="agent") & Q(agent__isnull=True)),
                name="agent_role_has_agent",
            )
        ]

    def get_session_auth_hash(self) -> str:
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "agentmatch.accounts.session",
            f"{self.password}:{self.session_epoch}",
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_operator(self) -> bool:
        return self.is_active and self.role in (Role.OPERATOR, Role.ADMINISTRATOR)


class TermsDocument(models.TextChoices):
    SERVICE = "service", "AgentMatch Terms of Use"
    CMS = "cms", "CMS Agents and Brokers Terms of Use"


class TermsAcceptance(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="terms_acceptances")
    document = models.CharField(max_length=10, choices=TermsDocument.choices)
    version = models.CharField(max_length=20)
    accepted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "document", "version"], name="terms_accepted_once"
            )
        ]


class InvitationReason(models.TextChoices):
    ELIGIBLE = "eligible", "Became eligible"
    RESENT = "resent", "Resent on request"


class Invitation(models.Model):
    """An activation link for an eligible agent without an account.

    Created unsent; the worker claims it, makes the secret, emails it and stores only its
    hash, so the raw link exists nowhere but in the agent's inbox.
    """

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="invitations")
    plan_year = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=10, choices=InvitationReason.choices)
    requested_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField()
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.EmailField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # "Exactly one invitation" when an agent becomes eligible for a plan year.
            models.UniqueConstraint(
                fields=["agent", "plan_year"],
                condition=Q(reason="eligible"),
                name="one_eligibility_invitation_per_year",
            ),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True)
                | (Q(token_hash__isnull=False) & Q(expires_at__isnull=False)),
                name="sent_invitation_has_secret",
            ),
        ]
        indexes = [
            # The worker's queue: unsent, unrevoked invitations, oldest first. Partial, so
            # thousands of invitations made eligible by one import stay a short index scan.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(sent_at__isnull=True, revoked_at__isnull=True),
                name="invitations_to_send",
            ),
        ]


class PasswordResetLink(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reset_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class Passkey(models.Model):
    """A WebAuthn credential: the web counterpart of the app's fingerprint/face login."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    name = models.CharField(max_length=100)
    credential_id = models.BinaryField(unique=True)
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)


class CeremonyPurpose(models.TextChoices):
    REGISTRATION = "registration", "Adding a passkey"
    AUTHENTICATION = "authentication", "Logging in with a passkey"


class PasskeyChallenge(models.Model):
    """A passkey ceremony begun and not yet finished: its challenge, for five minutes.

    Kept here rather than in the session: a concurrent request that loaded the session
    earlier and saves it later would drop the challenge. The browser holds the handle;
    only its hash is stored. Finishing deletes the row, so a challenge is answered once.
    """

    purpose = models.CharField(max_length=14, choices=CeremonyPurpose.choices)
    # The account adding a passkey; none for a login (the passkey names the account).
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    handle_hash = models.CharField(max_length=64, unique=True)
    challenge = models.BinaryField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="passkey_challenge_expiry")]
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose=CeremonyPurpose.REGISTRATION, user__isnull=False)
                | Q(purpose=CeremonyPurpose.AUTHENTICATION, user__isnull=True),
                name="passkey_challenge_user_iff_registration",
            )
        ]


class DeviceToken(models.Model):
    """A bearer token for one device running the agent app; listed and revocable."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="device_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class AccountEventKind(models.TextChoices):
    CREATED = "created", "Support account created"
    REGISTERED = "registered", "Signed up from an invitation"
    TERMS_ACCEPTED = "terms_accepted", "Accepted the CMS Terms of Use"
    DEVICE_LOGIN = "device_login", "Logged in from the agent app"
    DEVICE_ISSUED = "device_issued", "Device token issued by support"
    DEVICE_REVOKED = "device_revoked", "Signed a device out"
    PASSWORD_CHANGED = "password_changed", "Changed the password"
    PASSWORD_RESET = "password_reset", "Reset the password with an emailed link"
    SIGNED_OUT_EVERYWHERE = "signed_out", "Signed out everywhere"
    PASSKEY_ADDED = "passkey_added", "Added a passkey"
    PASSKEY_REMOVED = "passkey_removed", "Deleted a passkey"


class AccountEvent(models.Model):
    """Audit trail of what happened to an account: one row per account action."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_events")
    kind = models.CharField(max_length=20, choices=AccountEventKind.choices)
    at = models.DateTimeField()
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "at"], name="account_events_by_user")]


class RecoveryKind(models.TextChoices):
    USERNAME = "username", "Forgot username"
    PASSWORD = "password", "Forgot password"


class RecoveryOutcome(models.TextChoices):
    PENDING = "", "Not handled yet"
    SENT = "sent", "Email sent"
    NO_ACCOUNT = "no_account", "No such account: nothing sent"
    LIMITED = "limited", "Too many emails for this account: nothing sent"


class RecoveryRequest(models.Model):
    """A "forgot username / password" request, as the web page took it.

    The page only stores this row (the same work whether or not the account exists, so
    its timing tells nothing); the worker looks the account up and composes the email.
    What was typed is cleared once handled.
    """

    kind = models.CharField(max_length=10, choices=RecoveryKind.choices)
    given = models.CharField(max_length=254, blank=True)
    address = models.CharField(max_length=64)
    requested_at = models.DateTimeField()
    handled_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=RecoveryOutcome.choices, blank=True)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["address", "requested_at"], name="recovery_by_address"),
            models.Index(fields=["user", "kind", "requested_at"], name="recovery_by_user"),
            # The worker's queue: unhandled requests, oldest first.
            models.Index(
                fields=["requested_at", "id"],
                condition=Q(handled_at__isnull=True),
                name="recovery_to_handle",
            ),
        ]
