"""Checks on text people type into account fields."""

import unicodedata


def has_control_characters(value: str) -> bool:
    """NUL and other control characters have no place in a name, username or reason
    (PostgreSQL cannot even store NUL): callers refuse them, naming the field."""
    return any(unicodedata.category(c) == "Cc" for c in value)
