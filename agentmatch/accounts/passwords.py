"""Password rules from the CMS tip sheet, plus the checks NIST and OWASP ask for on top.

The seed's rules, made precise:
- length 8 to 20 characters; no whitespace of any kind;
- at least one upper-case letter, one lower-case letter, one digit and one special
  character (anything that is not a letter, a digit or whitespace);
- "no more than three repetitive characters": no character repeated more than three times
  in a row ("aaa" passes, "aaaa" fails; case-sensitive, "aAaA" passes);
- "no more than three sequential characters": no run of more than three characters that
  step by +1 or -1 through the alphabet (case-insensitive) or through the digits
  ("abc", "cba", "123" pass; "abcd", "DCBA", "1234", "9876", "aBcD" fail). Runs do not
  wrap around ("yzab", "8901" pass) and never mix letters and digits.
The same rules run in the browser (static/accounts/password-rules.js) for the live
checklist; the server is the authority.

Two more lines on the checklist show the server's other validators live: not a common
password (Django's list; the browser loads the part of it that a password of 8 to 20
characters could match, static/accounts/common-passwords.txt, so no candidate password
leaves the browser before submit) and no username, name or email in it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MIN_LENGTH = 8
MAX_LENGTH = 20
MAX_REPEAT = 3
MAX_SEQUENCE = 3


def longest_repeat(password: str) -> int:
    longest = run = 0
    previous = None
    for ch in password:
        run = run + 1 if ch == previous else 1
        previous = ch
        longest = max(longest, run)
    return longest


def _step(a: str, b: str) -> int | None:
    """+1/-1 when b follows/precedes a in the alphabet or the digits, else None."""
    a, b = a.lower(), b.lower()
    same_kind = (a.isascii() and b.isascii()) and (
        (a.isdigit() and b.isdigit()) or (a.isalpha() and b.isalpha())
    )
    if not same_kind:
        return None
    diff = ord(b) - ord(a)
    return diff if diff in (1, -1) else None


def longest_sequence(password: str) -> int:
    if not password:
        return 0
    longest = run = 1
    direction: int | None = None
    for a, b in pairwise(password):
        step = _step(a, b)
        if step is not None and step == direction:
            run += 1
        elif step is not None:
            run, direction = 2, step
        else:
            run, direction = 1, None
        longest = max(longest, run)
    return longest


@dataclass(frozen=True)
class Rule:
    code: str
    message: Any  # lazy translation
    passes: Callable[[str], bool]


RULES: tuple[Rule, ...] = (
    Rule("no_spaces", _("Does not contain spaces"), lambda p: not any(c.isspace() for c in p)),
    Rule(
        "length",
        _("Contains 8 to 20 characters"),
        lambda p: MIN_LENGTH <= len(p) <= MAX_LENGTH,
    ),
    Rule("number", _("Contains at least one number"), lambda p: any(c.isdigit() for c in p)),
    Rule(
        "lower", _("Contains at least one lower case letter"), lambda p: any(c.islower() for c in p)
    ),
    Rule(
        "upper", _("Contains at least one upper case letter"), lambda p: any(c.isupper() for c in p)
    ),
    Rule(
        "special",
        _("Contains at least one special character"),
        lambda p: any(not c.isalnum() and not c.isspace() for c in p),
    ),
    Rule(
        "repetitive",
        _("Contains no more than three repetitive characters"),
        lambda p: longest_repeat(p) <= MAX_REPEAT,
    ),
    Rule(
        "sequential",
        _("Contains no more than three sequential characters"),
        lambda p: longest_sequence(p) <= MAX_SEQUENCE,
    ),
)


def broken_rules(password: str) -> list[Rule]:
    return [rule for rule in RULES if not rule.passes(password)]


@dataclass(frozen=True)
class ChecklistLine:
    code: str
    message: Any  # lazy translation


# Every line of the checklist: the seed's rules, then the other validators' (codes used by
# password-rules.js; these two depend on the user, so broken_rules leaves them out).
CHECKLIST: tuple[Rule | ChecklistLine, ...] = (
    *RULES,
    ChecklistLine("common", _("Is not a commonly used password")),
    ChecklistLine("personal", _("Does not contain your username, name or email")),
)
MIN_PERSONAL_WORD = 3


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(CommonPasswordValidator().passwords)


def is_common(password: str) -> bool:
    # As Django's CommonPasswordValidator compares.
    return password.lower().strip() in common_passwords()


def common_passwords_for_browser() -> list[str]:
    """The common passwords a password passing the length rule could be (the static file)."""
    return sorted(p for p in common_passwords() if MIN_LENGTH <= len(p) <= MAX_LENGTH)


def personal_words(user: Any) -> list[str]:
    """The username, first and last name and email name (lower case) a password must avoid."""
    words = [
        getattr(user, "username", ""),
        getattr(user, "first_name", ""),
        getattr(user, "last_name", ""),
        (getattr(user, "email", "") or "").split("@")[0],
    ]
    return [w.lower() for w in words if w and len(w) >= MIN_PERSONAL_WORD]


def contains_personal_word(password: str, words: Iterable[str]) -> bool:
    lowered = password.lower()
    return any(word in lowered for word in words)


def broken_lines(password: str, words: Iterable[str]) -> set[str]:
    """The codes of the checklist lines the password breaks, for the given personal words."""
    broken = {rule.code for rule in broken_rules(password)}
    if is_common(password):
        broken.add("common")
    if contains_personal_word(password, words):
        broken.add("personal")
    return broken


class SeedPasswordRules:
    """Django password validator enforcing the tip sheet's rules, one error per broken rule."""

    def validate(self, password: str, user: Any = None) -> None:
        errors = [ValidationError(rule.message, code=rule.code) for rule in broken_rules(password)]
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return " ".join(str(rule.message) for rule in RULES)


class ContextWordsValidator:
    """Refuses passwords containing the username, first or last name, or email name."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is not None and contains_personal_word(password, personal_words(user)):
            raise ValidationError(
                _("Your password cannot contain your username, name or email."),
                code="context_word",
            )

    def get_help_text(self) -> str:
        return str(_("Your password cannot contain your username, name or email."))
