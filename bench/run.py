"""AgentMatch benchmarks: routing in-process and intake over HTTP, printed as Markdown.

    .venv/bin/python bench/run.py                   # PG 100k agents, routing + HTTP
    .venv/bin/python bench/run.py --sqlite          # also SQLite with 10k agents
    .venv/bin/python bench/run.py --skip-http --referrals 500 --runs 1 --keep

Each benchmark runs in its own process (Django reads the database from the environment)
and ends with one SUMMARY line; this script collects them into a table against targets.
Only 127.0.0.1 is contacted. The PostgreSQL database bench_agentmatch is dropped at the
end unless --keep.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import machine  # noqa: E402

# Issue 16's targets (PostgreSQL, 2 cores). `share of pgbench -N`: intake's requests per
# second as a share of pgbench's simple-update transactions per second in the same run.
TARGETS = {
    ("routing", "route_p99_ms"): ("≤ 1 ms", lambda v: v <= 1),
    ("http", "rps"): ("≥ 500", lambda v: v >= 500),
    ("http", "latency_p99_ms"): ("< 100 ms", lambda v: v < 100),
    ("http", "rps_share_of_pgbench_N_pct"): ("≥ 5.7%", lambda v: v >= 5.7),
    ("http, 5 s offers", "reoffer_lag_p99_ms"): ("≤ 1000 ms", lambda v: v <= 1000),
    ("http", "worker_peak_rss_mb"): ("< 150 MB", lambda v: v < 150),
    ("http, 5 s offers", "worker_peak_rss_mb"): ("< 150 MB", lambda v: v < 150),
    # Each worker process: the offer clock's, and its child's with the other lanes.
    ("http", "lanes_peak_rss_mb"): ("< 150 MB", lambda v: v < 150),
    ("http, 5 s offers", "lanes_peak_rss_mb"): ("< 150 MB", lambda v: v < 150),
    # 10,000 deadlines spread over one minute, each re-offered within 5 s of its deadline
    # (the first deadline to the last handled is at least the minute itself).
    ("expiry", "reoffer_lag_max_ms"): ("≤ 5000 ms", lambda v: v <= 5000),
    ("expiry", "after_last_deadline_s"): ("≤ 5 s", lambda v: v <= 5),
    ("expiry", "most_pending_5s_late"): ("0", lambda v: v == 0),
    ("expiry", "worker_peak_rss_mb"): ("< 150 MB", lambda v: v < 150),
}
LABELS = {
    "route_p50_ms": "routing (match + offer) p50 (ms)",
    "route_p99_ms": "routing (match + offer) p99 (ms)",
    "select_p50_ms": "candidate selection p50 (ms)",
    "select_p99_ms": "candidate selection p99 (ms)",
    "create_p50_ms": "create_referral transaction p50 (ms)",
    "create_p99_ms": "create_referral transaction p99 (ms)",
    "ab_old_p50_ms": "A/B: previous find_candidates p50 (ms)",
    "ab_old_p99_ms": "A/B: previous find_candidates p99 (ms)",
    "ab_new_p50_ms": "A/B: current find_candidates p50 (ms)",
    "ab_new_p99_ms": "A/B: current find_candidates p99 (ms)",
    "ab_speedup_p50": "A/B: speed-up at p50 (x)",
    "ab_mismatches": "A/B: referrals where old and new disagree",
    "client": "load generator",
    "web_workers": "gunicorn processes",
    "web_threads": "threads per gunicorn process (1 = sync worker)",
    "rps": "requests/s",
    "rps_share_of_pgbench_N_pct": "requests/s as a share of pgbench -N tps (%)",
    "latency_p50_ms": "POST latency p50 (ms)",
    "latency_p99_ms": "POST latency p99 (ms)",
    "first_offer_p50_ms": "POST sent to first offer p50 (ms)",
    "first_offer_p99_ms": "POST sent to first offer p99 (ms)",
    "first_offer_within_1s_pct": "referrals offered within 1 s of the POST (%)",
    "referrals": "referrals created in the measured part",
    "not_offered_at_intake": "of them nobody qualified at intake (waiting)",
    "offered_later_by_worker": "of those, offered later by the worker",
    "never_offered": "referrals never offered during the run",
    "reoffers": "offers re-made after an expiry",
    "reoffer_lag_p50_ms": "offer expiry to next offer (worker) p50 (ms)",
    "reoffer_lag_p99_ms": "offer expiry to next offer (worker) p99 (ms)",
    "offers_overdue_end": "offers past their deadline, still pending, when the run ended",
    "outbox_backlog_end": "messages still waiting in the outbox when the run ended",
    "all_reoffered_s": "first deadline to every expired offer handled (s)",
    "left_pending": "offers still pending 60 s after the last deadline",
    "after_last_deadline_s": "last deadline to every expired offer handled (s)",
    "reoffer_lag_max_ms": "offer expiry to next offer, slowest (ms)",
    "most_pending_1s_late": "most offers seen pending over 1 s past their deadline",
    "most_pending_5s_late": "most offers seen pending over 5 s past their deadline",
    "expiries_per_s": "expiries handled per second",
    "workers": "worker processes",
    "offers": "offers expiring together",
    "worker_peak_rss_mb": "worker peak RSS (MB)",
    "lanes_peak_rss_mb": "worker's lanes process peak RSS (MB)",
    "cpu_ms_per_request": "CPU per request, all processes (ms)",
    "cpu_web_ms_per_request": "CPU per request, gunicorn (ms)",
    "cpu_worker_ms_per_request": "CPU per request, the worker and its lanes (ms)",
    "cpu_db_ms_per_request": "CPU per request, PostgreSQL (ms)",
    "rps_two_idle_cores": "requests/s two idle cores could serve at that CPU cost",
    "errors": "failed requests",
    "load_avg_1m": "machine 1-min load average at start",
}

# App figures read against the same run's pgbench: throughputs as a share of pgbench -N
# (simple-update) transactions per second, latencies as multiples of pgbench's TPC-B-like
# average latency.
PER_TPS = ("rps", "expiries_per_s")
PER_LATENCY = (
    "route_p50_ms",
    "route_p99_ms",
    "select_p50_ms",
    "select_p99_ms",
    "create_p50_ms",
    "create_p99_ms",
    "latency_p50_ms",
    "latency_p99_ms",
    "first_offer_p50_ms",
    "first_offer_p99_ms",
    "reoffer_lag_p50_ms",
    "reoffer_lag_p99_ms",
)


def run(module: str, *args: str) -> dict[str, Any]:
    command = [sys.executable, "-m", module, *args]
    print("$ " + " ".join(command[1:]), flush=True)
    found: dict[str, Any] = {}
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            print(line, end="", flush=True)
            if line.startswith("SUMMARY "):
                found = json.loads(line[len("SUMMARY ") :])
    if proc.returncode or not found:
        raise SystemExit(f"{module} failed (exit {proc.returncode})")
    return found


def yardsticks(runs: list[dict[str, Any]]) -> dict[str, float]:
    """The medians of this run's pgbench measurements: TPC-B-like tps and latency, and
    the simple-update (-N) tps intake is compared with."""
    from bench.common import median

    tpcb = [r for r in runs if r.get("mode", "tpcb") == "tpcb"]
    simple = [r for r in runs if r.get("mode") == "simple-update"]
    found: dict[str, float] = {}
    if tpcb:
        found["tps"] = median([r["tps"] for r in tpcb])
        found["latency_ms"] = median([r["latency_ms"] for r in tpcb])
    if simple:
        found["tps_N"] = median([r["tps"] for r in simple])
    return found


def add_shares(results: list[dict[str, Any]], pgbench: dict[str, float]) -> None:
    """Intake as a share of pgbench -N, the issue's way of reading it on any machine."""
    for result in results:
        if result["bench"] == "http" and "rps" in result and pgbench.get("tps_N"):
            result["rps_share_of_pgbench_N_pct"] = round(100 * result["rps"] / pgbench["tps_N"], 2)


