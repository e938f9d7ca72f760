"""The one validator of a directory search, shared by the page and the API.

Every field's error at once, each a message a consumer can act on (in the page's
language), so neither door answers a bad ZIP or an odd page number with a 500.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from agentmatch.core.geo import UnknownZip, ZipPlace, lookup_zip, normalize_zip, zips_in_state
from agentmatch.core.languages import LANGUAGE_NAMES
from agentmatch.core.states import STATE_NAMES

RADIUS_CHOICES = (5, 10, 25, 50, 100)
MIN_RADIUS, MAX_RADIUS, DEFAULT_RADIUS = 5, 100, 25
# Ten agents a page fit a phone; a thousand pages are more than any ZIP holds.
PAGE_SIZE = 10
MAX_PAGE = 1000


@dataclass(frozen=True)
class Search:
    place: ZipPlace  # where the consumer searches from (a city: its first ZIP code)
    radius_miles: int
    language: str  # "" for any
    page: int

    @property
    def state(self) -> str:
        """The consumer's state: the directory lists agents eligible there."""
        return self.place.state


class InvalidSearch(ValueError):
    """`errors` maps each field at fault to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _place(zip_code: str, city: str, state: str, errors: dict[str, str]) -> ZipPlace | None:
    if zip_code.strip():
        try:
            return lookup_zip(normalize_zip(zip_code))
        except UnknownZip:
            errors["zip"] = _("Enter a 5-digit US ZIP code, like 53703.")
            return None
    if not city.strip() and not state.strip():
        errors["zip"] = _("Enter your ZIP code, or your city and state.")
        return None
    code = state.strip().upper()
    if code not in STATE_NAMES:
        errors["state"] = _("Choose your state.")
    if not city.strip():
        errors["city"] = _("Enter your city, or your ZIP code instead.")
    if errors:
        return None
    wanted = " ".join(city.split()).casefold()
    places = sorted(
        (p for p in zips_in_state(code) if p.city.casefold() == wanted), key=lambda p: p.zip_code
    )
    if not places:
        errors["city"] = _("We could not find that city in that state. Try your ZIP code.")
        return None
    return places[0]


def _whole_number(value: str | int | None) -> int | None:
    text = str(value if value is not None else "").strip()
    # ASCII only: "²" is a digit to str.isdigit() but not to int().
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        return None
    return int(text)


def parse_search(
    *,
    zip_code: str = "",
    city: str = "",
    state: str = "",
    radius: str | int | None = None,
    language: str = "",
    page: str | int | None = None,
) -> Search:
    """A search from the raw inputs, or InvalidSearch naming every field at fault."""
    errors: dict[str, str] = {}
    place = _place(zip_code or "", city or "", state or "", errors)
    miles = DEFAULT_RADIUS if radius in (None, "") else _whole_number(radius)
    if miles is None or not MIN_RADIUS <= miles <= MAX_RADIUS:
        errors["radius"] = _("Choose a distance from %(low)s to %(high)s miles.") % {
            "low": MIN_RADIUS,
            "high": MAX_RADIUS,
        }
    code = (language or "").strip().lower()
    if code and code not in LANGUAGE_NAMES:
        errors["language"] = _("Choose a language from the list.")
    number = 1 if page in (None, "") else _whole_number(page)
    if number is None or not 1 <= number <= MAX_PAGE:
        errors["page"] = _("The page number must be from 1 to %(last)s.") % {"last": MAX_PAGE}
    if errors or place is None or miles is None or number is None:
        raise InvalidSearch(errors)
    return Search(place=place, radius_miles=miles, language=code, page=number)
