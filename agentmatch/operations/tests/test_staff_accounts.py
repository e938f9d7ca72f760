"""Administrators manage operators' and administrators' logins at /ops/staff/: every change
an audited action, no password ever shown or emailed, and always someone left to manage."""

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.accounts.devices import issue_device_token, user_for_device_token
from agentmatch.accounts.models import PasswordResetLink, User
from agentmatch.accounts.staff_accounts import StaffAccountError
from agentmatch.accounts.tests.helpers import sent_mail, token_from
from agentmatch.core.secrets import hash_secret
from agentmatch.operations import staff_actions
from agentmatch.operations.models import ControlChange, ControlKind
from agentmatch.testing import AGENT_PASSWORD, make_operator

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Sq9!vLm#2xRt"


@pytest.fixture
def ada(plan_year):  # type: ignore[no-untyped-def]
    return make_operator(username="ada.admin", role="administrator")


@pytest.fixture
def admin_client(ada):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(ada)
    return client


def _logs_in(username: str, password: str) -> bool:
    response = Client().post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


def _create(client: Client, **fields: str):  # type: ignore[no-untyped-def]
    data = {"username": "omar.ops", "email": "omar@example.com", "role": "operator", **fields}
    return client.post("/ops/staff/", data)


# --- Creating an account ----------------------------------------------------------------


def test_a_new_operator_chooses_a_password_from_the_emailed_link_and_logs_in(
    admin_client, ada
) -> None:
    response = _create(admin_client)
    assert response.status_code == 302
    omar = User.objects.get(username="omar.ops")
    assert omar.role == "operator" and omar.is_active and not omar.has_usable_password()
    change = ControlChange.objects.get()
    assert (change.operator, change.kind, change.subject) == (
        ada,
        ControlKind.OPERATOR_CREATED,
        "omar.ops",
    )
    assert change.detail == {"role": "operator", "email": "omar@example.com"}

    email = sent_mail()[-1]
    assert email.to == ["omar@example.com"] and "omar.ops" in str(email.body)
    token = token_from(email)
    # Stored only as its hash, and nowhere in the audit trail.
    assert PasswordResetLink.objects.get(user=omar).token_hash == hash_secret(token)
    assert token not in str(change.detail)

    newcomer = Client()
    url = f"/accounts/reset/{token}/"
    assert newcomer.get(url).status_code == 200
    done = newcomer.post(url, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert done.status_code == 302
    assert _logs_in("omar.ops", NEW_PASSWORD)
    assert (
        newcomer.post(url, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}).status_code
        == 410
    )


def test_a_new_administrator_can_reach_the_controls(admin_client) -> None:
    _create(admin_client, username="bea.admin", email="bea@example.com", role="administrator")
    bea = User.objects.get(username="bea.admin")
    client = Client()
    client.force_login(bea)
    assert client.get("/ops/controls/").status_code == 200


@pytest.mark.parametrize(
    ("fields", "problem", "field"),
    [
        ({"username": "ADA.ADMIN"}, "The username ADA.ADMIN is already taken.", "username"),
        ({"email": "Ada.Admin@Example.com"}, "Another account already uses the email", "email"),
        ({"username": "omar\tops"}, "The username cannot contain control characters.", "username"),
        ({"email": "omar\n@example.com"}, "The email cannot contain control characters.", "email"),
        ({"username": "omar ops"}, "The username can only have letters", "username"),
        ({"email": "not-an-email"}, "Enter an email address", "email"),
        ({"username": "   "}, "Enter a username.", "username"),
    ],
)
def test_a_bad_username_or_email_is_refused_with_a_message(
    admin_client, fields, problem, field
) -> None:
    response = _create(admin_client, **fields)
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert response.context["field_error"] == field
    assert not User.objects.filter(email__iexact="omar@example.com").exists()
    assert not ControlChange.objects.exists()


def test_a_nul_character_is_refused_before_the_page(admin_client) -> None:
    # The input guard refuses it for every page; nothing reaches the action.
    assert _create(admin_client, username="omar\x00ops").status_code == 400
    assert not User.objects.filter(email="omar@example.com").exists()


def test_a_role_that_is_not_a_staff_role_is_refused(admin_client) -> None:
    response = _create(admin_client, role="agent")
    assert response.status_code == 400
    assert not User.objects.filter(username="omar.ops").exists()


# --- Role -------------------------------------------------------------------------------


