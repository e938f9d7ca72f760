"""`agentmatch run`: the web server (gunicorn) and routing workers, started and stopped together.

Each child gets its own process group, so Ctrl-C reaches only this supervisor, which then
stops every child in order; if any child dies on its own the others are stopped too, and
on Linux each child is also told to exit if the supervisor itself is killed: no orphans.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from agentmatch.core.processes import die_with_parent

STOP_GRACE_SECONDS = 8.0
POLL_SECONDS = 0.2
# Threads per gunicorn process. 1 = the sync worker: a request is mostly Python (the GIL)
# and a fast local database, and in the intake benchmark (docs/benchmarks.md, "Intake over
# HTTP, profiled") sync processes gave the same throughput as gthread with half the p99,
# and gthread cost about a fifth more CPU per request. Threads (gthread) bring keep-alive
# and tolerate slow clients; use them when no buffering proxy is in front.
WEB_THREADS = 1
# Seconds an idle client connection stays open (gthread only; sync closes after each reply).
KEEP_ALIVE_SECONDS = 5
# Persistent database connections for the web and worker processes (seconds): opening
# one costs more than a whole intake request's queries on PostgreSQL.
DB_CONN_MAX_AGE = "600"


def default_web_workers() -> int:
    """Two gunicorn processes per usable CPU (one runs Python while the other waits for the
    database), unless WEB_CONCURRENCY says."""
    if os.environ.get("WEB_CONCURRENCY"):
        return int(os.environ["WEB_CONCURRENCY"])
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return 2 * cpus


def _web_child() -> None:  # pragma: no cover - runs in the child before exec
    die_with_parent()
    # The worker gets the CPU first when both are busy (WEB_NICE 10 above WORKER_NICE 0):
    # under more intake than the machine can take, offers already made still expire and
    # move on in time, and the consumers still to come wait a little longer for their
    # answer. One worker process uses one core at most, so the web keeps the others. At
    # full intake load with 5-s offers (bench/http_load.py --offer-window 5
    # --reoffer-window 900): expiry to next offer p99 2.7-5.9 s at 0, 0.46-1.02 s at 5,
    # 0.43-0.78 s at 10; intake 120-145, 98-137 and 103-115 requests/s.
    os.nice(int(os.environ.get("WEB_NICE", "10")))


def _worker_child() -> None:  # pragma: no cover - runs in the child before exec
    die_with_parent()
    # The worker moves expired offers on: a consumer whose offer expired waits for nobody
    # until it does. At niceness 10 under full intake load (bench/http_load.py
    # --offer-window 5 --reoffer-window 900) an expiry waited 11 s for its next offer
    # (p50); so it runs at 0, and the web processes are the ones niced (WEB_NICE).
    os.nice(int(os.environ.get("WORKER_NICE", "0")))


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise CommandError(
                f"Cannot listen on {bind_address(host, port)}: {exc.strerror}. "
                "Choose another with --port (or PORT=...)."
            ) from exc


def child_environment(environ: Mapping[str, str]) -> dict[str, str]:
    env = dict(environ)
    env.setdefault("DB_CONN_MAX_AGE", DB_CONN_MAX_AGE)  # an explicit value (even 0) wins
    return env


def gunicorn_argv(bind: str, *, workers: int, threads: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "agentmatch.wsgi:application",
        "--bind", bind,
        "--workers", str(workers),
        "--worker-class", "gthread" if threads > 1 else "sync",
        "--threads", str(threads),
        "--keep-alive", str(KEEP_ALIVE_SECONDS),
        "--backlog", "512",
        "--access-logfile", "-",
        # Paths without their query string, tokens cut, phones masked (core/access_log.py).
        "--logger-class", "agentmatch.core.access_log.Logger",
        "--graceful-timeout", "5",
        # The app (and its ZIP index, see wsgi.py) is loaded once and forked: workers start
        # ready, and a restarted worker does not make its first consumer wait.
        "--preload",
        # Its default socket lives in $HOME and would clash between two instances.
        "--no-control-socket",
    ]  # fmt: skip


def add_web_arguments(parser: Any) -> None:
    """The web server's options, shared by `run` and `web`."""
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--web-workers",
        type=int,
        default=default_web_workers(),
        help="gunicorn worker processes (default: 2 per CPU, or WEB_CONCURRENCY)",
    )
    parser.add_argument(
        "--web-threads",
        type=int,
        default=int(os.environ.get("WEB_THREADS", WEB_THREADS)),
        help="threads per gunicorn worker (default 1: sync worker; more: gthread, keep-alive)",
    )


