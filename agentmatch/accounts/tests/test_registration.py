"""Sign-up from the invitation: required fields, every password rule, the service terms."""

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.accounts.models import TermsAcceptance, User
from agentmatch.accounts.tests.helpers import (
    invite_and_send,
    sent_mail,
    sign_up_form,
    texts_to,
    token_from,
)
from agentmatch.agents.models import Agent
from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation_url(plan_year) -> str:  # type: ignore[no-untyped-def]
    make_agent(
        zip_code="53703",
        licensed=["WI"],
        first_name="Pat",
        last_name="Quinn",
        npn="0012345",
        service_registered=False,
    )
    invite_and_send(timezone.now())
    url = f"/accounts/register/{token_from(sent_mail()[0])}/"
    sent_mail().clear()
    return url


def test_the_form_shows_mlms_details_read_only_and_suggests_the_email(
    invitation_url: str, client: Client
) -> None:
    page = client.get(invitation_url).content.decode()
    assert "Pat" in page and "Quinn" in page and "0012345" in page
    assert "changed in MLMS" in page or "MLMS" in page
    assert 'name="first_name"' not in page and 'name="npn"' not in page
    assert 'value="agent0012345@example.com"' in page  # username suggestion
    for rule in ("Contains 8 to 20 characters", "no more than three sequential"):
        assert rule in page


def test_signing_up_creates_the_account_and_records_the_service_terms(
    invitation_url: str, client: Client
) -> None:
    response = client.post(invitation_url, sign_up_form(contact_method="email_text"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/register/done/"
    user = User.objects.get(username="pat.agent")
    assert user.check_password("Tr7#kPz!wQ2m")
    assert user.email == "agent0012345@example.com" and user.first_name == "Pat"
    agent = Agent.objects.get(npn="0012345")
    assert agent.cell_phone == "+16085550142"
    assert agent.contact_method == "email_text"
    acceptance = TermsAcceptance.objects.get(user=user)
    assert (acceptance.document, acceptance.version) == ("service", "2026-1")
    # Not complete until the CMS terms are accepted at first login.
    assert agent.service_registration_completed_at is None
    assert "almost complete" in client.get(response["Location"]).content.decode()


def test_a_confirmation_email_and_a_test_text_follow_sign_up(
    invitation_url: str, client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(invitation_url, sign_up_form())
    assert [m.subject for m in sent_mail()] == ["Your AgentMatch registration is almost complete"]
    assert "/accounts/login/" in str(sent_mail()[0].body)
    assert texts_to("+16085550142") == [
        "AgentMatch: this is your test text. Referral alerts will come to this number. "
        "Reply STOP to opt out."
    ]


def test_email_only_agents_get_no_test_text(
    invitation_url: str, client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(invitation_url, sign_up_form(contact_method="email"))
    assert texts_to("+16085550142") == []
    assert len(sent_mail()) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cell_phone", "", "required"),
        ("cell_phone", "555-1234", "phone number"),
        ("contact_method", "", "required"),
        ("contact_method", "carrier_pigeon", "valid choice"),
        ("zip_code", "", "required"),
        ("zip_code", "00000", "00000"),
        ("username", "", "required"),
        ("password_again", "Tr7#kPz!wQ2x", "do not match"),
        ("accepts_terms", "", "Terms of Use"),
    ],
)
def test_each_required_field_is_checked(
    invitation_url: str, client: Client, field: str, value: str, message: str
) -> None:
    response = client.post(invitation_url, sign_up_form(**{field: value}))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Ab1!xyQ", "Contains 8 to 20 characters"),
        ("Ab1! xyQz", "Does not contain spaces"),
        ("Abc!xyQz", "Contains at least one number"),
        ("AB1!XYQZ", "Contains at least one lower case letter"),
        ("ab1!xyqz", "Contains at least one upper case letter"),
        ("Ab1xyQzW", "Contains at least one special character"),
        ("Ab1!xxxxQ", "Contains no more than three repetitive characters"),
        ("Qz!abcdT7", "Contains no more than three sequential characters"),
        ("P@ssw0rd", "too common"),
        ("Pat.agent9!", "username, name or email"),
    ],
)
def test_every_password_rule_is_enforced_by_the_server(
    invitation_url: str, client: Client, password: str, rule: str
) -> None:
    response = client.post(invitation_url, sign_up_form(password=password, password_again=password))
    assert response.status_code == 200
    assert rule in " ".join(response.context["form"].errors["password"])
    assert not User.objects.exists()


def test_a_taken_username_is_refused_without_losing_the_link(
    invitation_url: str, client: Client
) -> None:
    User.objects.create_user(username="Pat.Agent", password="x", role="operator")
    response = client.post(invitation_url, sign_up_form())
    assert "taken" in " ".join(response.context["form"].errors["username"])
    assert client.get(invitation_url).status_code == 200
