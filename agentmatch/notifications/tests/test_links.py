"""One-tap Accept/Reject links: a GET only asks, the POST answers, once, for its own offer."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from agentmatch.agents.models import Agent
from agentmatch.notifications.links import ACCEPT, REJECT, SALT, make_token
from agentmatch.notifications.models import Message
from agentmatch.referrals.models import ContactDisclosure, Offer, OfferStatus, Referral
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
    # Compare what the tokens say, not their bytes: a token signed a second later differs.
    tokens = [u.split("/n/o/")[1].rstrip("/") for u in urls]

    def payload(token: str) -> object:
        return signing.loads(token, salt=SALT)

    assert [payload(t) for t in tokens] == [
        payload(make_token(offer=offer, action=ACCEPT)),
        payload(make_token(offer=offer, action=REJECT)),
    ]


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


def test_a_tampered_link_changes_nothing(agent: Agent, client: Client) -> None:
    offer = offer_for(agent)
    token = make_token(offer=offer, action=REJECT)
    payload, rest = token.split(":", 1)
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + ":" + rest
    for url in (f"/n/o/{forged}/", "/n/o/not-a-token/", f"/n/o/{token[:-3]}/"):
        response = client.post(url)
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING


def test_a_link_for_another_agent_or_offer_changes_nothing(agent: Agent, client: Client) -> None:
    offer = offer_for(agent)
    other = make_agent(zip_code="53703", licensed=["WI"], first_name="Olga")
    # Correctly signed, but naming an agent the offer was not made to.
    token = signing.dumps(
        {"o": offer.pk, "a": other.pk, "x": ACCEPT, "e": int(offer.expires_at.timestamp())},
        salt=SALT,
        compress=True,
    )
    assert client.post(f"/n/o/{token}/").status_code == 404
    # The real link, opened by another agent who is logged in (a forwarded email).
    user = make_agent_user(other)
    client.force_login(user)
    response = client.post(link(offer, ACCEPT))
    assert response.status_code == 403
    assert "belongs to another agent" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING
    assert not ContactDisclosure.objects.exists()


def test_a_link_from_another_purpose_is_not_accepted(agent: Agent, client: Client) -> None:
    offer = offer_for(agent)
    data = {"o": offer.pk, "a": agent.pk, "x": ACCEPT, "e": int(offer.expires_at.timestamp())}
    token = signing.dumps(data, salt="something.else", compress=True)
    assert client.post(f"/n/o/{token}/").status_code == 400
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING


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
