"""One-tap Accept/Reject links: a GET only asks, the POST answers, once, for its own offer,
as the agent the link was sent to; a link is a random secret nobody can make up."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from agentmatch.agents.models import Agent
from agentmatch.core.secrets import hash_secret
from agentmatch.notifications.models import Message
from agentmatch.referrals.links import ACCEPT, REJECT, find_link, make_token
from agentmatch.referrals.models import ContactDisclosure, Offer, OfferLink, OfferStatus, Referral
from agentmatch.testing import make_agent, make_agent_user, make_referral, render_outbox

pytestmark = pytest.mark.django_db


def offer_for(agent: Agent, **referral: object) -> Offer:
    make_referral(first_name="Zelda", last_name="Quixote", **referral)  # type: ignore[arg-type]
    return Offer.objects.get(agent=agent, status=OfferStatus.PENDING)


def link(offer: Offer, action: str) -> str:
    return f"/n/o/{make_token(offer=offer, action=action)}/"


def confirm(client: Client, url: str):  # type: ignore[no-untyped-def]
    """Opens the link, then presses the button on the page (with its CSRF token)."""
    page = client.get(url)
    assert page.status_code == 200, page.content
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token
    return client.post(url, {"csrfmiddlewaretoken": token.group(1)})


def csrf(browser: Client) -> str:
    return browser.cookies["csrftoken"].value


@pytest.fixture
def agent(plan_year) -> Agent:  # type: ignore[no-untyped-def]
    return make_agent(zip_code="53703", licensed=["WI"])


@pytest.fixture
def browser() -> Client:
    return Client(enforce_csrf_checks=True)


def test_the_links_in_the_email_are_the_accept_and_reject_links(agent: Agent) -> None:
    offer = offer_for(agent)
    render_outbox()
    email = Message.objects.get(kind="offer_new", channel="email")
    urls = re.findall(r"http://\S+/n/o/\S+/", email.body)
    tokens = [u.split("/n/o/")[1].rstrip("/") for u in urls]
    links = [find_link(token=t) for t in tokens]
    assert [(x.offer_id, x.agent_id, x.action) for x in links] == [
        (offer.pk, agent.pk, ACCEPT),
        (offer.pk, agent.pk, REJECT),
    ]
    assert all(x.expires_at == offer.expires_at for x in links)
    # Only the hashes are kept; the secret itself is long and random.
    assert all(len(t) >= 43 for t in tokens)
    stored = set(OfferLink.objects.values_list("token_hash", flat=True))
    assert {hash_secret(t) for t in tokens} <= stored and not set(tokens) & stored


def test_opening_the_link_only_asks_for_confirmation(agent: Agent, browser: Client) -> None:
    offer = offer_for(agent)
    for _ in range(3):  # a mail scanner may follow it several times
        page = browser.get(link(offer, ACCEPT))
        assert page.status_code == 200
    html = page.content.decode()
    assert "Accept this referral?" in html and "53703" in html and 'method="post"' in html
    assert "Zelda" not in html and "555-0100" not in html
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING
    assert not ContactDisclosure.objects.exists()


def test_accepting_by_link_works_once_and_shows_the_consumer_audited(
    agent: Agent, browser: Client
) -> None:
    offer = offer_for(agent)
    response = confirm(browser, link(offer, ACCEPT))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Referral accepted" in html and "Zelda Quixote" in html and "(608) 555-0100" in html
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED
    [disclosure] = ContactDisclosure.objects.all()
    assert (disclosure.agent_id, disclosure.channel, disclosure.context) == (
        agent.pk,
        "link",
        "accept",
    )
    again = browser.post(link(offer, ACCEPT), {"csrfmiddlewaretoken": csrf(browser)})
    assert again.status_code == 409
    assert "already accepted" in again.content.decode()
    assert ContactDisclosure.objects.count() == 1


def test_rejecting_by_link_moves_the_referral_on(agent: Agent, browser: Client) -> None:
    offer = offer_for(agent)
    response = confirm(browser, link(offer, REJECT))
    assert response.status_code == 200
    assert "Referral rejected" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.REJECTED
    assert not ContactDisclosure.objects.exists()
    # The accept link is dead too.
    assert (
        browser.post(link(offer, ACCEPT), {"csrfmiddlewaretoken": csrf(browser)}).status_code == 409
    )


def test_a_post_without_the_pages_csrf_token_changes_nothing(agent: Agent, browser: Client) -> None:
    offer = offer_for(agent)
    assert browser.post(link(offer, ACCEPT)).status_code == 403
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING


def test_a_tampered_guessed_or_truncated_link_changes_nothing(agent: Agent, client: Client) -> None:
    offer = offer_for(agent)
    token = make_token(offer=offer, action=REJECT)
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for url in (
        f"/n/o/{forged}/",
        "/n/o/not-a-token/",
        f"/n/o/{token[:-3]}/",
        f"/n/o/{'x' * 500}/",
    ):
        response = client.post(url)
        assert response.status_code == 404
        assert "This link is not valid" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING


def old_style_link(offer: Offer, agent: Agent, action: str = ACCEPT) -> str:
    """A link as they were made before: signed with SECRET_KEY over small integer ids."""
    data = {"o": offer.pk, "a": agent.pk, "x": action, "e": int(offer.expires_at.timestamp())}
    token = signing.dumps(data, salt="agentmatch.notifications.offer-link", compress=True)
    return f"/n/o/{token}/"


def test_a_link_forged_with_the_secret_key_is_refused(agent: Agent, client: Client) -> None:
    """Anyone knowing SECRET_KEY could sign an accept link for any agent's offer."""
    offer = offer_for(agent)
    for url in (old_style_link(offer, agent, ACCEPT), old_style_link(offer, agent, REJECT)):
        assert client.get(url).status_code == 404
        response = client.post(url)
        assert response.status_code == 404
        assert "Zelda" not in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING
    assert not ContactDisclosure.objects.exists()


