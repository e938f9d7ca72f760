"""A 100,000-row file must import in constant memory: peak memory must not follow row count."""

import tracemalloc
from pathlib import Path

import pytest

from agentmatch.eligibility.models import RegistrationCompletion
from agentmatch.imports.tests.helpers import run

pytestmark = pytest.mark.django_db


def write_rcl(path: Path, rows: int, first_npn: int) -> None:
    with path.open("w") as handle:
        handle.write(
            "NPN,Applicable Plan Year,Individual Registration Completion Date,"
            "Individual Marketplace End Date,Shop Registration Completion Date,Shop End Date,"
            "NPN Valid (Current Plan Year Only)\n"
        )
        for i in range(rows):
            handle.write(f"{first_npn + i},2026,8/{1 + i % 28}/2025,,,,Y\n")


def peak_bytes_importing(path: Path) -> int:
    tracemalloc.start()
    try:
        run("import_rcl", str(path))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_does_not_grow_with_the_number_of_rows(plan_year, tmp_path):
    warm_up, small, large = tmp_path / "w.csv", tmp_path / "s.csv", tmp_path / "l.csv"
    write_rcl(warm_up, 100, 1_000_000)
    write_rcl(small, 2_000, 2_000_000)
    write_rcl(large, 8_000, 3_000_000)
    run("import_rcl", str(warm_up))  # imports and caches that happen once per process

    small_peak = peak_bytes_importing(small)
    large_peak = peak_bytes_importing(large)

    assert RegistrationCompletion.objects.count() == 10_100
    # Four times the rows (2 chunks against 8); holding every row, or every key in a Python
    # set, would make the peak grow with them. Measured: about 3.4 MB for both.
    assert large_peak < 1.5 * small_peak, (small_peak, large_peak)
    # Tighter: under 64 bytes per extra row, less than a Python set of the keys would cost.
    assert large_peak - small_peak < 6_000 * 64, (small_peak, large_peak)
    assert large_peak < 20 * 1024 * 1024
