from datetime import date
from pathlib import Path

import pytest

from agentmatch.agents.models import Agent
from agentmatch.core.npn import npn_key
from agentmatch.imports.tests.helpers import fixture, run, snapshot
from agentmatch.licensing.models import License, LineOfAuthority
from agentmatch.testing import give_license

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(plan_year):
    run("import_roster", fixture("roster.csv"))


def lines_of(npn: str, state: str) -> dict[str, tuple[bool, bool]]:
    lic = License.objects.get(npn_key=npn_key(npn), state=state)
    return {ln.name: (ln.is_active, ln.is_health) for ln in lic.lines.all()}


def test_licenses_and_lines_are_recorded_with_health_and_active_flags(roster):
    out, _err = run("import_nipr", fixture("nipr.xml"))
    wi = License.objects.get(npn_key="12345", state="WI")
    assert (wi.license_number, wi.is_active, wi.is_resident) == ("WI-0012345", True, True)
    assert wi.issued_on == date(2015, 3, 14) and wi.expires_on == date(2029, 3, 31)
    assert lines_of("0012345", "WI") == {"Accident & Health": (True, True), "Life": (True, False)}
    assert lines_of("0012345", "TX") == {"Life, Accident & Health": (True, True)}
    assert lines_of("8812002", "TX") == {"LIFE INCL VAR ANNUITY & HEALTH": (True, True)}
    assert lines_of("8812004", "WI") == {
        "Property": (True, False),
        "Casualty": (True, False),
        "Credit Accident & Health": (True, False),
    }
    # An inactive line stays recorded, but inactive.
    assert lines_of("8812001", "FL") == {"Health": (False, True)}
    assert "6 rows read: 5 created, 0 updated, 0 unchanged, 1 rejected" in out


def test_several_licenses_in_one_state_merge_into_one(roster):
    run("import_nipr", fixture("nipr.xml"))
    tx = License.objects.get(npn_key="8812001", state="TX")
    # The active producer license is the one shown; the expired adjuster license's line is
    # kept but inactive.
    assert (tx.license_number, tx.is_active, tx.license_class) == (
        "1877001",
        True,
        "General Lines Agent",
    )
    assert lines_of("8812001", "TX") == {
        "Accident and Health or Sickness": (True, True),
        "Property": (True, False),
        "Casualty": (False, False),
    }


def test_licenses_of_a_producer_not_on_the_roster_are_kept_by_npn(roster):
    out, _err = run("import_nipr", fixture("nipr.xml"))
    assert "1 NPN has no agent yet: their licenses are kept and apply when the roster" in out
    assert not Agent.objects.filter(npn="9990001").exists()  # NIPR creates no agent
    assert lines_of("9990001", "OH") == {"Health": (True, True)}


def test_a_bad_state_rejects_that_producer_with_its_line(roster):
    _out, err = run("import_nipr", fixture("nipr.xml"))
    assert "line 239: rejected: PRODUCER: STATE name 'Florida' is not a US state code" in err
    assert not License.objects.filter(npn_key="8812003").exists()


def test_resident_state_becomes_home_state_only_when_the_agent_has_none(roster):
    Agent.objects.filter(npn="8812004").update(home_state="")
    Agent.objects.filter(npn="8812001").update(home_state="OK")
    run("import_nipr", fixture("nipr.xml"))
    assert Agent.objects.get(npn="8812004").home_state == "WI"
    assert Agent.objects.get(npn="8812001").home_state == "OK"


def test_licenses_and_lines_missing_from_the_file_are_removed(roster):
    maria = Agent.objects.get(npn="0012345")
    give_license(maria, "OH", lines=["Health"])
    give_license(maria, "WI", lines=["Accident & Health", "Variable Life and Variable Annuity"])
    other = Agent.objects.get(npn="8812003")  # not in the file with valid data: untouched
    give_license(other, "FL", lines=["Health"])
    run("import_nipr", fixture("nipr.xml"))
    held = License.objects.filter(npn_key=maria.npn_key).values_list("state", flat=True)
    assert set(held) == {"WI", "TX"}
    assert set(lines_of("0012345", "WI")) == {"Accident & Health", "Life"}
    assert License.objects.filter(npn_key=other.npn_key, state="FL").exists()


def test_reimporting_the_same_file_changes_nothing(roster):
    run("import_nipr", fixture("nipr.xml"))
    before = snapshot()
    ids = list(LineOfAuthority.objects.order_by("pk").values_list("pk", flat=True))
    out, _err = run("import_nipr", fixture("nipr.xml"))
    assert snapshot() == before
    assert list(LineOfAuthority.objects.order_by("pk").values_list("pk", flat=True)) == ids
    assert "0 created, 0 updated, 5 unchanged" in out and "Nothing changed" in out


def test_a_changed_line_is_updated_in_place(roster, tmp_path):
    run("import_nipr", fixture("nipr.xml"))
    fixture_text = Path(fixture("nipr.xml")).read_text()
    text = fixture_text.replace(
        "<LOA>Life, Accident &amp; Health</LOA>\n                  <LOA_CODE>927</LOA_CODE>\n"
        "                  <AUTHORITY_ISSUE_DATE>06/01/2019</AUTHORITY_ISSUE_DATE>\n"
        "                  <STATUS>Active</STATUS>",
        "<LOA>Life, Accident &amp; Health</LOA>\n                  <LOA_CODE>927</LOA_CODE>\n"
        "                  <AUTHORITY_ISSUE_DATE>06/01/2019</AUTHORITY_ISSUE_DATE>\n"
        "                  <STATUS>Inactive</STATUS>",
    )
    assert text != fixture_text
    changed = tmp_path / "nipr.xml"
    changed.write_text(text)
    out, _err = run("import_nipr", str(changed))
    assert "0 created, 1 updated, 4 unchanged" in out
    assert lines_of("0012345", "TX") == {"Life, Accident & Health": (False, True)}


def test_a_producer_without_a_licensing_section_keeps_its_licenses(roster, tmp_path):
    run("import_nipr", fixture("nipr.xml"))
    partial = tmp_path / "nipr.xml"
    partial.write_text(
        "<PDB><PRODUCER><INDIVIDUAL><ENTITY_BIOGRAPHIC><BIOGRAPHIC><NPN>12345</NPN>"
        "</BIOGRAPHIC></ENTITY_BIOGRAPHIC></INDIVIDUAL></PRODUCER>\n"
        "<PRODUCER><INDIVIDUAL><ENTITY_BIOGRAPHIC><BIOGRAPHIC><NPN>8812004</NPN>"
        "</BIOGRAPHIC></ENTITY_BIOGRAPHIC><PRODUCER_LICENSING><LICENSE_INFORMATION/>"
        "</PRODUCER_LICENSING></INDIVIDUAL></PRODUCER></PDB>\n"
    )
    _out, err = run("import_nipr", str(partial))
    assert "line 1: rejected: PRODUCER: no PRODUCER_LICENSING section" in err
    assert License.objects.filter(npn_key="12345").count() == 2
    # An empty licensing section is the truth: that producer holds no license any more.
    assert not License.objects.filter(npn_key="8812004").exists()
