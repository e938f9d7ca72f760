"""save_profile: MLMS/CMS profile data validated, normalised, and updated only on change."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from agentmatch.agents.models import Agent
from agentmatch.agents.profile import ProfileData, ProfileError
from agentmatch.eligibility.agent_facts import save_profile

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
ROSA = ProfileData(
    npn="0012345",
    first_name=" Rosa ",
    last_name="Diaz",
    email="rosa@example.com",
    cell_phone="(608) 555-0123",
    business_street="1 Main St",
    business_zip="53703",
    languages=("English", "es"),
    display_option=2,
)


def test_new_profile_is_stored_normalised():
    saved = save_profile(data=ROSA, now=NOW)
    agent, changed = saved.agent, saved.changed
    assert changed is True
    agent.refresh_from_db()
    assert agent.first_name == "Rosa"
    assert agent.cell_phone == "+16085550123"
    assert (agent.business_city, agent.home_state) == ("Madison", "WI")
    assert agent.time_zone == "America/Chicago"
    assert agent.latitude == pytest.approx(43.0775)
    assert sorted(agent.languages.values_list("language", flat=True)) == ["en", "es"]


def test_npn_keeps_its_leading_zeros_and_is_matched_without_them():
    agent = save_profile(data=ROSA, now=NOW).agent
    assert agent.npn == "0012345"
    assert agent.npn_key == "12345"


def test_same_npn_without_leading_zeros_updates_the_same_agent():
    first = save_profile(data=ROSA, now=NOW).agent
    saved = save_profile(data=replace(ROSA, npn="12345"), now=NOW)
    again, changed = saved.agent, saved.changed
    assert again.pk == first.pk
    assert changed is True
    assert Agent.objects.count() == 1


def test_saving_the_same_profile_again_reports_no_change():
    save_profile(data=ROSA, now=NOW)
    saved = save_profile(data=ROSA, now=NOW)
    _agent, changed = saved.agent, saved.changed
    assert changed is False
    assert Agent.objects.count() == 1


def test_changed_field_is_updated_and_reported():
    save_profile(data=ROSA, now=NOW)
    saved = save_profile(data=replace(ROSA, business_zip="53202"), now=NOW)
    agent, changed = saved.agent, saved.changed
    assert changed is True
    agent.refresh_from_db()
    assert (agent.business_zip, agent.business_city) == ("53202", "Milwaukee")


def test_changed_languages_alone_are_reported():
    save_profile(data=ROSA, now=NOW)
    saved = save_profile(data=replace(ROSA, languages=("en",)), now=NOW)
    agent, changed = saved.agent, saved.changed
    assert changed is True
    assert list(agent.languages.values_list("language", flat=True)) == ["en"]


def test_explicit_home_state_wins_over_the_zip_state():
    agent = save_profile(data=replace(ROSA, home_state="ia"), now=NOW).agent
    assert agent.home_state == "IA"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        pytest.param({"business_zip": "00000"}, "zip", "00000", id="unknown_zip"),
        pytest.param({"business_zip": "5370"}, "zip", "5370", id="short_zip"),
        pytest.param({"business_zip": ""}, "zip", "ZIP", id="missing_zip"),
        pytest.param({"cell_phone": "555-12"}, "phone", "555-12", id="bad_phone"),
        pytest.param({"npn": "12AB"}, "npn", "12AB", id="npn_not_digits"),
        pytest.param({"npn": "12345678901"}, "npn", "1 to 10 digits", id="npn_too_long"),
        pytest.param({"first_name": "  "}, "name", "required", id="blank_first_name"),
        pytest.param({"display_option": 5}, "display_option", "'5'", id="display_option_5"),
        pytest.param(
            {"display_option": 0}, "display_option", "1, 2, 3 or 4", id="display_option_0"
        ),
        pytest.param({"languages": ("Klingon",)}, "languages", "Klingon", id="unknown_language"),
        pytest.param({"languages": ()}, "languages", "at least one", id="no_language"),
        pytest.param({"home_state": "XX"}, "home_state", "XX", id="bad_home_state"),
        pytest.param({"contact_method": "pigeon"}, "contact_method", "pigeon", id="bad_contact"),
    ],
)
def test_bad_profile_is_refused_naming_the_field_and_stores_nothing(change, field, words):
    with pytest.raises(ProfileError) as err:
        save_profile(data=replace(ROSA, **change), now=NOW)
    assert err.value.field == field
    assert words in err.value.message
    assert Agent.objects.count() == 0


def test_bad_update_leaves_the_stored_profile_alone():
    save_profile(data=ROSA, now=NOW)
    with pytest.raises(ProfileError):
        save_profile(data=replace(ROSA, business_zip="00000", cell_phone="608-555-0199"), now=NOW)
    agent = Agent.objects.get()
    assert (agent.business_zip, agent.cell_phone) == ("53703", "+16085550123")
