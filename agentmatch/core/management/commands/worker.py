"""`agentmatch worker`: runs the jobs every app registered (agentmatch/core/jobs.py).

Each lane of jobs (core/jobs.py) is a loop of its own. By default the main lane (the offer
clock, the sweeps, the heartbeat) runs in this process, and the other lanes (messages,
webhooks, imports) in one child process it starts and watches (`worker --lanes
imports,messages,webhooks`), each of them in a thread with its own database connection.
A process of their own, not threads beside the clock: threads share one interpreter and
its GIL, and a clock whose every query came back to a GIL held by a thread rendering or
sending a batch waited that long on each of its dozens of queries a turn. Under full
intake load with 5-second offers, expiry to next offer was 0.4-1.9 s at p99 with the
lanes as threads, 54-126 ms with them apart (docs/benchmarks.md). The child runs
WORKER_LANES_NICE nicer than the clock, so the clock gets the CPU first. `--lanes` runs exactly
the lanes named, all in this process (main in the main thread), to run lanes on hosts of
their own or, where memory is short, all in one process.

When nothing is due, a loop waits until the earliest time one of its jobs knows work
falls due (an offer's deadline), at most WORKER_IDLE_SLEEP_SECONDS, and on PostgreSQL a
NOTIFY ends the wait at once (core/wakeup.py: new outbox messages notify).

When the main lane shares its process with other lanes, it comes first: they start a turn
(one item: a batch of messages) only when the main lane has nothing due, or after
CLOCK_FIRST_SECONDS at the latest, so a clock that never rests (full intake load) slows
delivery but cannot stop it.

A lane's thread that dies of an unexpected error, or the lanes' child process exiting,
stops the worker, which exits with an error for its supervisor to restart it: a worker
that kept the clock but no longer delivered would look alive. The child is told to stop
with its parent (SIGTERM, and on Linux also when the parent is killed outright).
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.utils import timezone

from agentmatch.core.command_options import names_from
from agentmatch.core.heartbeat import Heartbeat
from agentmatch.core.jobs import (
    MAIN,
    lanes,
    last_runs,
    log,
    next_due_at,
    run_due_jobs,
    run_sweeps,
)
from agentmatch.core.processes import die_with_parent
from agentmatch.core.wakeup import Waiter

# How long another lane waits for the main lane to catch up before it starts a turn anyway.
CLOCK_FIRST_SECONDS = 1.0
# How long the lanes' child process may take to finish its batches when told to stop (a
# send ends at its provider's timeout, 10 s by default) before it is killed.
CHILD_STOP_SECONDS = 30.0


class Command(BaseCommand):
    help = "Run the worker: offer expiries, waits, messages, invitations... (safe to run several)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="run due work once and exit")
        parser.add_argument(
            "--lanes",
            help="comma-separated lanes to run, all in this process (main, messages, "
            "webhooks, imports); default: main here, the others in a child process",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        here, apart = chosen_lanes(options["lanes"])
        nice = lanes_nice() if apart else 0
        self.stopping = threading.Event()
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        if options["once"]:
            run_sweeps()
            run_due_jobs()
            return
        log.info("worker started: lanes %s", ",".join(here))
        failed: list[str] = []
        clock_idle = threading.Event()
        if MAIN not in here:
            clock_idle.set()  # no clock in this process to wait for
        child = start_lanes_apart(apart, nice, self.stopping, failed) if apart else None
        heartbeat = Heartbeat(here)
        beating = threading.Lock()

        def beat() -> int:
            # Each lane of a process without the main lane beats after its turns.
            with beating:
                heartbeat.beat(last_runs())
            return 0

        # The main thread runs the clock, or in a process without it, the first lane.
        in_main = MAIN if MAIN in here else here[0]
        threads = [
            threading.Thread(
                target=run_lane_in_thread,
                args=(lane, self.stopping, failed, clock_idle),
                kwargs={"after_turn": None if MAIN in here else beat},
                name=f"lane-{lane}",
                daemon=True,
            )
            for lane in here
            if lane != in_main
        ]
        for thread in threads:
            thread.start()
        last_sweep = 0.0

        def sweeps_and_heartbeat() -> int:
            nonlocal last_sweep
            done = 0
            if time.monotonic() - last_sweep >= settings.WORKER_WAITING_SWEEP_SECONDS:
                done = sweep_alone()
                last_sweep = time.monotonic()
            # One UPDATE per turn at most (fewer: WORKER_HEARTBEAT_SECONDS), never per item.
            heartbeat.beat(last_runs())
            return done

        if in_main == MAIN:
            run_lane(MAIN, self.stopping, clock_idle, after_turn=sweeps_and_heartbeat)
        else:
            run_lane_in_thread(in_main, self.stopping, failed, clock_idle, after_turn=beat)
        if child is not None:
            stop_child(child)
        for thread in threads:
            # Each finishes the batch in hand (its sends end at their timeouts).
            thread.join()
        try:
            heartbeat.stop()
        except DatabaseError:
            log.warning("could not remove this worker's heartbeat; it ages out instead")
        if failed:
            raise CommandError(f"worker stopped: {'; '.join(failed)}")
        log.info("worker stopped")

    def _stop(self, signum: int, frame: object) -> None:
        # Finish the item in hand, then leave the loops.
        self.stopping.set()


def run_lane(
    lane: str,
    stopping: threading.Event,
    clock_idle: threading.Event,
    *,
    after_turn: Callable[[], int] | None = None,
) -> None:
    """Runs the lane's jobs turn after turn until `stopping` is set, and `after_turn` after
    each turn (what it returns counts as work done). The main lane says through
    `clock_idle` whether its last turn found nothing; the others wait for that."""
    waiter = Waiter()
    while not stopping.is_set():
        try:
            started = timezone.now()
            if lane == MAIN:
                done = run_due_jobs(max_items=50, rests=True, lane=lane)
            else:
                clock_idle.wait(CLOCK_FIRST_SECONDS)
                done = run_due_jobs(max_items=1, rests=True, lane=lane)
            if after_turn is not None:
                done += after_turn()
            if lane == MAIN:
                if done:
                    clock_idle.clear()
                else:
                    clock_idle.set()
            if not done and not stopping.is_set():
                waiter.wait(idle_seconds(since=started, lane=lane))
        except (OperationalError, InterfaceError):
            # Database restarted or unreachable: drop the connection and try again.
            log.exception("database error; retrying")
            connection.close()
            stopping.wait(1)


def run_lane_in_thread(
    lane: str,
    stopping: threading.Event,
    failed: list[str],
    clock_idle: threading.Event,
    *,
    after_turn: Callable[[], int] | None = None,
) -> None:
    """A lane's loop in a thread of its own (or the main thread of a process without the
    clock): an error that is not the database's stops the whole worker."""
    try:
        run_lane(lane, stopping, clock_idle, after_turn=after_turn)
    except BaseException:
        log.exception("the %s lane stopped", lane)
        failed.append(f"the {lane} lane failed")
        stopping.set()
    finally:
        connection.close()  # this thread's own


