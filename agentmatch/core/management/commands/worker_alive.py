"""`agentmatch worker_alive`: exit 0 when a worker on this host finished a loop lately.

The healthcheck of a worker container (compose.yaml): a worker that hangs (a provider call
that never returns, a lock it waits on) stops its heartbeat while its process lives on, so
the process being up says nothing. Reads the heartbeat rows (core/heartbeat.py).
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from agentmatch.core.heartbeat import loop_age_here


class Command(BaseCommand):
    help = "Exit 0 if a worker on this host finished a loop within --max-age seconds."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--max-age",
            type=float,
            default=None,
            help="seconds (default READY_WORKER_MAX_AGE_SECONDS, or 60 when that is 0)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        max_age = options["max_age"] or settings.READY_WORKER_MAX_AGE_SECONDS or 60
        try:
            age = loop_age_here(timezone.now())
        except DatabaseError as exc:
            raise CommandError("the database does not answer") from exc
        if age is None:
            raise CommandError("no worker on this host has finished a loop yet")
        if age > max_age:
            raise CommandError(f"the worker's last loop was {age:.0f} s ago (over {max_age:.0f})")
        self.stdout.write(f"worker alive: last loop {age:.1f} s ago")
