"""The deployment kit holds together: the Dockerfile builds with scripts/build-release and
runs as a user without privileges with a health check; compose.yaml starts PostgreSQL, then
migrations, then web and scalable workers, with settings the registry knows; env.example
lists what production needs; the systemd units are valid and hardened."""

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands

from agentmatch.core.environment import BY_NAME, VARIABLES

ROOT = Path(settings.BASE_DIR)
SYSTEMD = ROOT / "docs" / "systemd"
UNITS = ["agentmatch-migrate.service", "agentmatch-web.service", "agentmatch-worker@.service"]
SECRET_WORDS = ("SECRET", "PASSWORD", "TOKEN", "PRIVATE", "KEY")


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's stages, each a list of (INSTRUCTION, arguments), continuations joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n\s*", " ", text)
    stages: list[list[tuple[str, str]]] = [[]]
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, args = line.partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        stages[-1].append((instruction.upper(), args.strip()))
    return stages


def instructions(stage: list[tuple[str, str]], name: str) -> list[str]:
    return [args for instruction, args in stage if instruction == name]


def test_the_image_builds_with_the_release_script_and_node_stays_in_the_build_stage():
    stages = dockerfile_stages()
    build = next(s for s in stages if s and s[0][1].endswith(" AS build"))
    runtime = stages[-1]
    assert "scripts/build-release /opt/agentmatch" in instructions(build, "RUN")
    assert any("node" in args for args in instructions(build, "COPY"))
    assert not any("node" in args.lower() for _, args in runtime[1:]), "no Node at run time"
    assert instructions(runtime, "COPY") == ["--from=build /opt/agentmatch /opt/agentmatch"]


def test_the_image_runs_as_a_user_without_privileges_with_a_health_check_on_its_port():
    runtime = dockerfile_stages()[-1]
    (user,) = instructions(runtime, "USER")
    assert user.split(":")[0] not in ("root", "0")
    (expose,) = instructions(runtime, "EXPOSE")
    env = " ".join(instructions(runtime, "ENV"))
    assert f"PORT={expose}" in env and "HOST=0.0.0.0" in env
    (healthcheck,) = instructions(runtime, "HEALTHCHECK")
    # The probe (core/healthcheck.py) asks the web server's /healthz on PORT.
    assert '"-m", "agentmatch.core.healthcheck"' in healthcheck
    assert "/healthz" in (ROOT / "agentmatch" / "core" / "healthcheck.py").read_text()
    assert instructions(runtime, "ENTRYPOINT") == ['["agentmatch"]']
    assert instructions(runtime, "CMD") == ['["web"]']


def test_the_image_bakes_in_no_secret_and_sets_only_declared_variables():
    for stage in dockerfile_stages():
        for args in instructions(stage, "ENV") + instructions(stage, "ARG"):
            for name in re.findall(r"(\w+)=", args):
                assert not any(word in name for word in SECRET_WORDS), name
    runtime = dockerfile_stages()[-1]
    names = re.findall(r"(\w+)=", " ".join(instructions(runtime, "ENV")))
    ours = [n for n in names if not n.startswith("PYTHON") and n != "PATH"]
    assert ours and [n for n in ours if n not in BY_NAME] == []


def test_the_build_context_leaves_out_secrets_and_local_state():
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".env", ".git", ".venv", "node_modules", "data"):
        assert entry in ignored, entry


def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_starts_the_database_then_migrations_then_web_and_workers():
    services = compose()["services"]
    assert set(services) == {"db", "migrate", "web", "worker"}
    db = services["db"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert services["migrate"]["command"] == ["migrate", "--no-input"]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in ("web", "worker"):
        assert services[name]["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }, name
    assert services["web"]["command"] == ["web"]
    assert services["worker"]["command"] == ["worker"]
    commands = get_commands()
    assert {"web", "worker", "migrate"} <= set(commands)


def test_workers_scale_with_docker_compose_up_scale():
    worker = compose()["services"]["worker"]
    # A fixed name or a published port would stop a second replica from starting.
    assert "container_name" not in worker and "ports" not in worker
    # Healthy by its own heartbeat (core/heartbeat.py), not by a web probe it has not got.
    assert worker["healthcheck"]["test"] == ["CMD", "agentmatch", "worker_alive"]
    web = compose()["services"]["web"]
    assert web["ports"] == ["127.0.0.1:8000:8000"], "only the proxy on this host reaches it"


def test_compose_reads_the_env_file_and_sets_only_declared_variables():
    services = compose()["services"]
    for name in ("migrate", "web", "worker"):
        service = services[name]
        assert service["env_file"] == ".env"
        assert service["read_only"] is True and "ALL" in service["cap_drop"]
        assert [v for v in service["environment"] if v not in BY_NAME] == [], name


def env_example() -> dict[str, str]:
    lines = (ROOT / "env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_env_example_lists_every_required_variable_and_only_declared_ones():
    example = env_example()
    text = (ROOT / "env.example").read_text(encoding="utf-8")
    compose_only = {"POSTGRES_PASSWORD"}
    assert [n for n in example if n not in BY_NAME and n not in compose_only] == []
    for variable in VARIABLES:
        if variable.required:
            assert re.search(rf"^#? ?{variable.name}=", text, re.MULTILINE), variable.name
    # Secrets are placeholders, never values someone might keep.
    for name, value in example.items():
        if any(word in name for word in SECRET_WORDS) and name != "VAPID_PUBLIC_KEY":
            assert value == "CHANGE-ME", name


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read(SYSTEMD / name)
    return parser


@pytest.mark.parametrize("name", UNITS)
def test_each_systemd_unit_runs_an_agentmatch_command_hardened(name):
    service = unit(name)["Service"]
    assert service["User"] == "agentmatch"
    assert service["EnvironmentFile"] == "/etc/agentmatch/agentmatch.env"
    assert service["ExecStart"].startswith("/opt/agentmatch/venv/bin/agentmatch ")
    command = service["ExecStart"].split()[1]
    assert command in get_commands()
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["PrivateTmp"] == "yes"
    assert service["ReadWritePaths"] == "/var/lib/agentmatch"
    assert service["CapabilityBoundingSet"] == ""
    text = (SYSTEMD / name).read_text(encoding="utf-8")
    set_here = re.findall(r"(\w+)=", " ".join(re.findall(r"^Environment=(.*)$", text, re.M)))
    assert set_here and [n for n in set_here if n not in BY_NAME] == []


def test_web_and_workers_wait_for_migrations():
    for name in ("agentmatch-web.service", "agentmatch-worker@.service"):
        section = unit(name)["Unit"]
        assert "agentmatch-migrate.service" in section["Requires"]
        assert "agentmatch-migrate.service" in section["After"]
    assert unit("agentmatch-migrate.service")["Service"]["Type"] == "oneshot"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_analyze_verifies_the_units(tmp_path):
    # verify insists the command exists: point it at one that does.
    for name in UNITS:
        text = (SYSTEMD / name).read_text(encoding="utf-8")
        text = text.replace("/opt/agentmatch/venv/bin/agentmatch", "/bin/true")
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", *[str(tmp_path / n) for n in UNITS]],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stderr
