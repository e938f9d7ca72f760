from django.core.exceptions import ObjectDoesNotExist

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


def define_plan_year(*, year: int, states: list[str], make_current: bool) -> PlanYear:
    """Creates or replaces a plan year's served states. `states` items may end in '*' (SBM-FP)."""
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


def set_intake(*, plan_year: PlanYear, open: bool, message: str = "") -> None:
    PlanYear.objects.filter(pk=plan_year.pk).update(intake_open=open, intake_paused_message=message)
