"""Waking an idle worker: LISTEN/NOTIFY on PostgreSQL, a plain sleep on SQLite.

Work that other processes create (a message in the outbox) notifies the channel
`WAKE_CHANNEL` in the transaction that creates it (PostgreSQL delivers a NOTIFY at commit,
once per transaction and channel), so an idle worker starts on it within milliseconds
instead of at the end of its sleep. The sleep stays as the bound: work nobody notifies
about is still found by polling.
"""

import time

from django.db import connection

WAKE_CHANNEL = "agentmatch_worker"


class Waiter:
    """Waits for a NOTIFY on the worker's own database connection."""

    def __init__(self) -> None:
        # The DB-API connection LISTEN ran on: a reconnect (after a database error) needs
        # LISTEN again, as the session that listened is gone.
        self._listening: object | None = None

    def wait(self, seconds: float) -> bool:
        """Sleeps up to `seconds`; True when a notification ended the wait early."""
        if seconds <= 0:
            return False
        if connection.vendor != "postgresql":
            time.sleep(seconds)
            return False
        raw = self._listen()
        # Notifications that came while the worker was busy are yielded first: work
        # committed during the last turn starts the next one at once. A lost connection
        # raises Django's OperationalError, which the worker's loop recovers from.
        with connection.wrap_database_errors:
            for _notify in raw.notifies(timeout=seconds, stop_after=1):  # type: ignore[attr-defined]
                return True
        return False

    def _listen(self) -> object:
        connection.ensure_connection()
        raw = connection.connection
        if raw is not self._listening:
            with connection.cursor() as cursor:
                cursor.execute(f"LISTEN {WAKE_CHANNEL}")
            self._listening = raw
        return raw


def wake_workers() -> None:
    """Wakes the idle workers when the current transaction commits (PostgreSQL only).

    New outbox messages need no call: a trigger on the outbox table notifies (migration
    notifications 0006), whichever code path inserts them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {WAKE_CHANNEL}")
