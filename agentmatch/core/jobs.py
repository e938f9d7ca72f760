"""The worker's job registry: each app registers its jobs from its AppConfig.ready().

The worker (`agentmatch worker`) knows no app: it runs what is registered here. A job is
a door like a web view: it claims one item and calls one action, or returns a falsy
value when nothing is due.

- An item job is called again and again while it finds work (one item per call), in
  `order` (lower first: delivery runs last so a turn's messages go out in that turn).
- A sweep job is a periodic scan (every WORKER_WAITING_SWEEP_SECONDS): the safety net
  behind event-driven work; it returns how many items it handled.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

log = logging.getLogger("agentmatch.worker")

ITEM = "item"
SWEEP = "sweep"


@dataclass(frozen=True)
class Job:
    name: str
    # Returns whether it found an item (item job) or how many it handled (sweep).
    run: Callable[[datetime], int]
    kind: str = ITEM
    order: int = 50


_jobs: dict[str, Job] = {}


def register(
    name: str, run: Callable[[datetime], int], *, kind: str = ITEM, order: int = 50
) -> None:
    """Adds a job; registering the same name again replaces it (ready() may run twice)."""
    if kind not in (ITEM, SWEEP):
        raise ValueError(f"unknown job kind {kind!r}")
    _jobs[name] = Job(name=name, run=run, kind=kind, order=order)


def registered(kind: str = ITEM) -> list[Job]:
    return sorted((j for j in _jobs.values() if j.kind == kind), key=lambda j: j.order)


def run_due_jobs(*, now: datetime | None = None, max_items: int = 200) -> int:
    """Runs every due item of every item job, up to `max_items`; returns how many were done."""
    done = 0
    for job in registered(ITEM):
        while done < max_items and job.run(now or timezone.now()):
            done += 1
    return done


def run_sweeps(*, now: datetime | None = None) -> int:
    """Runs every sweep job once; returns how many items they handled together."""
    return sum(int(job.run(now or timezone.now())) for job in registered(SWEEP))
