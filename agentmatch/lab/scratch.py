"""Where a simulation runs: never on the deployment's data.

By default `simulate` points Django's default connection, for this process only, at a new
SQLite file in the run's out folder, migrates it and runs there: the configured database
is not even opened. With `--here` it runs on the configured database instead (a scratch
PostgreSQL, or the test database), and only if that holds no agents and no referrals.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db import connections

from agentmatch.agents.models import Agent
from agentmatch.referrals.models import Referral


class NotScratch(RuntimeError):
    pass


def refuse_unless_empty() -> None:
    agents, referrals = Agent.objects.count(), Referral.objects.count()
    if agents or referrals:
        raise NotScratch(
            f"this database holds {agents} agents and {referrals} referrals: the simulator "
            "runs only on an empty scratch database (leave out --here to use a fresh "
            "SQLite file in the out folder)"
        )


@contextmanager
def fresh_sqlite(path: Path) -> Iterator[None]:
    """The default connection, for the duration, is a new migrated SQLite file at `path`."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    old: dict[str, Any] = connections.settings["default"]
    new = connections.configure_settings(
        {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(path),
                "OPTIONS": {
                    "transaction_mode": "IMMEDIATE",
                    "timeout": 20,
                    # A scratch file: losing it in a power cut costs nothing but a rerun.
                    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;",
                },
            }
        }
    )["default"]
    _swap(new)
    try:
        call_command("migrate", verbosity=0, interactive=False)
        yield
    finally:
        _swap(old)


def _swap(settings_dict: dict[str, Any]) -> None:
    connections["default"].close()
    connections.settings["default"] = settings_dict
    del connections["default"]
