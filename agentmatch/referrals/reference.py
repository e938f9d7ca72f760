"""A referral's reference code: what the consumer, the agent and support read out to each
other ("K7QF-3M9D"), while the referral's UUID stays internal (URLs, the API's `id`).

Eight characters from 30 that cannot be mistaken for one another on a screen, on paper or
over the phone: the digits 2-9 and the letters without I, L and O (read as 1 and 0, which
are left out too) and U (read as V; Crockford's Base32 drops it for the same reason).
30^8 is about 6.6 * 10^11 codes: enough that a collision is rare, not impossible, so the
database holds codes unique and the action that creates a referral draws again when the
one it drew is taken (actions.requests.submit_request). `secrets` draws them, so a code
says nothing about when the referral was made or how many there are.
"""

import re
import secrets
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from agentmatch.referrals.models import Referral

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
# Read aloud in two groups of four, like a phone number.
GROUP = 4
_SEPARATORS = re.compile(r"[\s\-_.]")


def new_reference_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_reference(code: str) -> str:
    """ "K7QF3M9D" -> "K7QF-3M9D", as pages, texts and emails show it."""
    return f"{code[:GROUP]}-{code[GROUP:]}"


def normalise_reference(text: str) -> str | None:
    """The code someone typed ("k7qf 3m9d", "K7QF-3M9D"), as stored; None when it cannot
    be one."""
    code = _SEPARATORS.sub("", text).upper()
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def parse_referral_number(text: str) -> tuple[str | None, UUID | None]:
    """What support may type to find a referral: its reference code in any case, with or
    without the dash, or the UUID a referral stored before reference codes were shown
    (and the API's `id`). Returns (code, None), (None, uuid) or (None, None)."""
    text = text.strip()[:40]
    code = normalise_reference(text)
    if code is not None:
        return code, None
    try:
        return None, UUID(text)
    except ValueError:
        return None, None


def find_referral(text: str) -> "Referral | None":
    """The referral support was read out (`parse_referral_number`), or None."""
    # Imported here: the model draws its codes from this module.
    from agentmatch.referrals.models import Referral

    code, public_id = parse_referral_number(text)
    if code is not None:
        return Referral.objects.filter(reference_code=code).first()
    if public_id is not None:
        return Referral.objects.filter(public_id=public_id).first()
    return None
