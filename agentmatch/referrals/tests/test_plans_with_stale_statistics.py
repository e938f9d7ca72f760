"""No step of a referral's life reads every live row when the planner's statistics saw
none (PostgreSQL's planner; stale_statistics.py says why it matters)."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from agentmatch.agents.models import Agent
from agentmatch.referrals.actions.offers import (
    ACCEPT,
    REJECT,
    answer_offer,
    end_due_wait,
    expire_due_offers,
    offer_waiting_referral,
)
from agentmatch.referrals.actions.requests import cancel_request, submit_request
from agentmatch.referrals.jobs import next_offer_deadline, next_wait_deadline, offer_waiting
from agentmatch.referrals.models import ReferralStatus
from agentmatch.referrals.tests.helpers import request_fields
from agentmatch.referrals.tests.stale_statistics import (
    a_past_analysed_with_nothing_live,
    offers_pending_elsewhere,
    plan_of,
    statements_run,
    whole_reads,
)
from agentmatch.testing import make_agent

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner"),
]

MADISON_ZIPS = ("53703", "53704", "53705", "53711", "53713", "53714")


def test_no_step_of_a_referral_reads_all_live_rows_or_all_history_on_stale_statistics(
    plan_year,
) -> None:
    now = timezone.now()
    for zip_code in MADISON_ZIPS:
        make_agent(zip_code=zip_code, licensed=["WI"], now=now)
    elsewhere = Agent.objects.bulk_create(
        Agent(npn=str(40_000_000 + n), npn_key=str(40_000_000 + n), first_name="Busy")
        for n in range(200)
    )
    a_past_analysed_with_nothing_live()
    offers_pending_elsewhere(elsewhere, now=now)

    def submit(n: int, language: str = "en"):  # type: ignore[no-untyped-def]
        fields = replace(request_fields(f"+1608555{n:04d}"), language=language)
        return submit_request(
            fields=fields, channel="web", client_address=f"192.0.2.{n}", now=now
        ).referral

    with statements_run() as statements:
        accepted, rejected, canceled, missed = (submit(n).offers.get() for n in range(1, 5))
        answer_offer(
            offer_id=accepted.pk, agent=accepted.agent, answer=ACCEPT, now=now, channel="api"
        )
        answer_offer(
            offer_id=rejected.pk, agent=rejected.agent, answer=REJECT, now=now, channel="api"
        )
        cancel_request(referral_id=canceled.referral_id, now=now)
        assert expire_due_offers(now=now + timedelta(minutes=16))
        nobody_speaks_it = submit(5, language="vi")
        assert nobody_speaks_it.status == ReferralStatus.WAITING
        offer_waiting_referral(referral_id=nobody_speaks_it.pk, now=now)
        offer_waiting(now)
        next_offer_deadline(), next_wait_deadline()
        assert end_due_wait(now=now + timedelta(days=30)) is not None

    assert missed.referral_id
    explained = [
        (sql, plan_of(sql, params))
        for sql, params in statements
        if sql.lstrip().split(None, 1)[0].upper() in ("SELECT", "UPDATE", "DELETE", "WITH")
    ]
    assert len(explained) > 40, len(explained)
    read_whole = {
        " ".join(sql.split())[:160]: scans
        for sql, plan in explained
        if (scans := whole_reads(plan))
    }
    assert not read_whole, "\n".join(f"{sql}\n    {scans}" for sql, scans in read_whole.items())
