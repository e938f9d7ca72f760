"""The machine's own yardstick: PostgreSQL's pgbench, run beside the app's benchmarks.

    .venv/bin/python -m bench.pgbench --scale 10 --clients 8 --seconds 15 [--mode simple-update]

Machines here are shared and noisy, so an absolute figure says as much about the other
tenants as about the code. `bench/run.py` runs this before, between and after the app's
benchmarks and reports each app figure beside the median pgbench figure of the same run
(and their ratio), so two runs on different days can be compared through the ratio.

pgbench's built-in TPC-B-like script (three UPDATEs, a SELECT and an INSERT per
transaction, one commit each) is the same kind of work as the app's transactions: a few
indexed rows, a commit with `synchronous_commit` on. `--mode simple-update` is `pgbench -N`
(the TPC-B script without the two contended UPDATEs of tellers and branches: one UPDATE, a
SELECT and an INSERT per commit), the write yardstick issue 16 reads intake against;
`--mode select-only` is `-S`. It runs in its own database `bench_pgbench`, created and
initialised here and dropped by `--drop`.
"""

import argparse
import re
import subprocess

from bench.common import PG_SERVER, summary

PGBENCH_DB = "bench_pgbench"
# pgbench's built-in scripts by the name --mode takes, and the option that selects each.
MODES = {"tpcb": [], "simple-update": ["-N"], "select-only": ["-S"]}


def ensure_database(scale: int) -> None:
    """Creates and initialises the pgbench database once per scale (re-used after)."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [PGBENCH_DB]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{PGBENCH_DB}"')
    with psycopg.connect(f"{PG_SERVER}/{PGBENCH_DB}", autocommit=True) as conn:
        try:
            rows = conn.execute("SELECT count(*) FROM pgbench_branches").fetchone()
            current = rows[0] if rows else 0
        except psycopg.errors.UndefinedTable:
            current = 0
    if current != scale:
        subprocess.run(
            ["pgbench", "-i", "-q", "-s", str(scale), f"{PG_SERVER}/{PGBENCH_DB}"],
            check=True,
            capture_output=True,
        )


def drop_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PGBENCH_DB}" WITH (FORCE)')


def measure(
    scale: int = 10, clients: int = 8, seconds: int = 15, mode: str = "tpcb"
) -> dict[str, float]:
    """One pgbench run of the built-in script `mode` (MODES): transactions per second and
    average latency (ms)."""
    ensure_database(scale)
    threads = min(clients, 2)
    out = subprocess.run(
        [
            "pgbench",
            "-n",  # no vacuum before the run: the tables are small and freshly written
            *MODES[mode],
            "-c",
            str(clients),
            "-j",
            str(threads),
            "-T",
            str(seconds),
            f"{PG_SERVER}/{PGBENCH_DB}",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {
        "tps": _number(out, r"tps = ([\d.]+)"),
        "latency_ms": _number(out, r"latency average = ([\d.]+) ms"),
    }


def _number(text: str, pattern: str) -> float:
    found = re.search(pattern, text)
    if not found:
        raise SystemExit(f"pgbench printed no {pattern!r}:\n{text}")
    return round(float(found.group(1)), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--mode", choices=sorted(MODES), default="tpcb", help="default: tpcb")
    parser.add_argument("--label", default="", help="when in the run this was measured")
    parser.add_argument("--drop", action="store_true", help="drop the pgbench database after")
    args = parser.parse_args()
    try:
        result = measure(args.scale, args.clients, args.seconds, args.mode)
    finally:
        if args.drop:
            drop_database()
    print(
        f"pgbench {args.mode} {args.label}: {result['tps']} tps, {result['latency_ms']} ms average",
        flush=True,
    )
    summary(
        "pgbench",
        backend="pg",
        agents=0,
        label=args.label,
        mode=args.mode,
        scale=args.scale,
        clients=args.clients,
        seconds=args.seconds,
        **result,
    )


if __name__ == "__main__":
    main()
