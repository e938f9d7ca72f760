"""The language switch: the page's language, and for a logged-in agent their messages'."""

from agentmatch.accounts.models import User
from agentmatch.notifications.models import Message
from agentmatch.testing import make_agent, make_agent_user, make_referral, render_outbox


def test_the_switch_changes_the_pages_language_and_returns_to_the_page(db, client) -> None:
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert '<html lang="es">' in client.get("/accounts/login/").content.decode()


def test_an_agent_who_reads_the_site_in_spanish_gets_offers_in_spanish(plan_year, client) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"], languages=["en", "es"])
    user = make_agent_user(agent)
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert User.objects.get(pk=user.pk).language == "es"

    make_referral(zip_code="53703")
    render_outbox()
    email = Message.objects.get(kind="offer_new", channel="email")
    assert email.language == "es"


def test_an_unknown_language_changes_nothing(plan_year, client) -> None:
    user = make_agent_user(make_agent(zip_code="53703", licensed=["WI"]))
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert User.objects.get(pk=user.pk).language == ""
