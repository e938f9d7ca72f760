"""The release the Dockerfile builds: scripts/build-release, run here into a temporary
directory with the Dockerfile's own command line, gives an app that imports from the
release, has its assets collected, passes `check --deploy` with the production settings of
env.example, and serves /healthz and its assets through `agentmatch web` (the image's CMD),
which the container's health check accepts."""

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from agentmatch.core.tests.test_run_command import database_url, free_port, linux_only

ROOT = Path(settings.BASE_DIR)


def dockerfile_build_command() -> list[str]:
    """The build-release command line of the Dockerfile's RUN, as its words."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    (line,) = re.findall(r"^RUN (scripts/build-release .*)$", text, flags=re.MULTILINE)
    return shlex.split(line)


def production_env(tmp_path: Path) -> dict[str, str]:
    """env.example with its CHANGE-ME values filled in, as a deployer would."""
    env: dict[str, str] = {}
    for line in (ROOT / "env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    env.update(
        SECRET_KEY="k3y-" + "".join(chr(ord("a") + i % 26) for i in range(60)),
        VAPID_PUBLIC_KEY="BP" + "x" * 85,
        VAPID_PRIVATE_KEY="y" * 43,
        METRICS_TOKEN="m" * 40,
    )
    env = {k: ("x" if v == "CHANGE-ME" else v) for k, v in env.items()}
    env.pop("POSTGRES_PASSWORD")  # compose's, not the app's
    return env


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = tmp_path_factory.mktemp("release") / "agentmatch.new"
    argv = dockerfile_build_command()
    assert argv[0] == "scripts/build-release" and argv[1] == "/opt/agentmatch"
    # The Dockerfile's command into a temporary directory, reusing what this checkout has
    # installed (the full install is the image build's, minutes long).
    subprocess.run(
        [str(ROOT / argv[0]), str(built), *argv[2:],
         "--site-packages", sysconfig.get_path("purelib"),
         "--node-modules", str(ROOT / "node_modules")],
        check=True, cwd=ROOT, capture_output=True, text=True, timeout=240,
        env=dict(os.environ, PYTHON=sys.executable),
    )  # fmt: skip
    # Built in one place, moved to another (as an upgrade does): it must still work.
    return built.rename(built.with_name("agentmatch"))


def in_release(
    release: Path, *args: str, env: dict[str, str], timeout: float = 90
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "HOME")}
    return subprocess.run(
        [str(release / "venv" / "bin" / "agentmatch"), *args],
        env={**clean, **env}, capture_output=True, text=True, timeout=timeout, cwd="/",
    )  # fmt: skip


def test_the_release_has_its_assets_collected_and_no_tests_or_data(release):
    static = release / "static"
    assert (static / "uswds" / "css" / "uswds.css").is_file()
    assert "uswds/css/uswds.css" in json.loads((static / "staticfiles.json").read_text())["paths"]
    assert (static / "htmx" / "htmx.min.js").is_file()
    assert list((static / "core").iterdir()), "the apps' own assets are collected too"
    app = release / "app" / "agentmatch"
    assert (app / "settings.py").is_file()
    assert not list(app.rglob("tests")), "tests stay out of the release"
    assert not (release / "app" / "data").exists(), "the build leaves no data directory"
    assert (app / "core" / "locale" / "es" / "LC_MESSAGES" / "django.mo").is_file()


def test_the_release_imports_the_app_from_itself_and_passes_the_deploy_check(release, tmp_path):
    env = production_env(tmp_path)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        AGENTMATCH_DATA_DIR=str(tmp_path / "data"),
        STATIC_ROOT=str(release / "static"),
    )
    result = in_release(
        release, "shell", "-c", "import agentmatch, sys; print(agentmatch.__file__)", env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == str(release / "app" / "agentmatch" / "__init__.py")

    result = in_release(release, "check", "--deploy", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    # Only the deployer's own choices remain: HSTS for every subdomain, and preloading
    # (docs/deploy.md, "TLS"); nothing that leaves texts, emails or links unsafe.
    found = set(re.findall(r"\(([\w.]+\.[EW]\d+)\)", result.stdout + result.stderr))
    assert found == {"security.W005", "security.W021"}, result.stdout + result.stderr


@linux_only
@pytest.mark.django_db(transaction=True)
def test_web_from_the_release_serves_health_and_assets_and_stops_on_sigterm(release, tmp_path):
    port = free_port()
    env = production_env(tmp_path)
    env.update(
        DATABASE_URL=database_url(),
        AGENTMATCH_DATA_DIR=str(tmp_path / "data"),
        STATIC_ROOT=str(release / "static"),
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="1",
        SECURE_SSL_REDIRECT="false",
    )
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "HOME")}
    log = tmp_path / "web.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(release / "venv" / "bin" / "agentmatch"), "web"],
            env={**clean, **env}, stdout=out, stderr=subprocess.STDOUT, cwd="/",
        )  # fmt: skip
    probe = [sys.executable, "-m", "agentmatch.core.healthcheck"]
    try:
        deadline = time.monotonic() + 30
        while subprocess.run(probe, env={**clean, **env}, capture_output=True).returncode:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        # exec: the process the runtime started is gunicorn's arbiter itself.
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().replace(b"\0", b" ")
        assert b"gunicorn" in cmdline, cmdline
        # The stylesheet under its hashed name, as the pages name it: compressed, cached a year.
        manifest = json.loads((release / "static" / "staticfiles.json").read_text())
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/static/" + manifest["paths"]["uswds/css/uswds.css"],
            headers={"Host": "help.example.gov", "Accept-Encoding": "gzip"},
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert answer.status == 200 and len(answer.read()) > 10_000
            assert answer.headers["Content-Encoding"] == "gzip"
            assert "max-age=31536000" in answer.headers["Cache-Control"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # With the web server gone the health check fails.
    assert subprocess.run(probe, env={**clean, **env}, capture_output=True).returncode == 1
