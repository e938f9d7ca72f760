"""Where an offer expiry's time goes: N referrals routed over the bench population, their
offers made due at once, then expired in this process by the worker's action, one at a
time (`--batch 1`) or in batches (`OFFER_EXPIRY_BATCH`, the default), with every
statement captured.

    BENCH_PG_DB=bench_expiry python -m bench.profile_expiry --offers 300
    BENCH_PG_DB=bench_expiry python -m bench.profile_expiry --offers 300 --batch 1
    BENCH_PG_DB=bench_expiry python -m bench.profile_expiry --offers 300 --profile

Prints milliseconds and statements per expiry, the statements by kind (per expiry, and
their summed database time), and with `--profile` the Python functions by own time. It
resets the bench database's referrals first (bench/dataset.reset): never run it against a
database another benchmark is using. The population comes from bench/expiry.py or
bench/routing.py (`--keep`).
"""

import argparse
import cProfile
import pstats
import time
from collections import defaultdict
from datetime import timedelta

from bench.common import setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--offers", type=int, default=300)
    parser.add_argument("--batch", type=int, default=0, help="0: OFFER_EXPIRY_BATCH")
    parser.add_argument("--profile", action="store_true", help="cProfile, by own time")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    setup_django("pg")
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from agentmatch.referrals.actions.offers import expire_due_offers
    from bench import dataset, expiry

    settings.OFFER_WINDOW_SECONDS = 900  # the re-offers do not fall due during the run
    dataset.reset()
    expiry.create_referrals(args.offers, seed=args.seed)
    expiry.clear_outbox()
    expiry.set_deadlines(timezone.now() - timedelta(seconds=5), 0)
    profiler = cProfile.Profile()
    done = 0
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        if args.profile:
            profiler.enable()
        while expired := expire_due_offers(now=timezone.now(), batch=args.batch or None):
            done += len(expired)
        profiler.disable()
    elapsed = time.perf_counter() - started
    if not done:
        raise SystemExit("nothing was due: is the bench population loaded?")
    print(
        f"{done} expiries in {elapsed:.2f} s: {elapsed / done * 1000:.2f} ms and "
        f"{len(queries) / done:.1f} statements each"
    )
    kinds: dict[str, list[float]] = defaultdict(list)
    for query in queries.captured_queries:
        kinds[" ".join(query["sql"].split())[:70]].append(float(query["time"]))
    print("per expiry: statements, database ms (Django's timer, 1 ms steps), statement")
    for sql, times in sorted(kinds.items(), key=lambda kv: -sum(kv[1]))[:15]:
        print(f"{len(times) / done:6.2f} {sum(times) / done * 1000:7.2f}  {sql}")
    if args.profile:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
