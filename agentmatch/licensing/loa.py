"""Is a line of authority health-related? NIPR names vary by state; normalise, then decide.

"Accident and Health or Sickness", "Accident & Health", "Health", "Life, Accident &
Health", "LIFE INCL VAR ANNUITY & HEALTH", "Disability" all count; "Property",
"Casualty", "Life" alone do not, and neither do limited lines such as credit or travel
accident & health, which cannot sell Marketplace plans.
"""

import re

_HEALTH_WORDS = ("HEALTH", "SICKNESS", "DISABILITY", "HMO", "HEALTH MAINTENANCE")
_LIMITED_LINE_WORDS = ("CREDIT", "TRAVEL", "LIMITED LINE", "CAR RENTAL", "RENTAL CAR", "CRASH")


def normalize_loa(name: str) -> str:
    text = (name or "").upper().replace("&", " AND ")
    text = re.sub(r"[^A-Z0-9 ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def is_health_line(name: str) -> bool:
    text = f" {normalize_loa(name)} "
    if any(f" {word} " in text for word in _LIMITED_LINE_WORDS):
        return False
    return any(f" {word} " in text for word in _HEALTH_WORDS)
