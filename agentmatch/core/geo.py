"""ZIP code geography from the offline `zipcodes` package: centroid, state, time zone,
county."""

import logging
import math
import pickle
import subprocess
import sys
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import zipcodes

EARTH_RADIUS_MILES = 3958.8
log = logging.getLogger("agentmatch.geo")
# Reading the package takes about a second; a busy machine may take several.
_READ_TIMEOUT_SECONDS = 120


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


# Every 5-digit ZIP code is a number below this: the index's arrays are indexed by it.
_ZIP_NUMBERS = 100_000
_NOWHERE = -1


@dataclass(frozen=True, slots=True)
class _Index:
    """The ZIP codes with a centroid and a time zone, in the package's (ZIP) order, as
    arrays of numbers rather than objects: about 3 MB, where the package's own list of
    dicts (every field of every ZIP, which `zipcodes.list_all()` keeps for the life of the
    process) was about 100 MB of every process that looked up a ZIP.

    Row i is ZIP `zip_numbers[i]`; texts are positions in the shared tuples of names.
    """

    row_of: array[int]  # by ZIP number: its row, or _NOWHERE
    zip_numbers: array[int]
    latitudes: array[float]
    longitudes: array[float]
    city_of: array[int]
    state_of: array[int]
    zone_of: array[int]
    cities: tuple[str, ...]
    states: tuple[str, ...]
    zones: tuple[str, ...]
    rows_in_state: dict[str, array[int]]
    # By ZIP number, every ZIP the package lists (with or without a centroid): its county.
    county_of: array[int]
    counties: tuple[str, ...]  # counties[0] is "" (none known)

    def place(self, row: int) -> ZipPlace:
        return ZipPlace(
            zip_code=f"{self.zip_numbers[row]:05d}",
            city=self.cities[self.city_of[row]],
            state=self.states[self.state_of[row]],
            latitude=self.latitudes[row],
            longitude=self.longitudes[row],
            time_zone=self.zones[self.zone_of[row]],
        )


class _Names:
    """Positions of distinct texts, in the order first seen."""

    def __init__(self, *first: str) -> None:
        self.positions: dict[str, int] = {name: i for i, name in enumerate(first)}

    def __call__(self, name: str) -> int:
        return self.positions.setdefault(name, len(self.positions))

    def names(self) -> tuple[str, ...]:
        return tuple(self.positions)


def _package_rows() -> Iterator[dict[str, Any]]:
    """Every row of the package, in its order, a few hundred at a time: never the whole
    list at once, and never `list_all()`, whose list the package keeps for good."""
    for prefix in range(100):
        yield from zipcodes.similar_to(f"{prefix:02d}")


def _read_package() -> dict[str, Any]:
    """The index's fields, from the package's rows."""
    row_of = array("i", [_NOWHERE]) * _ZIP_NUMBERS
    county_of = array("H", [0]) * _ZIP_NUMBERS
    zip_numbers, city_of, state_of, zone_of = array("i"), array("I"), array("H"), array("H")
    latitudes, longitudes = array("d"), array("d")
    cities, states, zones, counties = _Names(), _Names(), _Names(), _Names("")
    rows_in_state: dict[str, array[int]] = {}
    for row in _package_rows():
        number = int(row["zip_code"])
        county_of[number] = counties(row.get("county") or "")
        if not row.get("lat") or not row.get("long") or not row.get("timezone"):
            continue
        row_of[number] = len(zip_numbers)
        rows_in_state.setdefault(row["state"], array("i")).append(len(zip_numbers))
        zip_numbers.append(number)
        city_of.append(cities(row["city"].title()))
        state_of.append(states(row["state"]))
        zone_of.append(zones(row["timezone"]))
        latitudes.append(float(row["lat"]))
        longitudes.append(float(row["long"]))
    return {
        "row_of": row_of,
        "zip_numbers": zip_numbers,
        "latitudes": latitudes,
        "longitudes": longitudes,
        "city_of": city_of,
        "state_of": state_of,
        "zone_of": zone_of,
        "cities": cities.names(),
        "states": states.names(),
        "zones": zones.names(),
        "rows_in_state": rows_in_state,
        "county_of": county_of,
        "counties": counties.names(),
    }


def _read_package_apart() -> dict[str, Any]:
    """`_read_package()` in a process of its own, which hands back the fields and ends.

    The package's compiled extension loads its whole data set (about 40 MB, outside
    Python's reach) into the process that first asks it anything, and keeps it for the
    life of that process: read here, it would sit in every web process beside the 3 MB
    index. Read in this process if that one cannot be started.
    """
    try:
        done = subprocess.run(
            [sys.executable, "-m", "agentmatch.core.geo"],
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            check=True,
            timeout=_READ_TIMEOUT_SECONDS,
        )
        fields: dict[str, Any] = pickle.loads(done.stdout)  # our own child's output
        return fields
    except (OSError, subprocess.SubprocessError, pickle.UnpicklingError, EOFError) as error:
        log.warning("reading the ZIP table in a process of its own failed (%s): here", error)
        return _read_package()


@cache
def _index() -> _Index:
    return _Index(**_read_package_apart())


def load() -> None:
    """Builds the ZIP index now rather than on the first request that needs it.

    Reading the package's data takes about a second of CPU (several on a busy machine).
    The web server calls this once in gunicorn's master process (`--preload`), so every
    worker process starts with the index already in memory, shared copy-on-write, and no
    consumer's request waits for it.
    """
    _index()


def _zip_number(code: str) -> int | None:
    # ASCII digits only: int() also reads other scripts' digits (full-width ones, say).
    if len(code) == 5 and code.isascii() and code.isdigit():
        return int(code)
    return None


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
    index = _index()
    number = _zip_number(code)
    row = _NOWHERE if number is None else index.row_of[number]
    if row == _NOWHERE:
        raise UnknownZip(f"ZIP code {code} is not a known US ZIP code")
    return index.place(row)


def county_for_zip(code: str) -> str:
    """'Dane County' for '53703'; '' for a ZIP code the list does not know."""
    number = _zip_number(code)
    if number is None:
        return ""
    index = _index()
    return index.counties[index.county_of[number]]


def zips_in_state(state: str) -> list[ZipPlace]:
    index = _index()
    return [index.place(row) for row in index.rows_in_state.get(state, ())]


def distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance between two points in miles."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


if __name__ == "__main__":
    # The process `_read_package_apart` starts: the fields, pickled, on standard output.
    sys.stdout.buffer.write(pickle.dumps(_read_package(), protocol=pickle.HIGHEST_PROTOCOL))
