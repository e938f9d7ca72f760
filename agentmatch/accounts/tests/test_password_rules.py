"""The tip sheet's password rules, made precise, with their boundaries."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from agentmatch.accounts.models import User
from agentmatch.accounts.passwords import broken_rules, longest_repeat, longest_sequence

GOOD = "Tr7#kPz!wQ2m"


@pytest.mark.parametrize(
    ("password", "broken"),
    [
        (GOOD, set()),
        ("Ab1!xyQz", set()),  # exactly 8 characters
        ("Ab1!Xz9#Kq2@Wm5$Rt8%", set()),  # exactly 20 characters
        ("Ab1!xyQ", {"length"}),  # 7
        ("Ab1!Xz9#Kq2@Wm5$Rt8%a", {"length"}),  # 21
        ("Ab1! xyQz", {"no_spaces"}),
        ("Ab1!\txyQz", {"no_spaces"}),
        ("Abc!xyQz", {"number"}),
        ("AB1!XYQZ", {"lower"}),
        ("ab1!xyqz", {"upper"}),
        ("Ab1xyQzW", {"special"}),
        # Repetitive: three in a row is allowed, four is not; case matters.
        ("Ab1!xxxQ", set()),
        ("Ab1!xxxxQ", {"repetitive"}),
        ("Ab1!!!!Q7z", {"repetitive"}),
        ("Ab1!xXxXQ", set()),
        # Sequential: three in a row allowed, four not, either direction, letters or digits.
        ("Qz!abcT7", set()),
        ("Qz!abcdT7", {"sequential"}),
        ("Qz!dcbaT7", {"sequential"}),
        ("Qz!aBcDT7", {"sequential"}),
        ("Qz!x123T", set()),
        ("Qz!x1234T", {"sequential"}),
        ("Qz!x9876T", {"sequential"}),
        # No wrap-around, and letters and digits never chain.
        ("Qz!yzabT7", set()),
        ("Qz!T8901", set()),
        ("Qz!xabc1234", {"sequential"}),
        ("Qz!c9d0e1T", set()),
    ],
)
def test_each_rule_decides_on_its_own(password: str, broken: set[str]) -> None:
    assert {rule.code for rule in broken_rules(password)} == broken


def test_an_empty_password_breaks_every_rule_that_needs_content() -> None:
    assert {r.code for r in broken_rules("")} == {
        "length",
        "number",
        "lower",
        "upper",
        "special",
    }


@pytest.mark.parametrize(("text", "run"), [("", 0), ("a", 1), ("aab", 2), ("abbbba", 4)])
def test_longest_repeat(text: str, run: int) -> None:
    assert longest_repeat(text) == run


@pytest.mark.parametrize(
    ("text", "run"), [("", 0), ("a", 1), ("ab", 2), ("abca", 3), ("cbab", 3), ("a1b2", 1)]
)
def test_longest_sequence(text: str, run: int) -> None:
    assert longest_sequence(text) == run


def test_server_reports_every_broken_rule_at_once() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_password("aaaa bcd")
    codes = {e.code for e in exc.value.error_list}
    assert {"no_spaces", "number", "upper", "special", "repetitive"} <= codes


@pytest.mark.django_db
def test_common_passwords_are_refused_even_when_they_fit_the_rules() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_password("P@ssw0rd")
    assert "password_too_common" in {e.code for e in exc.value.error_list}


@pytest.mark.parametrize("password", ["Jdoe77!Kq", "Mx!Smith9q", "Xx!Janedoe1", "wJane#42Q"])
def test_passwords_containing_username_name_or_email_are_refused(password: str) -> None:
    user = User(username="jdoe77", first_name="Jane", last_name="Smith", email="janedoe@x.org")
    with pytest.raises(ValidationError) as exc:
        validate_password(password, user=user)
    assert "context_word" in {e.code for e in exc.value.error_list}
