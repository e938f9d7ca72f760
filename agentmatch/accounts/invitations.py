"""Invitations: one activation link for each agent who becomes eligible without an account.

Flow: `invite_newly_eligible_agents` creates unsent rows (idempotent: the partial unique
constraint allows one per agent and plan year); `send_one_invitation` claims one unsent
row with SKIP LOCKED, makes the secret, puts the email in the notifications outbox and
marks the row sent in the same transaction, so any number of workers send each
invitation once. The outbox's delivery worker retries while the SMTP server is down.
"""

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from agentmatch.accounts.emails import send_account_email
from agentmatch.accounts.models import Invitation, InvitationReason, User
from agentmatch.agents.models import Agent, DisplayOption
from agentmatch.core.secrets import hash_secret, new_secret
from agentmatch.eligibility.models import (
    AgentDeactivation,
    RegistrationCompletion,
    RegistrationTermination,
    TrainingCompletion,
)
from agentmatch.eligibility.rules import may_be_invited
from agentmatch.eligibility.services import load_facts
from agentmatch.licensing.models import License, LineOfAuthority
from agentmatch.notifications.rendering import agent_language
from agentmatch.planyears.models import PlanYear

log = logging.getLogger("agentmatch.invitations")
# A fresh link asked for from an expired-link page: at most one per agent per this period.
FRESH_LINK_INTERVAL = timedelta(minutes=10)
# Agents whose facts the scan loads at a time. Smaller than eligibility's CHUNK: a chunk
# of 2,000 agents, their facts and invitations is about 8 MB of Python objects, and the
# worker keeps what its chunks needed (inviting 80,000 agents: +14 MB by 2,000, +5 by 500).
INVITE_CHUNK = 500


class InvitationError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def invite_newly_eligible_agents(*, plan_year: PlanYear, now: datetime) -> int:
    """Creates an unsent invitation for each eligible agent with no account and none yet."""
    created = 0
    chunk: list[Agent] = []
    for agent in invitation_candidates(plan_year=plan_year, today=now.date()).iterator(
        chunk_size=INVITE_CHUNK
    ):
        chunk.append(agent)
        if len(chunk) >= INVITE_CHUNK:
            created += _invite_chunk(chunk, plan_year=plan_year, now=now)
            chunk = []
    if chunk:
        created += _invite_chunk(chunk, plan_year=plan_year, now=now)
    return created


def invitation_candidates(*, plan_year: PlanYear, today: date) -> QuerySet[Agent]:
    """Agents without an account or this year's invitation whom the database cannot rule
    out of `may_be_invited`; the rules themselves (rules.py) still decide for each one.

    Every condition here is one that `may_be_invited` requires, so the filter can only
    let through too many, never too few. Without it every scan loaded the facts of every
    agent never invited (20,000 at 100,000 agents, each scan leaving the worker a few MB
    larger); with it a scan that finds nobody new brings no agent into Python.
    """
    year = plan_year.year
    npn = OuterRef("npn_key")
    registered = RegistrationCompletion.objects.filter(
        Q(individual_ends_on__isnull=True) | Q(individual_ends_on__gt=today),
        plan_year=year,
        npn_key=npn,
        npn_valid=True,
        individual_completed_on__isnull=False,
    )
    trained = TrainingCompletion.objects.filter(plan_year=year, npn_key=npn)
    health_line = LineOfAuthority.objects.filter(
        license=OuterRef("pk"), is_health=True, is_active=True
    )
    licensed = License.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today),
        Exists(health_line),
        npn_key=npn,
        is_active=True,
        state__in=plan_year.served_states.values("state"),
    )
    return (
        Agent.objects.exclude(Exists(User.objects.filter(agent=OuterRef("pk"))))
        .exclude(
            Exists(
                Invitation.objects.filter(
                    agent=OuterRef("pk"), plan_year=year, reason=InvitationReason.ELIGIBLE
                )
            )
        )
        .exclude(display_option=DisplayOption.NOT_PARTICIPATING)
        .exclude(email="")
        .exclude(Exists(AgentDeactivation.objects.filter(agent=OuterRef("pk"))))
        .filter(Exists(registered), Exists(trained), Exists(licensed))
        .exclude(Exists(_terminated(year=year, today=today)))
        .order_by("pk")
    )


# Spellings of an RTL row that surely end a registration and cover the Individual
# marketplace in rules.py (a status starting T or S; the marketplaces the import writes,
# and the other spellings rules.py accepts). Any other spelling is left to rules.py.
_ENDING = Q(status__startswith="T") | Q(status__startswith="S")
_ENDING |= Q(status__startswith="t") | Q(status__startswith="s")
_COVERING = ["Individual", "Both", "individual", "both", "INDIVIDUAL", "BOTH", "FFM", "ffm", ""]
_LONG_AGO = Value(date.min)


