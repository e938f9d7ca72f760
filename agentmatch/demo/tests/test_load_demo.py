"""`load_demo`: a few hundred realistic agents, once, ready to take a Madison referral."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from agentmatch.agents.models import Agent, AgentLanguage
from agentmatch.core.geo import lookup_zip
from agentmatch.demo.data import (
    MADISON_NPN,
    SEED_EXAMPLE_NPN,
    demo_agents,
)
from agentmatch.eligibility.models import RoutingState
from agentmatch.licensing.models import License
from agentmatch.planyears.models import PlanYear
from agentmatch.planyears.services import STATES_SERVED_2026
from agentmatch.referrals.models import Referral
from agentmatch.testing import make_referral

pytestmark = pytest.mark.django_db

SERVED = {s.rstrip("*") for s in STATES_SERVED_2026}


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_loads_300_agents_at_real_zips_in_served_states_with_plan_year_2026_current():
    output = load()
    assert PlanYear.objects.get(is_current=True).year == 2026
    agents = list(Agent.objects.all())
    assert len(agents) == 300
    for agent in agents:
        place = lookup_zip(agent.business_zip)  # raises for an unknown ZIP
        assert place.state == agent.home_state in SERVED
        assert agent.time_zone == place.time_zone
    assert {a.home_state for a in agents} == SERVED
    assert "Loaded 300 demo agents" in output


def test_the_mix_is_realistic():
    load()
    spoken = list(AgentLanguage.objects.values_list("language", flat=True))
    assert spoken.count("en") == 300
    assert 30 <= spoken.count("es") <= 120
    assert {"vi", "zh", "ko", "ht", "ar"} & set(spoken)
    options = list(Agent.objects.values_list("display_option", flat=True))
    assert {1, 2, 3, 4} <= set(options) and options.count(4) < 60
    assert License.objects.filter(is_active=False).exists()
    assert License.objects.filter(lines__is_health=False).exists()
    available = Agent.objects.filter(is_available=True).count()
    assert 0 < available < 300
    routed = RoutingState.objects.values("agent").distinct().count()
    assert 150 < routed < 300  # most, not all: some fail a rule on purpose


def test_running_twice_loads_nothing_new_and_reset_reloads():
    load()
    counts = (Agent.objects.count(), License.objects.count(), RoutingState.objects.count())
    output = load()
    assert "already loaded" in output
    assert (Agent.objects.count(), License.objects.count(), RoutingState.objects.count()) == counts

    make_referral(zip_code="53703", language="es")  # an offer protects its agent
    output = load("--reset", "--agents", "120")
    assert "Removed 300 demo agents" in output
    assert Agent.objects.count() == 120
    assert not Referral.objects.exists()


def test_a_spanish_referral_in_madison_is_offered_to_the_demo_agent_at_once():
    output = load()
    referral = make_referral(zip_code="53703", language="es")
    assert referral.status == "offered"
    offer = referral.offers.get()
    assert offer.agent.npn == MADISON_NPN
    # ...and the printed token is hers, with curl lines to act on the offer.
    assert "Bearer " in output and "/api/v1/referrals" in output and "/accept" in output


def test_the_seed_example_agent_is_licensed_in_seven_states_and_deselected_wi():
    load()
    agent = Agent.objects.get(npn=SEED_EXAMPLE_NPN)
    licensed = set(License.objects.filter(npn_key=agent.npn_key).values_list("state", flat=True))
    assert licensed == {"AK", "AL", "AR", "AZ", "UT", "WI", "WY"}
    routed = set(RoutingState.objects.filter(agent=agent).values_list("state", flat=True))
    assert routed == licensed - {"WI"}


def test_the_same_seed_describes_the_same_agents_and_another_seed_others():
    today = date(2026, 1, 15)
    first = demo_agents(count=50, seed=7, today=today)
    assert first == demo_agents(count=50, seed=7, today=today)
    assert first != demo_agents(count=50, seed=8, today=today)
    assert len({a.npn for a in first}) == 50


def test_the_demo_has_a_support_login_and_an_administrator_login():
    from django.contrib.auth import authenticate
    from django.test import Client, RequestFactory

    output = load()
    assert "olivia.ops / Demo#Ops2026" in output and "ada.admin / Demo#Admin26" in output
    for username, password, controls in (
        ("olivia.ops", "Demo#Ops2026", 403),
        ("ada.admin", "Demo#Admin26", 200),
    ):
        user = authenticate(RequestFactory().post("/"), username=username, password=password)
        assert user is not None
        client = Client()
        client.force_login(user)
        assert client.get("/ops/controls/").status_code == controls
