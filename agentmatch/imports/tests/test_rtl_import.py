from datetime import date

import pytest

from agentmatch.eligibility.models import RegistrationTermination, RoutingState
from agentmatch.imports.tests.helpers import fixture, import_everything, run, snapshot

pytestmark = pytest.mark.django_db


def routed(npn: str) -> set[str]:
    return set(RoutingState.objects.filter(agent__npn=npn).values_list("state", flat=True))


def test_rtl_rows_are_stored_with_status_marketplaces_and_dates(plan_year):
    out, err = run("import_rtl", fixture("rtl_terminated.csv"))
    row = RegistrationTermination.objects.get(npn_key="8812001")
    assert (row.status, row.marketplaces, row.plan_year) == ("T3", "Both", 2026)
    assert row.effective_on == date(2025, 10, 1)
    assert row.registration_completed_on == date(2025, 8, 12)
    assert RegistrationTermination.objects.get(npn_key="12345").marketplaces == "SHOP"
    assert "line 4: rejected: Status 'X9' is not a status code" in err
    assert "line 5: rejected: Marketplaces 'Everywhere' is not Individual, SHOP or Both" in err
    assert "4 rows read: 2 created, 0 updated, 0 unchanged, 2 rejected" in out


def test_a_t3_termination_removes_routing(plan_year):
    import_everything()
    assert routed("8812001") == {"TX"}
    assert routed("0012345") == {"WI", "TX"}
    run("import_rtl", fixture("rtl_terminated.csv"))
    assert routed("8812001") == set()
    # A SHOP-only termination does not touch the Individual Marketplace.
    assert routed("0012345") == {"WI", "TX"}


def test_an_r1_reinstatement_after_t3_restores_routing(plan_year):
    import_everything()
    run("import_rtl", fixture("rtl_terminated.csv"))
    assert routed("8812001") == set()
    out, _err = run("import_rtl", fixture("rtl_reinstated.csv"))
    assert routed("8812001") == {"TX"}
    assert "1 created, 0 updated, 1 unchanged" in out


def test_reimporting_the_rtl_changes_nothing(plan_year):
    run("import_rtl", fixture("rtl_reinstated.csv"))
    before = snapshot()
    out, _err = run("import_rtl", fixture("rtl_reinstated.csv"))
    assert snapshot() == before
    assert "Nothing changed" in out
