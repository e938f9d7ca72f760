"""A roster re-import never overwrites what the agent changed here (agents/ownership.py).

Languages and the ZIP follow MLMS until the agent edits them here; then the roster keeps
the agent's, records a ProfileConflict and says so in the summary. MLMS-owned fields (name,
display option, ...) still follow MLMS. Runs on SQLite and PostgreSQL alike.
"""

import pytest
from django.utils import timezone

from agentmatch.accounts.agent_actions import change_contact_details, change_languages
from agentmatch.accounts.tests.helpers import invite_and_send, sent_mail, sign_up_form, token_from
from agentmatch.agents.contact import ContactDetails
from agentmatch.agents.models import Agent, Channel, EditedField
from agentmatch.eligibility.models import RoutingSlot
from agentmatch.eligibility.tests.test_routing_table import assert_in_step
from agentmatch.imports.actions import import_file
from agentmatch.imports.models import ImportKind, ProfileConflict
from agentmatch.imports.report import ImportReport
from agentmatch.imports.tests.helpers import write_roster
from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db

MILWAUKEE = "53202"
MADISON = "53703"


def import_roster(path: str) -> ImportReport:
    return import_file(kind=ImportKind.ROSTER, path=path, now=timezone.now())


def speaks(agent: Agent) -> set[str]:
    return set(agent.languages.values_list("language", flat=True))


def move(agent: Agent, zip_code: str) -> None:
    details = ContactDetails(agent.cell_phone, agent.contact_method, zip_code)
    change_contact_details(agent=agent, now=timezone.now(), channel=Channel.WEB, details=details)


@pytest.fixture
def maria(plan_year) -> Agent:  # type: ignore[no-untyped-def]
    """Imported from MLMS in Madison speaking English; then moved herself to Milwaukee and
    added Spanish here."""
    agent = make_agent(
        npn="0012345", first_name="Maria", last_name="Lopez", zip_code=MADISON, licensed=["WI"]
    )
    move(agent, MILWAUKEE)
    change_languages(agent=agent, now=timezone.now(), channel=Channel.WEB, languages=["en", "es"])
    return agent


@pytest.fixture
def tom(plan_year) -> Agent:  # type: ignore[no-untyped-def]
    """Imported from MLMS in Madison speaking English; never edited anything here."""
    return make_agent(
        npn="8812004", first_name="Tom", last_name="Baker", zip_code=MADISON, licensed=["WI"]
    )


def test_the_agents_own_languages_and_zip_survive_a_roster_re_import(maria, tmp_path) -> None:
    import_roster(write_roster(tmp_path, [f"0012345,Maria,Lopez,{MADISON},en,1"]))
    maria.refresh_from_db()
    assert (maria.business_zip, maria.business_city) == (MILWAUKEE, "Milwaukee")
    assert speaks(maria) == {"en", "es"}


def test_mlms_owned_fields_still_follow_the_roster(maria, tmp_path) -> None:
    import_roster(write_roster(tmp_path, [f"0012345,Maria,Lopez-Diaz,{MADISON},en,2"]))
    maria.refresh_from_db()
    assert (maria.last_name, maria.display_option) == ("Lopez-Diaz", 2)
    assert maria.business_zip == MILWAUKEE


def test_a_field_the_agent_never_edited_follows_mlms(maria, tom, tmp_path) -> None:
    import_roster(
        write_roster(
            tmp_path,
            [f"0012345,Maria,Lopez,{MADISON},en,1", f"8812004,Tom,Baker,{MILWAUKEE},en;vi,1"],
        )
    )
    tom.refresh_from_db()
    assert (tom.business_zip, tom.business_city) == (MILWAUKEE, "Milwaukee")
    assert speaks(tom) == {"en", "vi"}
    assert not ProfileConflict.objects.filter(agent=tom).exists()


