"""Routing in-process: create_referral (find_candidates + offer_next) in one transaction.

    python -m bench.routing --backend pg --agents 100000 --referrals 2000 --runs 3

Times every find_candidates call made while routing (candidate selection) and the whole
create_referral transaction, for referrals at random served-state ZIPs and languages.
"""

import argparse
import os
import random
import time
from typing import Any

from bench.common import median, percentile, setup_django, summary

# Consumers: English most, Spanish often, others rarely (some will find nobody).
LANGUAGE_MIX = [("en", 75), ("es", 20), ("vi", 1), ("zh", 1), ("ko", 1), ("ht", 1), ("ar", 1)]


def make_requests(count: int, seed: int) -> list[Any]:
    from agentmatch.core.geo import zips_in_state
    from agentmatch.planyears.services import STATES_SERVED_2026
    from agentmatch.referrals.intake import ContactRequest

    rng = random.Random(seed)
    places = [p for s in STATES_SERVED_2026 for p in zips_in_state(s.rstrip("*"))]
    codes, weights = zip(*LANGUAGE_MIX, strict=True)
    return [
        ContactRequest(
            first_name="Bench",
            last_name=f"Consumer{i}",
            phone=f"+1{608 + i // 10000}555{i % 10000:04d}",  # one open request per phone
            email="consumer@example.com",
            place=rng.choice(places),
            language=rng.choices(codes, weights)[0],
            consent_channel="bench",
        )
        for i in range(count)
    ]


