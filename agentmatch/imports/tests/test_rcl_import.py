from datetime import date

import pytest

from agentmatch.eligibility.models import RegistrationCompletion
from agentmatch.imports.models import ImportRun
from agentmatch.imports.tests.helpers import fixture, run, snapshot

pytestmark = pytest.mark.django_db


def test_rcl_rows_are_stored_per_npn_key_and_plan_year(plan_year):
    out, _err = run("import_rcl", fixture("rcl.csv"))
    maria = RegistrationCompletion.objects.get(plan_year=2026, npn_key="12345")
    assert maria.npn_valid is True
    assert maria.individual_completed_on == date(2025, 8, 1)
    assert maria.shop_completed_on == date(2025, 8, 1)
    assert maria.individual_ends_on is None and maria.shop_ends_on is None
    assert RegistrationCompletion.objects.get(npn_key="8812001").individual_completed_on == date(
        2025, 8, 12
    )
    assert RegistrationCompletion.objects.get(npn_key="8812003").npn_valid is False
    last_year = RegistrationCompletion.objects.get(plan_year=2025, npn_key="12345")
    assert last_year.individual_ends_on == date(2025, 12, 31)
    assert "11 rows read: 6 created, 0 updated, 0 unchanged, 4 rejected" in out


def test_leading_zeros_lost_in_the_file_still_match_the_agent(plan_year):
    run("import_rcl", fixture("rcl_snake_case.csv"))
    # The file says 0012345; the CMS list said 12345: both are the same key.
    assert RegistrationCompletion.objects.filter(npn_key="12345").count() == 1
    run("import_rcl", fixture("rcl.csv"))
    assert RegistrationCompletion.objects.filter(npn_key="12345", plan_year=2026).count() == 1


def test_snake_case_headers_bom_shop_capitals_and_spaces_are_understood(plan_year):
    out, err = run("import_rcl", fixture("rcl_snake_case.csv"))
    assert err == ""
    assert "2 rows read: 2 created" in out
    assert RegistrationCompletion.objects.get(npn_key="8812001").npn_valid is False
    assert RegistrationCompletion.objects.get(npn_key="12345").npn_valid is True


def test_identical_duplicates_count_once_and_conflicting_ones_are_rejected(plan_year):
    out, err = run("import_rcl", fixture("rcl.csv"))
    assert "1 duplicate row counted once" in out
    assert "line 8: rejected: conflicts with line 4 (same NPN and plan year" in err
    # The earlier line wins.
    assert RegistrationCompletion.objects.get(npn_key="8812002").individual_completed_on == date(
        2025, 9, 3
    )


def test_bad_rows_are_rejected_with_line_and_reason_and_the_rest_imported(plan_year):
    _out, err = run("import_rcl", fixture("rcl.csv"))
    assert "line 9: rejected: NPN '12AB5' is not an NPN" in err
    assert "line 10: rejected: Individual Registration Completion Date '13/45/2025'" in err
    assert "line 11: rejected: NPN Valid 'Maybe' is not Y/N" in err
    assert not RegistrationCompletion.objects.filter(npn_key__in=["8812005", "8812006"]).exists()
    assert RegistrationCompletion.objects.count() == 6


def test_reimporting_the_same_file_changes_nothing_and_says_so(plan_year):
    run("import_rcl", fixture("rcl.csv"))
    before = snapshot()
    out, _err = run("import_rcl", fixture("rcl.csv"))
    assert snapshot() == before
    assert "0 created, 0 updated, 6 unchanged" in out
    assert "Nothing changed" in out
    assert ImportRun.objects.filter(kind="rcl", status="succeeded").count() == 2


def test_a_changed_row_is_updated(plan_year, tmp_path):
    run("import_rcl", fixture("rcl.csv"))
    changed = tmp_path / "rcl.csv"
    changed.write_text(
        "NPN,Applicable Plan Year,Individual Registration Completion Date,"
        "NPN Valid (Current Plan Year Only)\n8812003,2026,9/3/2025,Y\n"
    )
    out, _err = run("import_rcl", str(changed))
    assert "0 created, 1 updated, 0 unchanged" in out
    assert RegistrationCompletion.objects.get(npn_key="8812003").npn_valid is True


def test_plan_year_option_skips_other_years_and_fills_a_missing_column(plan_year, tmp_path):
    out, _err = run("import_rcl", fixture("rcl.csv"), "--plan-year", "2025")
    assert "1 created, 0 updated, 0 unchanged, 1 rejected, 9 skipped (other plan year)" in out
    assert list(RegistrationCompletion.objects.values_list("plan_year", flat=True)) == [2025]
    no_year = tmp_path / "no_year.csv"
    no_year.write_text(
        "NPN,Individual Registration Completion Date,NPN Valid (Current Plan Year Only)\n"
        "777,9/1/2025,Y\n"
    )
    run("import_rcl", str(no_year), "--plan-year", "2027")
    assert RegistrationCompletion.objects.get(npn_key="777").plan_year == 2027
