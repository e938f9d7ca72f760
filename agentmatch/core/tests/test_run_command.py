"""`agentmatch run`: web and routing worker start together and stop together, no orphans."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from http.client import HTTPConnection
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from agentmatch.testing import make_agent, plan_year_2026

linux_only = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc"
)


def database_url() -> str:
    # The test database itself, so the server sees what the test wrote (SQLite or PostgreSQL).
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def descendants(pid: int) -> dict[int, str]:
    """Every process below `pid`, with its command line."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found: dict[int, str] = {}
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop()
        try:
            found[child] = (
                Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            ).decode()
        except FileNotFoundError:
            continue
        todo.extend(children.get(child, []))
    return found


def http(method: str, url: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, json.loads(response.read())


def wait_for_health(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"run exited early:\n{log.read_text()}"
        try:
            if http("GET", f"{base}/healthz") == (200, {"status": "ok", "db": "ok"}):
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"/healthz never answered:\n{log.read_text()}")


@linux_only
@pytest.mark.django_db(transaction=True)
def test_run_serves_the_api_with_a_worker_and_sigterm_stops_every_child_and_logs_no_secret(
    tmp_path,
):
    plan_year_2026()
    make_agent(zip_code="53703", licensed=["WI"], languages=["en", "es"])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "run.log"
    env = dict(os.environ, DATABASE_URL=database_url(), LOG_LEVEL="WARNING")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "agentmatch", "run", "--host", "127.0.0.1",
             "--port", str(port), "--web-workers", "1", "--workers", "1"],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=settings.BASE_DIR,
        )  # fmt: skip
    try:
        wait_for_health(base, proc, log)
        status, created = http(
            "POST",
            f"{base}/api/v1/referrals",
            {"first_name": "Ana", "last_name": "Diaz", "phone": "608-555-0199",
             "zip": "53703", "language": "es", "consent": True},
        )  # fmt: skip
        assert status == 201 and created["status"] == "offered"
        # The consumer opens the status link: the access log keeps the path, not the token.
        conn = HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", f"/status/{created['id']}/{created['status_token']}/?from=sms")
        assert conn.getresponse().status == 302  # to the status page, the link's secret kept
        conn.close()

        tree = descendants(proc.pid)
        workers = [pid for pid, cmd in tree.items() if cmd.strip().endswith("agentmatch worker")]
        # The worker's lanes apart from the clock (messages, webhooks, imports).
        apart = [pid for pid, cmd in tree.items() if "agentmatch worker --lanes" in cmd]
        web = [pid for pid, cmd in tree.items() if "gunicorn" in cmd]
        assert len(workers) == 1 and alive(workers[0]), tree
        assert len(apart) == 1 and alive(apart[0]), tree
        # The clock before delivery, delivery before the web (WORKER_LANES_NICE 5).
        assert niceness(apart[0]) == niceness(workers[0]) + 5, tree
        assert len(web) >= 2, tree  # the arbiter and its worker
        # The worker comes before the web processes (WEB_NICE 10, WORKER_NICE 0): under
        # full intake load it still moves expired offers on in time.
        assert niceness(workers[0]) + 10 == niceness(web[0]), tree
        output = log.read_text()
        assert f"{base}/api/docs" in output and f"{base}/api/openapi.json" in output

        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
        assert time.monotonic() - started < 10
        assert proc.returncode == 0, log.read_text()
        output = log.read_text()
        assert f"GET /status/{created['id']}/[redacted]/ HTTP/1.1" in output
        assert created["status_token"] not in output and "from=sms" not in output
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in tree) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in tree if alive(pid)] == [], "orphaned children"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@linux_only
@pytest.mark.django_db(transaction=True)
def test_when_a_child_dies_run_stops_the_others_and_fails(tmp_path):
    plan_year_2026()
    port = free_port()
    log = tmp_path / "run.log"
    env = dict(os.environ, DATABASE_URL=database_url(), LOG_LEVEL="WARNING")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "agentmatch", "run", "--port", str(port), "--web-workers", "1"],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=settings.BASE_DIR,
        )  # fmt: skip
    try:
        wait_for_health(f"http://127.0.0.1:{port}", proc, log)
        tree = descendants(proc.pid)
        worker = next(pid for pid, cmd in tree.items() if "agentmatch worker" in cmd)
        os.kill(worker, signal.SIGKILL)
        proc.wait(timeout=15)
        assert proc.returncode == 1
        assert "exited with code -9" in log.read_text()
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in tree) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in tree if alive(pid)] == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_port_in_use_is_a_clear_error_before_anything_starts():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CommandError, match=f"Cannot listen on 127.0.0.1:{port}"):
            call_command("run", "--port", str(port))


def test_the_web_server_defaults_to_sync_workers_and_threads_switch_to_gthread():
    from agentmatch.core.management.commands.run import gunicorn_argv

    sync = gunicorn_argv("127.0.0.1:8000", workers=4, threads=1)
    assert sync[sync.index("--worker-class") + 1] == "sync"
    assert sync[sync.index("--workers") + 1] == "4"
    threaded = gunicorn_argv("127.0.0.1:8000", workers=2, threads=4)
    assert threaded[threaded.index("--worker-class") + 1] == "gthread"
    assert threaded[threaded.index("--threads") + 1] == "4"
    assert threaded[threaded.index("--keep-alive") + 1] == "5"


def test_web_and_worker_processes_keep_database_connections_unless_told_otherwise():
    from agentmatch.core.management.commands.run import child_environment

    assert child_environment({"PATH": "/bin"})["DB_CONN_MAX_AGE"] == "600"
    assert child_environment({"DB_CONN_MAX_AGE": "0"})["DB_CONN_MAX_AGE"] == "0"


def test_zero_web_threads_is_a_clear_error():
    with pytest.raises(CommandError, match="--web-threads must be at least 1"):
        call_command("run", "--web-threads", "0")


def test_web_workers_are_forked_with_the_zip_index_loaded_and_no_database_connection():
    """gunicorn --preload imports agentmatch.wsgi once in its master: the ZIP index (seconds
    of CPU to build) is ready before any worker is forked, and no database connection is
    open there for the forked workers to share."""
    import subprocess
    import sys

    from agentmatch.core.management.commands.run import gunicorn_argv

    assert "--preload" in gunicorn_argv("127.0.0.1:8000", workers=4, threads=1)
    probe = (
        "import agentmatch.wsgi\n"
        "from django.db import connections\n"
        "from agentmatch.core import geo\n"
        "print(geo._index.cache_info().currsize,"
        " all(c.connection is None for c in connections.all(initialized_only=True)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert out.split() == ["1", "True"]


@pytest.mark.parametrize(
    ("child", "variable"), [("_web_child", "WEB_NICE"), ("_worker_child", "WORKER_NICE")]
)
def test_web_nice_and_worker_nice_set_each_childs_cpu_priority(child, variable) -> None:
    # What `run` calls in each child before it starts gunicorn or the worker.
    script = (
        "import os\n"
        "from agentmatch.core.management.commands import run\n"
        "before = os.nice(0)\n"
        f"run.{child}()\n"
        "print(os.nice(0) - before)\n"
    )
    env = {**os.environ, variable: "3", "PYTHONPATH": str(settings.BASE_DIR)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3"
