"""The profile page's new parts: languages as checkboxes, translated reasons, test messages."""

import pytest
from django.test import Client
from django.utils import translation

from agentmatch.agents.models import ContactMethod
from agentmatch.agents.reasons import translate_reason
from agentmatch.notifications.models import Message, PushSubscription
from agentmatch.testing import give_license, make_agent_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pat(plan_year, client: Client):  # type: ignore[no-untyped-def]
    user = make_agent_user(
        username="pat.agent",
        licensed=["WI", "AZ"],
        zip_code="53703",
        contact_method=ContactMethod.EMAIL_TEXT_APP,
    )
    client.force_login(user)
    return user


def test_languages_are_chosen_with_checkboxes(pat, client: Client) -> None:
    page = client.get("/accounts/profile/").content.decode()
    assert 'id="language-es"' in page and 'value="en" checked' in page
    client.post("/accounts/profile/", {"section": "languages", "languages": ["en", "es", "vi"]})
    assert set(pat.agent.languages.values_list("language", flat=True)) == {"en", "es", "vi"}
    response = client.post("/accounts/profile/", {"section": "languages"})
    assert "Choose at least one language." in response.content.decode()
    assert set(pat.agent.languages.values_list("language", flat=True)) == {"en", "es", "vi"}


def test_only_eligible_states_are_checkboxes_and_the_rest_say_why(pat, client: Client) -> None:
    give_license(pat.agent, "IA", lines=["Property"])
    page = client.get("/accounts/profile/").content.decode()
    assert 'id="state-WI"' in page and 'id="state-AZ"' in page
    assert 'id="state-IA"' not in page
    assert "no active health line of authority (lines: Property)" in page


def test_reasons_read_in_spanish() -> None:
    with translation.override("es"):
        text, known = translate_reason("no WI license on record from NIPR")
    assert known and "WI" in text and "license" not in text
    assert translate_reason("something new")[1] is False


@pytest.mark.parametrize(
    "reason",
    [
        "NPN is not on the Registration Completion List",
        "NPN is on the Registration Completion List but not valid",
        "no Individual Marketplace registration completion date",
        "Individual Marketplace registration ended 2026-01-01",
        "terminated or suspended (Terminated) on 2026-01-01",
        "no training completion in the MLMS roster",
        "registration incomplete",
        "display option 4: does not participate",
        "deactivated by support",
        "CA runs its own exchange in 2026",
        "no TX license on record from NIPR",
        "KS license is not active",
        "KS license expired 2025-12-31",
        "no active health line of authority (lines: none)",
        "display option 3: home state (IA) only",
        "agent deselected WI",
    ],
)
def test_every_reason_of_the_rules_has_a_translation(reason: str) -> None:
    assert translate_reason(reason)[1] is True


def test_test_email_and_text_are_enqueued_once_a_minute(pat, client: Client) -> None:
    response = client.post("/availability/test-notification/", {"channel": "email"})
    assert response.status_code == 302 and response["Location"].endswith("#notifications")
    email = Message.objects.get(kind="test_email")
    assert email.to == pat.agent.email and email.agent_id == pat.agent_id
    client.post("/availability/test-notification/", {"channel": "email"})
    assert Message.objects.filter(kind="test_email").count() == 1
    client.post("/availability/test-notification/", {"channel": "sms"})
    assert Message.objects.get(kind="test_text").to == pat.agent.cell_phone


def test_a_test_push_needs_a_device_first(pat, client: Client) -> None:
    response = client.post("/availability/test-notification/", {"channel": "push"}, follow=True)
    assert "Turn on notifications on this device first." in response.content.decode()
    from django.utils import timezone

    PushSubscription.objects.create(
        agent=pat.agent,
        endpoint="https://fcm.googleapis.com/fcm/send/abc",
        p256dh="k",
        auth="a",
        created_at=timezone.now(),
    )
    client.post("/availability/test-notification/", {"channel": "push"})
    push = Message.objects.get(kind="test_push")
    assert push.payload["url"].endswith("/accounts/profile/") and push.payload["title"]


def test_the_profile_keeps_its_sections(pat, client: Client) -> None:
    page = client.get("/accounts/profile/").content.decode()
    for anchor in (
        "mlms",
        "contact",
        "languages",
        "states",
        "notifications",
        "passkeys",
        "devices",
    ):
        assert f'id="{anchor}"' in page
    assert "Turn on notifications on this device" in page
    assert 'rel="manifest"' in page
