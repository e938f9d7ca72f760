"""By default `simulate` runs on a fresh SQLite file in its out folder, never the configured
database: run as its own process, as an operator would run it."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny.toml"


def test_a_run_leaves_the_configured_database_untouched(tmp_path: Path) -> None:
    deployment = tmp_path / "deployment.sqlite3"
    out = tmp_path / "run"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{deployment}",
        "AGENTMATCH_DATA_DIR": str(tmp_path / "data"),
    }
    subprocess.run(
        [sys.executable, "-m", "agentmatch", "simulate", str(TINY), "--out", str(out),
         "--verbosity", "0"],
        env=env, check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    assert json.loads((out / "figures.json").read_text())["requests"] == 15
    with sqlite3.connect(out / "lab.sqlite3") as scratch:
        assert scratch.execute("SELECT count(*) FROM referrals_referral").fetchone() == (15,)
    if deployment.exists():  # opened by the start-up checks at most: not one table made
        with sqlite3.connect(deployment) as db:
            assert db.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