class Command(BaseCommand):
    help = "Run the web server and routing worker(s) together; Ctrl-C stops them all."

    def add_arguments(self, parser: Any) -> None:
        add_web_arguments(parser)
        parser.add_argument(
            "--workers", type=int, default=1, help="routing worker processes (default 1)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be 1 to 65535, not {port}")
        if options["web_workers"] < 1 or options["web_threads"] < 1 or options["workers"] < 0:
            raise CommandError(
                "--web-workers and --web-threads must be at least 1 and --workers at least 0"
            )
        check_port_free(host, port)

        self.stop_signal: int | None = None
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)

        self.env = child_environment(os.environ)
        web = gunicorn_argv(
            bind_address(host, port), workers=options["web_workers"], threads=options["web_threads"]
        )
        worker = [sys.executable, "-m", "agentmatch", "worker"]
        children: dict[str, subprocess.Popen[bytes]] = {}
        try:
            children["web"] = self._spawn(web, preexec=_web_child)
            for n in range(options["workers"]):
                children[f"worker {n + 1}"] = self._spawn(worker, preexec=_worker_child)
            self._announce(host, port, children)
            exit_code = self._supervise(children)
        finally:
            self._stop_all(children)
        if exit_code:
            raise CommandError(f"stopped because a child process exited (code {exit_code})")

    def _spawn(
        self, argv: list[str], preexec: Callable[[], None] = die_with_parent
    ) -> subprocess.Popen[bytes]:
        return subprocess.Popen(argv, env=self.env, process_group=0, preexec_fn=preexec)

    def _announce(self, host: str, port: int, children: dict[str, subprocess.Popen[bytes]]) -> None:
        shown = "localhost" if host in ("0.0.0.0", "::") else host
        base = f"http://{bind_address(shown, port)}"
        pids = ", ".join(f"{name} pid {p.pid}" for name, p in children.items())
        self.stdout.write(
            f"AgentMatch is starting at {base}/\n"
            f"  API docs: {base}/api/docs\n"
            f"  OpenAPI:  {base}/api/openapi.json\n"
            f"  Health:   {base}/healthz\n"
            f"Processes: {pids}. Press Ctrl-C to stop."
        )
        self.stdout.flush()

    def _supervise(self, children: dict[str, subprocess.Popen[bytes]]) -> int:
        while self.stop_signal is None:
            for name, proc in children.items():
                code = proc.poll()
                if code is not None:
                    self.stderr.write(f"{name} (pid {proc.pid}) exited with code {code}; stopping")
                    return code or 1
            time.sleep(POLL_SECONDS)
        self.stdout.write(f"Received {signal.Signals(self.stop_signal).name}; stopping")
        return 0

    def _stop_all(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        # SIGTERM: gunicorn finishes requests in flight, workers finish the item in hand.
        for proc in children.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for proc in children.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        for name, proc in children.items():
            # Also the group: gunicorn's own workers must not outlive a stuck arbiter.
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                continue
            if proc.poll() is None:
                self.stderr.write(f"{name} (pid {proc.pid}) did not stop in time; killed")
            proc.wait()

    def _on_signal(self, signum: int, frame: object) -> None:
        self.stop_signal = signum
