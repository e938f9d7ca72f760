"""The retention period must be a real number of days.

There is no "keep forever" value on purpose: consumers are told their details are removed
(the privacy page says when), and 0 or a negative number would more likely be a typo for
"keep" than a wish to remove details the moment a referral ends (which would also take
them from the agent who just accepted it). A deployment that must keep them longer sets
a longer period, up to 3650 days: ten years, the longest CMS asks any record to be kept.
"""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

SHORTEST_DAYS = 1
LONGEST_DAYS = 3650


def retention_days_problem(days: object) -> str:
    """What is wrong with a CONSUMER_DATA_RETENTION_DAYS value; "" when nothing is."""
    if not isinstance(days, int) or isinstance(days, bool):
        return f"CONSUMER_DATA_RETENTION_DAYS is {days!r}, not a whole number of days."
    if not SHORTEST_DAYS <= days <= LONGEST_DAYS:
        return (
            f"CONSUMER_DATA_RETENTION_DAYS is {days}: it must be {SHORTEST_DAYS} to "
            f"{LONGEST_DAYS} days (there is no 'keep forever')."
        )
    return ""


def check_retention_days(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problem = retention_days_problem(settings.CONSUMER_DATA_RETENTION_DAYS)
    if not problem:
        return []
    return [
        Error(
            problem,
            hint="Set CONSUMER_DATA_RETENTION_DAYS to the days consumers' contact details "
            "are kept after their referral ends (default 90).",
            id="retention.E001",
        )
    ]