def test_saving_the_same_zip_does_not_take_it_over_from_mlms(tom, tmp_path) -> None:
    move(tom, MADISON)  # the agent confirms what MLMS said: nothing of theirs to keep
    assert not EditedField.objects.filter(agent=tom).exists()
    import_roster(write_roster(tmp_path, [f"8812004,Tom,Baker,{MILWAUKEE},en,1"]))
    tom.refresh_from_db()
    assert tom.business_zip == MILWAUKEE


def test_each_difference_is_recorded_as_a_conflict(maria, tmp_path) -> None:
    report = import_roster(write_roster(tmp_path, [f"0012345,Maria,Lopez,{MADISON},en,1"]))
    conflicts = {
        c.field: (c.mlms_value, c.our_value, c.import_run_id)
        for c in ProfileConflict.objects.filter(agent=maria)
    }
    assert conflicts == {
        "zip": (MADISON, MILWAUKEE, report.run.pk),
        "languages": ("en", "en, es", report.run.pk),
    }


def test_the_import_summary_counts_the_agents_whose_edits_were_kept(maria, tom, tmp_path) -> None:
    report = import_roster(
        write_roster(
            tmp_path,
            [f"0012345,Maria,Lopez,{MADISON},en,1", f"8812004,Tom,Baker,{MILWAUKEE},en,1"],
        )
    )
    lines = report.summary().splitlines()
    assert (
        "1 agent: MLMS differs from what the agent set here (languages, ZIP); kept the agent's."
        in lines
    )
    assert "1 updated, 1 unchanged" in lines[0]  # Tom moved; Maria kept her own


def test_the_summary_names_only_the_fields_that_differ(maria, tmp_path) -> None:
    report = import_roster(write_roster(tmp_path, [f"0012345,Maria,Lopez,{MILWAUKEE},en,1"]))
    assert (
        "1 agent: MLMS differs from what the agent set here (languages); kept the agent's."
        in report.summary().splitlines()
    )


def test_a_roster_that_agrees_again_clears_the_conflicts(maria, tmp_path) -> None:
    import_roster(write_roster(tmp_path, [f"0012345,Maria,Lopez,{MADISON},en,1"]))
    report = import_roster(
        write_roster(tmp_path, [f"0012345,Maria,Lopez,{MILWAUKEE},en;es,1"], name="again.csv")
    )
    assert not ProfileConflict.objects.filter(agent=maria).exists()
    assert "MLMS differs" not in report.summary()


def test_the_routing_index_stays_in_step_with_what_was_kept(maria, tom, tmp_path) -> None:
    import_roster(
        write_roster(
            tmp_path,
            [f"0012345,Maria,Lopez,{MADISON},en,1", f"8812004,Tom,Baker,{MILWAUKEE},en;vi,1"],
        )
    )
    assert_in_step()
    maria.refresh_from_db()
    slots = RoutingSlot.objects.filter(agent=maria)
    assert set(slots.values_list("language", flat=True)) == {"en", "es"}
    assert set(slots.values_list("latitude", flat=True)) == {maria.latitude}
    assert set(RoutingSlot.objects.filter(agent=tom).values_list("language", flat=True)) == {
        "en",
        "vi",
    }


def test_a_zip_entered_at_sign_up_is_the_agents(plan_year, client, tmp_path) -> None:
    """The tip sheets make the ZIP a sign-up field: one that differs from MLMS is kept."""
    make_agent(npn="8812004", zip_code=MADISON, licensed=["WI"], service_registered=False)
    invite_and_send(timezone.now())
    link = f"/accounts/register/{token_from(sent_mail()[0])}/"
    assert client.post(link, sign_up_form(zip_code=MILWAUKEE)).status_code == 302
    report = import_roster(write_roster(tmp_path, [f"8812004,Alex,Agent,{MADISON},en,1"]))
    assert Agent.objects.get(npn="8812004").business_zip == MILWAUKEE
    assert "1 agent: MLMS differs from what the agent set here (ZIP)" in report.summary()
