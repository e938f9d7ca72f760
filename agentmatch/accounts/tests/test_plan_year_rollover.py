"""A new plan year: eligibility comes only from its own imports; accounts persist."""

from datetime import date

import pytest
from django.utils import timezone

from agentmatch.accounts.models import Invitation, User
from agentmatch.accounts.tests.helpers import invite_and_send, sent_mail
from agentmatch.eligibility.models import RegistrationCompletion, RoutingState, TrainingCompletion
from agentmatch.eligibility.services import refresh_all_routing_states
from agentmatch.planyears.services import STATES_SERVED_2026, define_plan_year
from agentmatch.referrals.models import ReferralStatus
from agentmatch.testing import make_agent_user, make_referral

pytestmark = pytest.mark.django_db


def roll_over_to_2027() -> None:
    year = define_plan_year(
        year=2027, states=[s for s in STATES_SERVED_2026 if s != "OR*"], make_current=True
    )
    refresh_all_routing_states(plan_year=year, today=timezone.now().date())


def renew_for_2027(npn_key: str) -> None:
    RegistrationCompletion.objects.create(
        plan_year=2027, npn_key=npn_key, npn_valid=True, individual_completed_on=date(2026, 9, 1)
    )
    TrainingCompletion.objects.create(
        plan_year=2027, npn_key=npn_key, completed_on=date(2026, 9, 2)
    )


def test_last_years_data_does_not_make_anyone_eligible(plan_year) -> None:
    pat = make_agent_user(licensed=["WI"])
    roll_over_to_2027()
    assert not RoutingState.objects.filter(agent=pat.agent).exists()
    assert make_referral(zip_code="53703").status == ReferralStatus.WAITING


def test_a_returning_agent_keeps_the_account_and_gets_no_new_invitation(plan_year) -> None:
    pat = make_agent_user(licensed=["WI"])
    roll_over_to_2027()
    renew_for_2027(pat.agent.npn_key)
    refresh_all_routing_states(
        plan_year=define_plan_year(year=2027, states=["WI"], make_current=True),
        today=timezone.now().date(),
    )
    assert invite_and_send(timezone.now()) == 0
    assert sent_mail() == [] and not Invitation.objects.exists()
    assert User.objects.get(pk=pat.pk).check_password("Tr7#kPz!wQ2m")
    assert list(RoutingState.objects.filter(agent=pat.agent).values_list("state", flat=True)) == [
        "WI"
    ]
    assert make_referral(zip_code="53703").status == ReferralStatus.OFFERED


def test_oregon_leaves_for_2027(plan_year) -> None:
    pat = make_agent_user(licensed=["OR", "WI"], zip_code="97201")
    assert set(RoutingState.objects.filter(agent=pat.agent).values_list("state", flat=True)) == {
        "OR",
        "WI",
    }
    roll_over_to_2027()
    renew_for_2027(pat.agent.npn_key)
    refresh_all_routing_states(
        plan_year=define_plan_year(
            year=2027, states=[s for s in STATES_SERVED_2026 if s != "OR*"], make_current=True
        ),
        today=timezone.now().date(),
    )
    assert set(RoutingState.objects.filter(agent=pat.agent).values_list("state", flat=True)) == {
        "WI"
    }
