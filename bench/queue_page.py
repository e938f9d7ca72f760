"""The operators' live queue against the 100k-agent population: what one refresh costs.

    .venv/bin/python bench/queue_page.py [--agents 100000] [--referrals 2000] [--keep]

Loads the population (bench/dataset.py) into its own PostgreSQL database (`bench_queue`
unless BENCH_PG_DB says otherwise), routes open referrals the way the API does (most are
offered; one in five asks in a language nobody speaks, so it waits: demand without
supply), ends some unmatched, then times the queue's queries and the whole fragment the
page polls every 10 s. Prints one SUMMARY line.
"""

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_PG_DB", "bench_queue")

from bench.common import median, percentile, setup_django, summary  # noqa: E402

ZIPS = ["53703", "77002", "33101", "85004", "48201", "46204", "37203", "29201"]


def _timed(runs: int, call: Callable[[], Any]) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return round(median(samples), 2), round(percentile(samples, 99), 2)


def _make_referrals(count: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from agentmatch.referrals.models import Referral, ReferralStatus
    from agentmatch.referrals.services import end_unmatched
    from agentmatch.testing import make_referral

    if Referral.objects.exists():
        return
    now = timezone.now()
    for n in range(count):
        language = "so" if n % 5 == 0 else ("es" if n % 3 == 0 else "en")
        make_referral(
            zip_code=ZIPS[n % len(ZIPS)], language=language, phone=f"+1608555{n:04d}", now=now
        )
    # A tenth of the waiting ones ended unmatched (the "recently unmatched" section).
    waiting = Referral.objects.filter(status=ReferralStatus.WAITING).order_by("pk")
    for referral in waiting[: count // 50]:
        with transaction.atomic():
            end_unmatched(referral=referral, now=now, reason="maximum wait reached")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--referrals", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="reuse an existing bench database")
    args = parser.parse_args()

    from bench import dataset

    dataset.create_database("pg", keep=args.keep)
    setup_django("pg")
    loaded = dataset.populate(agents=args.agents)
    print(f"population: {loaded}", flush=True)
    started = time.perf_counter()
    _make_referrals(args.referrals)
    print(f"referrals routed in {time.perf_counter() - started:.1f} s", flush=True)

    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.test import RequestFactory
    from django.utils import timezone

    from agentmatch.accounts.models import User
    from agentmatch.eligibility.models import RoutingSlot
    from agentmatch.operations import queue, views_queue
    from agentmatch.referrals.models import Referral

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    operator = User.objects.filter(username="bench.operator").first() or User.objects.create_user(
        username="bench.operator", password="x", role="operator"
    )

    def fragment(query: str = "") -> None:
        request = RequestFactory().get(f"/ops/queue/live/{query}")
        request.user = operator
        request.session = SessionStore()
        response = views_queue.live_queue_fragment(request)
        assert response.status_code == 200, response.status_code

    everything = queue.QueueFilters()
    texas = queue.QueueFilters(state="TX", language="es")
    figures: dict[str, Any] = {
        "agents": loaded.get("agents", args.agents),
        "routing_slots": RoutingSlot.objects.count(),
        "open_referrals": Referral.objects.filter(status__in=["new", "waiting", "offered"]).count(),
        "gaps": len(queue.demand_without_supply()),
    }
    for name, call in {
        "supply": lambda: queue.agent_supply(everything),
        "supply_tx_es": lambda: queue.agent_supply(texas),
        "gaps": queue.demand_without_supply,
        "waiting": lambda: queue.waiting_referrals(everything, now=timezone.now()),
        "offered": lambda: queue.offered_referrals(everything, now=timezone.now()),
        "unmatched": lambda: queue.recently_unmatched(everything, now=timezone.now()),
        "fragment": fragment,
        "fragment_tx_es": lambda: fragment("?state=TX&language=es"),
    }.items():
        call()  # warm: plans, caches
        p50, p99 = _timed(args.runs, call)
        figures[f"{name}_p50_ms"], figures[f"{name}_p99_ms"] = p50, p99
        print(f"{name}: p50 {p50} ms, p99 {p99} ms", flush=True)
    summary("queue", **figures)


if __name__ == "__main__":
    main()
