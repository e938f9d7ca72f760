"""The eligibility rules as pure functions of AgentFacts (domain.md section 2), no database.

Each row of the tables changes one fact of an otherwise eligible agent and names the rule
that must fail (or None), so a support person can read the table as the rule book.
"""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from agentmatch.eligibility.rules import (
    AgentFacts,
    LicenseFacts,
    RegistrationFacts,
    TerminationFacts,
    eligible_states,
    explain,
    routable_states,
)

TODAY = date(2026, 3, 2)
YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)


def health_license(state: str, **changes: object) -> LicenseFacts:
    base = LicenseFacts(
        state=state,
        is_active=True,
        expires_on=date(2027, 12, 31),
        health_lines=("Accident & Health",),
        other_lines=(),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def t3(on: date | None) -> TerminationFacts:
    return TerminationFacts("T3", on, ends_registration=True)


def r1(on: date | None) -> TerminationFacts:
    return TerminationFacts("R1", on, ends_registration=False)


def facts(**changes: object) -> AgentFacts:
    """An agent eligible in WI and IA (home state WI), then `changes` applied."""
    base = AgentFacts(
        npn="0012345",
        plan_year=2026,
        today=TODAY,
        served_states=frozenset({"WI", "IA", "AZ", "OR"}),
        registration=RegistrationFacts(True, date(2025, 9, 1), None),
        terminations=[],
        training_completed_on=date(2025, 9, 15),
        service_registration_complete=True,
        display_option=1,
        home_state="WI",
        licenses={"WI": health_license("WI"), "IA": health_license("IA")},
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def registration(**changes: object) -> RegistrationFacts:
    return replace(RegistrationFacts(True, date(2025, 9, 1), None), **changes)  # type: ignore[arg-type]


# (id, changed facts, rule that fails for WI or None, words expected in its detail)
WI_CASES: list[tuple[str, dict[str, object], str | None, str]] = [
    ("eligible", {}, None, ""),
    ("not_on_rcl", {"registration": None}, "Marketplace registration", "not on the Registration"),
    ("npn_not_valid", {"registration": registration(npn_valid=False)}, "Marketplace", "not valid"),
    (
        "no_individual_completion",
        {"registration": registration(individual_completed_on=None)},
        "Marketplace registration",
        "no Individual Marketplace registration completion date",
    ),
    (
        "registration_ended_yesterday",
        {"registration": registration(individual_ends_on=YESTERDAY)},
        "Marketplace registration",
        f"ended {YESTERDAY}",
    ),
    # Chosen semantics: the end date is the first day without a registration.
    (
        "registration_ends_today",
        {"registration": registration(individual_ends_on=TODAY)},
        "Marketplace registration",
        f"ended {TODAY}",
    ),
    (
        "registration_ends_tomorrow",
        {"registration": registration(individual_ends_on=TOMORROW)},
        None,
        "",
    ),
    ("terminated_yesterday", {"terminations": [t3(YESTERDAY)]}, "Marketplace", "T3"),
    ("terminated_today", {"terminations": [t3(TODAY)]}, "Marketplace", f"(T3) on {TODAY}"),
    ("terminated_without_date", {"terminations": [t3(None)]}, "Marketplace", "T3"),
    ("termination_effective_tomorrow", {"terminations": [t3(TOMORROW)]}, None, ""),
    (
        "terminated_then_reinstated",
        {"terminations": [t3(date(2026, 1, 5)), r1(YESTERDAY)]},
        None,
        "",
    ),
    (
        "reinstated_then_terminated_again",
        {"terminations": [r1(date(2026, 1, 5)), t3(YESTERDAY), t3(date(2025, 12, 1))]},
        "Marketplace",
        f"(T3) on {YESTERDAY}",
    ),
    ("same_day_t3_and_r1_reinstatement_wins", {"terminations": [r1(TODAY), t3(TODAY)]}, None, ""),
    (
        "reinstatement_effective_tomorrow_not_yet",
        {"terminations": [t3(YESTERDAY), r1(TOMORROW)]},
        "Marketplace",
        "T3",
    ),
    ("not_trained", {"training_completed_on": None}, "training", "no training completion"),
    (
        "service_registration_incomplete",
        {"service_registration_complete": False},
        "Registered",
        "incomplete",
    ),
    ("display_option_4", {"display_option": 4}, "display option allows", "does not participate"),
    (
        "state_not_served",
        {"served_states": frozenset({"IA"})},
        "served by the federal",
        "own exchange",
    ),
    ("no_license_in_state", {"licenses": {"IA": health_license("IA")}}, "license", "no WI license"),
    (
        "license_inactive",
        {"licenses": {"WI": health_license("WI", is_active=False)}},
        "license",
        "not active",
    ),
    (
        "license_expired_yesterday",
        {"licenses": {"WI": health_license("WI", expires_on=YESTERDAY)}},
        "license",
        f"expired {YESTERDAY}",
    ),
    (
        "license_expiring_today",
        {"licenses": {"WI": health_license("WI", expires_on=TODAY)}},
        None,
        "",
    ),
    (
        "license_without_expiry",
        {"licenses": {"WI": health_license("WI", expires_on=None)}},
        None,
        "",
    ),
    (
        "property_and_casualty_only",
        {
            "licenses": {
                "WI": health_license("WI", health_lines=(), other_lines=("Property", "Casualty"))
            }
        },
        "health line of authority",
        "lines: Property, Casualty",
    ),
    (
        "no_lines_at_all",
        {"licenses": {"WI": health_license("WI", health_lines=())}},
        "license",
        "lines: none",
    ),
    ("display_3_home_state", {"display_option": 3, "home_state": "WI"}, None, ""),
    (
        "display_3_other_home_state",
        {"display_option": 3, "home_state": "IA"},
        "covers this state",
        "IA",
    ),
    (
        "display_3_home_unknown",
        {"display_option": 3, "home_state": ""},
        "covers this state",
        "unknown",
    ),
    ("display_2_all_states", {"display_option": 2, "home_state": "IA"}, None, ""),
    ("deselected", {"deselected_states": frozenset({"WI"})}, "state preferences", "deselected WI"),
    ("other_state_deselected", {"deselected_states": frozenset({"IA"})}, None, ""),
]


@pytest.mark.parametrize(
    ("changes", "failing_rule", "detail"), [c[1:] for c in WI_CASES], ids=[c[0] for c in WI_CASES]
)
def test_explain_names_the_first_failing_rule_for_wisconsin(changes, failing_rule, detail):
    checks = explain(facts(**changes), "WI")
    failed = [c for c in checks if not c.passed]
    if failing_rule is None:
        assert failed == []
        return
    assert failed, f"expected '{failing_rule}' to fail"
    assert failing_rule.lower() in failed[0].rule.lower()
    assert detail in failed[0].detail


@pytest.mark.parametrize(("changes"), [c[1] for c in WI_CASES], ids=[c[0] for c in WI_CASES])
def test_explanation_never_disagrees_with_routing(changes):
    f = facts(**changes)
    for state in ("WI", "IA", "AZ", "OR", "CA"):
        assert (state in routable_states(f)) == all(c.passed for c in explain(f, state)), state


def test_explain_lists_every_rule_even_after_a_failure():
    checks = explain(facts(registration=None, training_completed_on=None), "WI")
    assert len(checks) == len(explain(facts(), "WI")) >= 8
    assert [c.passed for c in checks[:2]] == [False, False]
    assert all(c.passed for c in checks[2:])


# (id, changed facts, eligible states, routable states)
STATE_CASES: list[tuple[str, dict[str, object], set[str], set[str]]] = [
    ("eligible_everywhere_licensed", {}, {"WI", "IA"}, {"WI", "IA"}),
    (
        "licensed_in_unserved_state_only_there",
        {"licenses": {"CA": health_license("CA")}},
        set(),
        set(),
    ),
    (
        "unserved_license_ignored_beside_served",
        {"licenses": {"CA": health_license("CA"), "WI": health_license("WI")}},
        {"WI"},
        {"WI"},
    ),
    (
        "deselected_still_eligible_not_routed",
        {"deselected_states": frozenset({"WI"})},
        {"WI", "IA"},
        {"IA"},
    ),
    ("display_3_routes_home_state_only", {"display_option": 3}, {"WI", "IA"}, {"WI"}),
    (
        "display_3_home_state_not_licensed",
        {"display_option": 3, "home_state": "AZ"},
        {"WI", "IA"},
        set(),
    ),
    ("display_4_eligible_but_never_routed", {"display_option": 4}, {"WI", "IA"}, set()),
    ("not_registered_nothing", {"registration": None}, set(), set()),
    ("not_trained_nothing", {"training_completed_on": None}, set(), set()),
    (
        # Still choosing state preferences at first login: eligible, not yet routed.
        "service_registration_incomplete_eligible_not_routed",
        {"service_registration_complete": False},
        {"WI", "IA"},
        set(),
    ),
    ("terminated_nothing", {"terminations": [t3(TODAY)]}, set(), set()),
    (
        "reinstated_same_day_everything",
        {"terminations": [t3(TODAY), r1(TODAY)]},
        {"WI", "IA"},
        {"WI", "IA"},
    ),
    (
        "expired_license_only_that_state",
        {
            "licenses": {
                "WI": health_license("WI"),
                "IA": health_license("IA", expires_on=YESTERDAY),
            }
        },
        {"WI"},
        {"WI"},
    ),
    (
        "seed_example_deselects_wi",
        {
            "served_states": frozenset({"AK", "AL", "AR", "AZ", "UT", "WI", "WY"}),
            "licenses": {s: health_license(s) for s in ("AK", "AL", "AR", "AZ", "UT", "WI", "WY")},
            "deselected_states": frozenset({"WI"}),
        },
        {"AK", "AL", "AR", "AZ", "UT", "WI", "WY"},
        {"AK", "AL", "AR", "AZ", "UT", "WY"},
    ),
]


@pytest.mark.parametrize(
    ("changes", "eligible", "routable"),
    [c[1:] for c in STATE_CASES],
    ids=[c[0] for c in STATE_CASES],
)
def test_eligible_and_routable_states(changes, eligible, routable):
    f = facts(**changes)
    assert eligible_states(f) == eligible
    assert routable_states(f) == routable
    assert routable <= eligible
