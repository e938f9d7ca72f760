"""Opaque page cursors: a signed position (timestamp, id) in a list with a stable order.

Signed, so a client cannot forge a position (a tampered cursor is refused, not guessed
at); the position is all it holds, so it reveals nothing a page did not already show.
"""

from datetime import datetime

from django.core import signing
from django.utils.translation import gettext as _

SALT = "agentmatch.api.cursor"


class BadCursor(ValueError):
    def __init__(self) -> None:
        self.message = _("This cursor is not one we gave: start again without it.")
        super().__init__(self.message)


def write_cursor(at: datetime, pk: int) -> str:
    return signing.dumps([at.isoformat(), pk], salt=SALT, compress=False)


def read_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        at, pk = signing.loads(cursor, salt=SALT)
        moment = datetime.fromisoformat(at)
    except (signing.BadSignature, ValueError, TypeError):
        raise BadCursor() from None
    if not isinstance(pk, int) or moment.tzinfo is None:
        raise BadCursor()
    return moment, pk