def test_an_operator_is_made_an_administrator_and_back(admin_client, ada) -> None:
    olivia = make_operator()
    assert (
        admin_client.post(f"/ops/staff/{olivia.pk}/role/", {"role": "administrator"}).status_code
        == 302
    )
    olivia.refresh_from_db()
    assert olivia.role == "administrator"
    assert (
        admin_client.post(f"/ops/staff/{olivia.pk}/role/", {"role": "operator"}).status_code == 302
    )
    olivia.refresh_from_db()
    assert olivia.role == "operator"
    changes = ControlChange.objects.order_by("pk")
    assert [(c.kind, c.subject, c.detail) for c in changes] == [
        (ControlKind.OPERATOR_ROLE, "olivia.operator", {"from": "operator", "to": "administrator"}),
        (ControlKind.OPERATOR_ROLE, "olivia.operator", {"from": "administrator", "to": "operator"}),
    ]
    assert all(c.operator == ada for c in changes)


def test_an_administrator_cannot_demote_themselves(admin_client, ada) -> None:
    make_operator(username="bea.admin", role="administrator")
    response = admin_client.post(f"/ops/staff/{ada.pk}/role/", {"role": "operator"})
    assert response.status_code == 400
    assert "You cannot make yourself an operator" in response.content.decode()
    ada.refresh_from_db()
    assert ada.role == "administrator" and not ControlChange.objects.exists()


def test_an_unknown_role_is_refused(admin_client) -> None:
    olivia = make_operator()
    response = admin_client.post(f"/ops/staff/{olivia.pk}/role/", {"role": "superuser"})
    assert response.status_code == 400
    olivia.refresh_from_db()
    assert olivia.role == "operator"


def test_the_last_active_administrator_is_never_demoted_nor_deactivated(ada) -> None:
    # Only reachable when the acting administrator's own rights changed meanwhile; the
    # action decides on the locked rows, so even then nobody removes the last one.
    bea = make_operator(username="bea.admin", role="administrator")
    staff_actions.deactivate_staff_account(operator=bea, user_id=ada.pk, now=timezone.now())
    with pytest.raises(StaffAccountError) as refused:
        staff_actions.change_role(operator=ada, user_id=bea.pk, role="operator", now=timezone.now())
    assert refused.value.code == "not_administrator"
    with pytest.raises(StaffAccountError) as refused:
        staff_actions.deactivate_staff_account(operator=bea, user_id=bea.pk, now=timezone.now())
    assert refused.value.code == "yourself"
    assert User.objects.filter(role="administrator", is_active=True).get() == bea


# --- Deactivate, reactivate ---------------------------------------------------------------


def test_a_deactivated_operator_is_signed_out_everywhere_and_cannot_log_in(
    admin_client, ada
) -> None:
    olivia = make_operator()
    browser = Client()
    assert (
        browser.post(
            "/accounts/login/", {"username": "olivia.operator", "password": AGENT_PASSWORD}
        ).status_code
        == 302
    )
    assert browser.get("/ops/").status_code == 200
    token = issue_device_token(user=olivia, name="laptop", now=timezone.now())

    assert admin_client.post(f"/ops/staff/{olivia.pk}/deactivate/").status_code == 302
    olivia.refresh_from_db()
    assert not olivia.is_active
    after = browser.get("/ops/")
    assert after.status_code == 302 and "/accounts/login/" in after["Location"]
    assert user_for_device_token(token=token, now=timezone.now()) is None
    assert not _logs_in("olivia.operator", AGENT_PASSWORD)
    change = ControlChange.objects.get()
    assert (change.operator, change.kind, change.subject) == (
        ada,
        ControlKind.OPERATOR_DEACTIVATED,
        "olivia.operator",
    )
    assert change.detail == {"role": "operator", "devices_signed_out": 1}


def test_a_deactivated_operators_open_password_link_stops_working(admin_client) -> None:
    olivia = make_operator()
    admin_client.post(f"/ops/staff/{olivia.pk}/password-link/")
    url = f"/accounts/reset/{token_from(sent_mail()[-1])}/"
    admin_client.post(f"/ops/staff/{olivia.pk}/deactivate/")
    admin_client.post(f"/ops/staff/{olivia.pk}/reactivate/")
    assert Client().get(url).status_code == 410


def test_an_administrator_cannot_deactivate_themselves(admin_client, ada) -> None:
    make_operator(username="bea.admin", role="administrator")
    response = admin_client.post(f"/ops/staff/{ada.pk}/deactivate/")
    assert response.status_code == 400
    assert "You cannot deactivate your own account" in response.content.decode()
    ada.refresh_from_db()
    assert ada.is_active and not ControlChange.objects.exists()


