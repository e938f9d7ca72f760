"""Offer expiries with several workers: N pending offers that all expire within one minute
(or at one instant), and W `agentmatch worker` processes re-offering them.

    python -m bench.expiry --offers 10000 --workers 4 --spread 60
    python -m bench.expiry --offers 10000 --workers 4 --spread 0      # one instant
    python -m bench.expiry --soak 3600 --soak-rate 10 --workers 1     # memory over an hour

The referrals are made by `create_referral` (real routing over the 100,000-agent population
of bench/dataset.py, PostgreSQL), then their offers' deadlines are moved to the measured
minute. The workers start before the first deadline, as `agentmatch worker` with the
bench database's environment. Measured from the database and the clock:

- `all_reoffered_s`: first deadline until no offer of the set is pending any more (each
  expiry moves its referral on in the same transaction: a next offer, a wait, or the end);
  `after_last_deadline_s` the same from the last deadline;
- per offer, the lag from `expires_at` to the worker's handling (`responded_at`, the time
  the expiry and the next offer carry): p50 / p99 / max;
- `most_pending_1s_late`, `most_pending_5s_late`: the most offers seen still pending (as
  committed) 1 s and 5 s past their deadline at any poll (every 50 ms); 0: every offer was
  moved on within that time;
- `expiries_per_s`: offers expired over the time from the first deadline to the last expiry;
- each worker process's peak RSS (VmHWM), its lanes' child process included.

`--soak SECONDS`: a feeder in this process makes `--soak-rate` referrals a second whose
first offer lasts `--soak-window` seconds, so the workers expire and re-offer at that rate
for the whole time; every `--sample` seconds it reads each worker's RSS, and reports the
first, last and largest (memory flat = last close to first after warm-up).

`--intake-rate R` keeps making R referrals a second during the expiry run (intake load in
process; the HTTP intake benchmark is bench/http_load.py). The last line is the SUMMARY.
"""

import argparse
import itertools
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench import dataset
from bench.common import DATA_DIR, ROOT, database_url, median, percentile, setup_django, summary
from bench.notifications import stop_workers

# Re-offers get the production window, so they do not expire again during a run.
LONG_WINDOW = 900
_phones = itertools.count()


def requests(count: int, seed: int) -> list[Any]:
    """Contact requests at random served ZIPs, each with a phone of its own."""
    from bench.routing import make_requests

    made = []
    for request in make_requests(count, seed):
        n = next(_phones)
        made.append(replace(request, phone=f"+1{620 + n // 10000}555{n % 10000:04d}"))
    return made


def create_referrals(count: int, seed: int) -> int:
    """`count` referrals routed as intake routes them; returns how many got an offer."""
    from django.db import transaction
    from django.utils import timezone

    from agentmatch.referrals.models import ReferralStatus
    from agentmatch.referrals.services import create_referral

    offered = 0
    for request in requests(count, seed):
        with transaction.atomic():
            referral, _ = create_referral(request=request, plan_year=2026, now=timezone.now())
        offered += referral.status == ReferralStatus.OFFERED
    return offered


def clear_outbox() -> None:
    from django.db import connection

    from agentmatch.notifications.models import Message

    with connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE "{Message._meta.db_table}" CASCADE')


def set_deadlines(first: datetime, spread: float) -> list[int]:
    """Moves every pending offer's deadline into [first, first + spread], in random order."""
    from django.db import connection, transaction

    from agentmatch.referrals.models import Offer, OfferStatus, Referral

    table = Offer._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""WITH ranked AS (
                  SELECT id, (row_number() OVER (ORDER BY random()) - 1)::float
                         / greatest(count(*) OVER () - 1, 1) AS share
                  FROM "{table}" WHERE status = %s)
                UPDATE "{table}" o SET offered_at = %s - interval '15 minutes',
                       expires_at = %s + ranked.share * %s * interval '1 second'
                FROM ranked WHERE o.id = ranked.id RETURNING o.id""",
            [OfferStatus.PENDING, first, first, spread],
        )
        ids = [row[0] for row in cursor.fetchall()]
    with connection.cursor() as cursor:
        # As autovacuum would after a day of intake: plans for tables of this size.
        for model in (Offer, Referral):
            cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')
    return ids


def worker_env(window: int, pause: bool = True) -> dict[str, str]:
    env = dict(
        os.environ,
        DATABASE_URL=database_url("pg"),
        AGENTMATCH_DATA_DIR=str(DATA_DIR),
        OFFER_WINDOW_SECONDS=str(window),
        PAUSE_AGENT_AFTER_MISSED_OFFER="true" if pause else "false",
        LOG_LEVEL="WARNING",
    )
    env.pop("DB_CONN_MAX_AGE", None)
    return env


def start_workers(count: int, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    log = (DATA_DIR / "expiry-bench-workers.log").open("ab")
    command = [sys.executable, "-m", "agentmatch", "worker"]
    return [
        subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        for _ in range(count)
    ]


def with_lanes(workers: list[subprocess.Popen[bytes]]) -> list[int]:
    """The workers' pids and their lanes' processes' (each process's own peak counts)."""
    from bench.http_load import lanes_pids

    pids = [w.pid for w in workers]
    return pids + lanes_pids(pids)


def status_kb(pid: int, field: str) -> int:
    """VmRSS or VmHWM (peak) of a process, in kB; 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Feeder(threading.Thread):
    """Makes `rate` referrals a second (routed in this process) until stopped."""

    def __init__(self, rate: float, seed: int) -> None:
        super().__init__(daemon=True)
        self.rate, self.seed, self.made = rate, seed, 0
        self.stop = threading.Event()

    def run(self) -> None:
        from django.db import connection

        started = time.monotonic()
        batch = iter(())
        while not self.stop.is_set():
            request = next(batch, None)
            if request is None:
                self.seed += 1
                batch = iter(requests(1000, self.seed))
                continue
            self._create(request)
            self.made += 1
            pause = started + self.made / self.rate - time.monotonic()
            if pause > 0:
                self.stop.wait(pause)
        connection.close()

    def _create(self, request: Any) -> None:
        from django.db import transaction
        from django.utils import timezone

        from agentmatch.referrals.services import create_referral

        with transaction.atomic():
            create_referral(request=request, plan_year=2026, now=timezone.now())


