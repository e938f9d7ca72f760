"""`/metrics` tells the on-call team, from the database, what the service is doing now:
open and waiting referrals, offers, the outbox, delivery failures and the workers."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from agentmatch.core.models import WorkerHeartbeat
from agentmatch.notifications.models import AttemptOutcome, DeliveryAttempt, Message
from agentmatch.referrals.jobs import end_one_wait
from agentmatch.referrals.models import ReferralStatus
from agentmatch.referrals.services import accept_offer
from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db


def scrape(client: Client | None = None, **headers: str) -> dict[tuple[str, tuple], float]:
    """Every sample of a real /metrics answer: (name, sorted labels) -> value."""
    response = (client or Client()).get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_metrics_show_open_referrals_the_oldest_wait_offers_and_time_to_accept(plan_year):
    now = timezone.now()
    agent = make_agent(zip_code="53711", licensed=["WI"])
    accepted = make_referral(now=now - timedelta(minutes=2), first_name="Quick")
    with transaction.atomic():
        accept_offer(
            offer_id=accepted.offers.get().pk, agent=agent, now=now - timedelta(seconds=80)
        )
    offered = make_referral(now=now - timedelta(seconds=870), first_name="Offered")
    assert offered.status == ReferralStatus.OFFERED  # its deadline is 30 s away
    waiting = make_referral(zip_code="53703", language="vi", now=now - timedelta(minutes=7))
    assert waiting.status == ReferralStatus.WAITING

    metrics = scrape()

    assert metrics[("agentmatch_database_up", ())] == 1
    assert metrics[("agentmatch_referrals_open", (("status", "offered"),))] == 1
    assert metrics[("agentmatch_referrals_open", (("status", "waiting"),))] == 1
    assert metrics[("agentmatch_referrals_open", (("status", "new"),))] == 0
    assert 420 <= metrics[("agentmatch_oldest_waiting_seconds", ())] < 440
    assert metrics[("agentmatch_offers_pending", ())] == 1
    assert metrics[("agentmatch_offers_expiring_next_minute", ())] == 1
    assert metrics[("agentmatch_offers_past_deadline", ())] == 0
    # Accepted 40 s after the offer: counted from the 60 s bucket up.
    assert metrics[("agentmatch_time_to_accept_seconds_bucket", (("le", "30.0"),))] == 0
    assert metrics[("agentmatch_time_to_accept_seconds_bucket", (("le", "60.0"),))] == 1
    assert metrics[("agentmatch_time_to_accept_seconds_count", ())] == 1
    assert metrics[("agentmatch_time_to_accept_seconds_sum", ())] == pytest.approx(40)
    # Only the 2-minute-old request was created within the 5-minute window.
    assert metrics[("agentmatch_referral_events_recent", (("kind", "created"),))] == 1
    assert metrics[("agentmatch_referral_events_recent", (("kind", "accepted"),))] == 1


def test_an_offer_the_worker_has_not_expired_shows_how_overdue_it_is(plan_year):
    now = timezone.now()
    make_agent(zip_code="53711", licensed=["WI"])
    make_referral(now=now - timedelta(seconds=900 + 95))  # deadline 95 s ago, still pending
    metrics = scrape()
    assert metrics[("agentmatch_offers_past_deadline", ())] == 1
    assert 95 <= metrics[("agentmatch_offer_past_deadline_max_seconds", ())] < 110


def test_unmatched_referrals_are_counted_by_state_and_language(plan_year, settings):
    settings.MAX_WAIT_SECONDS = 600
    now = timezone.now()
    make_agent(zip_code="53711", licensed=["WI"])
    make_referral(zip_code="53703", language="vi", now=now - timedelta(minutes=11))
    assert end_one_wait(now - timedelta(minutes=1)) is True
    metrics = scrape()
    assert metrics[("agentmatch_unmatched_recent", (("language", "vi"), ("state", "WI")))] == 1


def test_outbox_backlog_and_delivery_failures_by_channel_and_error_class(plan_year):
    now = timezone.now()
    make_agent(zip_code="53711", licensed=["WI"])
    make_referral(now=now - timedelta(minutes=3))  # queues the offer and consumer messages
    backlog = Message.objects.filter(status="pending")
    assert backlog.filter(channel="email").exists()
    backlog.update(created_at=now - timedelta(minutes=3), next_attempt_at=now)
    message = backlog.first()
    assert message is not None
    for outcome, channel in [
        (AttemptOutcome.TEMPORARY, "sms"),
        (AttemptOutcome.TEMPORARY, "sms"),
        (AttemptOutcome.PERMANENT, "email"),
        (AttemptOutcome.SENT, "email"),
    ]:
        DeliveryAttempt.objects.create(
            message=message, channel=channel, started_at=now, finished_at=now,
            outcome=outcome, error="HTTP 503" if outcome != "sent" else "", latency_ms=10,
        )  # fmt: skip
    DeliveryAttempt.objects.create(  # an hour ago: outside the 5-minute window
        message=message, channel="sms", started_at=now - timedelta(hours=1),
        finished_at=now - timedelta(hours=1), outcome=AttemptOutcome.TEMPORARY, latency_ms=10,
    )  # fmt: skip

    metrics = scrape()

    assert (
        metrics[("agentmatch_outbox_pending", (("channel", "email"),))]
        == backlog.filter(channel="email").count()
    )
    assert metrics[("agentmatch_outbox_due", (("channel", "email"),))] >= 1
    assert metrics[("agentmatch_outbox_pending", (("channel", "push"),))] == 0
    assert metrics[("agentmatch_outbox_oldest_pending_seconds", (("channel", "email"),))] >= 180
    failures = "agentmatch_delivery_failures_recent"
    assert metrics[(failures, (("channel", "sms"), ("error_class", "temporary")))] == 2
    assert metrics[(failures, (("channel", "email"), ("error_class", "permanent")))] == 1
    assert metrics[(failures, (("channel", "email"), ("error_class", "temporary")))] == 0
    assert metrics[("agentmatch_delivery_sent_recent", (("channel", "email"),))] == 1


def test_worker_and_job_ages_come_from_the_heartbeats_of_every_worker(db):
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        hostname="a", pid=1, started_at=now - timedelta(hours=1),
        last_loop_at=now - timedelta(seconds=3),
        jobs={"expire offers": (now - timedelta(seconds=3)).isoformat(),
              "offer waiting referrals": (now - timedelta(seconds=40)).isoformat()},
    )  # fmt: skip
    WorkerHeartbeat.objects.create(
        hostname="b", pid=2, started_at=now - timedelta(hours=1),
        last_loop_at=now - timedelta(minutes=10),
        jobs={"offer waiting referrals": (now - timedelta(seconds=20)).isoformat()},
    )  # fmt: skip
    # A worker's lanes process, fresher than any clock: not the newest loop of a clock.
    WorkerHeartbeat.objects.create(
        hostname="a", pid=3, started_at=now - timedelta(hours=1), last_loop_at=now,
        lanes="imports,messages,webhooks",
        jobs={"deliver messages": now.isoformat()},
    )  # fmt: skip
    metrics = scrape()
    assert 3 <= metrics[("agentmatch_worker_newest_loop_age_seconds", ())] < 10
    assert metrics[("agentmatch_workers_alive", ())] == 2  # processes: clock and lanes
    assert metrics[("agentmatch_job_last_run_age_seconds", (("job", "deliver messages"),))] < 3
    assert 600 <= metrics[("agentmatch_worker_loop_age_seconds", (("worker", "b:2"),))] < 610
    job = "agentmatch_job_last_run_age_seconds"
    # The newest run by any worker counts.
    assert 20 <= metrics[(job, (("job", "offer waiting referrals"),))] < 30
    assert 3 <= metrics[(job, (("job", "expire offers"),))] < 10


def test_with_no_worker_at_all_the_newest_loop_age_is_infinite(db):
    metrics = scrape()
    assert metrics[("agentmatch_worker_newest_loop_age_seconds", ())] == float("inf")
    assert metrics[("agentmatch_workers_alive", ())] == 0


def test_when_the_database_fails_the_scrape_still_answers_and_says_so(db, monkeypatch):
    from django.db import OperationalError

    from agentmatch.observability import metrics

    def failing(now):  # type: ignore[no-untyped-def]
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(metrics, "delivery_metrics", failing)
    samples = scrape()
    assert samples[("agentmatch_database_up", ())] == 0
    # Nothing half-read: no referral numbers from before the failure either.
    assert {name for name, _ in samples} == {
        "agentmatch_database_up",
        "agentmatch_metrics_query_seconds",
    }
