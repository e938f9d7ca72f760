"""What the import commands print is true: counts, data kept for NPNs without an agent yet,
and "Nothing changed" only when nothing did."""

import hashlib
from pathlib import Path

import pytest

from agentmatch.imports.tests.helpers import fixture, run
from agentmatch.planyears.models import PlanYear

pytestmark = pytest.mark.django_db

README_ORDER = [
    ("import_rcl", "rcl.csv"),
    ("import_rtl", "rtl_terminated.csv"),
    ("import_nipr", "nipr.xml"),
    ("import_roster", "roster.csv"),
]


def first_line(kind: str, name: str, counts: str) -> str:
    sha = hashlib.sha256(Path(fixture(name)).read_bytes()).hexdigest()[:12]
    return f"{kind} import of {fixture(name)} (sha256 {sha}): {counts}."


def test_the_readme_order_on_a_fresh_database_says_what_each_file_did(plan_year):
    rcl, rtl, nipr, roster = (run(command, fixture(name))[0] for command, name in README_ORDER)

    assert rcl.splitlines() == [
        first_line(
            "CMS Registration Completion List",
            "rcl.csv",
            "11 rows read: 6 created, 0 updated, 0 unchanged, 4 rejected, "
            "1 duplicate row counted once",
        ),
        "5 NPNs have no agent yet: their registration rows are kept and apply when the "
        "roster adds them.",
        "Routing refreshed for 0 agents; 0 gained a state; 0 waiting referrals offered.",
    ]
    assert rtl.splitlines() == [
        first_line(
            "CMS Registration Termination List",
            "rtl_terminated.csv",
            "4 rows read: 2 created, 0 updated, 0 unchanged, 2 rejected",
        ),
        "2 NPNs have no agent yet: their termination rows are kept and apply when the "
        "roster adds them.",
        "Routing refreshed for 0 agents; 0 gained a state; 0 waiting referrals offered.",
    ]
    # The licenses are kept, not dropped, and the file did change something.
    assert nipr.splitlines() == [
        first_line(
            "NIPR producer licensing (PDB XML)",
            "nipr.xml",
            "6 rows read: 5 created, 0 updated, 0 unchanged, 1 rejected",
        ),
        "5 NPNs have no agent yet: their licenses are kept and apply when the roster adds them.",
        "Routing refreshed for 0 agents; 0 gained a state; 0 waiting referrals offered.",
    ]
    assert roster.splitlines() == [
        first_line(
            "MLMS roster",
            "roster.csv",
            "10 rows read: 5 created, 0 updated, 0 unchanged, 5 rejected",
        ),
        "Routing refreshed for 5 agents; 0 gained a state; 0 waiting referrals offered.",
    ]


def test_importing_the_same_files_again_says_nothing_changed(plan_year):
    for command, name in README_ORDER:
        run(command, fixture(name))

    again = [run(command, fixture(name))[0].splitlines() for command, name in README_ORDER]

    assert again[0][0].endswith(
        "11 rows read: 0 created, 0 updated, 6 unchanged, 4 rejected, 1 duplicate row counted once."
    )
    assert again[2][0].endswith("6 rows read: 0 created, 0 updated, 5 unchanged, 1 rejected.")
    assert again[2][1] == (
        "1 NPN has no agent yet: their licenses are kept and apply when the roster adds them."
    )
    for lines in again:
        assert "Nothing changed: the rows accepted were already imported." in lines
        assert (
            "Routing refreshed for 0 agents; 0 gained a state; 0 waiting referrals offered."
            in lines
        )


def test_a_clean_file_imported_twice_says_its_data_was_already_imported(plan_year, tmp_path):
    clean = tmp_path / "rcl.csv"
    clean.write_text(
        "NPN,Applicable Plan Year,Individual Registration Completion Date,NPN Valid\n"
        "12345,2026,8/1/2025,Y\n"
    )
    run("import_rcl", str(clean))
    out, _err = run("import_rcl", str(clean))
    assert "1 row read: 0 created, 0 updated, 1 unchanged, 0 rejected." in out
    assert "Nothing changed: the data in this file was already imported." in out


def test_a_file_whose_every_row_is_rejected_does_not_claim_it_was_already_imported(
    plan_year, tmp_path
):
    bad = tmp_path / "rcl.csv"
    bad.write_text(
        "NPN,Applicable Plan Year,Individual Registration Completion Date,NPN Valid\n"
        "12AB5,2026,8/1/2025,Y\n"
    )
    out, _err = run("import_rcl", str(bad))
    assert "Nothing changed: no row of this file could be imported." in out
    assert "already imported" not in out


def test_without_a_current_plan_year_the_summary_says_routing_was_not_refreshed(db):
    PlanYear.objects.update(is_current=False)
    out, _err = run("import_nipr", fixture("nipr.xml"))
    assert out.splitlines()[-1] == "No plan year is marked current: routing was not refreshed."
    assert "Routing refreshed" not in out