def pending_due(until: datetime) -> int:
    from agentmatch.referrals.models import Offer, OfferStatus

    return Offer.objects.filter(status=OfferStatus.PENDING, expires_at__lte=until).count()


def run_once(args: argparse.Namespace, seed: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from agentmatch.referrals.models import Offer, OfferStatus

    dataset.reset()
    t0 = time.perf_counter()
    offered = create_referrals(args.offers, seed)
    print(f"[expiry] {offered} referrals offered in {time.perf_counter() - t0:.0f} s", flush=True)
    if not args.backlog:
        clear_outbox()
    first = timezone.now() + timedelta(seconds=args.lead)
    last = first + timedelta(seconds=args.spread)
    ids = set_deadlines(first, args.spread)
    workers = start_workers(args.workers, worker_env(LONG_WINDOW))
    feeder = Feeder(args.intake_rate, seed * 1000) if args.intake_rate else None
    load = os.getloadavg()[0]
    try:
        if feeder:
            feeder.start()
        while timezone.now() < first:
            time.sleep(0.01)
        load = os.getloadavg()[0]
        # Done: the last deadline has passed and none of the set is pending any more.
        # Each poll also counts offers still pending 1 s and 5 s past their deadline, as
        # committed: the per-offer lag below runs to the start of the expiring transaction
        # (a batch commits up to its duration later), these do not.
        overdue = {1: 0, 5: 0}
        while timezone.now() < last or pending_due(last):
            if (timezone.now() - last).total_seconds() > args.timeout:
                print(f"[expiry] timed out with {pending_due(last)} still pending", flush=True)
                break
            polled = timezone.now()
            for seconds in overdue:
                late = pending_due(polled - timedelta(seconds=seconds))
                overdue[seconds] = max(overdue[seconds], late)
            time.sleep(0.05)
        done = timezone.now()
        left = pending_due(last)
        peaks = [status_kb(pid, "VmHWM") / 1024 for pid in with_lanes(workers)]
    finally:
        if feeder:
            feeder.stop.set()
            feeder.join()
        stop_workers(workers)
    connection.close()
    rows = list(
        Offer.objects.filter(pk__in=ids, status=OfferStatus.EXPIRED).values_list(
            "expires_at", "responded_at"
        )
    )
    lag = [(handled - expires).total_seconds() * 1000 for expires, handled in rows]
    # When the slow ones were due (5-second buckets from the first deadline): a cluster
    # means every worker was busy elsewhere at that moment (a sweep, say).
    slow = Counter(
        int((expires - first).total_seconds() // 5) * 5
        for expires, handled in rows
        if (handled - expires).total_seconds() > 1
    )
    if slow:
        print(f"[expiry] lag over 1 s, by deadline (s after the first): {sorted(slow.items())}")
    last_handled = max((h for _e, h in rows), default=done)
    drain = (last_handled - first).total_seconds()
    return {
        "offers": len(ids),
        "expired": len(rows),
        # Not all handled before the timeout: no such time (NaN), and how many were left.
        "all_reoffered_s": (done - first).total_seconds() if not left else float("nan"),
        "left_pending": left,
        "after_last_deadline_s": (done - last).total_seconds(),
        "reoffer_lag_p50_ms": median(lag),
        "reoffer_lag_p99_ms": percentile(lag, 99),
        "reoffer_lag_max_ms": max(lag, default=float("nan")),
        "most_pending_1s_late": overdue[1],
        "most_pending_5s_late": overdue[5],
        "expiries_per_s": len(rows) / drain if drain > 0 else float("nan"),
        "worker_peak_rss_mb": max(peaks),
        "intake_made": feeder.made if feeder else 0,
        "load_avg_1m": load,
    }


def soak(args: argparse.Namespace) -> dict[str, Any]:
    """Steady expiries for `args.soak` seconds; RSS of each worker sampled as it goes."""
    from django.conf import settings
    from django.utils import timezone

    from agentmatch.referrals.models import Offer, OfferStatus

    dataset.reset()
    # First offers (made here) last --soak-window; re-offers (made by the workers) the
    # long window, so each referral expires once. Agents are not paused after a missed
    # offer, or an hour would pause most of the population.
    settings.OFFER_WINDOW_SECONDS = args.soak_window
    settings.PAUSE_AGENT_AFTER_MISSED_OFFER = False
    workers = start_workers(args.workers, worker_env(LONG_WINDOW, pause=False))
    feeder = Feeder(args.soak_rate, seed=7)
    samples: list[tuple[float, list[int]]] = []
    started = time.monotonic()
    try:
        feeder.start()
        while (elapsed := time.monotonic() - started) < args.soak:
            samples.append((elapsed, [status_kb(pid, "VmRSS") for pid in with_lanes(workers)]))
            print(
                f"[soak] {elapsed:6.0f} s rss_mb="
                + ",".join(f"{kb / 1024:.1f}" for kb in samples[-1][1])
                + f" made={feeder.made} overdue={pending_due(timezone.now())}",
                flush=True,
            )
            time.sleep(args.sample)
        peaks = [status_kb(pid, "VmHWM") / 1024 for pid in with_lanes(workers)]
        overdue = pending_due(timezone.now() - timedelta(seconds=1))
    finally:
        feeder.stop.set()
        feeder.join()
        stop_workers(workers)
    expired = Offer.objects.filter(status=OfferStatus.EXPIRED).count()
    # "First" after a minute of warm-up: imports, caches and query plans are in by then.
    warm = [s for s in samples if s[0] >= min(60, args.soak / 2)] or samples
    first, last = warm[0][1], samples[-1][1]
    return {
        "soak_s": args.soak,
        "referrals_made": feeder.made,
        "expired": expired,
        "expiries_per_s": expired / args.soak,
        "overdue_at_end": overdue,
        "rss_first_mb": max(first) / 1024,
        "rss_last_mb": max(last) / 1024,
        "rss_max_mb": max(max(kb) for _t, kb in samples) / 1024,
        "rss_growth_mb": (max(last) - max(first)) / 1024,
        "worker_peak_rss_mb": max(peaks),
        "load_avg_1m": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--spread", type=float, default=60, help="seconds between first and last deadline"
    )
    parser.add_argument("--lead", type=float, default=8, help="seconds before the first")
    parser.add_argument("--timeout", type=float, default=120, help="give up after the last")
    parser.add_argument("--intake-rate", type=float, default=0, help="referrals/s meanwhile")
    parser.add_argument(
        "--backlog", action="store_true", help="leave intake's messages in the outbox"
    )
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="reuse an existing bench database")
    parser.add_argument("--soak", type=float, default=0, help="seconds of steady expiries")
    parser.add_argument("--soak-rate", type=float, default=10, help="expiries/s in a soak")
    parser.add_argument("--soak-window", type=int, default=3, help="first offers' window")
    parser.add_argument("--sample", type=float, default=5, help="seconds between RSS reads")
    args = parser.parse_args()

    dataset.create_database("pg", keep=args.keep)
    setup_django("pg")
    from bench.http_load import settle_invitations

    print(f"[expiry] population: {dataset.populate(agents=args.agents)}", flush=True)
    settle_invitations()
    if args.soak:
        result = soak(args)
        dataset.reset()
        summary("expiry_soak", workers=args.workers, soak_rate=args.soak_rate, **result)
        return
    runs = []
    for run in range(args.runs):
        figures = run_once(args, seed=random.randrange(10**6))
        print(
            f"[expiry] run {run + 1}: " + ", ".join(f"{k}={v:.1f}" for k, v in figures.items()),
            flush=True,
        )
        runs.append(figures)
    dataset.reset()
    # A run that timed out has no drain time (NaN): the median of those that finished.
    result = {
        k: round(median([r[k] for r in runs if r[k] == r[k]]), 1)
        for k in runs[0]
        if any(r[k] == r[k] for r in runs)
    }
    summary(
        "expiry",
        workers=args.workers,
        spread_s=args.spread,
        intake_rate=args.intake_rate,
        backlog=args.backlog,
        runs=args.runs,
        **result,
    )


if __name__ == "__main__":
    main()
