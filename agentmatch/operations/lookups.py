"""Read-only answers for the support pages: finding agents and explaining their state."""

from dataclasses import dataclass, field
from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, QuerySet, Sum

from agentmatch.accounts.invitations import invitation_email_key
from agentmatch.accounts.models import Invitation, User
from agentmatch.agents.models import Agent
from agentmatch.core.npn import npn_key
from agentmatch.core.phones import normalize_phone
from agentmatch.core.text_search import contains_folded
from agentmatch.eligibility.rules import Check, agent_checks, state_checks
from agentmatch.eligibility.services import facts_for
from agentmatch.notifications.models import Message
from agentmatch.planyears.models import PlanYear


def search_agents(query: str) -> QuerySet[Agent]:
    """By NPN (leading zeros ignored), email, cell phone, or the words of a name (partial;
    accents and case aside: "lucia pena" finds "Lucía Peña")."""
    text = " ".join(query.split())
    agents = Agent.objects.order_by("last_name", "first_name", "pk")
    if not text:
        return agents.none()
    phone = _as_phone(text)
    if text.isdigit() and len(text) <= NPN_DIGITS:
        # Ten digits are an NPN or a phone number without punctuation: either matches.
        by_number = Q(npn_key=npn_key(text)) | (Q(cell_phone=phone) if phone else Q(pk=None))
        return agents.filter(by_number)
    if "@" in text:
        return agents.filter(email__iexact=text)
    if phone:
        return agents.filter(cell_phone=phone)
    for word in text.split(" "):
        annotations, condition = contains_folded(NAME_COLUMNS, word)
        agents = agents.alias(**annotations).filter(condition)
    return agents


# An NPN has at most 10 digits; a longer run of digits is a phone number.
NPN_DIGITS = 10
NAME_COLUMNS = ["first_name", "last_name"]


def _as_phone(text: str) -> str:
    """'(608) 555-0199', '608.555.0199' or '+1 608 555 0199' as E.164; '' if not a phone."""
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) < 10 or any(c.isalpha() for c in text):
        return ""
    try:
        return normalize_phone(text)
    except ValueError:
        return ""


def find_agent(npn: str) -> Agent | None:
    if not npn.isdigit() or len(npn) > 10:
        return None
    return Agent.objects.filter(npn_key=npn_key(npn)).first()


@dataclass(frozen=True)
class AccountState:
    user: User | None
    failures: int
    locked: bool
    last_failure_at: datetime | None


def account_state(agent: Agent, *, now: datetime) -> AccountState:
    """The agent's login, and whether repeated wrong passwords have locked it (django-axes)."""
    user = User.objects.filter(agent=agent).first()
    if user is None:
        return AccountState(None, 0, False, None)
    # Counted the way axes counts: failures under this username from one client address
    # within the cool-off time; locked if any one address reached the limit.
    recent = AccessAttempt.objects.filter(
        username__iexact=user.get_username(),
        attempt_time__gte=now - settings.AXES_COOLOFF_TIME,
    )
    per_address = [
        row["n"] for row in recent.values("ip_address").annotate(n=Sum("failures_since_start"))
    ]
    locked = max(per_address, default=0) >= settings.AXES_FAILURE_LIMIT
    last = recent.order_by("-attempt_time").values_list("attempt_time", flat=True).first()
    return AccountState(user, sum(per_address), locked, last)


@dataclass(frozen=True)
class StateVerdict:
    state: str
    passed: bool
    routed: bool
    failures: list[Check]


@dataclass(frozen=True)
class EligibilityReport:
    plan_year: int
    agent_checks: list[Check]
    states: list[StateVerdict] = field(default_factory=list)

    @property
    def agent_failures(self) -> list[Check]:
        return [c for c in self.agent_checks if not c.passed]


def eligibility_report(
    agent: Agent, *, plan_year: PlanYear, now: datetime, extra_state: str = ""
) -> EligibilityReport:
    """Every rule for the agent, and per state PASS or the failing reasons.

    States shown: licensed, routed, deselected, the home state, and any the operator asks
    about, so "why no WI referrals?" has an answer even without a WI license.
    """
    facts = facts_for(agent, plan_year=plan_year, today=now.date())
    routed = set(agent.routing_states.values_list("state", flat=True))
    states = set(facts.licenses) | routed | set(facts.deselected_states)
    if facts.home_state:
        states.add(facts.home_state)
    if extra_state:
        states.add(extra_state)
    general = agent_checks(facts)
    verdicts = []
    for state in sorted(states):
        checks = general + state_checks(facts, state)
        failing = [c for c in checks if not c.passed]
        verdicts.append(StateVerdict(state, not failing, state in routed, failing))
    return EligibilityReport(plan_year.year, general, verdicts)


def mask_name(first: str, last: str) -> str:
    return " ".join(f"{part[:1]}." for part in (first, last) if part)


def mask_phone(phone: str) -> str:
    digits = [c for c in phone if c.isdigit()]
    return "•••-•••-••" + "".join(digits[-2:]) if digits else ""


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    if not domain:
        return ""
    return f"{local[:1]}•••@{domain}"


def invitations_with_email_state(agent: Agent) -> list[Invitation]:
    """The agent's invitations, each with `email`: its outbox message (delivery state)."""
    invitations = list(Invitation.objects.filter(agent=agent).order_by("-created_at", "-pk"))
    keys = [invitation_email_key(invitation.pk) for invitation in invitations]
    emails = {m.dedupe_key: m for m in Message.objects.filter(dedupe_key__in=keys)}
    for invitation in invitations:
        invitation.email = emails.get(invitation_email_key(invitation.pk))  # type: ignore[attr-defined]
    return invitations
