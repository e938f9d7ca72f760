"""The worker's lanes: jobs that wait on others (a provider, a partner's server) or take
long (a whole file) run in threads of their own, so they never hold up a deadline. Here
all in one process (`worker --lanes main,messages`): they start their work when the
clock has caught up (or after a second: never starved); a lane that dies stops the
worker rather than leaving it half alive. The lanes in a process of their own, as
`agentmatch worker` runs them by default: test_worker_processes.py."""

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from agentmatch.core import jobs
from agentmatch.core.management.commands import worker

pytestmark = pytest.mark.django_db(transaction=True)  # the lanes' threads use the database


@pytest.fixture(autouse=True)
def no_jobs(monkeypatch: pytest.MonkeyPatch, settings) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(jobs, "_jobs", {})
    monkeypatch.setattr(jobs, "_resting_until", {})
    settings.WORKER_IDLE_SLEEP_SECONDS = 0.05


@pytest.fixture
def signals_restored() -> Iterator[None]:
    # The worker installs its own SIGTERM and SIGINT handlers.
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def stop_worker_when(event: threading.Event, *, within: float) -> threading.Thread:
    """SIGTERM to this process (the worker's way to stop) once `event` is set, or after
    `within` seconds at the latest."""

    def watch() -> None:
        event.wait(within)
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def run_worker(
    expire: Callable[[datetime], bool],
    deliver: Callable[[datetime], bool],
    *,
    until: threading.Event,
    due: Callable[[], datetime | None] | None = None,
) -> None:
    """`agentmatch worker` with one clock job and one delivery job, until `until` is set
    (5 s at most)."""
    jobs.register("expire offers", expire, order=10, due=due)
    jobs.register("deliver messages", deliver, order=90, lane="messages")
    watcher = stop_worker_when(until, within=5)
    call_command("worker", "--lanes", "main,messages")
    watcher.join()


def test_a_provider_slow_to_answer_does_not_hold_up_an_offer_deadline(
    signals_restored: None,
) -> None:
    answered = threading.Event()
    sending = threading.Event()

    def deliver(now: datetime) -> bool:
        # A provider that answers only at its timeout (10 s by default): here, when told.
        sending.set()
        answered.wait(10)
        return False

    deadline = timezone.now() + timedelta(milliseconds=500)
    expired: list[datetime] = []
    while_sending: list[bool] = []
    done = threading.Event()

    def expire(now: datetime) -> bool:
        if now < deadline or expired:
            return False
        expired.append(timezone.now())
        while_sending.append(sending.is_set() and not answered.is_set())
        answered.set()  # the provider may answer now: the test has seen what it needed
        done.set()
        return True

    run_worker(expire, deliver, until=done, due=lambda: None if expired else deadline)

    assert expired, "the deadline never came round"
    assert while_sending == [True]
    # Well before the provider's answer (which would have come at the 5-s stop).
    assert expired[0] - deadline < timedelta(seconds=1)


def test_messages_wait_while_offers_are_due_and_start_when_the_clock_has_caught_up(
    signals_restored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Far off, so a delivery before it shows the clock caught up, not the floor.
    monkeypatch.setattr(worker, "CLOCK_FIRST_SECONDS", 5.0)
    start = timezone.now()
    busy_until = start + timedelta(milliseconds=400)
    expiries: list[datetime] = []
    deliveries: list[datetime] = []
    delivered = threading.Event()

    def expire(now: datetime) -> bool:
        # A backlog of due offers, one every 10 ms, for 0.4 s.
        if timezone.now() >= busy_until:
            return False
        time.sleep(0.01)
        expiries.append(timezone.now())
        return True

    def deliver(now: datetime) -> bool:
        deliveries.append(timezone.now())
        delivered.set()
        return False

    run_worker(expire, deliver, until=delivered)

    assert expiries and deliveries
    # Not one delivery while the clock had offers due; the first one once it caught up.
    assert deliveries[0] >= expiries[-1]
    assert deliveries[0] - busy_until < timedelta(seconds=3)


def test_a_clock_that_never_rests_slows_delivery_but_cannot_stop_it(
    signals_restored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker, "CLOCK_FIRST_SECONDS", 0.2)
    delivered = threading.Event()
    started = timezone.now()

    def expire(now: datetime) -> bool:
        time.sleep(0.005)
        return True  # always another offer due

    def deliver(now: datetime) -> bool:
        delivered.set()
        return False

    run_worker(expire, deliver, until=delivered)

    assert delivered.is_set()
    assert timezone.now() - started < timedelta(seconds=4)


def test_a_lane_that_fails_stops_the_worker_with_an_error(
    signals_restored: None,
) -> None:

    def broken(now: datetime) -> bool:
        raise RuntimeError("a bug in a transport")

    def clock(now: datetime) -> bool:
        return False

    jobs.register("expire offers", clock, order=10)
    jobs.register("deliver messages", broken, order=90, lane="messages")
    # Only if the worker did not stop by itself (the test fails then, not hangs).
    watchdog = threading.Timer(10, os.kill, args=(os.getpid(), signal.SIGTERM))
    watchdog.start()
    try:
        with pytest.raises(CommandError, match="the messages lane failed"):
            call_command("worker", "--lanes", "main,messages")
    finally:
        watchdog.cancel()


def test_a_job_in_a_lane_of_its_own_must_be_an_item_job() -> None:
    with pytest.raises(ValueError):
        jobs.register("sweep", lambda now: 0, kind=jobs.SWEEP, lane="messages")
    with pytest.raises(ValueError):
        jobs.register("nowhere", lambda now: False, lane="")
