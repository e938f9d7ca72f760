"""`why_not NPN STATE`: every rule and live condition, pass or fail, and a verdict."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agentmatch.eligibility.models import RegistrationTermination, RoutingState
from agentmatch.eligibility.services import refresh_routing_states
from agentmatch.planyears.services import current_plan_year
from agentmatch.referrals.models import Offer
from agentmatch.testing import give_license, make_agent, make_referral

pytestmark = pytest.mark.django_db


def why_not(npn: str, state: str, *extra: str) -> str:
    out = StringIO()
    call_command("why_not", npn, state, *extra, stdout=out)
    return out.getvalue()


def fail_lines(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.strip().startswith("FAIL")]


def verdict(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("Verdict:"))


def madison_agent(**kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("licensed", ["WI"])
    return make_agent(zip_code="53703", home_state="WI", **kwargs)


def terminated_agent():  # type: ignore[no-untyped-def]
    agent = madison_agent()
    RegistrationTermination.objects.create(
        npn_key=agent.npn_key,
        status="T3",
        marketplaces="Individual",
        plan_year=2026,
        effective_on=date.today() - timedelta(days=3),
    )
    # As the RTL importer does after loading the list.
    refresh_routing_states(agents=[agent], plan_year=current_plan_year(), today=date.today())
    return agent


def licensed_mi(**license_kwargs):  # type: ignore[no-untyped-def]
    agent = madison_agent()
    give_license(agent, "MI", **license_kwargs)
    return agent


CASES = [
    ("not on the RCL", lambda: madison_agent(registered=False), "WI",
     "NPN is not on the Registration Completion List"),
    ("invalid on the RCL", lambda: madison_agent(rcl_valid=False), "WI",
     "on the Registration Completion List but not valid"),
    ("terminated", terminated_agent, "WI", "terminated or suspended (T3)"),
    ("no training", lambda: madison_agent(trained=False), "WI",
     "no training completion in the MLMS roster"),
    ("registration incomplete", lambda: madison_agent(service_registered=False), "WI",
     "registration incomplete"),
    ("display option 4", lambda: madison_agent(display_option=4), "WI",
     "display option 4: does not participate"),
    ("display option 3 outside home state",
     lambda: madison_agent(display_option=3, licensed=["WI", "MI"]), "MI",
     "display option 3: home state (WI) only"),
    ("state not served", lambda: madison_agent(licensed=["WI", "IL"]), "IL",
     "IL runs its own exchange in 2026"),
    ("no license", madison_agent, "MI", "no MI license on record from NIPR"),
    ("inactive license", lambda: licensed_mi(active=False), "MI", "MI license is not active"),
    ("no health line", lambda: licensed_mi(lines=("Property", "Casualty")), "MI",
     "no active health line of authority"),
    ("deselected", lambda: madison_agent(deselected=["WI"]), "WI", "agent deselected WI"),
    ("not available", lambda: madison_agent(switch="off"), "WI", "switched off (red)"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "build", "state", "detail"), CASES, ids=[c[0] for c in CASES])
def test_each_failing_rule_is_shown_as_fail_with_its_reason_and_in_the_verdict(
    plan_year, case, build, state, detail
):
    agent = build()
    output = why_not(agent.npn, state)
    failures = fail_lines(output)
    assert any(detail in line for line in failures), output
    assert f"gets no {state} referrals now" in verdict(output)
    assert detail in verdict(output)
    # The routing table agrees with the rules here: no stale warning.
    assert "WARN" not in output


def test_a_language_the_agent_does_not_speak_fails(plan_year):
    agent = madison_agent(languages=["en", "es"])
    output = why_not(agent.npn, "WI", "--language", "vi")
    assert any("Speaks Vietnamese: speaks only English (en), Spanish (es)" in x
               for x in fail_lines(output))  # fmt: skip
    assert "does not speak Vietnamese" in verdict(output)
    assert "PASS  Speaks Spanish" in why_not(agent.npn, "WI", "--language", "Spanish")


def test_holding_the_maximum_of_pending_offers_fails(plan_year):
    agent = madison_agent()
    make_referral(zip_code="53703")
    assert Offer.objects.filter(agent=agent, status="pending").exists()
    output = why_not(agent.npn, "WI")
    assert "FAIL  Room for another offer: 1 pending of 1 allowed" in output
    assert "holds as many pending offers as allowed" in verdict(output)


def test_an_eligible_agent_passes_everything(plan_year):
    agent = madison_agent(languages=["en", "es"])
    output = why_not(agent.npn, "WI", "--language", "es")
    assert fail_lines(output) == []
    assert output.count("PASS") >= 12 and "WARN" not in output
    assert "PASS  Routing table lists WI: yes" in output
    assert verdict(output).startswith(f"Verdict: NPN {agent.npn} can receive WI referrals now")


def test_a_stale_routing_table_is_flagged(plan_year):
    agent = madison_agent()
    RoutingState.objects.filter(agent=agent).delete()
    output = why_not(agent.npn, "WI")
    assert "WARN  Routing table lists WI: no, but the rules say routed" in output
    assert "routing table is stale" in verdict(output)


def test_leading_zeros_do_not_matter(plan_year):
    agent = madison_agent(npn="0012345")
    assert "NPN 0012345" in why_not("12345", "wi")
    assert "NPN 0012345" in why_not("00012345", "WI")
    assert agent.npn == "0012345"


@pytest.mark.parametrize(
    ("npn", "state", "message"),
    [
        ("999999", "WI", "No agent with NPN 999999"),
        ("12ab", "WI", "'12ab' is not an NPN"),
        ("0012345", "XX", "'XX' is not a US state code"),
    ],
)
def test_unknown_npn_or_bad_state_is_a_clear_error(plan_year, npn, state, message):
    madison_agent(npn="0012345")
    with pytest.raises(CommandError, match=message):
        why_not(npn, state)


def test_without_a_current_plan_year_the_error_says_how_to_set_one(db):
    from agentmatch.planyears.services import define_plan_year

    define_plan_year(year=2026, states=["WI"], make_current=True)
    agent = madison_agent()
    from agentmatch.planyears.models import PlanYear

    PlanYear.objects.update(is_current=False)
    with pytest.raises(CommandError, match="set_plan_year"):
        why_not(agent.npn, "WI")
