"""Every page that showed a consumer's details says, in English and Spanish, that they were
removed, and none breaks on an anonymised referral."""

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.consumers.access import SESSION_KEY
from agentmatch.referrals.models import ContactDisclosure
from agentmatch.retention.actions import anonymise_ended_referrals
from agentmatch.retention.tests.conftest import accepted, days_ago, followed_up
from agentmatch.testing import make_operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymised(agent):  # type: ignore[no-untyped-def]
    """Accepted 100 days ago and deferred with a note 95 days ago, then anonymised."""
    referral = accepted(at=days_ago(100), agent=agent)
    followed_up(referral, agent=agent, at=days_ago(95), status="deferred", reason="Ana, call back")
    anonymise_ended_referrals(now=timezone.now())
    referral.refresh_from_db()
    return referral


@pytest.fixture
def operator_client(plan_year) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_operator())
    return client


def test_the_operators_timeline_says_removed_after_n_days(operator_client, anonymised) -> None:
    url = f"/ops/referrals/{anonymised.public_id}/"
    page = operator_client.get(url).content.decode()
    assert "Removed after 100 days" in page
    assert "Dane County, WI" in page and "Contact details removed" in page
    assert "[ZIP removed]" in page and "53703" not in page and "Anastasia" not in page

    spanish = operator_client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Eliminados después de 100 días" in spanish


def test_the_operators_agent_page_lists_the_referral_without_its_zip(
    operator_client, anonymised, agent
) -> None:
    response = operator_client.get(f"/ops/agents/{agent.npn}/")
    assert response.status_code == 200
    assert str(anonymised.public_id) in response.content.decode()
    assert "53703" not in response.content.decode()


def test_the_agents_referral_page_has_a_note_and_discloses_nothing(
    agent_client, anonymised
) -> None:
    shown_before = ContactDisclosure.objects.count()
    response = agent_client.get(f"/workspace/referrals/{anonymised.public_id}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="details-removed"' in page and "Removed after 100 days" in page
    assert "Ana, call back" not in page and "tel:" not in page
    assert "Save follow-up status" not in page and "please call now" not in page
    assert ContactDisclosure.objects.count() == shown_before

    spanish = agent_client.get(
        f"/workspace/referrals/{anonymised.public_id}/", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Eliminados después de 100 días" in spanish


def test_a_follow_up_posted_to_an_anonymised_referral_is_refused_not_a_500(
    agent_client, anonymised
) -> None:
    response = agent_client.post(
        f"/workspace/referrals/{anonymised.public_id}/",
        {"status": "deferred", "reason": "Anastasia 608-555-0100"},
    )
    assert response.status_code == 200
    assert "Anastasia" not in str(anonymised.follow_ups.values_list("reason", flat=True))


def test_the_agents_lists_move_it_to_history_with_the_note(agent_client, anonymised) -> None:
    referrals = agent_client.get("/workspace/")
    assert referrals.status_code == 200
    assert str(anonymised.public_id) not in referrals.content.decode()
    history = agent_client.get("/workspace/history/")
    assert history.status_code == 200
    assert "Removed after 100 days" in history.content.decode()


def test_the_consumers_status_page_says_the_request_has_ended(anonymised, settings) -> None:
    settings.STATUS_TOKEN_DAYS = 365  # the link still works: the page must not break
    client = Client()
    session = client.session
    session[SESSION_KEY] = [str(anonymised.public_id)]
    session.save()
    page = client.get(f"/status/{anonymised.public_id}/").content.decode()
    assert "This request has ended" in page and "Removed after 100 days" in page
    spanish = client.get(
        f"/status/{anonymised.public_id}/", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Esta solicitud terminó" in spanish


def test_the_privacy_page_says_how_long_contact_details_are_kept(client, settings) -> None:
    settings.CONSUMER_DATA_RETENTION_DAYS = 45
    page = client.get("/privacy/").content.decode()
    assert "removed 45 days after your request ends" in page
    spanish = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "45 días después de que termine su solicitud" in spanish
