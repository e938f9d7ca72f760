"""The operators' dashboard on a year of data: how long its SQL aggregates take.

    .venv/bin/python -m bench.dashboard --referrals 500000 --runs 5

Generates a plan year of requests (by default 500,000, in their own PostgreSQL database
`bench_dashboard`) with their offers, loaded with COPY, then times
`agentmatch.operations.dashboard.dashboard()` (every query the page runs) for the last
7 days and for the plan year, several times each, and reports the medians beside a
pgbench run made before and after on the same machine (the ratio is what compares
across machines and days; see bench/pgbench.py).

Before timing, the worker's roll-up job (operations/dashboard_rollup.py) is run until it
has nothing left to do, as a worker would have (timed: that is the backfill after a
deploy); the plan year is also timed once counted entirely live (`rolled_up=False`: the
dashboard before the first backfill).

The year: requests spread over the 365 days before now, three times as dense during
open enrollment (November to mid-January) and in working hours; states weighted like
bench/dataset.py's agents, languages 75% English, 20% Spanish, 5% others. 78% were
accepted (after 0.5 to 90 minutes, mostly within 15), 15% ended unmatched, 7% were
canceled; an accepted request had 0-3 offers rejected or expired before the accepted
one, an unmatched one 1-4 that were all rejected or expired. Events are not generated:
the dashboard does not read them.
"""

import argparse
import os
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

os.environ.setdefault("BENCH_PG_DB", "bench_dashboard")

from bench.common import median, setup_django, summary

SEED = 20261201
AGENTS = 2000
LANGUAGES = [("en", 75), ("es", 20), ("vi", 2), ("zh", 1), ("ko", 1), ("ht", 1)]


def _weights(now: datetime) -> tuple[list[datetime], list[float]]:
    """Every hour of the past year with its relative share of requests."""
    hours, weights = [], []
    start = (now - timedelta(days=365)).replace(minute=0, second=0, microsecond=0)
    at = start
    while at < now:
        busy_season = at.month in (11, 12) or (at.month == 1 and at.day <= 15)
        working = 13 <= at.hour <= 23  # 8 a.m. to 6 p.m. Central, in UTC
        hours.append(at)
        weights.append((3.0 if busy_season else 1.0) * (4.0 if working else 0.5))
        at += timedelta(hours=1)
    return hours, weights


def _copy(table: str, columns: list[str], rows: Any) -> None:
    from django.db import connection

    sql = f'COPY "{table}" ({", ".join(columns)}) FROM STDIN'
    with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def generate(referrals: int, now: datetime) -> dict[str, int]:
    """Loads the year's referrals and offers (COPY); returns how many of each."""
    from django.db import connection, transaction

    from agentmatch.agents.models import Agent
    from agentmatch.core.geo import zips_in_state
    from agentmatch.planyears.services import STATES_SERVED_2026
    from agentmatch.referrals.models import Offer, Referral

    rng = random.Random(SEED)
    states = [s.rstrip("*") for s in STATES_SERVED_2026]
    places = {s: zips_in_state(s)[:50] for s in states}
    state_weights = [len(zips_in_state(s)) for s in states]
    codes, language_weights = zip(*LANGUAGES, strict=True)
    hours, hour_weights = _weights(now)
    agents = list(Agent.objects.values_list("pk", flat=True))
    starts = sorted(
        h + timedelta(seconds=rng.uniform(0, 3600))
        for h in rng.choices(hours, hour_weights, k=referrals)
    )
    referral_columns = [
        "id", "public_id", "status", "status_token_hash", "plan_year", "first_name",
        "last_name", "phone", "email", "zip_code", "city", "state", "latitude", "longitude",
        "county", "language", "consent_given_at", "consent_wording_version",
        "consent_channel", "page_language", "created_at", "ended_at", "end_reason",
    ]  # fmt: skip
    offer_columns = [
        "referral_id", "agent_id", "status", "position", "rank", "distance_miles",
        "qualified_agents", "reason", "explanation", "offered_at", "expires_at",
        "responded_at",
    ]  # fmt: skip
    offers: list[tuple[Any, ...]] = []

    def referral_rows() -> Any:
        for pk, created in enumerate(starts, 1):
            state = rng.choices(states, state_weights)[0]
            place = rng.choice(places[state])
            roll = rng.random()
            status = "accepted" if roll < 0.78 else "unmatched" if roll < 0.93 else "canceled"
            ended = _offers(pk, created, status)
            yield (
                pk, uuid.UUID(int=rng.getrandbits(128), version=4), status, "x" * 64, 2026,
                "Bench", f"Consumer{pk}", f"+1608555{pk % 10000:04d}", "", place.zip_code,
                place.city, state, place.latitude, place.longitude, "",
                rng.choices(codes, language_weights)[0], created, "2026-1", "bench", "",
                created, ended if status != "accepted" else None, "",
            )  # fmt: skip

    def _offers(pk: int, created: datetime, status: str) -> datetime:
        """Appends the referral's offers; returns when it ended."""
        if status == "canceled":
            count, last = rng.randint(0, 1), "canceled"
        elif status == "unmatched":
            count, last = rng.randint(1, 4), ""
        else:
            count, last = rng.choices([1, 2, 3, 4], [55, 25, 12, 8])[0], "accepted"
        at = created
        for position, agent in enumerate(rng.sample(agents, count), 1):
            final = position == count and last
            offer_status = final or rng.choice(["rejected", "expired"])
            if offer_status == "expired":
                answered = at + timedelta(minutes=15)
            elif offer_status == "accepted":
                answered = at + timedelta(minutes=min(rng.expovariate(1 / 6) + 0.5, 90))
            else:
                answered = at + timedelta(minutes=rng.uniform(0.2, 10))
            offers.append(
                (
                    pk,
                    agent,
                    offer_status,
                    position,
                    position,
                    rng.uniform(0, 40),
                    20,
                    "bench",
                    "{}",
                    at,
                    at + timedelta(minutes=15),
                    answered,
                )
            )
            at = answered
        return at + timedelta(minutes=1)

    with transaction.atomic():
        _copy(Referral._meta.db_table, referral_columns, referral_rows())
        _copy(Offer._meta.db_table, offer_columns, offers)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{Referral._meta.db_table}', 'id'), %s)",
            [referrals],
        )
        cursor.execute("VACUUM ANALYZE")
    return {"referrals": referrals, "offers": len(offers)}


