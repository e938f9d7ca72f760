import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, transaction

from agentmatch.planyears.models import PlanYear, ServedState

# HealthCare.gov states for plan year 2026 (domain.md section 5); * = SBM-FP.
STATES_SERVED_2026 = [
    "AL", "AK", "AZ", "AR*", "DE", "FL", "HI", "IN", "IA", "KS", "LA", "MI", "MS", "MO", "MT",
    "NE", "NH", "NC", "ND", "OH", "OK", "OR*", "SC", "SD", "TN", "TX", "UT", "WV", "WI", "WY",
]  # fmt: skip


class NoCurrentPlanYear(LookupError):
    pass


def current_plan_year() -> PlanYear:
    try:
        return PlanYear.objects.get(is_current=True)
    except ObjectDoesNotExist as exc:
        raise NoCurrentPlanYear(
            "No plan year is marked current: run `agentmatch set_plan_year 2026 --current`"
        ) from exc


def served_states(plan_year: PlanYear) -> set[str]:
    return set(plan_year.served_states.values_list("state", flat=True))


@dataclass(frozen=True)
class IntakeSettings:
    plan_year: PlanYear
    served_states: frozenset[str]


# Per-process copy of the current plan year and its states for the intake hot path (two
# queries per request otherwise). Changes made in this process clear it at once; changes
# made by another process (another gunicorn worker, `set_plan_year`) are seen at most
# PLAN_YEAR_CACHE_SECONDS later. Intake is the only reader: everything else still asks
# the database.
_intake_cache: tuple[float, IntakeSettings] | None = None
_intake_generation = 0  # bumped by every clear, so a read that raced one is not kept
_intake_lock = threading.Lock()


def clear_intake_cache() -> None:
    global _intake_cache, _intake_generation
    with _intake_lock:
        _intake_cache = None
        _intake_generation += 1


def _forget_intake_settings() -> None:
    # Now, and again once the change is committed: a request between the two would
    # otherwise cache the old, still committed, plan year.
    clear_intake_cache()
    transaction.on_commit(clear_intake_cache)


def intake_settings() -> IntakeSettings:
    """The current plan year and its served states, cached for a few seconds per process."""
    global _intake_cache
    ttl = settings.PLAN_YEAR_CACHE_SECONDS
    cached, generation = _intake_cache, _intake_generation
    if cached is not None and time.monotonic() < cached[0]:
        return cached[1]
    plan_year = current_plan_year()
    found = IntakeSettings(plan_year=plan_year, served_states=frozenset(served_states(plan_year)))
    # Only what was read outside a transaction is known to be committed: a plan year seen
    # inside one (a test's, or a caller's that may roll back) is never kept.
    if ttl > 0 and not connection.in_atomic_block:
        with _intake_lock:
            if generation == _intake_generation:
                _intake_cache = (time.monotonic() + ttl, found)
    return found


def define_plan_year(*, year: int, states: list[str], make_current: bool) -> PlanYear:
    """Creates or replaces a plan year's served states. `states` items may end in '*' (SBM-FP)."""
    _forget_intake_settings()
    plan_year, _ = PlanYear.objects.get_or_create(year=year)
    wanted = {s.rstrip("*"): ("SBM-FP" if s.endswith("*") else "FFM") for s in states}
    plan_year.served_states.exclude(state__in=wanted).delete()
    for state, platform in wanted.items():
        ServedState.objects.update_or_create(
            plan_year=plan_year, state=state, defaults={"platform": platform}
        )
    if make_current and not plan_year.is_current:
        PlanYear.objects.filter(is_current=True).update(is_current=False)
        PlanYear.objects.filter(pk=year).update(is_current=True)
        plan_year.is_current = True
    return plan_year


def set_intake(
    *, plan_year: PlanYear, open: bool, message: str = "", message_es: str | None = None
) -> None:
    """Opens or pauses intake with its message; `message_es` None keeps the Spanish one."""
    _forget_intake_settings()
    changes: dict[str, object] = {"intake_open": open, "intake_paused_message": message}
    if message_es is not None:
        changes["intake_paused_message_es"] = message_es
    PlanYear.objects.filter(pk=plan_year.pk).update(**changes)
