"""A number texts cannot reach: the operator sees it on the agent's page and the referral
timeline, in English and Spanish, and clears it once fixed (audited); the agent sees it on
their profile and clears it by saving their number; the agent who accepted a referral
sees that the consumer's number takes no texts."""

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from agentmatch.accounts.models import User
from agentmatch.agents.models import AgentChange
from agentmatch.notifications.undeliverable import mark, undeliverable
from agentmatch.operations.models import ActionKind, OperatorAction
from agentmatch.referrals.models import Offer
from agentmatch.referrals.services import accept_offer
from agentmatch.testing import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def marked_rosa(rosa: User) -> User:
    mark(phone=rosa.agent.cell_phone, code=30005, now=timezone.now())
    return rosa


def test_the_operator_sees_that_texts_to_the_agent_fail_and_why(
    operator_client: Client, marked_rosa: User
) -> None:
    page = operator_client.get(f"/ops/agents/{marked_rosa.agent.npn}/").content.decode()
    assert "Texts are not reaching this agent" in page
    assert "texts to this number are not delivered" in page.lower()
    assert "code 30005: unknown destination: the number does not exist" in page
    assert "Send texts to this number again" in page


def test_the_warning_is_in_spanish_for_a_spanish_speaking_operator(
    operator_client: Client, marked_rosa: User
) -> None:
    page = operator_client.get(
        f"/ops/agents/{marked_rosa.agent.npn}/", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Los mensajes de texto no llegan a este agente" in page
    assert "código 30005: destino desconocido: el número no existe" in page
    assert "Volver a enviar mensajes de texto a este número" in page


def test_no_warning_when_texts_reach_the_agent(operator_client: Client, rosa: User) -> None:
    page = operator_client.get(f"/ops/agents/{rosa.agent.npn}/").content.decode()
    assert "Texts are not reaching this agent" not in page


def test_the_operator_clears_the_mark_and_it_is_audited(
    operator_client: Client, operator: User, marked_rosa: User
) -> None:
    response = operator_client.post(
        f"/ops/agents/{marked_rosa.agent.npn}/clear-undeliverable/", follow=True
    )
    page = response.content.decode()
    assert "Texts will go to this agent&#x27;s cell phone again." in page
    assert "Texts are not reaching this agent" not in page
    assert undeliverable(marked_rosa.agent.cell_phone) is None
    action = OperatorAction.objects.get()
    assert (action.operator, action.agent, action.action) == (
        operator,
        marked_rosa.agent,
        ActionKind.CLEAR_UNDELIVERABLE,
    )
    assert "code 30005" in action.detail
    assert "Let texts go to the agent&#x27;s cell phone again" in page  # the action list
    assert marked_rosa.agent.cell_phone not in action.detail


def test_clearing_a_number_that_is_not_marked_says_so(operator_client: Client, rosa: User) -> None:
    response = operator_client.post(
        f"/ops/agents/{rosa.agent.npn}/clear-undeliverable/", follow=True
    )
    assert "are not marked as failing" in response.content.decode()
    assert not OperatorAction.objects.exists()


def test_an_agent_cannot_clear_it(agent_client: Client, marked_rosa: User) -> None:
    response = agent_client.post(f"/ops/agents/{marked_rosa.agent.npn}/clear-undeliverable/")
    assert response.status_code in (302, 403)
    assert undeliverable(marked_rosa.agent.cell_phone) is not None


def test_the_agent_sees_on_their_profile_that_texts_do_not_reach_them(
    agent_client: Client, marked_rosa: User
) -> None:
    page = agent_client.get("/accounts/profile/").content.decode()
    assert "Our texts are not reaching you" in page
    assert "code 30005" in page
    spanish = agent_client.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Nuestros mensajes de texto no le llegan" in spanish


def test_the_agent_saving_a_new_number_clears_the_mark(
    agent_client: Client, marked_rosa: User
) -> None:
    old = marked_rosa.agent.cell_phone
    response = agent_client.post(
        "/accounts/profile/",
        {
            "section": "contact",
            "cell_phone": "414 555 0199",
            "contact_method": "email_text",
            "zip_code": "53703",
        },
    )
    assert response.status_code == 302
    assert undeliverable(old) is None
    change = AgentChange.objects.filter(agent=marked_rosa.agent).latest("pk")
    assert "texts to the cell phone allowed again" in change.detail
    page = agent_client.get("/accounts/profile/").content.decode()
    assert "Our texts are not reaching you" not in page


def test_the_referral_timeline_and_the_accepting_agent_see_the_consumers_number_fails(
    operator_client: Client, agent_client: Client, rosa: User
) -> None:
    referral = make_referral(zip_code="53703")
    mark(phone=referral.phone, code=30006, now=timezone.now())
    page = operator_client.get(f"/ops/referrals/{referral.public_id}/").content.decode()
    assert "Texts to the consumer's number are not delivered" in page
    assert "code 30006: landline or unreachable carrier" in page
    spanish = operator_client.get(
        f"/ops/referrals/{referral.public_id}/", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "código 30006" in spanish

    offer = Offer.objects.get(referral=referral)
    with transaction.atomic():
        accept_offer(offer_id=offer.pk, agent=rosa.agent, now=timezone.now())
    page = agent_client.get(f"/workspace/referrals/{referral.public_id}/").content.decode()
    assert "Texts to this number are not delivered" in page
    assert "call, do not text" in page
