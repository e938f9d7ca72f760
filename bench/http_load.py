"""Intake over HTTP: `agentmatch run` (gunicorn + routing worker, its production defaults) on
the bench PostgreSQL database, driven by concurrent clients on loopback.

    python -m bench.http_load --agents 100000 --concurrency 24 --duration 20

The load comes from `wrk` (C, keep-alive, bench/intake.lua) when it is installed, else from
Python threads that each keep one connection open (`--client python` forces them). Reports
requests/s and latency as the client saw them, the time from the client's send to the
first offer (the send time travels in the request and is read back from the database next
to Offer.offered_at: same machine clock), referrals nobody could take at intake, how
quickly the worker re-offers expired offers, and the worker's peak RSS. Offers expire after
--offer-window seconds (default 900, as in production; 5 makes the worker re-route during
the run). Also the CPU each request cost the web processes, the worker and PostgreSQL
(`cpu_*_ms_per_request`, steadier than requests/s on a shared machine), and pgbench -N
before and after the runs (`pgbench_n_tps`, `intake_pct_of_pgbench_n`; --pgbench-seconds 0
skips it). The last line printed is the SUMMARY.
"""

import argparse
import http.client
import itertools
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import (
    DATA_DIR,
    PG_DB,
    ROOT,
    database_url,
    median,
    percentile,
    setup_django,
    summary,
)

LUA = Path(__file__).with_name("intake.lua")
PATH = "/api/v1/referrals"
# Consumers' phones: 608-555-0000 and up, then the next area code (10,000 each).
AREA_CODES = ("608", "414", "262", "715", "920")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, args: argparse.Namespace) -> subprocess.Popen:
    """`agentmatch run` as an operator starts it; only its sizes may be overridden."""
    env = dict(
        os.environ,
        DATABASE_URL=database_url("pg"),
        AGENTMATCH_DATA_DIR=str(DATA_DIR),
        OFFER_WINDOW_SECONDS=str(args.offer_window),
        WORKER_IDLE_SLEEP_SECONDS="0.1",
        LOG_LEVEL="WARNING",
        # One address (the bench) sends every request: lift the intake's abuse limits.
        CONSUMER_REQUESTS_PER_ADDRESS="100000000",
        CONSUMER_REQUESTS_PER_PHONE="100000000",
    )
    env.pop("DB_CONN_MAX_AGE", None)  # the command's own default
    # --reoffer-window: the worker's offers (the re-offers) last longer than the first
    # ones, so each referral expires once and expiries come at the intake's own rate. The
    # worker then runs beside `agentmatch run --workers 0`, started as `run` starts its
    # own (the same niceness), with its own window.
    separate = args.reoffer_window and args.reoffer_window != args.offer_window
    command = [sys.executable, "-m", "agentmatch", "run", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "0" if separate else str(args.workers)]
    if args.web_workers:
        command += ["--web-workers", str(args.web_workers)]
    if args.web_threads:
        command += ["--web-threads", str(args.web_threads)]
    log = (DATA_DIR / "http-bench.log").open("ab")
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    if separate:
        from agentmatch.core.management.commands.run import _worker_child

        worker_env = {**env, "OFFER_WINDOW_SECONDS": str(args.reoffer_window)}
        for _ in range(args.workers):
            worker = subprocess.Popen(
                [sys.executable, "-m", "agentmatch", "worker"],
                env=worker_env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_worker_child,
            )
            _companions.append(worker)
    return server


def process_table() -> list[tuple[int, int, str]]:
    """(pid, parent pid, command line) of every process."""
    rows = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue
        rows.append((int(entry.name), ppid, cmd))
    return rows


def routing_worker_pids(run_pid: int) -> list[int]:
    """`agentmatch run`'s workers, or those started beside it (--reoffer-window): the
    processes running the offer clock (each has a child for its other lanes)."""
    pids = [
        pid
        for pid, ppid, cmd in process_table()
        if ppid in (run_pid, os.getpid()) and "agentmatch worker" in cmd
    ]
    if not pids:
        raise SystemExit("agentmatch run started no routing worker")
    return sorted(pids)


def lanes_pids(worker_pids: list[int]) -> list[int]:
    """Each worker's child process running its other lanes (messages, webhooks, imports)."""
    table = process_table()
    return sorted(
        pid
        for pid, ppid, cmd in table
        if ppid in worker_pids and "agentmatch worker --lanes" in cmd
    )


# The worker started beside `run` (--reoffer-window), stopped with it.
_companions: list[subprocess.Popen[bytes]] = []


