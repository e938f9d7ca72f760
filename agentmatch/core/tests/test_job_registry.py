"""The worker runs what the apps register; it imports none of them."""

import ast
from datetime import datetime
from pathlib import Path

import pytest

from agentmatch.core import jobs

APPS = Path(__file__).resolve().parents[2]


def agentmatch_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("agentmatch."):
            names.add(node.module.split(".")[1])  # type: ignore[union-attr]
        elif isinstance(node, ast.Import):
            names |= {a.name.split(".")[1] for a in node.names if a.name.startswith("agentmatch.")}
    return names


def test_every_app_registers_its_jobs_and_what_waits_on_others_runs_beside_the_clock() -> None:
    assert [j.name for j in jobs.registered(jobs.ITEM, jobs.MAIN)] == [
        "expire offers",
        "end waits",
        "recheck availability",
        "send invitations",
        "recovery emails",
        "contact reminders",
        "fan out webhook events",
    ]
    assert {lane: [j.name for j in jobs.registered(jobs.ITEM, lane)] for lane in jobs.lanes()} == {
        "imports": ["import uploaded files"],
        "messages": ["deliver messages"],
        "webhooks": ["deliver webhooks"],
    }
    assert {j.name for j in jobs.registered(jobs.SWEEP)} == {
        "offer waiting referrals",
        "invite eligible agents",
        "tidy account records",
        "anonymise ended referrals",
        "dashboard roll-up",
        "tidy webhook deliveries",
    }


@pytest.mark.parametrize(
    "module",
    ["core/jobs.py", "core/management/commands/worker.py", "referrals/jobs.py"],
)
def test_the_worker_and_the_referral_jobs_import_no_higher_app(module: str) -> None:
    allowed = {"core"} if module.startswith("core/") else {"core", "referrals", "agents"}
    assert agentmatch_imports(APPS / module) <= allowed


def test_an_item_job_runs_while_it_finds_work_up_to_the_limit(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(jobs, "_jobs", {})
    left = [3]

    def one(now: datetime) -> bool:
        left[0] -= 1
        return left[0] >= 0

    jobs.register("count down", one)
    jobs.register("sweep", lambda now: 7, kind=jobs.SWEEP)
    assert jobs.run_due_jobs(max_items=2) == 2
    assert jobs.run_due_jobs() == 1
    assert jobs.run_sweeps() == 7
    with pytest.raises(ValueError):
        jobs.register("odd", one, kind="hourly")


def test_a_sweep_with_its_own_period_waits_for_it_in_the_workers_loop(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(jobs, "_jobs", {})
    monkeypatch.setattr(jobs, "_last_run", {})
    jobs.register("often", lambda now: 1, kind=jobs.SWEEP)
    jobs.register("rarely", lambda now: 10, kind=jobs.SWEEP, every=lambda: 900)
    assert jobs.run_sweeps(on_schedule=True) == 11  # a worker's first loop runs both
    assert jobs.run_sweeps(on_schedule=True) == 1  # then the rare one waits its period
    assert jobs.run_sweeps() == 11  # `worker --once` and direct calls run everything
    monkeypatch.setattr(jobs, "_last_run", {})
    assert jobs.run_sweeps(on_schedule=True) == 11
    with pytest.raises(ValueError):
        jobs.register("item with a period", lambda now: 0, every=lambda: 5)


def test_the_invitation_scan_runs_on_its_own_period(settings) -> None:  # type: ignore[no-untyped-def]
    scan = next(j for j in jobs.registered(jobs.SWEEP) if j.name == "invite eligible agents")
    settings.INVITE_ELIGIBLE_SWEEP_SECONDS = 1200
    assert scan.every is not None and scan.every() == 1200


def test_a_job_that_rests_is_not_asked_again_in_the_workers_loop_until_its_rest_is_over(
    monkeypatch,
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(jobs, "_jobs", {})
    monkeypatch.setattr(jobs, "_resting_until", {})
    clock = [1000.0]
    monkeypatch.setattr(jobs.time, "monotonic", lambda: clock[0])
    asked: list[str] = []
    waiting = {"reminders": 0, "clock": 0}

    def job(name: str):  # type: ignore[no-untyped-def]
        def run(now: datetime) -> bool:
            asked.append(name)
            if waiting[name]:
                waiting[name] -= 1
                return True
            return False

        return run

    jobs.register("clock", job("clock"), order=10)
    jobs.register("reminders", job("reminders"), order=50, rest=10.0)
    jobs.run_due_jobs(rests=True)
    assert asked == ["clock", "reminders"]
    asked.clear()
    clock[0] += 9.9  # resting: the clock alone is asked, turn after turn
    waiting["reminders"] = 1
    jobs.run_due_jobs(rests=True)
    jobs.run_due_jobs(rests=True)
    assert asked == ["clock", "clock"]
    assert jobs.run_due_jobs() == 1  # `worker --once` and direct calls ask every job
    asked.clear()
    clock[0] += 0.2  # the rest is over; a job that finds work does not rest
    waiting["reminders"] = 1
    assert jobs.run_due_jobs(rests=True) == 1
    assert jobs.run_due_jobs(rests=True) == 0
    assert asked == ["clock", "reminders", "reminders", "clock", "reminders"]
    for wrong in ({"kind": jobs.SWEEP}, {"due": lambda: None}, {"rest": -1.0}):
        with pytest.raises(ValueError):
            jobs.register("odd rest", lambda now: 0, **{"rest": 5.0, **wrong})  # type: ignore[arg-type]


def test_only_jobs_nobody_waits_on_by_the_second_rest() -> None:
    rests = {j.name: j.rest for j in jobs.registered(jobs.ITEM) if j.rest}
    assert rests == {
        "send invitations": 1.0,
        "recovery emails": 1.0,
        "contact reminders": 10.0,
        "import uploaded files": 2.0,
        "fan out webhook events": 1.0,
        "deliver webhooks": 1.0,
    }
