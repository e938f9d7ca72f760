"""`agentmatch worker`: runs the jobs every app registered (agentmatch/core/jobs.py).

When nothing is due it waits until the earliest time a job knows work falls due (an
offer's deadline), at most WORKER_IDLE_SLEEP_SECONDS, and on PostgreSQL a NOTIFY ends the
wait at once (core/wakeup.py: new outbox messages notify).
"""

import signal
import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.utils import timezone

from agentmatch.core.heartbeat import Heartbeat
from agentmatch.core.jobs import last_runs, log, next_due_at, run_due_jobs, run_sweeps
from agentmatch.core.wakeup import Waiter


class Command(BaseCommand):
    help = "Run the worker: offer expiries, waits, messages, invitations... (safe to run several)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="run due work once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stopping = False
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        if options["once"]:
            run_sweeps()
            run_due_jobs()
            return
        log.info("worker started")
        heartbeat = Heartbeat()
        waiter = Waiter()
        last_sweep = 0.0
        while not self.stopping:
            try:
                started = timezone.now()
                done = run_due_jobs(max_items=50, rests=True)
                if time.monotonic() - last_sweep >= settings.WORKER_WAITING_SWEEP_SECONDS:
                    done += sweep_alone()
                    last_sweep = time.monotonic()
                # One UPDATE per loop at most (fewer: WORKER_HEARTBEAT_SECONDS), never per item.
                heartbeat.beat(last_runs())
                if not done and not self.stopping:
                    waiter.wait(idle_seconds(since=started))
            except (OperationalError, InterfaceError):
                # Database restarted or unreachable: drop the connection and try again.
                log.exception("database error; retrying")
                connection.close()
                time.sleep(1)
        try:
            heartbeat.stop()
        except DatabaseError:
            log.warning("could not remove this worker's heartbeat; it ages out instead")
        log.info("worker stopped")

    def _stop(self, signum: int, frame: object) -> None:
        # Finish the item in hand, then leave the loop.
        self.stopping = True


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


def idle_seconds(*, since: datetime) -> float:
    """How long a worker whose turn began at `since` and found nothing may wait: until the
    next known due time, at most the idle sleep.

    A time that came during the turn may have come after its job looked: no wait. One
    before the turn was seen by the job, which found those items held by other workers:
    the full sleep, rather than spinning on them."""
    cap = float(settings.WORKER_IDLE_SLEEP_SECONDS)
    due = next_due_at()
    if due is None or due < since:
        return cap
    return max(0.0, min(cap, (due - timezone.now()).total_seconds()))
