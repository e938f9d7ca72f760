"""One intake POST profiled in process: its statements, and where its time goes.

    .venv/bin/python -m bench.profile_intake --posts 300 [--profile [--save FILE]] [--explain]

Django's test client posts `POST /api/v1/referrals` against the bench PostgreSQL database
(100,000 agents from bench/dataset.py, loaded once as bench/http_load.py does; set
BENCH_PG_DB to a database of your own), one request at a time over one persistent
connection, as a gunicorn process would. Prints the statements of one POST (after 50
warm-up POSTs); with --explain each of them run again under EXPLAIN ANALYZE (planning and
execution time on the server, rolled back); the wall time, Python CPU and PostgreSQL CPU
(the connection's backend process, read from /proc: same machine) per POST over --posts
more; and with --profile a cProfile (CPU time) of as many again, written to FILE with
--save for pstats. Referrals are deleted before and after.
"""

import argparse
import cProfile
import itertools
import json
import os
import pstats
import time
from typing import Any

from bench.common import setup_django

WARM_UP = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="also a cProfile (CPU time)")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="also EXPLAIN ANALYZE each statement of one POST again (rolled back)",
    )
    parser.add_argument("--save", metavar="FILE", help="write the cProfile's stats to FILE")
    args = parser.parse_args()
    # As `agentmatch run` starts the web processes, and one client address posts everything.
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    os.environ["CONSUMER_REQUESTS_PER_ADDRESS"] = "100000000"
    os.environ["CONSUMER_REQUESTS_PER_PHONE"] = "100000000"

    from bench import dataset

    dataset.create_database("pg", keep=True)
    setup_django("pg")
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.http_load import _cpu_seconds, places, settle_invitations

    settings.ALLOWED_HOSTS = ["testserver"]
    dataset.populate(agents=args.agents)
    settle_invitations()
    dataset.reset()
    mix = places(2000, seed=1)
    client = Client()
    numbers = itertools.count()

    def post() -> None:
        n = next(numbers)
        zip_code, language = mix[n % len(mix)]
        body = {
            "first_name": "Bench",
            "last_name": f"T{time.time():.6f}",
            "phone": f"608-555-{n % 10000:04d}",
            "email": "consumer@example.com",
            "zip": zip_code,
            "language": language,
            "consent": True,
        }
        answer = client.post("/api/v1/referrals", json.dumps(body), content_type="application/json")
        if answer.status_code != 201:
            raise SystemExit(f"POST answered {answer.status_code}: {answer.content[:300]!r}")

    try:
        for _ in range(WARM_UP):
            post()
        with CaptureQueriesContext(connection) as statements:
            post()
        print(f"statements in one POST: {len(statements)}")
        for query in statements.captured_queries:
            print("  " + " ".join(query["sql"].split())[:160])
        if args.explain:
            explain(connection, [q["sql"] for q in statements.captured_queries])
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        wall, cpu, db = time.perf_counter(), time.process_time(), _cpu_seconds(backend)
        for _ in range(args.posts):
            post()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        db = _cpu_seconds(backend) - db
        print(
            f"per POST: {1000 * wall / args.posts:.2f} ms wall, "
            f"{1000 * cpu / args.posts:.2f} ms of Python CPU, "
            f"{1000 * db / args.posts:.2f} ms of PostgreSQL CPU (its backend; "
            f"load {os.getloadavg()[0]:.1f})"
        )
        if args.profile:
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for _ in range(args.posts):
                post()
            profile.disable()
            stats = pstats.Stats(profile)
            if args.save:
                stats.dump_stats(args.save)
            stats.sort_stats("cumulative").print_stats(60)
            stats.sort_stats("tottime").print_stats(30)
    finally:
        dataset.reset()


def explain(connection: Any, statements: list[str]) -> None:
    """Each statement of one POST run again under EXPLAIN ANALYZE, in one transaction rolled
    back: its planning and execution time on the server, and whether JIT compiled it."""
    from django.db import transaction

    class Rollback(Exception):
        pass

    from agentmatch.notifications.models import Message
    from agentmatch.referrals.models import Referral

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            last = Referral.objects.latest("pk")  # made again below, from the same values
            Message.objects.filter(referral=last).delete()
            last.delete()
            for sql in statements:
                if sql in ("BEGIN", "COMMIT") or sql.startswith(("SAVEPOINT", "RELEASE")):
                    continue
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, SUMMARY) " + sql)
                plan = [row[0] for row in cursor.fetchall()]
                print("  " + " ".join(sql.split())[:100])
                for line in plan:
                    if line.startswith(("Planning", "Execution", "JIT")) or "Seq Scan" in line:
                        print("      " + line.strip())
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
