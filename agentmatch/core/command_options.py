"""Options of the management commands that name several things at once."""

from collections.abc import Sequence

from django.core.management.base import CommandError


def names_from(text: str, *, option: str, what: str, known: Sequence[str]) -> list[str]:
    """The names a comma-separated option gives (`--lanes main,messages`), each one known
    and named once; otherwise a CommandError that says which and what the choices are."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise CommandError(
            f"{option}: unknown {what} {', '.join(map(repr, unknown)) or '(none given)'}: "
            f"choose among {', '.join(known)}"
        )
    if len(set(names)) < len(names):
        raise CommandError(f"{option}: a {what} is named twice in {text!r}")
    return names
