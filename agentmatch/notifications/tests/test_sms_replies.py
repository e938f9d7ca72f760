"""Text replies: YES/NO (and SÍ) from the agent's cell answer their one pending offer, only
with a valid Twilio signature; anything else gets a helpful answer."""

import pytest
from django.test import Client

from agentmatch.agents.models import Agent
from agentmatch.notifications.twilio_signing import twilio_signature
from agentmatch.referrals.models import ContactDisclosure, Offer, OfferStatus
from agentmatch.testing import make_agent, make_referral
from agentmatch.workspace.sms_replies import understand

pytestmark = pytest.mark.django_db

TOKEN = "twilio-test-auth-token"
URL = "https://agentmatch.example/n/sms/inbound"


@pytest.fixture(autouse=True)
def _twilio(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SITE_URL = "https://agentmatch.example"
    settings.TWILIO_WEBHOOK_URL = ""


@pytest.fixture
def agent(plan_year) -> Agent:  # type: ignore[no-untyped-def]
    return make_agent(zip_code="53703", licensed=["WI"])


def text_in(client: Client, *, phone: str, body: str, signature: str | None = None):  # type: ignore[no-untyped-def]
    """Posts the form Twilio posts for an incoming text, signed as Twilio signs it."""
    params = {
        "MessageSid": "SM0123456789abcdef0123456789abcdef",
        "AccountSid": "AC0123456789abcdef0123456789abcdef",
        "From": phone,
        "To": "+16085550000",
        "Body": body,
        "NumMedia": "0",
    }
    if signature is None:
        signature = twilio_signature(url=URL, params=params.items(), auth_token=TOKEN)
    return client.post("/n/sms/inbound", params, HTTP_X_TWILIO_SIGNATURE=signature)


def answer(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    text = response.content.decode()
    assert "<Response><Message>" in text and text.endswith("</Message></Response>")
    return text


def test_the_signature_is_computed_as_twilio_documents_it() -> None:
    # The example from Twilio's webhook security documentation and helper libraries.
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    signature = twilio_signature(
        url="https://mycompany.com/myapp.php?foo=1&bar=2", params=params.items(), auth_token="12345"
    )
    assert signature == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        ("YES", "accept"),
        ("yes", "accept"),
        (" Yes! ", "accept"),
        ("y", "accept"),
        ("SI", "accept"),
        ("Sí", "accept"),
        ("SÍ.", "accept"),
        ("no", "reject"),
        ("N", "reject"),
        ("No.", "reject"),
        ("maybe", None),
        ("", None),
        ("yes please", None),
    ],
)
def test_replies_are_understood_whatever_the_case_accents_or_punctuation(
    text: str, meaning: str | None
) -> None:
    assert understand(text) == meaning


def test_yes_accepts_the_agents_pending_offer_and_confirms(agent: Agent, client: Client) -> None:
    make_referral(first_name="Zelda", last_name="Quixote")
    text = answer(text_in(client, phone=agent.cell_phone, body="Yes"))
    assert "Accepted. Call Zelda Quixote now at (608) 555-0100" in text
    offer = Offer.objects.get()
    assert offer.status == OfferStatus.ACCEPTED
    [disclosure] = ContactDisclosure.objects.all()
    assert (disclosure.agent_id, disclosure.channel) == (agent.pk, "sms")


def test_si_with_an_accent_accepts_and_a_spanish_agent_is_answered_in_spanish(
    plan_year, client: Client
) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"], languages=["es"])
    make_referral(language="es")
    text = answer(text_in(client, phone=agent.cell_phone, body="Sí"))
    assert "Aceptado. Llame ahora a" in text
    assert Offer.objects.get().status == OfferStatus.ACCEPTED


def test_no_rejects_the_offer_and_it_moves_on(agent: Agent, client: Client) -> None:
    make_referral()
    text = answer(text_in(client, phone=agent.cell_phone, body="no"))
    assert "Rejected." in text
    assert Offer.objects.get().status == OfferStatus.REJECTED
    assert not ContactDisclosure.objects.exists()


