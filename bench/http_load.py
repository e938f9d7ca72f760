"""Intake over HTTP: gunicorn + routing worker on the bench PostgreSQL database, driven by
threads posting "Get Contacted" requests.

    python -m bench.http_load --agents 100000 --concurrency 24 --duration 20

Reports requests/s and latency, time from POST to first offer (read back from the
database), how quickly the worker re-offers expired offers, and the worker's peak RSS.
Offers expire after --offer-window seconds (default 5) so the worker routes during the run.
"""

import argparse
import http.client
import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import DATA_DIR, ROOT, database_url, median, percentile, setup_django, summary

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_servers(port: int, web_workers: int, offer_window: int) -> list[subprocess.Popen]:
    env = dict(
        os.environ,
        DATABASE_URL=database_url("pg"),
        AGENTMATCH_DATA_DIR=str(DATA_DIR),
        DB_CONN_MAX_AGE="600",
        OFFER_WINDOW_SECONDS=str(offer_window),
        WORKER_IDLE_SLEEP_SECONDS="0.1",
        LOG_LEVEL="WARNING",
    )
    log = (DATA_DIR / "http-bench.log").open("ab")
    web = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "agentmatch.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(web_workers),
            "--worker-class",
            "sync",
            "--backlog",
            "256",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "agentmatch", "worker"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return [web, worker]


def post(port: int, body: bytes) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "POST", "/api/v1/referrals", body=body, headers={"Content-Type": "application/json"}
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_ready(port: int, body: bytes, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, text = post(port, body)
            if status == 201:
                return
            raise SystemExit(f"warm-up POST answered {status}: {text[:300]!r}")
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not come up")


def bodies(count: int, seed: int) -> list[bytes]:
    from bench.routing import make_requests

    return [
        json.dumps(
            {
                "first_name": "Bench",
                "last_name": r.last_name,
                "phone": "608-555-0100",
                "email": "consumer@example.com",
                "zip": r.place.zip_code,
                "language": r.language,
                "consent": True,
            }
        ).encode()
        for r in make_requests(count, seed)
    ]


class PeakRss(threading.Thread):
    """Samples VmHWM (peak resident set) and VmRSS of a process until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.stop = pid, 0, threading.Event()

    def read(self) -> int:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def run(self) -> None:
        while not self.stop.wait(0.25):
            self.peak_kb = max(self.peak_kb, self.read())


def drive(port: int, payloads: list[bytes], concurrency: int, duration: float) -> dict[str, Any]:
    latencies: list[float] = []
    sent: dict[str, float] = {}  # referral public id -> wall-clock time the POST started
    errors: dict[str, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + duration
    counter = iter(range(10**9))

    def client() -> None:
        while time.monotonic() < stop_at:
            body = payloads[next(counter) % len(payloads)]
            wall, t0 = time.time(), time.perf_counter()
            try:
                status, text = post(port, body)
            except OSError as exc:
                status, text = 0, type(exc).__name__.encode()
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                if status == 201:
                    latencies.append(elapsed)
                    sent[json.loads(text)["id"]] = wall
                else:
                    key = f"{status} {text[:80]!r}"
                    errors[key] = errors.get(key, 0) + 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"latencies": latencies, "sent": sent, "errors": errors, "seconds": wall}


def offer_timings(sent: dict[str, float]) -> dict[str, Any]:
    """POST to first offer, and expiry to next offer (the worker's lag), from the database."""
    from agentmatch.referrals.models import Offer, Referral

    first: list[float] = []
    waiting = 0
    referrals = Referral.objects.filter(public_id__in=list(sent)).values_list(
        "pk", "public_id", "created_at"
    )
    ids = {pk: (str(public_id), created) for pk, public_id, created in referrals}
    offers: dict[int, list[tuple[int, Any, Any]]] = {}
    for referral_id, position, offered_at, expires_at in Offer.objects.filter(
        referral_id__in=list(ids)
    ).values_list("referral_id", "position", "offered_at", "expires_at"):
        offers.setdefault(referral_id, []).append((position, offered_at, expires_at))
    in_db: list[float] = []
    lag: list[float] = []
    for pk, (public_id, created) in ids.items():
        mine = sorted(offers.get(pk, []), key=lambda o: o[0])
        if not mine:
            waiting += 1
            continue
        first.append((mine[0][1].timestamp() - sent[public_id]) * 1000)
        in_db.append((mine[0][1] - created).total_seconds() * 1000)
        for before, after in itertools.pairwise(mine):
            lag.append((after[1] - before[2]).total_seconds() * 1000)
    return {
        "first_offer_p50_ms": median(first),
        "first_offer_p99_ms": percentile(first, 99),
        "first_offer_in_db_p99_ms": percentile(in_db, 99),
        "no_offer_yet": waiting,
        "reoffers": len(lag),
        "reoffer_lag_p50_ms": median(lag),
        "reoffer_lag_p99_ms": percentile(lag, 99),
    }


def run_once(args: argparse.Namespace, payloads: list[bytes]) -> dict[str, Any]:
    from bench import dataset

    dataset.reset()
    port = free_port()
    servers = start_servers(port, args.web_workers, args.offer_window)
    web, worker = servers
    try:
        wait_ready(port, payloads[0])
        # Each gunicorn worker loads the ZIP table on its first request: warm them all.
        for body in payloads[1 : 4 * args.web_workers]:
            post(port, body)
        rss = PeakRss(worker.pid)
        rss.start()
        load_before = os.getloadavg()[0]
        result = drive(port, payloads, args.concurrency, args.duration)
        # Let the worker handle the offers that expired near the end.
        time.sleep(args.offer_window + 1)
        rss.stop.set()
        rss.join()
        peak_kb = max(rss.peak_kb, rss.read())
    finally:
        for proc in (worker, web):
            proc.send_signal(signal.SIGTERM)
        for proc in (worker, web):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    latencies = result["latencies"]
    figures = {
        "requests": len(latencies),
        "errors": sum(result["errors"].values()),
        "rps": len(latencies) / result["seconds"],
        "latency_p50_ms": median(latencies),
        "latency_p99_ms": percentile(latencies, 99),
        **offer_timings(result["sent"]),
        "worker_peak_rss_mb": peak_kb / 1024,
        "load_avg_1m": load_before,
    }
    if result["errors"]:
        print(f"errors: {result['errors']}", flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--offer-window", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from bench import dataset

    dataset.create_database("pg", keep=True)
    setup_django("pg")
    dataset.populate(agents=args.agents)
    payloads = bodies(20_000, seed=random.randrange(10**6))
    runs = []
    for run in range(args.runs):
        figures = run_once(args, payloads)
        print(
            f"[http] run {run + 1}: " + ", ".join(f"{k}={v:.1f}" for k, v in figures.items()),
            flush=True,
        )
        runs.append(figures)
    dataset.reset()
    # A run where the worker had not re-offered anything yet has no lag figure (NaN).
    result = {k: round(median([r[k] for r in runs if r[k] == r[k]]), 1) for k in runs[0]}
    summary(
        "http",
        agents=args.agents,
        concurrency=args.concurrency,
        duration=args.duration,
        web_workers=args.web_workers,
        runs=args.runs,
        **result,
    )


if __name__ == "__main__":
    main()
