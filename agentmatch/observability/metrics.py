"""`/metrics`: the service's state for Prometheus, read from the database at scrape time.

Every number comes from the database when Prometheus asks, not from counters in a
process's memory, so any web process answers the same (and a restart loses nothing).
What would be a counter is a count over a recent window instead (a counter rebuilt from
rows would go down when old rows are deleted, which Prometheus takes for a restart):

| window | metrics |
|---|---|
| now | open referrals, oldest wait, pending offers, outbox backlog, worker ages |
| last RECENT (5 minutes) | referral events by kind, delivery attempts and failures |
| last ACCEPT_WINDOW (1 hour) | time to accept (histogram) |
| last UNMATCHED_WINDOW (24 hours) | referrals that ended unmatched, by state and language |

Cost (each query an aggregate over an index range, bounded by the window or by what is
open, never by the tables' history): open referrals and the oldest wait
(`waiting_queue`: status, created_at), pending offers (`offers_due`: status,
expires_at), events and unmatched (`events_by_kind`: kind, at, plus a primary-key join),
accepted offers (`offers_due`: an offer is accepted before its deadline, so one accepted
in the window expires after the window's start), outbox (`message_due`, partial on
pending rows: the backlog), attempts (`attempts_by_channel`: channel, finished_at), worker
heartbeats (one row per worker). Nine small queries per scrape.
"""

import logging
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from agentmatch.core.heartbeat import runs_the_clock
from agentmatch.core.models import WorkerHeartbeat
from agentmatch.notifications.health import pending_backlog
from agentmatch.notifications.models import (
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
)
from agentmatch.referrals.models import (
    OPEN_STATUSES,
    EventKind,
    Offer,
    OfferStatus,
    Referral,
    ReferralEvent,
    ReferralStatus,
)

log = logging.getLogger("agentmatch.observability")

RECENT = timedelta(minutes=5)
ACCEPT_WINDOW = timedelta(hours=1)
UNMATCHED_WINDOW = timedelta(hours=24)
# Seconds from offer to acceptance; the offer window is 15 minutes (900 s).
ACCEPT_BUCKETS = (15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0)
FAILURES = (AttemptOutcome.TEMPORARY, AttemptOutcome.PERMANENT)


def _age(now: datetime, then: datetime | None) -> float:
    return 0.0 if then is None else max(0.0, (now - then).total_seconds())


