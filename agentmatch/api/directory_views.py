"""Find Local Help: the public directory, the same search as the /find-help/ page."""

import hashlib

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router

from agentmatch.api.agent_doors import error
from agentmatch.api.documentation import RETRY_AFTER, SAFE, Refusal, documented, error_example
from agentmatch.api.schemas import DirectoryOut, ErrorOut
from agentmatch.core.clients import client_address
from agentmatch.directory.actions import search_directory
from agentmatch.directory.search import (
    MAX_PAGE,
    MAX_RADIUS,
    MIN_RADIUS,
    PAGE_SIZE,
    InvalidSearch,
    parse_search,
)
from agentmatch.referrals.limits import RateLimited

router = Router(tags=["directory"])

# Listings change when an agent's data does (imports, their profile): a few minutes late is
# fine for a directory, and lets a CDN or browser answer repeated searches.
CACHE_CONTROL = "public, max-age=300"


DIRECTORY_EXAMPLE = {
    "zip": "53703",
    "city": "Madison",
    "state": "WI",
    "radius_miles": 25,
    "language": "es",
    "page": 1,
    "pages": 1,
    "page_size": PAGE_SIZE,
    "total": 1,
    "agents": [
        {
            "name": "Rosa Martinez",
            "phone": "(608) 555-0123",
            "email": "rosa@example.com",
            "street_address": "1 S Pinckney St",
            "city": "Madison",
            "state": "WI",
            "zip": "53703",
            "languages": ["en", "es"],
            "distance_miles": 0.4,
        }
    ],
}


@router.get(
    "/directory",
    response={200: DirectoryOut, 304: None, 422: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="Find Local Help: licensed agents near a ZIP code or city, nearest first",
    openapi_extra=documented(
        who="Anyone; limited per client address (DIRECTORY_SEARCHES_PER_ADDRESS an hour).",
        effects="None: it reads (the search is counted for the rate limit).",
        retry=SAFE + " Send If-None-Match with the ETag to get 304 when nothing changed.",
        answer=DIRECTORY_EXAMPLE,
        errors={
            422: Refusal(
                ("invalid_search",),
                "`invalid_search`: `field` names the first wrong parameter (zip, city, "
                "state, radius, language or page); the message lists every problem",
                error_example("zip", "invalid_search", "Enter a 5-digit US ZIP code, like 53703."),
            ),
            429: Refusal(
                ("rate_limited",),
                "`rate_limited`: too many searches from this client address; Retry-After "
                "says when to try again",
                error_example(
                    None,
                    "rate_limited",
                    "Many searches came from this address in the last hour. Try again in "
                    "40 minutes.",
                ),
                RETRY_AFTER,
            ),
        },
    ),
)
def directory(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    response: HttpResponse,
    zip: str = Query("", example="53703", description="5-digit ZIP code to search from"),
    city: str = Query("", description="instead of zip: a city, with state"),
    state: str = Query("", description="with city: the state's 2-letter code"),
    radius: str = Query(
        "", example="25", description=f"miles, {MIN_RADIUS} to {MAX_RADIUS} (default 25)"
    ),
    language: str = Query(
        "", example="es", description="ISO 639-1 code the agent speaks (default any)"
    ),
    page: str = Query("", example="1", description=f"1 to {MAX_PAGE}, {PAGE_SIZE} agents a page"),
):
    """Agents a consumer in the searched ZIP code's state can contact, nearest first.

    Only agents eligible for the current plan year in that state (the rules routing uses)
    who chose to be listed, each with what their MLMS display option allows: option 2
    hides the street address (null), option 3 agents appear only to consumers in their
    home state, option 4 agents never. Cacheable for a few minutes (ETag, If-None-Match
    gives 304). Limited per client address (429 with Retry-After); bad input: 422 naming
    the field, with every problem in the message.
    """
    try:
        search = parse_search(
            zip_code=zip, city=city, state=state, radius=radius, language=language, page=page
        )
        found = search_directory(
            search=search, client_address=client_address(request), now=timezone.now()
        )
    except InvalidSearch as exc:
        field = next(iter(exc.errors))
        return error(request, 422, "invalid_search", " ".join(exc.errors.values()), field)
    except RateLimited as exc:
        refused = error(request, 429, exc.code, exc.message)
        refused["Retry-After"] = str(exc.retry_after)
        return refused
    body = {
        "zip": search.place.zip_code,
        "city": search.place.city,
        "state": search.state,
        "radius_miles": search.radius_miles,
        "language": search.language or None,
        "page": search.page,
        "pages": found.pages,
        "page_size": PAGE_SIZE,
        "total": found.total,
        "agents": [
            {
                "name": a.name,
                "phone": a.phone,
                "email": a.email,
                "street_address": a.street_address,
                "city": a.city,
                "state": a.state,
                "zip": a.zip_code,
                "languages": list(a.languages),
                "distance_miles": a.distance_miles,
            }
            for a in found.listings
        ],
    }
    etag = '"' + hashlib.sha256(repr(sorted(body.items())).encode()).hexdigest()[:32] + '"'
    if etag in request.headers.get("If-None-Match", ""):
        unchanged = HttpResponse(status=304)
        unchanged["ETag"], unchanged["Cache-Control"] = etag, CACHE_CONTROL
        return unchanged
    response["ETag"], response["Cache-Control"] = etag, CACHE_CONTROL
    return body
