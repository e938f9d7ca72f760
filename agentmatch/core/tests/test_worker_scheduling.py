"""The worker's scheduling: jobs with a known next due time (offer deadlines) come before
later jobs (message delivery) even mid-turn, an idle worker sleeps until the next due time
(at most the idle sleep), and on PostgreSQL a NOTIFY wakes it at once."""

import threading
import time
from datetime import datetime, timedelta

import pytest
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from agentmatch.core import jobs
from agentmatch.core.management.commands import worker
from agentmatch.core.wakeup import Waiter, wake_workers


@pytest.fixture
def no_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "_jobs", {})


def test_a_deadline_coming_mid_turn_stops_the_later_jobs(no_jobs: None) -> None:
    deadline = timezone.now() + timedelta(milliseconds=60)
    expired: list[datetime] = []

    def expire(now: datetime) -> bool:
        if now >= deadline and not expired:
            expired.append(now)
            return True
        return False

    jobs.register("expire", expire, order=10, due=lambda: None if expired else deadline)
    jobs.register("deliver", lambda now: bool(time.sleep(0.005)) or True, order=90)

    done = jobs.run_due_jobs(max_items=1000)
    # The backlog of deliveries gave way when the deadline came, not at the limit ...
    assert 0 < done < 1000
    assert timezone.now() - deadline < timedelta(milliseconds=50)
    # ... and the next turn starts with the expiry.
    jobs.run_due_jobs(max_items=1)
    assert expired and expired[0] - deadline < timedelta(milliseconds=50)


def test_items_due_already_but_held_by_another_worker_do_not_stop_later_jobs(
    no_jobs: None,
) -> None:
    held_since = timezone.now() - timedelta(seconds=1)
    jobs.register("expire", lambda now: False, order=10, due=lambda: held_since)
    jobs.register("deliver", lambda now: True, order=90)
    assert jobs.run_due_jobs(max_items=300) == 300


def test_the_next_due_time_is_the_earliest_any_job_knows(no_jobs: None) -> None:
    now = timezone.now()
    jobs.register("a", lambda now: False, due=lambda: now + timedelta(seconds=9))
    jobs.register("b", lambda now: False, due=lambda: now + timedelta(seconds=3))
    jobs.register("c", lambda now: False, due=lambda: None)
    jobs.register("d", lambda now: False)
    assert jobs.next_due_at() == now + timedelta(seconds=3)
    with pytest.raises(ValueError):
        jobs.register("sweep", lambda now: 0, kind=jobs.SWEEP, due=lambda: now)


def test_an_idle_worker_waits_until_the_next_deadline_at_most_the_idle_sleep(
    no_jobs: None, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.WORKER_IDLE_SLEEP_SECONDS = 0.5
    turn = timezone.now()
    due: list[datetime | None] = [None]
    jobs.register("expire", lambda now: False, due=lambda: due[0])

    assert worker.idle_seconds(since=turn) == 0.5  # nothing known
    due[0] = timezone.now() + timedelta(milliseconds=200)
    assert 0.1 < worker.idle_seconds(since=turn) <= 0.2
    due[0] = timezone.now() + timedelta(seconds=30)
    assert worker.idle_seconds(since=turn) == 0.5
    # Came during the turn, maybe after the job looked: go again at once.
    due[0] = turn + timedelta(microseconds=1)
    assert worker.idle_seconds(since=turn) == 0
    # Was due before the turn: the job saw it and another worker holds it; no spinning.
    due[0] = turn - timedelta(seconds=1)
    assert worker.idle_seconds(since=turn) == 0.5


@pytest.mark.django_db
def test_without_listen_notify_the_worker_sleeps_the_time_given() -> None:
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL waits for NOTIFY: see the tests below")
    started = time.monotonic()
    assert Waiter().wait(0.2) is False
    assert 0.19 <= time.monotonic() - started < 1


class RolledBack(Exception):
    pass


def in_another_connection(action) -> threading.Thread:  # type: ignore[no-untyped-def]
    """Runs `action` in a transaction of a second database connection, 0.2 s from now;
    the transaction rolls back if `action` raises RolledBack."""

    def run() -> None:
        time.sleep(0.2)
        try:
            with transaction.atomic():
                action()
        except RolledBack:
            pass
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_notify_wakes_an_idle_worker_long_before_its_timeout() -> None:
    waiter = Waiter()
    assert waiter.wait(0.05) is False  # listening, nothing sent
    thread = in_another_connection(wake_workers)
    started = time.monotonic()
    assert waiter.wait(10) is True
    assert time.monotonic() - started < 2
    thread.join()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_notify_rolled_back_wakes_nobody() -> None:
    waiter = Waiter()
    waiter.wait(0.01)

    def rolled_back() -> None:
        wake_workers()
        raise RolledBack

    thread = in_another_connection(rolled_back)
    assert waiter.wait(0.6) is False
    thread.join()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_while_waiting_is_recovered_like_any_database_error() -> None:
    waiter = Waiter()
    waiter.wait(0.01)
    pid = connection.connection.info.backend_pid

    def terminate() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    thread = in_another_connection(terminate)
    # What the worker's loop catches: it closes the connection and goes on.
    with pytest.raises((OperationalError, InterfaceError)):
        waiter.wait(5)
    thread.join()
    connection.close()
    # Listening again on the new connection: a NOTIFY still wakes it.
    waiter.wait(0.01)
    thread = in_another_connection(wake_workers)
    assert waiter.wait(5) is True
    thread.join()
