"""The end of onboarding as tip sheets 001 and 004 describe it: "registration almost
complete" with the test text and the app on this phone, the CMS Terms screen where the
languages and state preferences can be corrected, then "set weekly hours or sign on now"."""

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.accounts.install import phone_platform
from agentmatch.accounts.tests.helpers import invite_and_send, sent_mail, sign_up_form, token_from
from agentmatch.agents.models import Agent, AgentChange, AvailabilitySwitch, ChangeKind
from agentmatch.agents.services import availability_of
from agentmatch.eligibility.models import RoutingState
from agentmatch.notifications.models import Channel, Message
from agentmatch.referrals.models import Offer
from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
ANDROID = "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 Chrome/131.0 Mobile Safari"


@pytest.fixture
def pat(plan_year) -> Agent:  # type: ignore[no-untyped-def]
    """Invited, licensed in Wisconsin and Michigan, English and Spanish from MLMS; like every
    new agent, set to follow weekly hours and with none."""
    return make_agent(
        zip_code="53703",
        licensed=["WI", "MI"],
        languages=["en", "es"],
        service_registered=False,
        switch=AvailabilitySwitch.SCHEDULE,
    )


def sign_up(client: Client, **overrides: object) -> None:
    invite_and_send(timezone.now())
    response = client.post(
        f"/accounts/register/{token_from(sent_mail()[0])}/", sign_up_form(**overrides)
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/register/done/"


def texts() -> list[Message]:
    return list(Message.objects.filter(channel=Channel.SMS).order_by("pk"))


# --- "Your registration is almost complete!" ----------------------------------------------


def test_the_almost_complete_screen_says_a_test_text_went_to_the_cell_phone(
    pat: Agent, client: Client
) -> None:
    sign_up(client)
    [text] = texts()
    assert text.to == "+16085550142" and text.kind.startswith("test")
    page = client.get("/accounts/register/done/").content.decode()
    assert "Your registration is almost complete!" in page
    assert "A test text message was sent to your cell phone ending in 0142" in page
    assert 'href="/accounts/terms/"' in page  # signed in: Continue, not Log in


def test_a_second_test_text_can_be_asked_for_from_that_screen(pat: Agent, client: Client) -> None:
    sign_up(client)
    response = client.post("/accounts/register/done/")
    assert response.status_code == 302
    assert len(texts()) == 2
    assert "We sent the test text again." in client.get("/accounts/register/done/").content.decode()


def test_email_only_agents_are_not_told_about_a_test_text(pat: Agent, client: Client) -> None:
    sign_up(client, contact_method="email")
    page = client.get("/accounts/register/done/").content.decode()
    assert "test text" not in page
    assert not texts()


def test_the_screen_shows_the_steps_for_the_phone_in_hand(pat: Agent, client: Client) -> None:
    sign_up(client)
    iphone = client.get("/accounts/register/done/", HTTP_USER_AGENT=IPHONE).content.decode()
    android = client.get("/accounts/register/done/", HTTP_USER_AGENT=ANDROID).content.decode()
    # The phone's own steps come first; the others wait behind "another kind of phone".
    assert iphone.index("Add to Home Screen") < iphone.index("Steps for another kind")
    assert android.index("Install app") < android.index("Steps for another kind")
    assert android.index("Add to Home Screen") > android.index("Steps for another kind")
    # The opt-in is right there, for the agent now signed in.
    assert "data-push-box" in iphone and "Turn on notifications on this device" in iphone


def test_the_screen_asks_a_signed_out_visitor_to_log_in_and_continue(client: Client) -> None:
    page = client.get("/accounts/register/done/").content.decode()
    assert "Log in and Continue" in page
    assert "data-push-box" not in page
    assert client.post("/accounts/register/done/").status_code == 200  # nothing to resend


@pytest.mark.parametrize(
    ("user_agent", "platform"),
    [
        (IPHONE, "ios"),
        (ANDROID, "android"),
        ("Mozilla/5.0 (X11; Linux x86_64)", "other"),
        ("", "other"),
    ],
)
def test_the_phone_is_told_apart_by_its_user_agent(user_agent: str, platform: str) -> None:
    assert phone_platform(user_agent) == platform


def test_the_screen_and_the_push_opt_in_are_reachable_before_the_cms_terms(
    pat: Agent, client: Client
) -> None:
    sign_up(client)
    assert client.get("/accounts/register/done/").status_code == 200
    assert client.get("/app/manifest.webmanifest").status_code == 200
    assert client.get("/accounts/profile/")["Location"] == "/accounts/terms/"


# --- The CMS Terms screen: languages and state preferences ----------------------------------


def accept(client: Client, **fields: object) -> object:
    return client.post(
        "/accounts/terms/", {"decision": "accept", "agree": "1", "preferences": "shown", **fields}
    )


def test_the_terms_screen_shows_the_languages_and_states_as_choices(
    pat: Agent, client: Client
) -> None:
    sign_up(client)
    page = client.get("/accounts/terms/").content.decode()
    assert "Proficient languages" in page and "State preferences" in page
    assert 'name="languages" value="es" checked' in page
    assert 'name="states" value="MI" checked' in page and 'name="states" value="WI" checked' in page


def test_languages_and_states_set_on_the_terms_screen_are_saved_with_the_acceptance(
    pat: Agent, client: Client
) -> None:
    sign_up(client)
    response = accept(client, languages=["en", "vi"], states=["WI"])
    assert response["Location"] == "/accounts/start/"  # type: ignore[index]
    pat.refresh_from_db()
    assert pat.service_registration_completed_at is not None
    assert sorted(pat.languages.values_list("language", flat=True)) == ["en", "vi"]
    assert set(RoutingState.objects.filter(agent=pat).values_list("state", flat=True)) == {"WI"}
    kinds = set(AgentChange.objects.filter(agent=pat).values_list("kind", flat=True))
    assert {ChangeKind.LANGUAGES, ChangeKind.STATES} <= kinds


def test_no_language_refuses_the_whole_screen_and_keeps_what_was_there(
    pat: Agent, client: Client
) -> None:
    sign_up(client)
    response = accept(client, states=["WI"])
    page = response.content.decode()  # type: ignore[attr-defined]
    assert "Choose at least one language." in page
    assert 'name="states" value="MI">' in page  # the choice made is shown again, unticked
    pat.refresh_from_db()
    assert pat.service_registration_completed_at is None
    assert sorted(pat.languages.values_list("language", flat=True)) == ["en", "es"]
    assert not RoutingState.objects.filter(agent=pat).exists()


def test_a_state_outside_the_eligible_ones_is_refused(pat: Agent, client: Client) -> None:
    sign_up(client)
    page = accept(client, languages=["en"], states=["WI", "TX"]).content.decode()  # type: ignore[attr-defined]
    assert "TX" in page and "Please fix these problems" in page
    pat.refresh_from_db()
    assert pat.service_registration_completed_at is None


def test_a_client_without_the_preference_fields_accepts_without_changing_them(
    pat: Agent, client: Client
) -> None:
    sign_up(client)
    client.post("/accounts/terms/", {"decision": "accept", "agree": "1"})
    pat.refresh_from_db()
    assert pat.service_registration_completed_at is not None
    assert sorted(pat.languages.values_list("language", flat=True)) == ["en", "es"]


def test_a_state_cleared_on_the_terms_screen_brings_no_referral(pat: Agent, client: Client) -> None:
    sign_up(client)
    accept(client, languages=["en"], states=["MI"])
    client.post("/accounts/start/", {"start": "now"})
    assert not Offer.objects.filter(referral=make_referral(zip_code="53703")).exists()


# --- "Set weekly hours, or sign on now" ------------------------------------------------------


def test_a_new_agent_is_asked_how_to_take_referrals_and_told_they_are_not_available(
    pat: Agent, client: Client
) -> None:
    sign_up(client)
    accept(client, languages=["en"], states=["WI"])
    page = client.get("/accounts/start/").content.decode()
    assert "Set my weekly hours" in page and "Sign on now" in page
    assert "have none set, so you are not available" in page
    pat.refresh_from_db()
    assert pat.availability_switch == AvailabilitySwitch.SCHEDULE
    assert not availability_of(agent=pat, now=timezone.now()).is_available


def test_signing_on_now_makes_the_agent_available_and_offers_waiting_referrals(
    pat: Agent, client: Client
) -> None:
    sign_up(client)
    accept(client, languages=["en"], states=["WI"])
    waiting = make_referral(zip_code="53703")
    response = client.post("/accounts/start/", {"start": "now"})
    assert response["Location"] == "/workspace/"
    pat.refresh_from_db()
    assert pat.availability_switch == AvailabilitySwitch.ON
    assert Offer.objects.filter(referral=waiting, agent=pat).exists()
    assert AgentChange.objects.filter(agent=pat, kind=ChangeKind.SWITCH, detail="on").exists()


def test_choosing_weekly_hours_leads_to_the_hours_form(pat: Agent, client: Client) -> None:
    sign_up(client)
    accept(client, languages=["en"], states=["WI"])
    response = client.post("/accounts/start/", {"start": "hours"})
    assert response["Location"] == "/availability/#weekly-hours"


def test_no_choice_asks_again(pat: Agent, client: Client) -> None:
    sign_up(client)
    accept(client, languages=["en"], states=["WI"])
    page = client.post("/accounts/start/", {"start": "whenever"}).content.decode()
    assert "Choose how you want to take referrals." in page


def test_the_workspace_and_availability_page_say_no_hours_means_not_available(
    pat: Agent, client: Client
) -> None:
    sign_up(client)
    accept(client, languages=["en"], states=["WI"])
    workspace = client.get("/workspace/").content.decode()
    assert "You are not available: no weekly hours set" in workspace
    availability = client.get("/availability/").content.decode()
    assert "have not set any" in availability
    client.post("/accounts/start/", {"start": "now"})
    assert "no weekly hours set" not in client.get("/workspace/").content.decode()
