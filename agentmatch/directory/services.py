"""The directory query: agents a consumer may find near them, with only what each shows.

Who is listed is decided by the eligibility rules (eligibility.rules.listed_states,
materialised as DirectoryListing beside the routing states): eligible for the current plan
year in the consumer's state, display option 1 or 2, or 3 in the agent's home state,
registered, not deactivated, not opted out of the directory for that state. The query
checks the display option and the deactivation once more, so a stale listing row can only
ever narrow the directory.

What each agent shows is decided here too, in the query itself: the street address of an
agent whose display option hides it is never selected, and each result is a `Listing`
holding only the fields the option allows. Pages and API render a Listing; neither ever
sees an Agent row.
"""

import math
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, F, OuterRef, Q, Value, When, Window
from django.db.models.functions import Concat

from agentmatch.agents.labels import language_choices
from agentmatch.agents.models import AgentLanguage, DisplayOption
from agentmatch.core.geo import UnknownZip, lookup_zip
from agentmatch.core.phones import display_phone
from agentmatch.directory.search import PAGE_SIZE, Search
from agentmatch.eligibility.models import AgentDeactivation, DirectoryListing
from agentmatch.referrals.matching import bounding_box, distance_expression

# Options whose agents show their street address (2 hides it; 4 is never listed).
SHOWS_STREET = (DisplayOption.ALL_STATES, DisplayOption.HOME_STATE_ONLY)


@dataclass(frozen=True)
class Listing:
    """One agent as the directory shows them: nothing their display option hides."""

    name: str
    phone: str  # (608) 555-0100
    email: str
    street_address: str | None  # None: hidden by the display option, or not on record
    city: str
    state: str
    zip_code: str
    languages: tuple[str, ...]  # ISO 639-1 codes
    distance_miles: float

    @property
    def phone_link(self) -> str:
        """The shown number as a tel: link (agents' numbers are US numbers)."""
        return "tel:+1" + "".join(c for c in self.phone if c.isdigit())[-10:]

    @property
    def language_names(self) -> list[str]:
        """The languages named in the page's language."""
        names = {code: name for code, name, _translated in language_choices()}
        return [names.get(code, code) for code in self.languages]


@dataclass(frozen=True)
class DirectoryPage:
    search: Search
    listings: list[Listing]
    total: int  # agents within the radius, all pages

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PAGE_SIZE))

    @property
    def first_number(self) -> int:
        """The position of the first listing on this page (1-based), for "11 to 20 of 34"."""
        return (self.search.page - 1) * PAGE_SIZE + 1

    @property
    def last_number(self) -> int:
        return self.first_number + len(self.listings) - 1

    @property
    def has_next(self) -> bool:
        return self.search.page < self.pages


def listed_agents(search: Search):  # type: ignore[no-untyped-def]
    """Listings of agents a consumer in search.state finds within the radius, nearest
    first.

    The search reads the state's listings inside a box around the consumer (the index
    directory_listing_near), then checks each agent row: a stale listing can only narrow.
    """
    state = search.state
    shown = Q(
        agent__display_option__in=[DisplayOption.ALL_STATES, DisplayOption.ALL_STATES_NO_STREET]
    )
    shown |= Q(agent__display_option=DisplayOption.HOME_STATE_ONLY, agent__home_state=state)
    deactivated = AgentDeactivation.objects.filter(agent=OuterRef("agent_id"))
    qs = DirectoryListing.objects.filter(shown, state=state).exclude(Exists(deactivated))
    box = bounding_box(search.place.latitude, search.place.longitude, search.radius_miles)
    if box:
        qs = qs.filter(**box)
    if search.language:
        speaks = AgentLanguage.objects.filter(agent=OuterRef("agent_id"), language=search.language)
        qs = qs.filter(Exists(speaks))
    return (
        qs.annotate(distance=distance_expression(search.place.latitude, search.place.longitude))
        .filter(distance__lte=search.radius_miles)
        .order_by("distance", "agent__last_name", "agent__first_name", "agent_id")
    )


def _street():  # type: ignore[no-untyped-def]
    # Selected only where the option shows it: a hidden address never leaves the database.
    return Case(
        When(agent__display_option__in=SHOWS_STREET, then=F("agent__business_street")),
        default=Value(""),
    )


def find_listings(*, search: Search) -> DirectoryPage:
    """One page of the directory for this search (the page may be past the last: empty)."""
    listings = listed_agents(search)
    start = (search.page - 1) * PAGE_SIZE
    # The total comes with the page (a window count over every listing in the radius): one
    # query, not a count and a page that would both read the box.
    rows = list(
        listings.annotate(
            shown_street=_street(),
            full_name=Concat("agent__first_name", Value(" "), "agent__last_name"),
            phone=F("agent__cell_phone"),
            email=F("agent__email"),
            city=F("agent__business_city"),
            zip_code=F("agent__business_zip"),
            home_state=F("agent__home_state"),
            total=Window(Count("pk")),
        ).values(
            "agent_id",
            "full_name",
            "phone",
            "email",
            "shown_street",
            "city",
            "zip_code",
            "home_state",
            "distance",
            "total",
        )[start : start + PAGE_SIZE]
    )
    # A page past the last has no row to carry the total.
    total = rows[0]["total"] if rows else (listings.count() if start else 0)
    spoken: dict[int, list[str]] = {}
    for agent_id, code in AgentLanguage.objects.filter(
        agent_id__in=[r["agent_id"] for r in rows]
    ).values_list("agent_id", "language"):
        spoken.setdefault(agent_id, []).append(code)
    return DirectoryPage(
        search=search,
        listings=[_listing(r, spoken.get(r["agent_id"], [])) for r in rows],
        total=total,
    )


def _listing(row: dict, languages: list[str]) -> Listing:  # type: ignore[type-arg]
    try:
        state = lookup_zip(row["zip_code"]).state
    except UnknownZip:
        state = row["home_state"]
    # English and Spanish first, the way consumers choose them.
    order = {"en": 0, "es": 1}
    return Listing(
        name=" ".join(row["full_name"].split()),
        phone=display_phone(row["phone"]) if row["phone"] else "",
        email=row["email"],
        street_address=row["shown_street"].strip() or None,
        city=row["city"],
        state=state,
        zip_code=row["zip_code"],
        languages=tuple(sorted(languages, key=lambda c: (order.get(c, 2), c))),
        distance_miles=round(float(row["distance"]), 1),
    )