def test_a_link_acts_as_the_agent_it_was_sent_to_and_only_once(
    agent: Agent, browser: Client
) -> None:
    offer = offer_for(agent)
    url = link(offer, ACCEPT)
    # Another agent, logged in elsewhere, has nothing to do with it: the link names its agent.
    make_agent(zip_code="53703", licensed=["WI"], first_name="Olga")
    assert confirm(browser, url).status_code == 200
    [disclosure] = ContactDisclosure.objects.all()
    assert disclosure.agent_id == agent.pk
    [used] = OfferLink.objects.filter(used_at__isnull=False)
    assert (used.offer_id, used.agent_id, used.action) == (offer.pk, agent.pk, ACCEPT)
    again = browser.post(url, {"csrfmiddlewaretoken": csrf(browser)})
    assert again.status_code == 409
    assert ContactDisclosure.objects.count() == 1


def test_a_link_for_another_agent_or_offer_changes_nothing(agent: Agent, client: Client) -> None:
    offer = offer_for(agent)
    other = make_agent(zip_code="53703", licensed=["WI"], first_name="Olga")
    # Correctly signed the old way, naming an agent the offer was not made to.
    assert client.post(old_style_link(offer, other)).status_code == 404
    # The real link, opened by another agent who is logged in (a forwarded email).
    user = make_agent_user(other)
    client.force_login(user)
    response = client.post(link(offer, ACCEPT))
    assert response.status_code == 403
    assert "belongs to another agent" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING
    assert not ContactDisclosure.objects.exists()


def test_an_expired_link_changes_nothing(agent: Agent, client: Client) -> None:
    offer = offer_for(agent, now=timezone.now() - timedelta(minutes=20))
    for url in (link(offer, ACCEPT), link(offer, REJECT)):
        assert client.get(url).status_code == 409
        response = client.post(url)
        assert response.status_code == 409
        assert "expired" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING  # the worker expires it, not the link
    assert Referral.objects.get().status == "offered"


def test_a_spanish_speaking_agent_sees_the_pages_in_spanish(plan_year, browser: Client) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"], languages=["es"])
    offer = offer_for(agent, language="es")
    page = browser.get(link(offer, ACCEPT)).content.decode()
    assert "¿Aceptar este referido?" in page and "Código postal" in page
    done = confirm(browser, link(offer, ACCEPT)).content.decode()
    assert "Referido aceptado" in done


def test_a_spent_link_answers_nothing_even_while_the_offer_is_open(
    agent: Agent, browser: Client
) -> None:
    offer = offer_for(agent)
    url = link(offer, ACCEPT)
    stored = OfferLink.objects.get(action=ACCEPT)
    now = timezone.now()
    assert stored.spend(now=now) is True
    assert stored.spend(now=now) is False  # single use: the second spend finds it used
    assert browser.get(url).status_code == 409
    response = browser.post(url, {"csrfmiddlewaretoken": csrf(browser)})
    assert response.status_code == 409
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING
    assert not ContactDisclosure.objects.exists()


def test_the_answer_spends_the_link_in_its_own_transaction(agent: Agent) -> None:
    """Two answers racing with one link: the one that finds it spent is rolled back whole."""
    from agentmatch.referrals.actions.offers import answer_offer
    from agentmatch.referrals.problems import OfferConflict

    offer = offer_for(agent)
    make_token(offer=offer, action=ACCEPT)
    stored = OfferLink.objects.get()
    other_copy = OfferLink.objects.get()
    now = timezone.now()
    assert other_copy.spend(now=now)
    with pytest.raises(OfferConflict) as err:
        answer_offer(
            offer_id=offer.pk, agent=agent, answer=ACCEPT, now=now, channel="link", link=stored
        )
    assert err.value.code == "closed"
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING
    assert not ContactDisclosure.objects.exists()
