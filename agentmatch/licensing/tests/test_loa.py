"""Which NIPR line-of-authority names count as health lines (domain.md section 4)."""

import pytest

from agentmatch.licensing.loa import is_health_line, normalize_loa

HEALTH = [
    "Accident and Health or Sickness",
    "Accident & Health",
    "Health",
    "Life, Accident & Health",
    "LIFE INCL VAR ANNUITY & HEALTH",
    "Disability",
    "Disability Income",
    "HMO",
    "Health Maintenance Organization (HMO)",
    "Accident and Sickness",
    "Life & Health",
    # Odd spacing, case and punctuation, as states actually spell them.
    "  accident   &health ",
    "ACCIDENT/HEALTH",
    "Accident-and-Health.",
    "life,accident&health",
    "health\t",
]

NOT_HEALTH = [
    "Property",
    "Casualty",
    "Life",
    "Variable Life and Variable Annuity",
    "Credit Accident & Health",
    "Credit Life, Accident and Health",
    "Travel",
    "Travel Accident & Health",
    "Limited Line Credit Insurance",
    "Personal Lines",
    "Accident",
    "",
]


@pytest.mark.parametrize("name", HEALTH)
def test_health_lines_are_recognised(name):
    assert is_health_line(name) is True


@pytest.mark.parametrize("name", NOT_HEALTH)
def test_other_lines_are_not_health(name):
    assert is_health_line(name) is False


def test_normalisation_folds_case_ampersands_and_punctuation():
    assert normalize_loa("  Life,  Accident&Health ") == "LIFE ACCIDENT AND HEALTH"
