"""Files in, referrals out: the imports are what make an agent eligible."""

import pytest
from django.utils import timezone

from agentmatch.agents.models import Agent, AvailabilitySwitch
from agentmatch.eligibility.agent_facts import set_availability
from agentmatch.eligibility.models import RoutingState
from agentmatch.imports.tests.helpers import fixture, import_everything, run, sign_up_everyone
from agentmatch.referrals.models import ReferralStatus
from agentmatch.testing import make_referral

pytestmark = pytest.mark.django_db


def switch_on(npn: str) -> Agent:
    agent = Agent.objects.get(npn=npn)
    set_availability(agent=agent, switch=AvailabilitySwitch.ON, now=timezone.now())
    return agent


def test_roster_rcl_and_nipr_make_agents_routable_where_the_rules_allow(plan_year):
    import_everything()
    routed = sorted(RoutingState.objects.values_list("agent__npn", "state"))
    assert routed == [
        ("0012345", "TX"),  # Maria: non-resident Life, Accident & Health
        ("0012345", "WI"),  # Maria: resident Accident & Health
        ("8812001", "TX"),  # James: FL health line is inactive
        ("8812002", "TX"),  # Linh: display option 3, home state TX only (not FL)
    ]
    # Ana: display option 4, not valid on the RCL; Tom: no training, no health line.


def test_a_referral_reaches_an_agent_made_eligible_by_the_imports(plan_year):
    import_everything()
    maria = switch_on("0012345")
    referral = make_referral(zip_code="53703", language="es")
    assert referral.status == ReferralStatus.OFFERED
    assert referral.offers.get().agent == maria


def test_a_waiting_referral_is_offered_when_an_import_makes_an_agent_eligible(plan_year):
    run("import_roster", fixture("roster.csv"))
    run("import_nipr", fixture("nipr.xml"))
    sign_up_everyone()
    maria = switch_on("0012345")
    referral = make_referral(zip_code="53703", language="es")
    assert referral.status == ReferralStatus.WAITING  # not on the RCL yet

    out, _err = run("import_rcl", fixture("rcl.csv"))

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.OFFERED
    assert referral.offers.get().agent == maria
    assert "1 waiting referral offered" in out
