"""The worker's heartbeat: one row per worker process, so every web process can tell
whether the background work is being done (`/readyz`, `/metrics`).

`agentmatch worker` is two processes (core/management/commands/worker.py): the offer clock,
and the lanes apart (messages, webhooks, imports); each has its row, which says its lanes.
Readiness follows the clock's rows: a clock that froze is a service that no longer moves
offers on, whatever delivery does (a lane that stopped shows in each job's last run on
`/metrics`).

Cheap and safe with many workers: each process writes only its own row (by primary key),
at most once every WORKER_HEARTBEAT_SECONDS, at the end of a loop, never per item. A
clean stop deletes the row; rows of workers that died (killed, machine gone) are deleted
by any other worker once they are STALE_AFTER old. Plain autocommit statements, no
transaction: nothing else is written with them.
"""

import os
import socket
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Q, QuerySet
from django.utils import timezone

from agentmatch.core.models import WorkerHeartbeat

# A dead worker's row stays this long (the on-call team sees which one died and when),
# then the next live worker deletes it.
STALE_AFTER = timedelta(hours=1)
# How often a worker looks for such rows.
CLEAN_EVERY_SECONDS = 300.0
# The offer clock's lane (core/jobs.py MAIN), first in `lanes` when a process runs it.
CLOCK = "main"


def with_the_clock(rows: "QuerySet[WorkerHeartbeat]") -> "QuerySet[WorkerHeartbeat]":
    """The rows of processes that run the offer clock (as runs_the_clock says)."""
    return rows.filter(Q(lanes=CLOCK) | Q(lanes__startswith=f"{CLOCK},"))


def runs_the_clock(lanes: str) -> bool:
    """Whether a row's `lanes` include the offer clock (as with_the_clock filters)."""
    return lanes == CLOCK or lanes.startswith(f"{CLOCK},")


class Heartbeat:
    """The heartbeat of this process. The row is made by the first `beat`, inside the
    worker loop's database error handling (the database may be down when a worker starts)."""

    def __init__(self, lanes: list[str] | None = None) -> None:
        # The clock first, as with_the_clock() reads it.
        names = lanes or [CLOCK]
        self.lanes = ",".join(sorted(names, key=lambda name: name != CLOCK))
        self.pk: int | None = None
        self.started_at = timezone.now()
        self.written = -float("inf")  # time.monotonic() of the last write
        self.cleaned = -float("inf")

    def beat(self, jobs: dict[str, datetime], *, force: bool = False) -> None:
        """Records a finished loop and each job's last run (if the last write is old enough)."""
        clock = time.monotonic()
        if not force and clock - self.written < settings.WORKER_HEARTBEAT_SECONDS:
            return
        now = timezone.now()
        fields = {"last_loop_at": now, "jobs": {n: t.isoformat() for n, t in jobs.items()}}
        # Zero rows: deleted as stale after a long stall (or by hand): this worker is back.
        if self.pk is None or not WorkerHeartbeat.objects.filter(pk=self.pk).update(**fields):
            self.pk = WorkerHeartbeat.objects.create(
                hostname=socket.gethostname()[:255],
                pid=os.getpid(),
                started_at=self.started_at,
                lanes=self.lanes,
                **fields,
            ).pk
        self.written = clock
        if clock - self.cleaned >= CLEAN_EVERY_SECONDS:
            WorkerHeartbeat.objects.filter(last_loop_at__lt=now - STALE_AFTER).delete()
            self.cleaned = clock

    def stop(self) -> None:
        """A clean stop: this worker no longer counts as alive."""
        if self.pk is not None:
            WorkerHeartbeat.objects.filter(pk=self.pk).delete()
            self.pk = None


def newest_loop_age(now: datetime) -> float | None:
    """Seconds since any worker running the offer clock last finished a loop; None if no
    such worker has a row."""
    newest = (
        with_the_clock(WorkerHeartbeat.objects.all())
        .order_by("-last_loop_at")
        .values_list("last_loop_at", flat=True)
        .first()
    )
    return None if newest is None else max(0.0, (now - newest).total_seconds())


def loop_age_here(now: datetime, *, hostname: str | None = None) -> float | None:
    """Seconds since a worker on this host (this container) last finished a loop; None if
    none has a row. The container healthcheck of a worker (`agentmatch worker_alive`).

    The clock's rows when this host has any: the lanes' process beating on must not hide
    a clock that froze beside it. A host that runs only other lanes (`worker --lanes
    messages`) is judged by theirs."""
    here = WorkerHeartbeat.objects.filter(hostname=(hostname or socket.gethostname())[:255])
    if with_the_clock(here).exists():
        here = with_the_clock(here)
    newest = here.order_by("-last_loop_at").values_list("last_loop_at", flat=True).first()
    return None if newest is None else max(0.0, (now - newest).total_seconds())


def readiness_problems(now: datetime) -> list[dict[str, str]]:
    """Why the service cannot do its whole job now (empty: it can). `/readyz` answers
    them; a database that does not answer is one, and so is background work that stopped:
    without a worker offers never expire, waits never end and no message leaves."""
    try:
        age = newest_loop_age(now)
    except DatabaseError:
        return [{"code": "database_unreachable", "message": "The database does not answer."}]
    limit = settings.READY_WORKER_MAX_AGE_SECONDS
    if limit <= 0:
        return []
    if age is None:
        return [
            {
                "code": "no_worker",
                "message": "No worker running the offer clock has written a heartbeat.",
            }
        ]
    if age > limit:
        return [
            {
                "code": "worker_stale",
                "message": "No worker running the offer clock finished a loop in the "
                f"last {limit} s (the newest {age:.0f} s ago).",
            }
        ]
    return []