def stop_own_workers() -> None:
    """SIGTERM, as `run` stops its own, then a kill after its grace."""
    while _companions:
        proc = _companions.pop()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


_phones = itertools.count()


def bench_phone() -> str:
    """A phone with no open request yet: one phone has one open request at a time."""
    n = next(_phones)
    return f"{AREA_CODES[n // 10000 % len(AREA_CODES)]}-555-{n % 10000:04d}"


def body(zip_code: str, language: str, sent: float) -> bytes:
    return json.dumps(
        {"first_name": "Bench", "last_name": f"T{sent:.6f}", "phone": bench_phone(),
         "email": "consumer@example.com", "zip": zip_code, "language": language,
         "consent": True}
    ).encode()  # fmt: skip


class Client:
    """One keep-alive connection; reconnects when the server closes it."""

    def __init__(self, port: int) -> None:
        self.port, self.conn = port, None

    def post(self, payload: bytes) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            self.conn.request(
                "POST", PATH, body=payload, headers={"Content-Type": "application/json"}
            )
            response = self.conn.getresponse()
            text = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if response.will_close:
            self.close()
        return response.status, text

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def wait_ready(port: int, place: tuple[str, str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, text = Client(port).post(body(*place, 0.0))
            if status == 201:
                return
            raise SystemExit(f"warm-up POST answered {status}: {text[:300]!r}")
        except (OSError, http.client.HTTPException):
            time.sleep(0.3)
    raise SystemExit("agentmatch run did not come up")


def places(count: int, seed: int) -> list[tuple[str, str]]:
    from bench.routing import make_requests

    return [(r.place.zip_code, r.language) for r in make_requests(count, seed)]


class PeakRss(threading.Thread):
    """Samples VmHWM (peak resident set) of a process until stopped."""

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


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class CpuMeter:
    """CPU time the measured run cost, by part: gunicorn (arbiter and its workers), the
    routing worker, and PostgreSQL's backends for the bench database. On a shared machine
    milliseconds of CPU per request move far less than requests/s do, and their sum says
    how many requests/s two idle cores could serve."""

    def __init__(self, run_pid: int, worker_pids: list[int]) -> None:
        table = process_table()
        web = {pid for pid, ppid, cmd in table if ppid == run_pid and "gunicorn" in cmd}
        web |= {pid for pid, ppid, cmd in table if ppid in web}
        backend = f" {PG_DB} "  # a backend's title: "postgres: 15/main: user DB host(port) ..."
        database = {pid for pid, _, cmd in table if cmd.startswith("postgres:") and backend in cmd}
        self.parts = {"web": web, "worker": set(worker_pids), "db": database}
        self.before = {pid: _cpu_seconds(pid) for pids in self.parts.values() for pid in pids}

    def per_request_ms(self, requests: int) -> dict[str, float]:
        figures = {}
        for part, pids in self.parts.items():
            used = sum(_cpu_seconds(pid) - self.before[pid] for pid in pids)
            figures[f"cpu_{part}_ms_per_request"] = 1000 * used / max(1, requests)
        total = sum(figures.values())
        figures["cpu_ms_per_request"] = total
        # What two cores could serve if this server, worker and database had them alone.
        figures["rps_two_idle_cores"] = 2000 / total if total else float("nan")
        return figures


def drive_python(port: int, mix: list[tuple[str, str]], concurrency: int, duration: float):  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + duration
    counter = itertools.count()

    def client() -> None:
        conn = Client(port)
        while time.monotonic() < stop_at:
            place = mix[next(counter) % len(mix)]
            t0 = time.perf_counter()
            try:
                status, text = conn.post(body(*place, time.time()))
            except (OSError, http.client.HTTPException) as exc:
                status, text = 0, type(exc).__name__.encode()
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                if status == 201:
                    latencies.append(elapsed)
                else:
                    key = f"{status} {text[:80]!r}"
                    errors[key] = errors.get(key, 0) + 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "rps": len(latencies) / seconds,
        "latency_p50_ms": median(latencies),
        "latency_p99_ms": percentile(latencies, 99),
    }


_wrk_phones = itertools.count(0, 20_000)


def drive_wrk(port: int, mix: list[tuple[str, str]], concurrency: int, duration: float):  # type: ignore[no-untyped-def]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as pairs:
        pairs.write("".join(f"{z} {lang}\n" for z, lang in mix))
    try:
        out = subprocess.run(
            ["wrk", "-t", str(min(2, concurrency)), "-c", str(concurrency),
             "-d", f"{duration:g}s", "--timeout", "30s", "-s", str(LUA),
             f"http://127.0.0.1:{port}{PATH}", "--", pairs.name, str(next(_wrk_phones))],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(pairs.name)
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    w = json.loads(line[4:])
    kinds = {k: w[k] for k in ("connect", "read", "write", "status", "timeout") if w[k]}
    # wrk counts a non-2xx/3xx answer both as a request and as a "status" error.
    ok = w["requests"] - w["status"]
    return {
        "requests": ok,
        "errors": sum(kinds.values()),
        "error_kinds": kinds,
        "rps": ok / (w["duration_us"] / 1e6),
        "latency_p50_ms": w["p50_us"] / 1000,
        "latency_p99_ms": w["p99_us"] / 1000,
    }


def offer_timings(since: float) -> dict[str, Any]:
    """From the database: the client's send time (in last_name) to each referral's first
    offer, split by whether it was offered at intake, later by the worker, or not at all.
    Only requests sent after `since` (the measured part of the run) count. Also what the
    worker left behind when the run ended: offers past their deadline still pending, and
    messages still waiting in the outbox (a worker that keeps expiries on time by leaving
    messages undelivered is not keeping up)."""
    from django.utils import timezone

    from agentmatch.notifications.models import Message, MessageStatus
    from agentmatch.referrals.models import Offer, OfferStatus, Referral

    sent: dict[int, tuple[float, Any]] = {}
    for pk, last_name, created in Referral.objects.filter(last_name__startswith="T").values_list(
        "pk", "last_name", "created_at"
    ):
        if float(last_name[1:]) >= since:
            sent[pk] = (float(last_name[1:]), created)
    offers: dict[int, list[tuple[int, Any, Any]]] = {}
    for referral_id, position, offered_at, expires_at in Offer.objects.filter(
        referral_id__in=list(sent)
    ).values_list("referral_id", "position", "offered_at", "expires_at"):
        offers.setdefault(referral_id, []).append((position, offered_at, expires_at))
    first: list[float] = []
    later: list[float] = []
    lag: list[float] = []
    never = 0
    for pk, (sent_at, created) in sent.items():
        mine = sorted(offers.get(pk, []), key=lambda o: o[0])
        if not mine:
            never += 1
            continue
        ms = (mine[0][1].timestamp() - sent_at) * 1000
        first.append(ms)
        # The first offer is made in the POST's own transaction (offered_at == created_at)
        # unless nobody qualified then and the worker found someone afterwards.
        if mine[0][1] != created:
            later.append(ms)
        for before, after in itertools.pairwise(mine):
            lag.append((after[1] - before[2]).total_seconds() * 1000)
    within = sum(1 for ms in first if ms <= 1000)
    return {
        "referrals": len(sent),
        "first_offer_p50_ms": median(first),
        "first_offer_p99_ms": percentile(first, 99),
        "first_offer_within_1s_pct": 100 * within / len(sent) if sent else float("nan"),
        "not_offered_at_intake": len(later) + never,
        "offered_later_by_worker": len(later),
        "never_offered": never,
        "reoffers": len(lag),
        "reoffer_lag_p50_ms": median(lag),
        "reoffer_lag_p99_ms": percentile(lag, 99),
        "offers_overdue_end": Offer.objects.filter(
            status=OfferStatus.PENDING, expires_at__lt=timezone.now()
        ).count(),
        "outbox_backlog_end": Message.objects.filter(status=MessageStatus.PENDING).count(),
    }


def settle_invitations() -> int:
    """The bench's agents were invited long ago: without this the worker would spend the
    run inviting ~80,000 of them (one email per loop), which is no part of intake."""
    from django.db import connection, transaction
    from django.utils import timezone

    from agentmatch.accounts.jobs import invite_eligible_job

    with transaction.atomic():
        invite_eligible_job(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_invitation SET sent_at = now() - interval '30 days',"
            " expires_at = now() - interval '28 days', sent_to = 'bench@example.com',"
            " token_hash = 'bench-' || id WHERE sent_at IS NULL"
        )
        return cursor.rowcount


def run_once(args: argparse.Namespace, mix: list[tuple[str, str]], client: str) -> dict[str, Any]:
    from bench import dataset

    dataset.reset()
    port = free_port()
    server = start_server(port, args)
    try:
        wait_ready(port, mix[0])
        drive = drive_wrk if client == "wrk" else drive_python
        # Each gunicorn process loads the ZIP table on its first request and each thread
        # opens its database connection: measure a server that has done that already.
        if args.warmup > 0:
            drive(port, mix, args.concurrency, args.warmup)
        worker_pids = routing_worker_pids(server.pid)
        apart = lanes_pids(worker_pids)
        rss = PeakRss(worker_pids[0])  # the workers are alike: the first stands for them
        rss.start()
        lanes_rss = PeakRss(apart[0]) if apart else None
        if lanes_rss is not None:
            lanes_rss.start()
        load_before = os.getloadavg()[0]
        since = time.time()
        cpu = CpuMeter(server.pid, worker_pids + apart)
        result = drive(port, mix, args.concurrency, args.duration)
        result.update(cpu.per_request_ms(result["requests"]))
        load_during = os.getloadavg()[0]
        # Let the worker handle the offers that expired near the end (short windows only).
        time.sleep(args.offer_window + 1 if args.offer_window <= 30 else 1)
        lanes_peak_kb = 0
        for meter in (rss, lanes_rss):
            if meter is not None:
                meter.stop.set()
                meter.join()
        peak_kb = max(rss.peak_kb, rss.read())
        if lanes_rss is not None:
            lanes_peak_kb = max(lanes_rss.peak_kb, lanes_rss.read())
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        stop_own_workers()
    kinds = result.pop("error_kinds")
    if kinds:
        print(f"errors: {kinds}", flush=True)
    return {
        **result,
        **offer_timings(since),
        "worker_peak_rss_mb": peak_kb / 1024,
        "lanes_peak_rss_mb": lanes_peak_kb / 1024,
        "load_avg_1m": load_before,
        "load_avg_1m_end": load_during,
    }


def pgbench_n(seconds: int, label: str) -> float:
    from bench.pgbench import measure

    tps = measure(seconds=seconds, mode="simple-update")["tps"]
    print(f"[http] pgbench -N {label}: {tps} tps", flush=True)
    return tps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load not measured")
    parser.add_argument("--web-workers", type=int, help="default: agentmatch run's")
    parser.add_argument("--web-threads", type=int, help="default: agentmatch run's")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--workers", type=int, default=1, help="routing workers (default: agentmatch run's, 1)"
    )
    parser.add_argument(
        "--offer-window", type=int, default=900, help="seconds (5: stress the worker)"
    )
    parser.add_argument(
        "--reoffer-window",
        type=int,
        default=0,
        help="seconds the worker's re-offers last (0: --offer-window): each referral "
        "expires once, so expiries come at the intake's rate",
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--pgbench-seconds",
        type=int,
        default=10,
        help="pgbench -N (simple-update) before and after the runs, each this long (0: none)",
    )
    args = parser.parse_args()
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    elif client == "wrk" and not shutil.which("wrk"):
        raise SystemExit("--client wrk: wrk is not installed (Debian: apt-get install wrk)")

    from bench import dataset

    dataset.create_database("pg", keep=True)
    setup_django("pg")
    from agentmatch.core.management.commands.run import WEB_THREADS, default_web_workers

    dataset.populate(agents=args.agents)
    settle_invitations()
    mix = places(20_000, seed=random.randrange(10**6))
    yardstick = [pgbench_n(args.pgbench_seconds, "before")] if args.pgbench_seconds else []
    runs = []
    for run in range(args.runs):
        figures = run_once(args, mix, client)
        print(
            f"[http] run {run + 1} ({client}): "
            + ", ".join(f"{k}={v:.1f}" for k, v in figures.items()),
            flush=True,
        )
        runs.append(figures)
    dataset.reset()
    if args.pgbench_seconds:
        yardstick.append(pgbench_n(args.pgbench_seconds, "after"))
    # A run where the worker had not re-offered anything yet has no lag figure (NaN).
    result = {
        k: round(median([r[k] for r in runs if r[k] == r[k]]), 1)
        for k in runs[0]
        if any(r[k] == r[k] for r in runs)
    }
    if yardstick:
        # Issue 16's yardstick: intake as a share of pgbench -N's write transactions/s on
        # the same machine in the same run (target at least 5.7%).
        result["pgbench_n_tps"] = round(median(yardstick), 1)
        result["intake_pct_of_pgbench_n"] = round(100 * result["rps"] / median(yardstick), 2)
    summary(
        "http",
        agents=args.agents,
        client=client,
        concurrency=args.concurrency,
        duration=args.duration,
        web_workers=args.web_workers or default_web_workers(),
        workers=args.workers,
        web_threads=args.web_threads or WEB_THREADS,
        runs=args.runs,
        **result,
    )


if __name__ == "__main__":
    main()
