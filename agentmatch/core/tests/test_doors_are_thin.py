"""Doors are adapters: web views, API operations, one-tap links, text replies and commands
parse their input, call one action and render its answer. Transactions, and so the rules
and follow-ups that belong inside them, live in the actions (see docs/architecture.md)."""

import ast
from pathlib import Path

import pytest

APP_ROOT = Path(__file__).resolve().parents[2]


def door_modules() -> list[Path]:
    doors: set[Path] = set()
    for pattern in (
        "*/views.py",
        "*/views_*.py",
        "*/*_views.py",
        "api/*.py",
        "workspace/sms_replies.py",
        "*/management/commands/*.py",
    ):
        doors.update(APP_ROOT.glob(pattern))
    return sorted(p for p in doors if p.name != "__init__.py")


def opens_a_transaction(source: str) -> list[int]:
    """Lines that open a transaction: `transaction.atomic` or `atomic` imported from
    django.db.transaction, as a decorator or a context manager."""
    tree = ast.parse(source)
    imported_atomic = any(
        isinstance(node, ast.ImportFrom)
        and node.module == "django.db.transaction"
        and any(alias.name == "atomic" for alias in node.names)
        for node in ast.walk(tree)
    )
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "atomic"
            and isinstance(node.value, ast.Name)
            and node.value.id == "transaction"
        ) or (imported_atomic and isinstance(node, ast.Name) and node.id == "atomic"):
            lines.append(node.lineno)
    return lines


def test_the_door_list_finds_the_doors() -> None:
    names = {str(p.relative_to(APP_ROOT)) for p in door_modules()}
    assert "consumers/views.py" in names
    assert "api/referral_views.py" in names
    assert "workspace/sms_replies.py" in names
    assert "eligibility/management/commands/set_plan_year.py" in names


def test_the_check_sees_both_spellings_of_a_transaction() -> None:
    assert opens_a_transaction(
        "from django.db import transaction\nwith transaction.atomic():\n  pass"
    )
    assert opens_a_transaction("from django.db.transaction import atomic\n@atomic\ndef f(): pass")
    assert not opens_a_transaction("from agentmatch.x import actions\nactions.submit()")


@pytest.mark.parametrize("module", door_modules(), ids=lambda p: str(p.relative_to(APP_ROOT)))
def test_no_door_opens_a_transaction_of_its_own(module: Path) -> None:
    lines = opens_a_transaction(module.read_text())
    assert not lines, (
        f"{module.relative_to(APP_ROOT)} opens a transaction at line(s) {lines}: move the "
        "work into an action (an app's actions.py) that owns the transaction"
    )
