from datetime import date

import pytest

from agentmatch.agents.models import Agent
from agentmatch.eligibility.models import TrainingCompletion
from agentmatch.imports.tests.helpers import fixture, run, snapshot

pytestmark = pytest.mark.django_db


def test_roster_rows_create_agents_through_the_profile_rules(plan_year):
    out, _err = run("import_roster", fixture("roster.csv"))
    maria = Agent.objects.get(npn="0012345")
    assert (maria.first_name, maria.last_name, maria.email) == (
        "Maria",
        "Lopez",
        "maria.lopez@example.com",
    )
    assert (maria.business_zip, maria.business_city, maria.home_state) == ("53703", "Madison", "WI")
    assert maria.latitude is not None and maria.time_zone == "America/Chicago"
    assert set(maria.languages.values_list("language", flat=True)) == {"en", "es"}
    assert maria.display_option == 1
    linh = Agent.objects.get(npn="8812002")
    assert set(linh.languages.values_list("language", flat=True)) == {"en", "vi"}
    assert linh.home_state == "TX"  # blank in the roster: from the ZIP
    assert Agent.objects.get(npn="8812003").display_option == 4
    assert "10 rows read: 5 created, 0 updated, 0 unchanged, 5 rejected" in out


def test_training_dates_become_training_completions(plan_year):
    run("import_roster", fixture("roster.csv"))
    assert TrainingCompletion.objects.get(npn_key="12345", plan_year=2026).completed_on == date(
        2025, 9, 15
    )
    assert not TrainingCompletion.objects.filter(npn_key="8812004").exists()


def test_a_roster_alone_never_registers_anyone_with_the_service(plan_year):
    """Registration is the agent's own act: account and both Terms of Use (onboarding)."""
    run("import_roster", fixture("roster.csv"))
    assert (
        Agent.objects.filter(service_registration_completed_at=None).count()
        == Agent.objects.count()
    )


def test_bad_roster_rows_are_rejected_with_line_numbers(plan_year):
    _out, err = run("import_roster", fixture("roster.csv"))
    assert "line 7: rejected: ZIP: ZIP code 00000 is not a known US ZIP code" in err
    assert "line 8: rejected: Home State: 'ZZ' is not a US state code" in err
    assert "line 9: rejected: NPN '88AB007' is not an NPN" in err
    assert "line 10: rejected: Display Option '5' is not 1, 2, 3 or 4" in err
    assert "line 11: rejected: Languages: 'Klingon' is not a known language" in err
    assert Agent.objects.count() == 5


def test_a_roster_without_leading_zeros_keeps_the_known_npn_and_home_state(plan_year, tmp_path):
    run("import_roster", fixture("roster.csv"))
    Agent.objects.filter(npn="8812002").update(home_state="FL")
    stripped = tmp_path / "roster.csv"
    stripped.write_text(
        "NPN,First Name,Last Name,ZIP,Languages,Display Option\n"
        "12345,Maria,Lopez-Diaz,53703,es;en,1\n"
        "8812002,Linh,Nguyen,77002,en;vi,3\n"
    )
    out, _err = run("import_roster", str(stripped))
    maria = Agent.objects.get(npn_key="12345")
    assert maria.npn == "0012345" and maria.last_name == "Lopez-Diaz"
    assert Agent.objects.get(npn="8812002").home_state == "FL"
    assert "0 created, 1 updated, 1 unchanged" in out


def test_reimporting_the_roster_changes_nothing(plan_year):
    run("import_roster", fixture("roster.csv"))
    before = snapshot()
    out, _err = run("import_roster", fixture("roster.csv"))
    assert snapshot() == before
    assert "0 created, 0 updated, 5 unchanged" in out