def run_once(count: int, seed: int, prepared: bool | None = None) -> dict[str, Any]:
    """One run; `prepared`: the routing statements as prepared statements with generic
    plans (DB_PREPARED_STATEMENTS, core/prepared_sql.py) or as plain statements; None:
    as the setting has it (off unless the environment says otherwise), as deployed."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    if prepared is not None:
        settings.DB_PREPARED_STATEMENTS = prepared
    from agentmatch.referrals import services
    from agentmatch.referrals.models import ReferralStatus

    original_find, original_offer = services.find_candidates, services.offer_next
    calls: list[float] = []
    routing: list[float] = []
    notify_ms: list[float] = []

    def timed_find(**kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return original_find(**kwargs)
        finally:
            calls.append(time.perf_counter() - t0)

    def timed_offer(**kwargs: Any) -> Any:
        # "Routing": match plus offer (candidates, agent lock, offer row, events), the
        # part of intake that grows with the number of agents; not the commit.
        t0 = time.perf_counter()
        try:
            return original_offer(**kwargs)
        finally:
            routing.append((time.perf_counter() - t0) * 1000)

    # The offer's messages are built inside offer_next (services.notify_new_offer) and
    # written to the outbox at the end of intake (notifications.one_insert): the building
    # is timed on its own and left out of "routing" (the match plus offer).
    notifying: list[float] = []
    original_notify = services.notify_new_offer

    def timed_notify(**kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return original_notify(**kwargs)
        finally:
            notifying.append((time.perf_counter() - t0) * 1000)

    selection, total, statuses = [], [], []
    services.find_candidates = timed_find  # type: ignore[assignment]
    services.offer_next = timed_offer  # type: ignore[assignment]
    services.notify_new_offer = timed_notify  # type: ignore[assignment]
    try:
        for request in make_requests(count, seed):
            calls.clear()
            t0 = time.perf_counter()
            with transaction.atomic():
                referral, _token = services.create_referral(
                    request=request, plan_year=2026, now=timezone.now()
                )
            total.append((time.perf_counter() - t0) * 1000)
            selection.append(sum(calls) * 1000)
            if notifying:
                # One offer_next per referral at intake: take its notification time out.
                routing[-1] -= sum(notifying)
                notify_ms.append(sum(notifying))
                notifying.clear()
            statuses.append(referral.status)
    finally:
        services.find_candidates = original_find  # type: ignore[assignment]
        services.offer_next = original_offer  # type: ignore[assignment]
        services.notify_new_offer = original_notify  # type: ignore[assignment]
    return {
        "route_p50_ms": median(routing),
        "route_p99_ms": percentile(routing, 99),
        "notify_enqueue_p50_ms": median(notify_ms) if notify_ms else 0.0,
        "notify_enqueue_p99_ms": percentile(notify_ms, 99) if notify_ms else 0.0,
        "select_p50_ms": median(selection),
        "select_p99_ms": percentile(selection, 99),
        "select_max_ms": max(selection),
        "create_p50_ms": median(total),
        "create_p99_ms": percentile(total, 99),
        "offered_share": statuses.count(ReferralStatus.OFFERED) / len(statuses),
    }


def compare(count: int, seed: int) -> dict[str, Any]:
    """Old and new find_candidates on the same referrals, alternating which goes first."""
    from django.db import transaction
    from django.utils import timezone

    from agentmatch.referrals.matching import find_candidates
    from agentmatch.referrals.services import create_referral
    from bench.baseline_matching import find_candidates as baseline

    old_ms, new_ms, mismatches = [], [], 0
    for i, request in enumerate(make_requests(count, seed)):
        with transaction.atomic():
            referral, _ = create_referral(request=request, plan_year=2026, now=timezone.now())
        timings = {}
        for name in ("old", "new") if i % 2 else ("new", "old"):
            t0 = time.perf_counter()
            if name == "old":
                old = baseline(referral=referral)
            else:
                new = find_candidates(referral=referral)
            timings[name] = (time.perf_counter() - t0) * 1000
        old_ms.append(timings["old"])
        new_ms.append(timings["new"])
        # Same agents, same order, same distances (the counts differ by design: the new
        # one counts within the search radius).
        expected = [(pk, d) for pk, d, _n in old]
        got = [(c.agent_id, c.distance_miles) for c in new]
        if expected != got:
            mismatches += 1
            print(f"MISMATCH {request.place.zip_code} {request.language}: {expected} != {got}")
    return {
        "old_p50_ms": median(old_ms),
        "old_p99_ms": percentile(old_ms, 99),
        "new_p50_ms": median(new_ms),
        "new_p99_ms": percentile(new_ms, 99),
        "speedup_p50": median(old_ms) / median(new_ms),
        "mismatches": mismatches,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["pg", "sqlite"], default="pg")
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--referrals", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="reuse an existing bench database")
    parser.add_argument(
        "--compare", type=int, default=0, help="also A/B old vs new matching on N referrals"
    )
    parser.add_argument(
        "--prepared-ab",
        action="store_true",
        help="each run twice, unprepared then prepared statements, reported side by side",
    )
    args = parser.parse_args()

    from bench import dataset

    dataset.create_database(args.backend, keep=args.keep)
    setup_django(args.backend)
    loaded = dataset.populate(agents=args.agents)
    print(f"[{args.backend}] population: {loaded}", flush=True)
    dataset.reset()
    run_once(50, seed=1)  # warm-up: caches, connections, query plans
    runs, unprepared = [], []
    for run in range(args.runs):
        if args.prepared_ab:
            # The same referrals both ways, back to back, so drift on a shared machine
            # falls on both alike.
            dataset.reset()
            figures = run_once(args.referrals, seed=100 + run, prepared=False)
            print(f"[{args.backend}] run {run + 1} unprepared: " + _fmt(figures), flush=True)
            unprepared.append(figures)
        dataset.reset()
        figures = run_once(
            args.referrals, seed=100 + run, prepared=True if args.prepared_ab else None
        )
        print(f"[{args.backend}] run {run + 1}: " + _fmt(figures), flush=True)
        runs.append(figures)
    dataset.reset()
    result = {k: round(median([r[k] for r in runs]), 3) for k in runs[0]}
    for key in ("route_p50_ms", "route_p99_ms", "select_p50_ms", "select_p99_ms"):
        if unprepared:
            result[f"unprepared_{key}"] = round(median([r[key] for r in unprepared]), 3)
    if args.compare:
        ab = compare(args.compare, seed=999)
        print(f"[{args.backend}] old vs new: " + _fmt(ab), flush=True)
        result.update({f"ab_{k}": round(v, 3) for k, v in ab.items()})
        dataset.reset()
    summary(
        "routing",
        backend=args.backend,
        agents=args.agents,
        referrals=args.referrals,
        runs=args.runs,
        load_seconds=loaded["load_seconds"],
        load_avg_1m=round(os.getloadavg()[0], 1),
        **result,
    )


def _fmt(figures: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:.3f}" for k, v in figures.items())


if __name__ == "__main__":
    main()