def roll_up_everything() -> tuple[float, int]:
    """Runs the roll-up job until it is done; returns the seconds taken and the runs."""
    from agentmatch.operations.dashboard_rollup import roll_up

    started, runs = time.perf_counter(), 0
    while roll_up(datetime.now(UTC)):
        runs += 1
    return time.perf_counter() - started, runs


def time_dashboard(period: Any, runs: int, *, rolled_up: bool = True) -> list[float]:
    from agentmatch.operations.dashboard import dashboard

    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        dashboard(period, rolled_up=rolled_up)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--referrals", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep and reuse the database")
    args = parser.parse_args()

    from bench.dataset import create_database, drop_database, populate

    create_database("pg", keep=args.keep)
    setup_django("pg")
    from django.utils import timezone

    from agentmatch.operations.dashboard_forms import PeriodForm
    from agentmatch.referrals.models import Referral
    from bench.pgbench import measure

    yardstick = [measure(seconds=args.pgbench_seconds)] if args.pgbench_seconds else []
    loaded: dict[str, Any] = {"load_seconds": 0.0}
    started = time.perf_counter()
    populate(agents=AGENTS)
    if Referral.objects.count() != args.referrals:
        if Referral.objects.exists():
            raise SystemExit("bench_dashboard holds another data set: run without --keep")
        loaded = generate(args.referrals, datetime.now(UTC))
        loaded["load_seconds"] = round(time.perf_counter() - started, 1)
    figures: dict[str, Any] = {**loaded}
    rollup_seconds, rollup_runs = roll_up_everything()
    figures["rollup_seconds"], figures["rollup_runs"] = round(rollup_seconds, 1), rollup_runs
    print(f"roll-up: {figures['rollup_seconds']} s in {rollup_runs} runs of the job")
    for name, choice in (("week", "7d"), ("plan_year", "year")):
        form = PeriodForm({"period": choice}, today=timezone.localdate())
        assert form.is_valid(), form.errors
        period = form.to_period()
        timings = time_dashboard(period, args.runs)
        figures[f"{name}_ms"] = round(median(timings), 1)
        figures[f"{name}_runs_ms"] = [round(t, 1) for t in timings]
        figures[f"{name}_requests"] = Referral.objects.filter(
            created_at__gte=period.start, created_at__lt=period.end
        ).count()
        print(f"dashboard {name}: median {figures[f'{name}_ms']} ms {figures[f'{name}_runs_ms']}")
    figures["plan_year_live_ms"] = round(time_dashboard(period, 1, rolled_up=False)[0], 1)
    print(f"dashboard plan_year, all live: {figures['plan_year_live_ms']} ms")
    if args.pgbench_seconds:
        yardstick.append(measure(seconds=args.pgbench_seconds))
        latency = median([y["latency_ms"] for y in yardstick])
        figures["pgbench_latency_ms"] = latency
        figures["pgbench_tps"] = median([y["tps"] for y in yardstick])
        for name in ("week", "plan_year"):
            figures[f"{name}_x_pgbench"] = round(figures[f"{name}_ms"] / latency, 1)
        print(f"pgbench: {yardstick}")
    if not args.keep:
        drop_database()
    summary("dashboard", backend="pg", **figures)


if __name__ == "__main__":
    main()
