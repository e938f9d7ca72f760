"""Shared bits of the benchmarks: Django setup per database, statistics, machine facts."""

import json
import os
import platform
import secrets
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("BENCH_DATA_DIR", "/tmp/bench-data"))
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("BENCH_PG_DB", "bench_agentmatch")
# The servers and workers the benchmarks start run with DEBUG off: they need a real key.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
SQLITE_PATH = DATA_DIR / "bench.sqlite3"


def database_url(backend: str) -> str:
    if backend == "pg":
        return f"{PG_SERVER}/{PG_DB}"
    return f"sqlite:///{SQLITE_PATH}"


def setup_django(backend: str) -> None:
    """Points the app's settings at the bench database before Django loads them."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = database_url(backend)
    os.environ["AGENTMATCH_DATA_DIR"] = str(DATA_DIR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agentmatch.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: p99 of 2000 samples is the 1980th smallest."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def median(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def summary(bench: str, **figures: Any) -> None:
    """The one line the orchestrator (run.py) reads back from a benchmark's output."""
    print("SUMMARY " + json.dumps({"bench": bench, **figures}, default=str), flush=True)


def machine() -> dict[str, str]:
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    try:
        pg = subprocess.run(
            ["psql", f"{PG_SERVER}/postgres", "-tAc", "SHOW server_version"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        pg = "unknown"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": str(os.cpu_count()),
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "cpu_model": _cpu_model(),
        "python": platform.python_version(),
        "postgresql": pg or "unknown",
        "kernel": platform.release(),
    }


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"
