"""`create_operator` makes support and administrator logins from scripts."""

import pytest
from django.core.management import CommandError, call_command

from agentmatch.accounts.models import Role, User

pytestmark = pytest.mark.django_db
GOOD = "Pl4n!et-Rx9q"


def test_creates_an_operator_with_the_password_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("OPERATOR_PASSWORD", GOOD)
    call_command("create_operator", "sam.support", "sam@example.com")
    user = User.objects.get(username="sam.support")
    assert (user.role, user.email, user.agent) == (Role.OPERATOR, "sam@example.com", None)
    assert user.check_password(GOOD) and user.is_operator


def test_administrator_flag(monkeypatch) -> None:
    monkeypatch.setenv("OPERATOR_PASSWORD", GOOD)
    call_command("create_operator", "ada.admin", "ada@example.com", "--administrator")
    assert User.objects.get(username="ada.admin").role == Role.ADMINISTRATOR


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["sam", "not-an-email"], GOOD, "is not an email address"),
        (["sam", "sam@example.com"], "short", "Password refused"),
        (["sam", "sam@example.com"], None, "set OPERATOR_PASSWORD"),
    ],
    ids=["bad-email", "weak-password", "no-password"],
)
def test_bad_input_is_refused_with_a_message(monkeypatch, args, password, message) -> None:
    if password is None:
        monkeypatch.delenv("OPERATOR_PASSWORD", raising=False)
        monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    else:
        monkeypatch.setenv("OPERATOR_PASSWORD", password)
    with pytest.raises(CommandError, match=message):
        call_command("create_operator", *args)
    assert not User.objects.exists()


def test_an_existing_username_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("OPERATOR_PASSWORD", GOOD)
    call_command("create_operator", "sam", "sam@example.com")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_operator", "SAM", "other@example.com")
    assert User.objects.count() == 1
