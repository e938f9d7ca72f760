import csv
import hashlib
from pathlib import Path

import pytest

from agentmatch.imports.models import ImportRun
from agentmatch.imports.tests.helpers import fixture, run

pytestmark = pytest.mark.django_db


def test_rejects_file_lists_line_reason_and_raw_row(plan_year, tmp_path):
    rejects = tmp_path / "rejects.csv"
    run("import_rcl", fixture("rcl.csv"), "--rejects", str(rejects))
    with rejects.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["line"] for r in rows] == ["8", "9", "10", "11"]
    assert rows[1]["reason"].startswith("NPN '12AB5' is not an NPN")
    assert rows[1]["raw"] == "12AB5,2026,8/1/2025,,,,Y"
    assert "conflicts with line 4" in rows[0]["reason"]


def test_only_the_first_twenty_rejects_go_to_stderr(plan_year, tmp_path):
    big = tmp_path / "rcl.csv"
    lines = ["NPN,Applicable Plan Year,Individual Registration Completion Date,NPN Valid"]
    lines += [f"bad{i},2026,8/1/2025,Y" for i in range(25)]
    big.write_text("\n".join(lines) + "\n")
    _out, err = run("import_rcl", str(big), "--rejects", str(tmp_path / "r.csv"))
    assert err.count("rejected:") == 20
    assert "line 21: rejected" in err and "line 22: rejected" not in err
    assert "... and 5 more rejected rows (all in" in err
    assert sum(1 for _ in (tmp_path / "r.csv").open()) == 26


def test_every_import_is_recorded_with_hash_counts_and_status(plan_year):
    run("import_rcl", fixture("rcl.csv"))
    record = ImportRun.objects.get()
    expected = hashlib.sha256(Path(fixture("rcl.csv")).read_bytes()).hexdigest()
    assert (record.kind, record.status, record.sha256) == ("rcl", "succeeded", expected)
    assert record.file_name.endswith("rcl.csv")
    assert (record.rows_read, record.created, record.updated, record.unchanged) == (11, 6, 0, 0)
    assert (record.duplicates, record.rejected, record.skipped) == (1, 4, 0)
    assert record.finished_at is not None and record.finished_at >= record.started_at


def test_counts_add_up_to_rows_read(plan_year):
    for command, name in [
        ("import_roster", "roster.csv"),
        ("import_rcl", "rcl.csv"),
        ("import_rtl", "rtl_terminated.csv"),
        ("import_nipr", "nipr.xml"),
    ]:
        run(command, fixture(name))
    for r in ImportRun.objects.all():
        parts = r.created + r.updated + r.unchanged + r.duplicates + r.skipped + r.rejected
        assert parts == r.rows_read, r.kind