@pytest.mark.parametrize("signature", ["", "forged", "RSOYDt4T1cUTdK1PDd93/VVr8B8="])
def test_a_forged_or_missing_signature_is_refused_and_changes_nothing(
    agent: Agent, client: Client, signature: str
) -> None:
    make_referral()
    response = text_in(client, phone=agent.cell_phone, body="YES", signature=signature)
    assert response.status_code == 403
    assert Offer.objects.get().status == OfferStatus.PENDING


def test_a_signature_over_other_parameters_is_refused(agent: Agent, client: Client) -> None:
    make_referral()
    # Signed for "NO", sent with "YES": the body was changed on the way.
    params = {"From": agent.cell_phone, "Body": "NO"}
    signature = twilio_signature(url=URL, params=params.items(), auth_token=TOKEN)
    response = client.post(
        "/n/sms/inbound", {**params, "Body": "YES"}, HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert response.status_code == 403
    assert Offer.objects.get().status == OfferStatus.PENDING


def test_the_public_url_setting_is_what_is_signed(agent: Agent, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TWILIO_WEBHOOK_URL = "https://proxy.example/hooks/sms"
    make_referral()
    assert text_in(client, phone=agent.cell_phone, body="YES").status_code == 403
    params = {"From": agent.cell_phone, "Body": "YES"}
    signature = twilio_signature(
        url="https://proxy.example/hooks/sms", params=params.items(), auth_token=TOKEN
    )
    response = client.post("/n/sms/inbound", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert "Accepted." in answer(response)


def test_without_an_auth_token_every_request_is_refused(
    agent: Agent,
    client: Client,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    make_referral()
    settings.TWILIO_AUTH_TOKEN = ""
    params = {"From": agent.cell_phone, "Body": "YES"}
    signature = twilio_signature(url=URL, params=params.items(), auth_token="")
    response = client.post("/n/sms/inbound", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403
    assert Offer.objects.get().status == OfferStatus.PENDING


def test_a_reply_with_nothing_pending_gets_help(agent: Agent, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AGENT_WORKSPACE_URL = "https://agentmatch.example/agent/"
    text = answer(text_in(client, phone=agent.cell_phone, body="YES"))
    assert "no referral waiting for an answer" in text
    assert "https://agentmatch.example/agent/" in text


def test_an_unknown_number_gets_help(plan_year, client: Client) -> None:
    make_referral()
    text = answer(text_in(client, phone="+12025550199", body="YES"))
    assert "not the cell phone of an agent" in text
    assert not Offer.objects.exclude(status=OfferStatus.PENDING).exists()


def test_other_text_explains_how_to_answer(agent: Agent, client: Client) -> None:
    make_referral()
    text = answer(text_in(client, phone=agent.cell_phone, body="who is this?"))
    assert "reply YES to accept or NO to reject" in text
    assert Offer.objects.get().status == OfferStatus.PENDING


def test_a_reply_is_not_applied_when_several_offers_wait(
    agent: Agent,
    client: Client,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.MAX_PENDING_OFFERS_PER_AGENT = 2
    make_referral()
    make_referral()
    assert Offer.objects.filter(agent=agent, status=OfferStatus.PENDING).count() == 2
    text = answer(text_in(client, phone=agent.cell_phone, body="YES"))
    assert "more than one referral waiting" in text
    assert Offer.objects.filter(status=OfferStatus.PENDING).count() == 2


def test_a_reply_in_a_message_is_escaped_in_the_twiml(agent: Agent, client: Client) -> None:
    Agent.objects.filter(pk=agent.pk).update(first_name="A<b>")
    make_referral(first_name="Tom & Jerry", last_name="<Smith>")
    text = answer(text_in(client, phone=agent.cell_phone, body="YES"))
    assert "Tom &amp; Jerry &lt;Smith&gt;" in text
