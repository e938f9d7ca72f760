"""`agentmatch worker` runs the offer clock in its own process and the other lanes
(messages, webhooks, imports) in a child process it starts and watches: a real worker is
started on the test database, its child found in the process tree, killed, and left
without its parent."""

import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from agentmatch.core.models import WorkerHeartbeat
from agentmatch.core.tests.test_readiness import start_worker, wait_until
from agentmatch.core.tests.test_run_command import alive, descendants, linux_only, niceness
from agentmatch.notifications.models import DeliveryAttempt, Message
from agentmatch.testing import make_agent, make_referral, plan_year_2026

THE_OTHER_LANES = "imports,messages,webhooks"


def lanes_child(worker: subprocess.Popen[bytes]) -> int | None:
    """The pid of the worker's lanes process, once it runs."""
    found = [
        pid
        for pid, cmd in descendants(worker.pid).items()
        if f"agentmatch worker --lanes {THE_OTHER_LANES}" in cmd
    ]
    return found[0] if found else None


@dataclass
class Running:
    worker: subprocess.Popen[bytes]
    child: int
    log: Path


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    """A real `agentmatch worker` on the test database, once its lanes' process runs."""
    log = tmp_path / "worker.log"
    worker = start_worker(log)
    child: int | None = None
    try:
        wait_until(lambda: lanes_child(worker) is not None, "the lanes' process", log, 30)
        child = lanes_child(worker)
        assert child is not None
        yield Running(worker, child, log)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        if child is not None and alive(child):
            os.kill(child, signal.SIGKILL)


@linux_only
@pytest.mark.django_db(transaction=True)
def test_messages_are_delivered_by_the_lanes_process_and_the_clock_runs_apart(
    request: pytest.FixtureRequest,
) -> None:
    plan_year_2026()
    make_agent(zip_code="53703", licensed=["WI"])
    make_referral(zip_code="53703")
    assert Message.objects.exists()
    run: Running = request.getfixturevalue("running")  # after the data it delivers
    wait_until(lambda: DeliveryAttempt.objects.exists(), "a delivery", run.log, 30)
    wait_until(lambda: WorkerHeartbeat.objects.count() == 2, "both heartbeats", run.log, 30)
    clock = WorkerHeartbeat.objects.get(pid=run.worker.pid)
    apart = WorkerHeartbeat.objects.get(pid=run.child)
    assert clock.lanes == "main" and apart.lanes == THE_OTHER_LANES
    wait_until(
        lambda: "deliver messages" in WorkerHeartbeat.objects.get(pid=run.child).jobs,
        "the lanes' heartbeat naming delivery",
        run.log,
        30,
    )
    clock.refresh_from_db()
    assert "expire offers" in clock.jobs and "deliver messages" not in clock.jobs
    # The clock gets the CPU first (WORKER_LANES_NICE, 5 by default).
    assert niceness(run.child) == min(19, niceness(run.worker.pid) + 5)

    run.worker.send_signal(signal.SIGTERM)
    assert run.worker.wait(timeout=40) == 0, run.log.read_text()
    assert not alive(run.child), "the lanes' process stops with the worker"
    assert not WorkerHeartbeat.objects.exists()


@linux_only
@pytest.mark.django_db(transaction=True)
def test_a_lanes_process_that_dies_stops_the_worker_with_an_error(running: Running) -> None:
    os.kill(running.child, signal.SIGKILL)
    # A worker that kept the clock but no longer delivered would look alive: it stops,
    # for its supervisor to start it again whole.
    assert running.worker.wait(timeout=30) != 0
    assert f"the process of the {THE_OTHER_LANES} lanes exited with code -9" in (
        running.log.read_text()
    )


@linux_only
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_outright_takes_its_lanes_process_with_it(running: Running) -> None:
    running.worker.kill()  # SIGKILL: the worker cannot stop its child itself
    running.worker.wait()
    wait_until(lambda: not alive(running.child), "the orphan's exit", running.log, 30)


@pytest.mark.django_db
def test_a_wrong_list_of_lanes_is_a_clear_error_naming_the_lanes() -> None:
    problem = "unknown lane 'mail': choose among main, imports, messages, webhooks"
    with pytest.raises(CommandError, match=problem):
        call_command("worker", "--lanes", "main,mail")
    with pytest.raises(CommandError, match=r"unknown lane \(none given\)"):
        call_command("worker", "--lanes", " , ")
    with pytest.raises(CommandError, match="a lane is named twice"):
        call_command("worker", "--lanes", "main,main")


@pytest.mark.django_db
def test_a_lanes_niceness_that_is_not_a_number_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WORKER_LANES_NICE", "low")
    with pytest.raises(CommandError, match="WORKER_LANES_NICE must be a whole number, not 'low'"):
        call_command("worker")