def referral_metrics(now: datetime) -> Iterator[Metric]:
    counts = dict(
        Referral.objects.filter(status__in=OPEN_STATUSES)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    open_now = GaugeMetricFamily(
        "agentmatch_referrals_open",
        "Referrals not yet ended, by status (new, offered: an offer is pending, waiting: "
        "nobody available yet).",
        labels=["status"],
    )
    for status in OPEN_STATUSES:
        open_now.add_metric([str(status)], counts.get(status, 0))
    yield open_now

    oldest = Referral.objects.filter(status=ReferralStatus.WAITING).aggregate(
        oldest=Min("waiting_since")
    )["oldest"]
    yield GaugeMetricFamily(
        "agentmatch_oldest_waiting_seconds",
        "How long the longest-waiting referral has waited for an available agent (0: none).",
        value=_age(now, oldest),
    )

    events = dict(
        ReferralEvent.objects.filter(kind__in=EventKind.values, at__gte=now - RECENT)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    recent = GaugeMetricFamily(
        "agentmatch_referral_events_recent",
        "Referral events in the last 5 minutes, by kind (created, offered, accepted, "
        "rejected, expired = offers that lapsed, waiting, unmatched, canceled).",
        labels=["kind"],
    )
    for kind in EventKind.values:
        recent.add_metric([kind], events.get(kind, 0))
    yield recent

    unmatched = GaugeMetricFamily(
        "agentmatch_unmatched_recent",
        "Referrals that ended unmatched in the last 24 hours, by state and language.",
        labels=["state", "language"],
    )
    for state, language, n in (
        ReferralEvent.objects.filter(kind=EventKind.UNMATCHED, at__gte=now - UNMATCHED_WINDOW)
        .values_list("referral__state", "referral__language")
        .annotate(n=Count("id"))
        .values_list("referral__state", "referral__language", "n")
        .order_by()
    ):
        unmatched.add_metric([state, language], n)
    yield unmatched


def offer_metrics(now: datetime) -> Iterator[Metric]:
    pending = Offer.objects.filter(status=OfferStatus.PENDING)
    numbers = pending.aggregate(
        total=Count("id"),
        expiring=Count(
            "id", filter=Q(expires_at__gte=now, expires_at__lt=now + timedelta(minutes=1))
        ),
        overdue=Count("id", filter=Q(expires_at__lt=now)),
        oldest_deadline=Min("expires_at"),
    )
    yield GaugeMetricFamily(
        "agentmatch_offers_pending", "Offers waiting for an agent's answer.", value=numbers["total"]
    )
    yield GaugeMetricFamily(
        "agentmatch_offers_expiring_next_minute",
        "Pending offers whose deadline falls in the next 60 seconds.",
        value=numbers["expiring"],
    )
    yield GaugeMetricFamily(
        "agentmatch_offers_past_deadline",
        "Pending offers whose deadline has passed: the worker has not expired them yet.",
        value=numbers["overdue"],
    )
    deadline = numbers["oldest_deadline"]
    yield GaugeMetricFamily(
        "agentmatch_offer_past_deadline_max_seconds",
        "How long past its deadline the most overdue pending offer is (0: none). More than a "
        "few seconds: the worker is stopped or behind.",
        value=_age(now, deadline) if deadline is not None and deadline < now else 0.0,
    )

    waits = [
        (responded - offered).total_seconds()
        for offered, responded in Offer.objects.filter(
            status=OfferStatus.ACCEPTED,
            # Accepted before the deadline: this bounds the index range (offers_due).
            expires_at__gte=now - ACCEPT_WINDOW,
            responded_at__gte=now - ACCEPT_WINDOW,
        ).values_list("offered_at", "responded_at")
        if responded is not None
    ]
    buckets = [(str(le), sum(1 for w in waits if w <= le)) for le in ACCEPT_BUCKETS]
    yield HistogramMetricFamily(
        "agentmatch_time_to_accept_seconds",
        "Seconds from an offer to its acceptance, for offers accepted in the last hour.",
        buckets=[*buckets, ("+Inf", len(waits))],
        sum_value=sum(waits),
    )


def delivery_metrics(now: datetime) -> Iterator[Metric]:
    # The same figures as the outbox page's (notifications/health.py).
    backlog = pending_backlog(now)
    pending = GaugeMetricFamily(
        "agentmatch_outbox_pending",
        "Messages not yet sent (due now or waiting for a retry), by channel.",
        labels=["channel"],
    )
    due = GaugeMetricFamily(
        "agentmatch_outbox_due",
        "Messages due to be sent now (a backlog the worker has not reached), by channel.",
        labels=["channel"],
    )
    oldest = GaugeMetricFamily(
        "agentmatch_outbox_oldest_pending_seconds",
        "Age of the oldest message not yet sent, by channel (0: none).",
        labels=["channel"],
    )
    for channel in Channel.values:
        row = backlog.get(channel, {})
        pending.add_metric([channel], row.get("n", 0))
        due.add_metric([channel], row.get("due", 0))
        oldest.add_metric([channel], _age(now, row.get("oldest")))
    yield from (pending, due, oldest)

    attempts: dict[tuple[str, str], int] = defaultdict(int)
    for channel, outcome, n in (
        DeliveryAttempt.objects.filter(channel__in=Channel.values, finished_at__gte=now - RECENT)
        .values_list("channel", "outcome")
        .annotate(n=Count("id"))
        .values_list("channel", "outcome", "n")
        .order_by()
    ):
        attempts[(channel, outcome)] = n
    sent = GaugeMetricFamily(
        "agentmatch_delivery_sent_recent",
        "Messages the provider accepted in the last 5 minutes, by channel.",
        labels=["channel"],
    )
    failures = GaugeMetricFamily(
        "agentmatch_delivery_failures_recent",
        "Failed delivery attempts in the last 5 minutes, by channel and error class "
        "(temporary: will be retried; permanent: given up).",
        labels=["channel", "error_class"],
    )
    for channel in Channel.values:
        sent.add_metric([channel], attempts[(channel, AttemptOutcome.SENT)])
        for outcome in FAILURES:
            failures.add_metric([channel, outcome], attempts[(channel, outcome)])
    yield from (sent, failures)


def worker_metrics(now: datetime) -> Iterator[Metric]:
    rows = list(
        WorkerHeartbeat.objects.values_list("hostname", "pid", "last_loop_at", "jobs", "lanes")
    )
    loop_age = GaugeMetricFamily(
        "agentmatch_worker_loop_age_seconds",
        "Seconds since each worker process last finished a loop (dead workers' rows go "
        "after an hour).",
        labels=["worker"],
    )
    newest_job: dict[str, datetime] = {}
    for hostname, pid, last_loop_at, jobs, _lanes in rows:
        loop_age.add_metric([f"{hostname}:{pid}"], _age(now, last_loop_at))
        for name, finished in (jobs or {}).items():
            at = datetime.fromisoformat(finished)
            newest_job[name] = max(at, newest_job.get(name, at))
    yield loop_age
    # As /readyz: the processes running the offer clock (a worker's lanes process beating
    # on beside a frozen clock must not hide it).
    newest = max((row[2] for row in rows if runs_the_clock(row[4])), default=None)
    yield GaugeMetricFamily(
        "agentmatch_worker_newest_loop_age_seconds",
        "Seconds since any worker running the offer clock last finished a loop "
        "(+Inf: none has a heartbeat).",
        value=float("inf") if newest is None else _age(now, newest),
    )
    max_age = settings.READY_WORKER_MAX_AGE_SECONDS or 60
    yield GaugeMetricFamily(
        "agentmatch_workers_alive",
        "Worker processes that finished a loop within READY_WORKER_MAX_AGE_SECONDS.",
        value=sum(1 for row in rows if _age(now, row[2]) <= max_age),
    )
    job_age = GaugeMetricFamily(
        "agentmatch_job_last_run_age_seconds",
        "Seconds since any worker last finished a run of each job.",
        labels=["job"],
    )
    for name in sorted(newest_job):
        job_age.add_metric([name], _age(now, newest_job[name]))
    yield job_age


class DatabaseCollector(Collector):
    """Reads every metric from the database at each scrape (see the module's docstring)."""

    def collect(self) -> Iterator[Metric]:
        started = time.monotonic()
        now = timezone.now()
        try:
            # Read everything before yielding, so a database error cannot cut a scrape short.
            metrics = [
                *referral_metrics(now),
                *offer_metrics(now),
                *delivery_metrics(now),
                *worker_metrics(now),
            ]
        except DatabaseError:
            log.warning("metrics: the database did not answer", exc_info=True)
            metrics = []
        yield GaugeMetricFamily(
            "agentmatch_database_up",
            "1 if the database answered this scrape's queries, else 0 (and no other metric).",
            value=1 if metrics else 0,
        )
        yield from metrics
        yield GaugeMetricFamily(
            "agentmatch_metrics_query_seconds",
            "How long this scrape's database queries took.",
            value=time.monotonic() - started,
        )


# Only our collector: the library's default process and platform metrics describe one web
# process each, and would disagree from scrape to scrape behind a load balancer.
registry = CollectorRegistry(auto_describe=False)
registry.register(DatabaseCollector())


def exposition() -> bytes:
    """The metrics in Prometheus' text format (version 0.0.4)."""
    return generate_latest(registry)
