"""Support sees a stale routing index in why-not, and one command repairs it."""

from io import StringIO

import pytest
from django.core.management import call_command

from agentmatch.agents.models import Agent
from agentmatch.eligibility.models import RoutingSlot
from agentmatch.referrals.models import ReferralStatus
from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_why_not_shows_the_index_and_warns_when_it_is_stale(plan_year) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"], languages=["en", "es"], npn="4242")
    assert "PASS  Routing index for WI: en, es" in run("why_not", "4242", "WI")
    # Data changed behind the application's back (a manual SQL fix, say).
    RoutingSlot.objects.filter(agent=agent, language="es").delete()
    output = run("why_not", "4242", "WI")
    assert "WARN  Routing index for WI" in output
    assert "rebuild_routing_index" in output
    assert make_referral(zip_code="53703", language="es").status == ReferralStatus.WAITING


def test_rebuilding_the_index_repairs_routing(plan_year) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"], languages=["es"], npn="4243")
    RoutingSlot.objects.all().delete()
    Agent.objects.filter(pk=agent.pk).update(latitude=None)  # hand-edited data
    Agent.objects.filter(pk=agent.pk).update(latitude=43.07)
    assert "1 slots (was 0)" in run("rebuild_routing_index")
    assert "PASS  Routing index for WI: es" in run("why_not", "4243", "WI")
    assert make_referral(zip_code="53703", language="es").status == ReferralStatus.OFFERED
