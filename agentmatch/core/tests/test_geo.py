"""ZIP geography from the offline table: centroid, state, time zone, distances."""

import subprocess
import sys
from collections import defaultdict

import pytest
import zipcodes

from agentmatch.core import geo
from agentmatch.core.geo import (
    UnknownZip,
    ZipPlace,
    county_for_zip,
    distance_miles,
    lookup_zip,
    normalize_zip,
    zips_in_state,
)


def test_lookup_gives_city_state_centroid_and_time_zone():
    place = lookup_zip("53703")
    assert (place.zip_code, place.city, place.state) == ("53703", "Madison", "WI")
    assert place.latitude == pytest.approx(43.08, abs=0.05)
    assert place.longitude == pytest.approx(-89.38, abs=0.05)
    assert place.time_zone == "America/Chicago"


@pytest.mark.parametrize(
    ("zip_code", "time_zone"),
    [("49503", "America/Detroit"), ("85001", "America/Phoenix"), ("99501", "America/Anchorage")],
)
def test_time_zone_follows_the_zip(zip_code, time_zone):
    assert lookup_zip(zip_code).time_zone == time_zone


@pytest.mark.parametrize("text", [" 53703 ", "53703-1234"])
def test_zip_plus_four_and_spaces_are_accepted(text):
    assert normalize_zip(text) == "53703"
    assert lookup_zip(text).zip_code == "53703"


@pytest.mark.parametrize("text", ["", "5370", "537031", "5370a", "53703-12", None])
def test_malformed_zip_is_named_in_the_error(text):
    with pytest.raises(UnknownZip, match="5-digit ZIP"):
        lookup_zip(text)


def test_unknown_zip_is_named_in_the_error():
    with pytest.raises(UnknownZip, match="ZIP code 00000 is not a known"):
        lookup_zip("00000")


def test_unknown_zip_is_a_value_error_for_callers_that_only_know_that():
    assert issubclass(UnknownZip, ValueError)


def test_madison_to_milwaukee_is_about_75_miles():
    madison, milwaukee = lookup_zip("53703"), lookup_zip("53202")
    miles = distance_miles(
        madison.latitude, madison.longitude, milwaukee.latitude, milwaukee.longitude
    )
    assert 70 < miles < 80


def test_distance_is_symmetric_and_zero_to_itself():
    a, b = lookup_zip("53703"), lookup_zip("54601")
    there = distance_miles(a.latitude, a.longitude, b.latitude, b.longitude)
    back = distance_miles(b.latitude, b.longitude, a.latitude, a.longitude)
    assert there == pytest.approx(back)
    assert distance_miles(a.latitude, a.longitude, a.latitude, a.longitude) == 0


def test_long_distances_follow_the_great_circle():
    # Anchorage to Phoenix: about 2,550 miles as the crow flies.
    a, b = lookup_zip("99501"), lookup_zip("85001")
    assert 2450 < distance_miles(a.latitude, a.longitude, b.latitude, b.longitude) < 2650


def test_antipodal_points_do_not_crash_on_rounding():
    assert distance_miles(0, 0, 0, 180) == pytest.approx(3.14159 * 3958.8, rel=1e-4)


def test_zips_in_state_lists_only_that_state():
    wisconsin = zips_in_state("WI")
    assert len(wisconsin) > 500
    assert {p.state for p in wisconsin} == {"WI"}
    assert "53703" in {p.zip_code for p in wisconsin}


def _package_place(row: dict) -> ZipPlace | None:
    """What the package says of one ZIP, as geo.py has always read it."""
    if not row.get("lat") or not row.get("long") or not row.get("timezone"):
        return None
    return ZipPlace(
        zip_code=row["zip_code"],
        city=row["city"].title(),
        state=row["state"],
        latitude=float(row["lat"]),
        longitude=float(row["long"]),
        time_zone=row["timezone"],
    )


def test_every_zip_is_answered_as_the_package_says():
    rows = zipcodes.list_all()
    assert len(rows) > 40_000
    for row in rows:
        expected = _package_place(row)
        if expected is None:
            with pytest.raises(UnknownZip, match="is not a known"):
                lookup_zip(row["zip_code"])
        else:
            assert lookup_zip(row["zip_code"]) == expected
        assert county_for_zip(row["zip_code"]) == (row.get("county") or "")


def test_every_state_lists_its_zips_in_the_packages_order():
    by_state: dict[str, list[ZipPlace]] = defaultdict(list)
    for row in zipcodes.list_all():
        if place := _package_place(row):
            by_state[place.state].append(place)
    for state, places in by_state.items():
        assert zips_in_state(state) == places
    assert zips_in_state("ZZ") == []
    assert zips_in_state("wi") == []


# Full-width digits: 5 digits to str.isdigit(), and 53703 to int().
@pytest.mark.parametrize("text", ["\uff15\uff13\uff17\uff10\uff13", "00000", "99999"])
def test_other_five_digit_texts_are_not_known(text):
    with pytest.raises(UnknownZip, match="is not a known"):
        lookup_zip(text)
    assert county_for_zip(text) == ""


@pytest.mark.parametrize("text", ["", "5370", "53703-1234", " 53703", "²5370"])
def test_a_county_is_only_found_for_a_zip_as_the_package_writes_it(text):
    assert county_for_zip(text) == ""


def test_the_index_read_apart_is_the_one_read_here():
    assert geo._index() == geo._Index(**geo._read_package())


def test_reading_the_index_leaves_the_packages_data_out_of_the_process():
    """The package keeps what it reads (its list of dicts, its extension's data set) for
    the life of the process: the web process only keeps the compact index."""
    probe = (
        "import zipcodes\n"
        "def rss():\n"
        "    line = [l for l in open('/proc/self/status') if l.startswith('VmRSS')][0]\n"
        "    return int(line.split()[1]) // 1024\n"
        "before = rss()\n"
        "from agentmatch.core import geo\n"
        "geo.lookup_zip('53703')\n"
        "print(zipcodes._zips_cache is None, rss() - before)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    ).stdout.split()
    assert out[0] == "True"
    # About 5 MB; the package's data set alone is about 40 MB, its list of dicts 100 MB.
    assert int(out[1]) < 25, out