def chosen_lanes(given: str | None) -> tuple[list[str], list[str]]:
    """The lanes to run in this process and those for a child process, from `--lanes`."""
    known = [MAIN, *lanes()]
    if given is None:
        return [MAIN], known[1:]
    return names_from(given, option="--lanes", what="lane", known=known), []


def start_lanes_apart(
    apart: list[str], nice: int, stopping: threading.Event, failed: list[str]
) -> "subprocess.Popen[bytes]":
    """Starts `worker --lanes <apart>` as a child process `nice` nicer than this one, and a
    thread that stops this worker (with an error) if the child exits while this one runs."""
    lanes_arg = ",".join(apart)

    def in_child() -> None:  # pragma: no cover - runs in the child before exec
        die_with_parent()
        os.nice(nice)

    child = subprocess.Popen(
        [sys.executable, "-m", "agentmatch", "worker", "--lanes", lanes_arg],
        # A group of its own: a Ctrl-C in the terminal reaches this process alone, which
        # then stops the child (a child stopping first would look like a failure here).
        process_group=0,
        preexec_fn=in_child,
    )

    def watch() -> None:
        code = child.wait()
        if not stopping.is_set():
            log.error("the %s lanes' process exited with code %s", lanes_arg, code)
            failed.append(f"the process of the {lanes_arg} lanes exited with code {code}")
            stopping.set()

    threading.Thread(target=watch, name="lanes-apart", daemon=True).start()
    return child


def lanes_nice() -> int:
    """WORKER_LANES_NICE: how much nicer than the clock its lanes' process runs. The clock
    first: with four workers and 10,000 offers expiring within a minute, delivery at the
    clock's own niceness took half the CPU and the slowest re-offer waited 4.4 s
    (docs/benchmarks.md)."""
    given = os.environ.get("WORKER_LANES_NICE", "5").strip()
    try:
        return int(given)
    except ValueError:
        raise CommandError(f"WORKER_LANES_NICE must be a whole number, not {given!r}") from None


def stop_child(child: "subprocess.Popen[bytes]") -> None:
    """Tells the lanes' child process to stop, waits for it to finish its batch in hand,
    and kills it if it takes longer than CHILD_STOP_SECONDS."""
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=CHILD_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        log.warning("the lanes' process did not stop in %.0f s; killed", CHILD_STOP_SECONDS)
        child.kill()
        child.wait()


# The advisory lock key of the sweeps ("amsw"): one worker runs them at a time.
SWEEP_LOCK = 0x616D7377


def sweep_alone() -> int:
    """Runs the sweeps, unless another worker is running them (PostgreSQL).

    Sweeps are safety nets and some take seconds (a scan of every agent): run by every
    worker at once, they would stop every worker's expiries at once. While one worker
    sweeps, the others skip theirs (until their next period) and keep the offer clock."""
    if connection.vendor != "postgresql":
        return run_sweeps(on_schedule=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SWEEP_LOCK])
        if not cursor.fetchone()[0]:
            return 0
    try:
        return run_sweeps(on_schedule=True)
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [SWEEP_LOCK])
        except DatabaseError:
            pass  # the connection is gone, and the session's lock with it


def idle_seconds(*, since: datetime, lane: str | None = None) -> float:
    """How long a worker's loop (of `lane`) whose turn began at `since` and found nothing
    may wait: until the next known due time, at most the idle sleep.

    A time that came during the turn may have come after its job looked: no wait. One
    before the turn was seen by the job, which found those items held by other workers:
    the full sleep, rather than spinning on them."""
    cap = float(settings.WORKER_IDLE_SLEEP_SECONDS)
    due = next_due_at(lane)
    if due is None or due < since:
        return cap
    return max(0.0, min(cap, (due - timezone.now()).total_seconds()))
