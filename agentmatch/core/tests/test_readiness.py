"""/readyz says whether the service can do its whole job: the database answers and a
worker finished a loop lately. A real worker process is started, frozen, stopped and
started again; /healthz stays the cheap liveness probe throughout."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone

from agentmatch.core import heartbeat
from agentmatch.core.heartbeat import Heartbeat
from agentmatch.core.models import WorkerHeartbeat
from agentmatch.core.tests.test_run_command import database_url, linux_only


def readyz() -> tuple[int, dict]:
    response = Client().get("/readyz")
    return response.status_code, response.json()


def wait_until(condition: Callable[[], bool], what: str, log: Path, seconds: float = 20) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {seconds} s:\n{log.read_text()}")


def start_worker(log: Path) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        DATABASE_URL=database_url(),
        WORKER_HEARTBEAT_SECONDS="0.1",
        WORKER_IDLE_SLEEP_SECONDS="0.05",
        LOG_LEVEL="WARNING",
    )
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "agentmatch", "worker"],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=django_settings.BASE_DIR,
        )  # fmt: skip


@linux_only
@pytest.mark.django_db(transaction=True)
def test_readiness_follows_a_real_worker_that_freezes_stops_and_starts_again(tmp_path, settings):
    settings.READY_WORKER_MAX_AGE_SECONDS = 1
    log = tmp_path / "worker.log"
    assert readyz() == (503, {"status": "unavailable", "reasons": [
        {"code": "no_worker",
         "message": "No worker running the offer clock has written a heartbeat."}]})  # fmt: skip

    worker = start_worker(log)
    try:
        wait_until(lambda: readyz() == (200, {"status": "ok"}), "ready", log)
        wait_until(lambda: WorkerHeartbeat.objects.count() == 2, "the lanes' heartbeat", log)
        clock = WorkerHeartbeat.objects.get(pid=worker.pid)
        assert clock.lanes == "main" and "expire offers" in clock.jobs
        apart = WorkerHeartbeat.objects.exclude(pid=worker.pid).get()
        assert apart.lanes == "imports,messages,webhooks"

        # A hung clock (a lock it waits on) keeps its process but stops finishing loops:
        # not ready once the age passes, though the lanes' process beats on beside it,
        # while /healthz stays fine.
        worker.send_signal(signal.SIGSTOP)
        waited = wait_until(lambda: readyz()[0] == 503, "stale", log)
        assert 0.5 <= waited < 5
        assert readyz()[1]["reasons"][0]["code"] == "worker_stale"
        assert Client().get("/healthz").status_code == 200
        if connection.vendor == "postgresql":
            # (On SQLite the frozen clock may hold the one write lock, and everyone waits.)
            fresh = WorkerHeartbeat.objects.get(pk=apart.pk).last_loop_at
            assert fresh > apart.last_loop_at, "the lanes' process kept beating"
        worker.send_signal(signal.SIGCONT)
        wait_until(lambda: readyz()[0] == 200, "ready again", log)

        # A clean stop removes both processes' rows at once.
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=40) == 0, log.read_text()
        assert readyz()[1]["reasons"][0]["code"] == "no_worker"
        assert not WorkerHeartbeat.objects.exists()

        worker = start_worker(log)
        wait_until(lambda: readyz()[0] == 200, "ready after a restart", log)
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGCONT)
            worker.kill()
            worker.wait()


def test_readiness_names_an_unreachable_database(db, monkeypatch):
    def unreachable(now):  # type: ignore[no-untyped-def]
        raise OperationalError("connection refused")

    monkeypatch.setattr(heartbeat, "newest_loop_age", unreachable)
    status, body = readyz()
    assert status == 503
    assert body["reasons"] == [
        {"code": "database_unreachable", "message": "The database does not answer."}
    ]
    assert "refused" not in str(body)  # no connection details to whoever asks


def test_with_the_worker_check_off_only_the_database_counts(db, settings):
    settings.READY_WORKER_MAX_AGE_SECONDS = 0
    assert readyz() == (200, {"status": "ok"})


def test_the_heartbeat_writes_at_most_once_per_interval_and_cleans_up_dead_workers(db, settings):
    settings.WORKER_HEARTBEAT_SECONDS = 3600
    now = timezone.now()
    dead = WorkerHeartbeat.objects.create(
        hostname="gone", pid=9, started_at=now - timedelta(days=1),
        last_loop_at=now - heartbeat.STALE_AFTER - timedelta(minutes=1),
    )  # fmt: skip
    beat = Heartbeat()
    beat.beat({"expire offers": now})
    mine = WorkerHeartbeat.objects.get(pk=beat.pk)
    assert mine.pid == os.getpid() and mine.jobs == {"expire offers": now.isoformat()}
    assert not WorkerHeartbeat.objects.filter(pk=dead.pk).exists()

    beat.beat({"expire offers": now + timedelta(seconds=1)})  # within the interval: no write
    assert WorkerHeartbeat.objects.get(pk=beat.pk).last_loop_at == mine.last_loop_at
    # Deleted meanwhile (after a stall longer than STALE_AFTER): the next beat adds it back.
    WorkerHeartbeat.objects.all().delete()
    beat.beat({}, force=True)
    assert WorkerHeartbeat.objects.filter(pk=beat.pk).exists()
    beat.stop()
    assert not WorkerHeartbeat.objects.exists()


def test_a_frozen_clock_is_not_ready_though_its_lanes_process_beats_on(db, settings):
    settings.READY_WORKER_MAX_AGE_SECONDS = 60
    now = timezone.now()
    for lanes, seconds_ago in (("main", 120), ("imports,messages,webhooks", 1)):
        WorkerHeartbeat.objects.create(
            hostname="w", pid=seconds_ago, started_at=now - timedelta(hours=1),
            last_loop_at=now - timedelta(seconds=seconds_ago), lanes=lanes,
        )  # fmt: skip
    status, body = readyz()
    assert status == 503 and body["reasons"][0]["code"] == "worker_stale"
    # A clock that runs every lane in one process (`worker --lanes main,messages`) counts.
    WorkerHeartbeat.objects.create(
        hostname="w", pid=3, started_at=now, last_loop_at=now, lanes="main,messages"
    )
    assert readyz() == (200, {"status": "ok"})