def table(results: list[dict[str, Any]], pgbench: dict[str, float]) -> str:
    """One table: each figure, its target and whether it is met, pgbench's figure from the
    same run and the ratio between them."""
    lines = [
        "| benchmark | figure | measured | target | met | pgbench, same run | ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        bench = result["bench"]
        backend = result.get("backend", "pg")
        agents = result.get("agents")
        name = f"{bench} ({backend}" + (f", {agents:,} agents)" if agents else ")")
        for key, label in LABELS.items():
            if key not in result:
                continue
            value = result[key]
            # The targets are for the PostgreSQL deployment; SQLite is for comparison.
            on_pg = backend == "pg"
            target, check = TARGETS.get((bench, key), ("", None)) if on_pg else ("", None)
            met = "" if check is None else ("yes" if check(value) else "**no**")
            base = ratio = ""
            if on_pg and key in PER_TPS and pgbench.get("tps_N"):
                base = f"{pgbench['tps_N']:,} tps (-N)"
                ratio = f"{100 * float(value) / pgbench['tps_N']:.2f}%"
            elif on_pg and key in PER_LATENCY and pgbench.get("latency_ms"):
                base = f"{pgbench['latency_ms']} ms (TPC-B avg)"
                ratio = f"{float(value) / pgbench['latency_ms']:.2f}x"
            lines.append(f"| {name} | {label} | {value} | {target} | {met} | {base} | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--referrals", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3, help="runs per benchmark (median)")
    parser.add_argument("--compare", type=int, default=500, help="A/B old vs new matching")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-expiry", action="store_true")
    parser.add_argument("--expiry-offers", type=int, default=10_000, help="due in one minute")
    parser.add_argument("--expiry-workers", type=int, default=4)
    parser.add_argument("--sqlite", action="store_true", help="also run routing on SQLite")
    parser.add_argument("--sqlite-agents", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--web-workers", type=int, help="default: agentmatch run's")
    parser.add_argument("--web-threads", type=int, help="default: agentmatch run's")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--offer-window", type=int, default=900, help="offer window during the HTTP run (s)"
    )
    parser.add_argument(
        "--stress-window",
        type=int,
        default=5,
        help="a second HTTP run whose offers expire after this many seconds (0: none)",
    )
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the bench DB")
    parser.add_argument(
        "--pgbench-seconds", type=int, default=15, help="each pgbench run (0: no pgbench)"
    )
    args = parser.parse_args()
    yardstick: list[dict[str, Any]] = []

    def pgbench(label: str) -> None:
        # Both yardsticks each time: TPC-B-like (latencies are read against its average)
        # and -N simple-update (throughputs are read as a share of its transactions/s).
        for mode in ("tpcb", "simple-update") if args.pgbench_seconds else ():
            seconds = str(args.pgbench_seconds)
            yardstick.append(
                run("bench.pgbench", "--mode", mode, "--seconds", seconds, "--label", label)
            )

    info = machine()
    results = []
    common = ["--referrals", str(args.referrals), "--runs", str(args.runs)]
    keep = ["--keep"] if args.keep else []
    try:
        pgbench("before")
        results.append(
            run(
                "bench.routing",
                "--backend",
                "pg",
                "--agents",
                str(args.agents),
                "--compare",
                str(args.compare),
                *common,
                *keep,
            )
        )
        pgbench("after routing")
        if not args.skip_http:
            http = [
                *("--agents", str(args.agents), "--concurrency", str(args.concurrency)),
                *("--duration", str(args.duration), "--client", args.client),
                "--pgbench-seconds",
                "0",  # run.py's own pgbench runs are the yardstick
                *(["--web-workers", str(args.web_workers)] if args.web_workers else []),
                *(["--web-threads", str(args.web_threads)] if args.web_threads else []),
            ]
            window = ["--offer-window", str(args.offer_window), "--runs", str(args.runs)]
            results.append(run("bench.http_load", *http, *window))
            pgbench("after HTTP")
            if args.stress_window:
                # The same intake load with offers that expire within the run: the worker
                # re-routes while gunicorn takes every core it can (issue 16's "expiry to
                # next offer at most 1 s p99 while intake runs at full load"). Re-offers
                # last 15 minutes: each referral expires once, so expiries come at the
                # intake's own rate.
                window = ["--offer-window", str(args.stress_window), "--runs", "1"]
                stressed = run("bench.http_load", *http, *window, "--reoffer-window", "900")
                results.append({**stressed, "bench": f"http, {args.stress_window} s offers"})
                pgbench("after HTTP with expiring offers")
        if not args.skip_expiry:
            results.append(
                run(
                    "bench.expiry",
                    "--agents",
                    str(args.agents),
                    "--offers",
                    str(args.expiry_offers),
                    "--workers",
                    str(args.expiry_workers),
                    "--spread",
                    "60",
                    "--timeout",
                    "60",
                    "--keep",  # the routing run's database
                )
            )
            pgbench("after expiries")
        if args.sqlite:
            results.append(
                run(
                    "bench.routing",
                    "--backend",
                    "sqlite",
                    "--agents",
                    str(args.sqlite_agents),
                    "--compare",
                    str(min(args.compare, 200)),
                    *common,
                    *keep,
                )
            )
    finally:
        if not args.keep:
            from bench.dataset import drop_database

            drop_database()
        if yardstick:
            from bench.pgbench import drop_database as drop_pgbench

            drop_pgbench()
    print()
    print(
        f"Machine: {info['cpus']} CPUs ({info['cpu_model']}), {info['ram']} RAM, "
        f"PostgreSQL {info['postgresql']}, Python {info['python']}, {info['date']}; "
        f"medians of {args.runs} run(s)."
    )
    print()
    pgbench_medians = yardsticks(yardstick)
    add_shares(results, pgbench_medians)
    if yardstick:
        runs = ", ".join(
            f"{y['label']} {y.get('mode', 'tpcb')} {y['tps']} tps / {y['latency_ms']} ms"
            for y in yardstick
        )
        print(f"pgbench in this run: {runs}.")
        print()
    print(table(results, pgbench_medians))
    # Last line: every figure, machine-readable.
    print(
        "FIGURES "
        + json.dumps({"machine": info, "results": results, "pgbench": yardstick}, default=str)
    )


if __name__ == "__main__":
    main()
