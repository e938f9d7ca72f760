"""An eligible agent without an account gets exactly one invitation; its link works once."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from agentmatch.accounts.invitations import resend_invitation, send_one_invitation
from agentmatch.accounts.models import Invitation
from agentmatch.accounts.tests.helpers import invite_and_send, sent_mail, sign_up_form, token_from
from agentmatch.notifications.models import Message
from agentmatch.testing import make_agent, make_agent_user

pytestmark = pytest.mark.django_db


def newcomer(**options: object):  # type: ignore[no-untyped-def]
    """Eligible on CMS data (RCL, training, WI health license) but no account yet."""
    options.setdefault("zip_code", "53703")
    options.setdefault("licensed", ["WI"])
    return make_agent(service_registered=False, **options)  # type: ignore[arg-type]


def test_an_eligible_agent_receives_exactly_one_invitation(plan_year) -> None:
    agent = newcomer()
    now = timezone.now()
    assert invite_and_send(now) == 1
    assert invite_and_send(now + timedelta(minutes=5)) == 0
    assert invite_and_send(now + timedelta(days=3)) == 0
    assert len(sent_mail()) == 1
    assert sent_mail()[0].to == [agent.email]
    assert Invitation.objects.filter(agent=agent).count() == 1


@pytest.mark.parametrize(
    "options",
    [
        {"trained": False},
        {"registered": False},
        {"rcl_valid": False},
        {"display_option": 4},
        {"licensed": ["CA"]},
        {"licensed": []},
    ],
    ids=[
        "untrained",
        "not-on-rcl",
        "rcl-invalid",
        "display-4",
        "only-unserved-state",
        "no-license",
    ],
)
def test_agents_who_are_not_eligible_get_no_invitation(plan_year, options) -> None:
    newcomer(**options)
    assert invite_and_send(timezone.now()) == 0
    assert sent_mail() == []


def test_an_agent_with_an_account_gets_no_invitation(plan_year) -> None:
    make_agent_user(newcomer())
    assert invite_and_send(timezone.now()) == 0
    assert sent_mail() == []


def test_the_link_is_random_long_and_only_its_hash_is_stored(plan_year) -> None:
    newcomer()
    invite_and_send(timezone.now())
    token = token_from(sent_mail()[0])
    assert len(token) >= 32
    invitation = Invitation.objects.get()
    assert token not in (invitation.token_hash or "")
    assert invitation.expires_at == invitation.sent_at + timedelta(hours=48)


def test_the_link_works_once(plan_year, client: Client) -> None:
    newcomer()
    invite_and_send(timezone.now())
    url = f"/accounts/register/{token_from(sent_mail()[0])}/"
    assert client.get(url).status_code == 200
    assert client.post(url, sign_up_form()).status_code == 302
    again = Client()
    response = again.get(url)
    assert response.status_code == 410
    assert b"already been used" in response.content


def test_the_link_does_not_work_after_48_hours(plan_year, client: Client) -> None:
    newcomer()
    invite_and_send(timezone.now() - timedelta(hours=48, seconds=1))
    url = f"/accounts/register/{token_from(sent_mail()[0])}/"
    response = client.get(url)
    assert response.status_code == 410
    assert b"expired" in response.content
    assert client.post(url, sign_up_form()).status_code == 410
    assert not Invitation.objects.filter(used_at__isnull=False).exists()


def test_the_link_still_works_just_before_48_hours(plan_year, client: Client) -> None:
    newcomer()
    invite_and_send(timezone.now() - timedelta(hours=47, minutes=59))
    assert client.get(f"/accounts/register/{token_from(sent_mail()[0])}/").status_code == 200


def test_a_made_up_link_is_not_found(plan_year, client: Client) -> None:
    response = client.get("/accounts/register/not-a-real-token-at-all/")
    assert response.status_code == 404
    assert b"not valid" in response.content


def test_an_expired_link_page_sends_a_fresh_link(plan_year, client: Client) -> None:
    agent = newcomer()
    invite_and_send(timezone.now() - timedelta(days=3))
    old = token_from(sent_mail()[0])
    response = client.post("/accounts/register/fresh-link/", {"token": old})
    assert response.status_code == 200
    while send_one_invitation(now=timezone.now()):
        pass
    assert len(sent_mail()) == 2
    fresh = token_from(sent_mail()[1])
    assert client.get(f"/accounts/register/{fresh}/").status_code == 200
    assert Invitation.objects.filter(agent=agent, revoked_at__isnull=False).count() == 1
    # Asking again at once does not flood the agent's inbox.
    client.post("/accounts/register/fresh-link/", {"token": old})
    assert Invitation.objects.filter(agent=agent).count() == 2


def test_an_operator_resend_replaces_the_open_link(plan_year, client: Client) -> None:
    agent = newcomer()
    invite_and_send(timezone.now())
    first = token_from(sent_mail()[0])
    with transaction.atomic():
        resend_invitation(
            agent=agent, plan_year=plan_year, requested_by="olivia", now=timezone.now()
        )
    while send_one_invitation(now=timezone.now()):
        pass
    assert client.get(f"/accounts/register/{first}/").status_code == 410
    assert client.get(f"/accounts/register/{token_from(sent_mail()[1])}/").status_code == 200


def test_the_invitation_email_is_queued_with_the_invitation_once(plan_year) -> None:
    agent = newcomer()
    now = timezone.now()
    invite_and_send(now)
    invitation = Invitation.objects.get()
    assert invitation.sent_at == now and invitation.token_hash
    [queued] = Message.objects.filter(kind="invitation")
    assert (queued.channel, queued.to, queued.status) == ("email", agent.email, "pending")
    assert send_one_invitation(now=now + timedelta(minutes=5)) is False
    assert len(sent_mail()) == 1
    assert Message.objects.get().status == "sent"