def _terminated(*, year: int, today: date) -> QuerySet[RegistrationTermination]:
    """The agent's in-force terminations that no later (or same-day) in-force
    reinstatement undoes: rules.py's latest termination, where it surely ends the
    registration. Reinstatements are any row not surely ending, whatever its marketplaces:
    more of them only leaves more agents to the rules."""
    in_force = Q(effective_on__isnull=True) | Q(effective_on__lte=today)
    undone_by = (
        RegistrationTermination.objects.filter(
            in_force, plan_year=year, npn_key=OuterRef("npn_key")
        )
        .exclude(_ENDING)
        .alias(since=Coalesce("effective_on", _LONG_AGO))
        .filter(since__gte=Coalesce(OuterRef("effective_on"), _LONG_AGO))
    )
    return RegistrationTermination.objects.filter(
        in_force,
        _ENDING,
        plan_year=year,
        npn_key=OuterRef("npn_key"),
        marketplaces__in=_COVERING,
    ).exclude(Exists(undone_by))


def _invite_chunk(agents: list[Agent], *, plan_year: PlanYear, now: datetime) -> int:
    facts = load_facts(agents, plan_year=plan_year, today=now.date())
    rows = [
        Invitation(
            agent=agent,
            plan_year=plan_year.year,
            reason=InvitationReason.ELIGIBLE,
            created_at=now,
        )
        for agent, agent_facts in zip(agents, facts, strict=True)
        if may_be_invited(agent_facts)
    ]
    # Another worker may have invited some of them meanwhile: the constraint keeps one.
    Invitation.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def send_one_invitation(*, now: datetime) -> bool:
    """Claims one unsent invitation and puts its email in the outbox; False when there is
    none. Delivery, retries and failures are the outbox's (the email's dedupe key is the
    invitation's, so operators see its delivery state next to it)."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("agent")
            .filter(sent_at__isnull=True, revoked_at__isnull=True)
            .order_by("created_at", "pk")
            .first()
        )
        if invitation is None:
            return False
        agent = invitation.agent
        token = new_secret()
        Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=True).update(
            token_hash=hash_secret(token),
            sent_at=now,
            sent_to=agent.email,
            expires_at=now + timedelta(hours=settings.INVITATION_HOURS),
        )
        send_account_email(
            to=agent.email,
            template="invitation",
            context={
                "agent": agent,
                "link": f"{settings.SITE_URL}/accounts/register/{token}/",
                "hours": settings.INVITATION_HOURS,
            },
            language=agent_language(agent),
            now=now,
            agent=agent,
            dedupe_key=invitation_email_key(invitation.pk),
        )
        log.info("invitation %s queued for agent %s", invitation.pk, agent.pk)
        return True


def invitation_email_key(invitation_id: int) -> str:
    return f"invitation:{invitation_id}"


def find_invitation(*, token: str, now: datetime) -> Invitation:
    """The invitation a link belongs to, if it can still be used; InvitationError if not."""
    invitation = (
        Invitation.objects.select_related("agent").filter(token_hash=hash_secret(token)).first()
    )
    if invitation is None:
        raise InvitationError("invalid", "This link is not valid.")
    if invitation.used_at is not None or has_account(invitation.agent):
        raise InvitationError("used", "This link has already been used.")
    if invitation.revoked_at is not None:
        raise InvitationError("revoked", "This link was replaced by a newer one.")
    if invitation.expires_at is None or invitation.expires_at <= now:
        raise InvitationError("expired", "This link has expired.")
    return invitation


def has_account(agent: Agent) -> bool:
    return User.objects.filter(agent=agent).exists()


def use_invitation(*, invitation: Invitation, now: datetime) -> None:
    """Marks the link used; exactly one registration can win a race for it."""
    claimed = Invitation.objects.filter(
        pk=invitation.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if claimed != 1:
        raise InvitationError("used", "This link has already been used.")


def resend_invitation(
    *, agent: Agent, plan_year: PlanYear, requested_by: str, now: datetime
) -> Invitation:
    """Replaces any open link with a new one (sent by the worker within seconds)."""
    if has_account(agent):
        raise InvitationError("has_account", "This agent already has an account.")
    Invitation.objects.filter(agent=agent, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    return Invitation.objects.create(
        agent=agent,
        plan_year=plan_year.year,
        reason=InvitationReason.RESENT,
        requested_by=requested_by[:150],
        created_at=now,
    )


def request_fresh_link(*, token: str, plan_year: PlanYear, now: datetime) -> None:
    """From an expired link's page: sends a new link to the email on file, quietly.

    Says nothing about whether it worked, and does nothing for links that are invalid,
    already used, or asked again too soon.
    """
    invitation = (
        Invitation.objects.select_related("agent").filter(token_hash=hash_secret(token)).first()
    )
    if invitation is None or invitation.used_at is not None or has_account(invitation.agent):
        return
    recent = Invitation.objects.filter(
        agent=invitation.agent, created_at__gt=now - FRESH_LINK_INTERVAL
    ).exists()
    if recent:
        return
    resend_invitation(
        agent=invitation.agent, plan_year=plan_year, requested_by="agent (expired link)", now=now
    )
