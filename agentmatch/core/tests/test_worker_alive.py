"""A worker container's healthcheck (`agentmatch worker_alive`) follows its heartbeat."""

import socket
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from agentmatch.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def heartbeat(*, seconds_ago: float, hostname: str | None = None, lanes: str = "main") -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        hostname=hostname or socket.gethostname(),
        pid=4242,
        started_at=now - timedelta(hours=1),
        last_loop_at=now - timedelta(seconds=seconds_ago),
        lanes=lanes,
    )


def test_a_worker_that_looped_lately_on_this_host_is_alive(capsys) -> None:
    heartbeat(seconds_ago=3)
    call_command("worker_alive")
    assert "worker alive" in capsys.readouterr().out


def test_a_worker_whose_loop_stalled_is_not(settings) -> None:
    settings.READY_WORKER_MAX_AGE_SECONDS = 60
    heartbeat(seconds_ago=120)
    with pytest.raises(CommandError, match="last loop was 120 s ago"):
        call_command("worker_alive")
    call_command("worker_alive", "--max-age", "300")  # a longer allowance passes


def test_a_worker_on_another_host_does_not_make_this_container_healthy() -> None:
    heartbeat(seconds_ago=1, hostname="some-other-container")
    with pytest.raises(CommandError, match="no worker on this host"):
        call_command("worker_alive")


def test_a_frozen_clock_is_not_hidden_by_its_lanes_process_beating_on(settings) -> None:
    settings.READY_WORKER_MAX_AGE_SECONDS = 60
    heartbeat(seconds_ago=120)
    heartbeat(seconds_ago=1, lanes="messages,webhooks,imports")
    with pytest.raises(CommandError, match="last loop was 120 s ago"):
        call_command("worker_alive")


def test_a_host_running_only_other_lanes_is_judged_by_them(capsys) -> None:
    heartbeat(seconds_ago=2, lanes="messages")
    call_command("worker_alive")
    assert "worker alive" in capsys.readouterr().out
