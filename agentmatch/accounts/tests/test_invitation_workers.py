"""Invitations go out from the worker, and several workers never send one twice."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from agentmatch.accounts.invitations import invite_newly_eligible_agents, send_one_invitation
from agentmatch.accounts.models import Invitation
from agentmatch.accounts.tests.helpers import sent_mail
from agentmatch.planyears.services import current_plan_year
from agentmatch.testing import at_the_same_moment, make_agent, plan_year_2026


@pytest.mark.django_db
def test_the_worker_invites_and_sends(plan_year) -> None:
    make_agent(zip_code="53703", licensed=["WI"], service_registered=False)
    call_command("worker", "--once")
    assert len(sent_mail()) == 1
    call_command("worker", "--once")
    assert len(sent_mail()) == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_four_workers_send_each_invitation_exactly_once() -> None:
    plan_year_2026()
    for i in range(30):
        make_agent(zip_code="53703", licensed=["WI"], service_registered=False, npn=str(7000 + i))
    now = timezone.now()

    def scan(_i: int) -> int:
        # Every worker scans at once: the constraint keeps one invitation per agent.
        return invite_newly_eligible_agents(plan_year=current_plan_year(), now=now)

    at_the_same_moment(4, scan)
    assert Invitation.objects.count() == 30

    def drain(_i: int) -> int:
        sent = 0
        while send_one_invitation(now=now):
            sent += 1
        return sent

    results = at_the_same_moment(4, drain)
    assert sum(results) == 30, results
    assert len(sent_mail()) == 30
    assert len({m.to[0] for m in sent_mail()}) == 30
