"""The worker's job registry: each app registers its jobs from its AppConfig.ready().

The worker (`agentmatch worker`) knows no app: it runs what is registered here. A job is
a door like a web view: it claims one item and calls one action, or returns a falsy
value when nothing is due.

- An item job is called again and again while it finds work (one item per call), in
  `order` (lower first: the offer clock's expiries first).
  A job whose items fall due at a known time (an offer's deadline) also says when its
  next one is due (`due`): the idle worker sleeps until then rather than polling, and a
  turn spent on later jobs (contact reminders, invitations) stops when that time comes,
  so the earlier job is back at the top of the next turn.
- An item job whose work is not urgent (a reminder due an hour after an acceptance, a
  file an operator uploaded) may `rest`: after a run that found nothing, the worker's
  loop does not ask it again for that many seconds. Else each of them would be asked in
  every turn, and a turn comes with each offer deadline: under full intake load, one
  every few milliseconds, and the empty checks of the jobs after the clock took longer
  than the expiries themselves (docs/benchmarks.md).
- An item job that waits on others (message delivery on the providers: an SMTP relay,
  Twilio, a push service, each up to its timeout; webhooks on the partners' servers) or
  whose item takes long (a whole uploaded file) runs in a lane of its own: the worker
  gives each lane but the main one a thread, so neither a slow provider nor a big file
  holds up an offer's deadline. Jobs of one lane keep the order above among themselves.
- A sweep job is a periodic scan (every WORKER_WAITING_SWEEP_SECONDS): the safety net
  behind event-driven work; it returns how many items it handled.

Each process remembers when each job last finished a run (`last_runs`); the worker's
heartbeat (core/heartbeat.py) stores that, so `/metrics` shows a job that stopped running.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

log = logging.getLogger("agentmatch.worker")

ITEM = "item"
SWEEP = "sweep"
# The worker's main lane: the offer clock, the sweeps, the heartbeat.
MAIN = "main"


@dataclass(frozen=True)
class Job:
    name: str
    # Returns whether it found an item (item job) or how many it handled (sweep).
    run: Callable[[datetime], int]
    kind: str = ITEM
    order: int = 50
    # When its next item falls due (None: none known); one cheap indexed query.
    due: Callable[[], datetime | None] | None = None
    # A sweep that scans much and rarely finds anything runs at most this often in a
    # worker's loop (seconds; None: every WORKER_WAITING_SWEEP_SECONDS).
    every: Callable[[], float] | None = None
    # An item job not asked again for this long after finding nothing (seconds).
    rest: float = 0.0
    # The worker's loop (thread) it runs in.
    lane: str = MAIN


_jobs: dict[str, Job] = {}
# Job name -> when its last run in this process finished (wall clock, for the heartbeat).
_last_run: dict[str, datetime] = {}
# Job name -> until when (time.monotonic()) a resting job is not asked in this process.
_resting_until: dict[str, float] = {}


def register(
    name: str,
    run: Callable[[datetime], int],
    *,
    kind: str = ITEM,
    order: int = 50,
    due: Callable[[], datetime | None] | None = None,
    every: Callable[[], float] | None = None,
    rest: float = 0.0,
    lane: str = MAIN,
) -> None:
    """Adds a job; registering the same name again replaces it (ready() may run twice)."""
    if kind not in (ITEM, SWEEP):
        raise ValueError(f"unknown job kind {kind!r}")
    if not lane or (lane != MAIN and kind != ITEM):
        raise ValueError(f"a {kind} job cannot run in lane {lane!r}")
    if due is not None and kind != ITEM:
        raise ValueError("only an item job has a next due time")
    if every is not None and kind != SWEEP:
        raise ValueError("only a sweep has its own period")
    if rest and (kind != ITEM or due is not None or rest < 0):
        raise ValueError("only an item job with no due time rests, for a positive time")
    _jobs[name] = Job(
        name=name, run=run, kind=kind, order=order, due=due, every=every, rest=rest, lane=lane
    )


def registered(kind: str = ITEM, lane: str | None = None) -> list[Job]:
    """The jobs of a kind, in order; of one lane only if `lane` is given."""
    chosen = (j for j in _jobs.values() if j.kind == kind and lane in (None, j.lane))
    return sorted(chosen, key=lambda j: j.order)


def lanes() -> list[str]:
    """The lanes some item job runs in, besides the main one (each gets a thread)."""
    return sorted({j.lane for j in registered(ITEM)} - {MAIN})


def last_runs() -> dict[str, datetime]:
    """When each job last finished a run in this process (jobs never run are missing)."""
    return dict(_last_run)


def run_due_jobs(
    *,
    now: datetime | None = None,
    max_items: int = 200,
    rests: bool = False,
    lane: str | None = None,
) -> int:
    """Runs every due item of every item job (of `lane` if given: the worker's loops), up to
    `max_items`; returns how many were done.

    Jobs after the limit do not run in this call (they are not marked as run either, so a
    job starved by a busy one shows up as old in `/metrics`). Nor do they once the next
    due time of an earlier job has come: the next call starts with that job (expiries
    before message delivery). Only a time still ahead when the earlier job finished
    counts: items due already but held by another worker must not stop this one.

    With `rests` (the worker's loop), a resting job (`rest`) is skipped, and a job that
    rests starts its rest when it found nothing."""
    done = 0
    wake_at: datetime | None = None
    for job in registered(ITEM, lane):
        if done >= max_items or _has_come(wake_at):
            break
        if rests and time.monotonic() < _resting_until.get(job.name, 0.0):
            continue
        found = 0
        while job.run(now or timezone.now()):
            done, found = done + 1, found + 1
            if done >= max_items or _has_come(wake_at):
                break
        _last_run[job.name] = timezone.now()
        if rests and job.rest and not found:
            _resting_until[job.name] = time.monotonic() + job.rest
        later = job.due() if job.due is not None and now is None else None
        if later is not None and later > timezone.now() and (wake_at is None or later < wake_at):
            wake_at = later
    return done


def _has_come(moment: datetime | None) -> bool:
    return moment is not None and timezone.now() >= moment


def next_due_at(lane: str | None = None) -> datetime | None:
    """The earliest next due time any item job (of `lane`) knows of (None: none knows of one)."""
    jobs = registered(ITEM, lane)
    times = [t for job in jobs if job.due is not None if (t := job.due()) is not None]
    return min(times, default=None)


def _within_its_period(job: Job) -> bool:
    """Whether a sweep with its own period ran in this process less than that long ago."""
    last = _last_run.get(job.name)
    if job.every is None or last is None:
        return False
    return (timezone.now() - last).total_seconds() < job.every()


def run_sweeps(*, now: datetime | None = None, on_schedule: bool = False) -> int:
    """Runs every sweep job once; returns how many items they handled together.

    `on_schedule` (the worker's loop): a sweep with its own period (`every`) is skipped
    until that long has passed since this process last ran it."""
    handled = 0
    for job in registered(SWEEP):
        if on_schedule and _within_its_period(job):
            continue
        handled += int(job.run(now or timezone.now()))
        _last_run[job.name] = timezone.now()
    return handled
