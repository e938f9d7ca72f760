"""Checks on text people type into account fields."""

from agentmatch.core.input_guard import CONTROL_CHARACTERS


def has_control_characters(value: str) -> bool:
    """NUL and other control characters have no place in a name, username or reason
    (PostgreSQL cannot even store NUL): callers refuse them, naming the field. The same
    characters the input guard and the API refuse."""
    return CONTROL_CHARACTERS.search(value) is not None
