"""`agentmatch why-not NPN STATE`: support's answer to "why am I not getting WI referrals?"

First every eligibility rule from rules.py (the same list routing is built from), then the
live conditions matching checks per referral (availability, language, pending offers), then
whether the routing table agrees with the rules.
"""

from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agentmatch.agents.models import Agent
from agentmatch.agents.services import availability_of
from agentmatch.core.languages import LANGUAGE_NAMES, normalize_language
from agentmatch.core.npn import normalize_npn, npn_key
from agentmatch.core.states import STATE_NAMES, normalize_state
from agentmatch.eligibility.models import RoutingSlot, RoutingState
from agentmatch.eligibility.rules import explain
from agentmatch.eligibility.services import facts_for
from agentmatch.planyears.services import NoCurrentPlanYear, current_plan_year
from agentmatch.referrals.matching import pending_offer_limit
from agentmatch.referrals.models import Offer, OfferStatus

PASS, FAIL, WARN, INFO = "PASS", "FAIL", "WARN", "INFO"


@dataclass(frozen=True)
class Line:
    mark: str
    rule: str
    detail: str
    why: str = ""  # the reason in the verdict, when the detail alone does not say it


def find_agent(value: str) -> Agent:
    try:
        npn = normalize_npn(value)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    # Matched without leading zeros: "12345" finds NPN 0012345, as CMS files do.
    agent = Agent.objects.filter(npn_key=npn_key(npn)).first()
    if agent is None:
        raise CommandError(f"No agent with NPN {npn}")
    return agent


def live_conditions(agent: Agent, state: str, language: str | None) -> list[Line]:
    now = timezone.now()
    lines: list[Line] = []

    live = availability_of(agent=agent, now=now)
    # Routing reads the stored flag, which the worker re-resolves at each hours boundary.
    if agent.is_available == live.is_available:
        lines.append(
            Line(
                PASS if live.is_available else FAIL,
                "Available now",
                live.reason,
                f"not available now ({live.reason})",
            )
        )
    else:
        stored = "available" if agent.is_available else "not available"
        lines.append(
            Line(
                PASS if agent.is_available else FAIL,
                "Available now",
                f"routing sees {stored}; settings say {live.reason} "
                "(the worker updates it at the next hours boundary)",
                f"routing sees {stored}",
            )
        )

    spoken = sorted(agent.languages.values_list("language", flat=True))
    names = ", ".join(f"{LANGUAGE_NAMES.get(c, c)} ({c})" for c in spoken) or "none"
    if language is None:
        lines.append(Line(INFO, "Languages spoken", f"{names}: referrals in other languages skip"))
    elif language in spoken:
        lines.append(Line(PASS, f"Speaks {LANGUAGE_NAMES.get(language, language)}", names))
    else:
        wanted = LANGUAGE_NAMES.get(language, language)
        lines.append(
            Line(FAIL, f"Speaks {wanted}", f"speaks only {names}", f"does not speak {wanted}")
        )

    pending = Offer.objects.filter(agent=agent, status=OfferStatus.PENDING).count()
    limit = pending_offer_limit()
    lines.append(
        Line(
            PASS if pending < limit else FAIL,
            "Room for another offer",
            f"{pending} pending of {limit} allowed"
            + ("" if pending < limit else ": new referrals go to others until answered"),
            "holds as many pending offers as allowed",
        )
    )
    return lines


def verdict(agent: Agent, state: str, failures: list[Line]) -> str:
    who = f"NPN {agent.npn}"
    if not failures:
        return f"Verdict: {who} can receive {state} referrals now (if closest of those qualified)."
    reasons = "; ".join(f.why or f.detail for f in failures)
    return f"Verdict: {who} gets no {state} referrals now: {reasons}."


class Command(BaseCommand):
    help = "Every eligibility rule and live condition for one agent and one state, pass or fail."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("npn", help="the agent's NPN (leading zeros optional)")
        parser.add_argument("state", help="two-letter state code, e.g. WI")
        parser.add_argument("--language", help="also check a consumer language, e.g. es")

    def handle(self, *args: Any, **options: Any) -> None:
        agent = find_agent(options["npn"])
        try:
            state = normalize_state(options["state"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        language = None
        if options["language"]:
            try:
                language = normalize_language(options["language"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        try:
            plan_year = current_plan_year()
        except NoCurrentPlanYear as exc:
            raise CommandError(str(exc)) from exc

        facts = facts_for(agent, plan_year=plan_year, today=timezone.localdate())
        rules = [Line(PASS if c.passed else FAIL, c.rule, c.detail) for c in explain(facts, state)]
        live = live_conditions(agent, state, language)
        eligible = all(r.mark == PASS for r in rules)

        routed = RoutingState.objects.filter(agent=agent, state=state).exists()
        if routed == eligible:
            table = Line(
                PASS if routed else INFO,
                f"Routing table lists {state}",
                "yes" if routed else "no, as the rules say",
            )
        else:
            says = "routed" if eligible else "not routed"
            table = Line(
                WARN,
                f"Routing table lists {state}",
                f"{'yes' if routed else 'no'}, but the rules say {says}: stale routing table; "
                f"`agentmatch set_plan_year {plan_year.year}` refreshes it",
                "the routing table is stale",
            )

        # The routing index is what matching searches: one slot per language spoken.
        spoken = set(agent.languages.values_list("language", flat=True))
        slots = set(
            RoutingSlot.objects.filter(agent=agent, state=state).values_list(
                "language", "latitude", "longitude", "is_available"
            )
        )
        wanted = (
            {(x, agent.latitude, agent.longitude, agent.is_available) for x in spoken}
            if routed
            else set()
        )
        if slots == wanted:
            index = Line(
                PASS if slots else INFO,
                f"Routing index for {state}",
                ", ".join(sorted(s[0] for s in slots)) or "none",
            )
        else:
            index = Line(
                WARN,
                f"Routing index for {state}",
                "out of step with the agent's languages, location or availability; "
                "`agentmatch rebuild_routing_index` rewrites it",
                "the routing index is stale",
            )
            if routed:
                table = index

        out = self.stdout.write
        out(
            f"{agent.full_name}, NPN {agent.npn}, home state {agent.home_state or '?'}, "
            f"display option {agent.display_option}; {STATE_NAMES[state]} ({state}), "
            f"plan year {plan_year.year}"
        )
        out("")
        out("Eligibility rules:")
        for line in rules:
            out(f"  {line.mark}  {line.rule}: {line.detail}")
        out("Live matching conditions:")
        shown = [*live, table] + ([index] if index is not table else [])
        for line in shown:
            out(f"  {line.mark}  {line.rule}: {line.detail}")
        out("")
        # The routing table, not the rules, is what matching reads.
        failures = [x for x in rules + live if x.mark == FAIL]
        if eligible and not routed:
            failures.append(table)
        out(verdict(agent, state, failures))
        if routed and not eligible:
            out(f"Until the routing table is refreshed, routing still offers {state} referrals.")
