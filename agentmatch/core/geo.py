"""ZIP code geography from the offline `zipcodes` package: centroid, state, time zone,
county."""

import math
from dataclasses import dataclass
from functools import cache

import zipcodes

EARTH_RADIUS_MILES = 3958.8


class UnknownZip(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ZipPlace:
    zip_code: str
    city: str
    state: str
    latitude: float
    longitude: float
    time_zone: str


@cache
def _index() -> dict[str, ZipPlace]:
    places: dict[str, ZipPlace] = {}
    for row in zipcodes.list_all():
        if not row.get("lat") or not row.get("long") or not row.get("timezone"):
            continue
        places[row["zip_code"]] = ZipPlace(
            zip_code=row["zip_code"],
            city=row["city"].title(),
            state=row["state"],
            latitude=float(row["lat"]),
            longitude=float(row["long"]),
            time_zone=row["timezone"],
        )
    return places


def load() -> None:
    """Builds the ZIP index now rather than on the first request that needs it.

    Reading the package's compressed list takes a second or more of CPU (several on a busy
    machine). The web server calls this once in gunicorn's master process (`--preload`), so
    every worker process starts with the index already in memory, shared copy-on-write,
    and no consumer's request waits for it.
    """
    _index()


def normalize_zip(value: str) -> str:
    """'53703-1234' and ' 53703 ' become '53703'; anything else that is not 5 digits fails."""
    text = (value or "").strip()
    if len(text) == 10 and text[5] == "-":
        text = text[:5]
    if len(text) != 5 or not text.isdigit():
        raise UnknownZip(f"'{value}' is not a 5-digit ZIP code")
    return text


def lookup_zip(value: str) -> ZipPlace:
    code = normalize_zip(value)
    place = _index().get(code)
    if place is None:
        raise UnknownZip(f"ZIP code {code} is not a known US ZIP code")
    return place


@cache
def _counties() -> dict[str, str]:
    # Only the retention sweep asks (what a referral keeps for statistics when its ZIP
    # code is removed), so the intake's index stays small.
    return {row["zip_code"]: row.get("county") or "" for row in zipcodes.list_all()}


def county_for_zip(code: str) -> str:
    """'Dane County' for '53703'; '' for a ZIP code the list does not know."""
    return _counties().get(code, "")


def zips_in_state(state: str) -> list[ZipPlace]:
    return [p for p in _index().values() if p.state == state]


def distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance between two points in miles."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))
