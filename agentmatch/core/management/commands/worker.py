"""`agentmatch worker`: runs the jobs every app registered (agentmatch/core/jobs.py).

Each lane of jobs (core/jobs.py) is a loop of its own: the main lane (the offer clock, the
sweeps, the heartbeat) in the main thread, each other lane (messages, webhooks, imports)
in a thread with its own database connection, so a provider that takes seconds to answer
never holds up an offer's deadline. When nothing is due, a loop waits until the earliest
time one of its jobs knows work falls due (an offer's deadline), at most
WORKER_IDLE_SLEEP_SECONDS, and on PostgreSQL a NOTIFY ends the wait at once
(core/wakeup.py: new outbox messages notify).

The offer clock comes first: the other lanes start a turn (one item: a batch of messages)
only when the main lane has nothing due, or after CLOCK_FIRST_SECONDS at the latest, so a
clock that never rests (full intake load) slows delivery but cannot stop it. The lanes
share the process's CPU (and its GIL): without that, a lane rendering a batch would
take the CPU an expiry needs.

A lane's thread that dies of an unexpected error stops the worker, which exits with an
error for its supervisor to restart it: a worker that kept the clock but no longer
delivered would look alive.
"""

import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.utils import timezone

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
from agentmatch.core.wakeup import Waiter

# How long another lane waits for the main lane to catch up before it starts a turn anyway.
CLOCK_FIRST_SECONDS = 1.0


class Command(BaseCommand):
    help = "Run the worker: offer expiries, waits, messages, invitations... (safe to run several)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="run due work once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stopping = threading.Event()
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        if options["once"]:
            run_sweeps()
            run_due_jobs()
            return
        log.info("worker started")
        failed: list[str] = []
        clock_idle = threading.Event()
        threads = [
            threading.Thread(
                target=run_lane_in_thread,
                args=(lane, self.stopping, failed, clock_idle),
                name=f"lane-{lane}",
                daemon=True,
            )
            for lane in lanes()
        ]
        for thread in threads:
            thread.start()
        heartbeat = Heartbeat()
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

        run_lane(MAIN, self.stopping, clock_idle, after_turn=sweeps_and_heartbeat)
        for thread in threads:
            # Each finishes the batch in hand (its sends end at their timeouts).
            thread.join()
        try:
            heartbeat.stop()
        except DatabaseError:
            log.warning("could not remove this worker's heartbeat; it ages out instead")
        if failed:
            raise CommandError(f"worker stopped: the {', '.join(failed)} lane failed")
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
    """Runs the lane's jobs turn after turn until `stopping` is set. The main lane says
    through `clock_idle` whether its last turn found nothing; the others wait for that."""
    waiter = Waiter()
    while not stopping.is_set():
        try:
            started = timezone.now()
            if lane == MAIN:
                done = run_due_jobs(max_items=50, rests=True, lane=lane)
                if after_turn is not None:
                    done += after_turn()
                if done:
                    clock_idle.clear()
                else:
                    clock_idle.set()
            else:
                clock_idle.wait(CLOCK_FIRST_SECONDS)
                done = run_due_jobs(max_items=1, rests=True, lane=lane)
            if not done and not stopping.is_set():
                waiter.wait(idle_seconds(since=started, lane=lane))
        except (OperationalError, InterfaceError):
            # Database restarted or unreachable: drop the connection and try again.
            log.exception("database error; retrying")
            connection.close()
            stopping.wait(1)


def run_lane_in_thread(
    lane: str, stopping: threading.Event, failed: list[str], clock_idle: threading.Event
) -> None:
    """A lane's thread: an error that is not the database's stops the whole worker."""
    try:
        run_lane(lane, stopping, clock_idle)
    except BaseException:
        log.exception("the %s lane stopped", lane)
        failed.append(lane)
        stopping.set()
    finally:
        connection.close()  # this thread's own


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
