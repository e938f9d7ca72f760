"""`agentmatch worker`: runs the jobs every app registered (agentmatch/core/jobs.py)."""

import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, InterfaceError, OperationalError, connection

from agentmatch.core.heartbeat import Heartbeat
from agentmatch.core.jobs import last_runs, log, run_due_jobs, run_sweeps


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
        last_sweep = 0.0
        while not self.stopping:
            try:
                done = run_due_jobs(max_items=50)
                if time.monotonic() - last_sweep >= settings.WORKER_WAITING_SWEEP_SECONDS:
                    done += run_sweeps()
                    last_sweep = time.monotonic()
                # One UPDATE per loop at most (fewer: WORKER_HEARTBEAT_SECONDS), never per item.
                heartbeat.beat(last_runs())
            except (OperationalError, InterfaceError):
                # Database restarted or unreachable: drop the connection and try again.
                log.exception("database error; retrying")
                connection.close()
                done = 0
                time.sleep(1)
            if not done:
                time.sleep(settings.WORKER_IDLE_SLEEP_SECONDS)
        try:
            heartbeat.stop()
        except DatabaseError:
            log.warning("could not remove this worker's heartbeat; it ages out instead")
        log.info("worker stopped")

    def _stop(self, signum: int, frame: object) -> None:
        # Finish the item in hand, then leave the loop.
        self.stopping = True