def test_a_reactivated_operator_logs_in_again(admin_client, ada) -> None:
    olivia = make_operator()
    admin_client.post(f"/ops/staff/{olivia.pk}/deactivate/")
    assert admin_client.post(f"/ops/staff/{olivia.pk}/reactivate/").status_code == 302
    assert _logs_in("olivia.operator", AGENT_PASSWORD)
    change = ControlChange.objects.order_by("pk").last()
    assert change is not None
    assert (change.operator, change.kind, change.subject, change.detail) == (
        ada,
        ControlKind.OPERATOR_REACTIVATED,
        "olivia.operator",
        {"role": "operator"},
    )


# --- Password link ------------------------------------------------------------------------


def test_an_operator_is_sent_a_password_link_never_a_password(admin_client, ada) -> None:
    olivia = make_operator()
    assert admin_client.post(f"/ops/staff/{olivia.pk}/password-link/").status_code == 302
    email = sent_mail()[-1]
    assert email.to == ["olivia.operator@example.com"]
    assert AGENT_PASSWORD not in str(email.body)
    url = f"/accounts/reset/{token_from(email)}/"
    Client().post(url, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert _logs_in("olivia.operator", NEW_PASSWORD)
    change = ControlChange.objects.get()
    assert (change.operator, change.kind, change.subject, change.detail) == (
        ada,
        ControlKind.OPERATOR_PASSWORD_RESET,
        "olivia.operator",
        {"email": "olivia.operator@example.com"},
    )


def test_a_deactivated_operator_is_sent_no_password_link(admin_client) -> None:
    olivia = make_operator()
    admin_client.post(f"/ops/staff/{olivia.pk}/deactivate/")
    response = admin_client.post(f"/ops/staff/{olivia.pk}/password-link/")
    assert response.status_code == 400
    assert "reactivate the account first" in response.content.decode()
    assert not PasswordResetLink.objects.filter(user=olivia).exists()


# --- Whose accounts -----------------------------------------------------------------------


def test_the_page_lists_staff_and_never_agents(admin_client, rosa) -> None:
    make_operator()
    page = admin_client.get("/ops/staff/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "olivia.operator" in text and "ada.admin" in text
    assert "rosa.martinez" not in text


@pytest.mark.parametrize("action", ["role", "deactivate", "reactivate", "password-link"])
def test_an_agents_account_is_never_changed_here(admin_client, rosa, action) -> None:
    response = admin_client.post(f"/ops/staff/{rosa.pk}/{action}/", {"role": "administrator"})
    assert response.status_code == 400
    assert "There is no such operator or administrator." in response.content.decode()
    rosa.refresh_from_db()
    assert rosa.role == "agent" and rosa.is_active
    assert not ControlChange.objects.exists()


# --- Who may ------------------------------------------------------------------------------

PAGES = [
    ("get", "/ops/staff/"),
    ("post", "/ops/staff/"),
    ("post", "/ops/staff/{id}/role/"),
    ("post", "/ops/staff/{id}/deactivate/"),
    ("post", "/ops/staff/{id}/reactivate/"),
    ("post", "/ops/staff/{id}/password-link/"),
]


def _request(client: Client, method: str, path: str, user_id: int):  # type: ignore[no-untyped-def]
    url = path.format(id=user_id)
    data = {"username": "eve", "email": "eve@example.com", "role": "administrator"}
    return getattr(client, method)(url, data) if method == "post" else client.get(url)


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_an_operator_gets_the_administrators_only_page(operator_client, operator, method, path):
    response = _request(operator_client, method, path, operator.pk)
    assert response.status_code == 403
    operator.refresh_from_db()
    assert operator.role == "operator" and operator.is_active
    assert not ControlChange.objects.exists() and not User.objects.filter(username="eve").exists()


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_an_agent_gets_the_support_only_page(agent_client, rosa, method, path):
    assert _request(agent_client, method, path, rosa.pk).status_code == 403
    assert not ControlChange.objects.exists()


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_a_stranger_is_sent_to_log_in(ada, method, path):
    response = _request(Client(), method, path, ada.pk)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not ControlChange.objects.exists()


def test_changes_need_the_forms_csrf_token(ada) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    olivia = make_operator()
    assert client.post(f"/ops/staff/{olivia.pk}/deactivate/").status_code == 403
    olivia.refresh_from_db()
    assert olivia.is_active


def test_the_controls_hub_leads_to_the_staff_page(admin_client) -> None:
    page = admin_client.get("/ops/controls/").content.decode()
    assert 'href="/ops/staff/"' in page
