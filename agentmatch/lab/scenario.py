"""A routing-lab scenario: a TOML file read into plain, checked data.

`load_scenario(path)` or `parse_scenario(dict)` returns a Scenario or raises ScenarioError
listing every problem at once, each naming its key ("agents.count: must be ..."), so a
program manager fixes a file in one pass. Nothing here touches the database.
"""

import math
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agentmatch.core.languages import LANGUAGE_NAMES
from agentmatch.demo.data import STATE_WEIGHTS

POLICIES = ("nearest", "fair", "responsive")


def _of_type(value: object, kind: type) -> bool:
    # TOML writes 5 for five miles: a whole number is a float here; true is never a number.
    if kind is bool or isinstance(value, bool):
        return isinstance(value, bool) and kind is bool
    return isinstance(value, int | float) if kind is float else isinstance(value, kind)


# A scenario's [policy] parameters -> the deployment setting each stands for, and its type.
POLICY_PARAMETERS: dict[str, tuple[str, type]] = {
    "band_miles": ("ROUTING_BAND_MILES", float),
    "band_ratio": ("ROUTING_BAND_RATIO", float),
    "responsive_offers": ("ROUTING_RESPONSIVE_OFFERS", int),
    "responsive_days": ("ROUTING_RESPONSIVE_DAYS", int),
    "adaptive_window": ("ROUTING_ADAPTIVE_WINDOW", bool),
    "min_window_seconds": ("ROUTING_MIN_WINDOW_SECONDS", int),
    "wrap_up_seconds": ("ROUTING_WRAP_UP_SECONDS", int),
}
SWITCHES = ("on", "schedule", "off")


class ScenarioError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("the scenario has problems:\n" + "\n".join(f"- {p}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class DistanceBand:
    up_to_miles: float  # math.inf for the last band
    accept: float


@dataclass(frozen=True)
class Agents:
    count: int
    states: dict[str, float]  # weights
    languages: dict[str, float]  # share of agents who also speak this one (besides English)
    switch: dict[str, float]  # shares of "on", "schedule", "off"


@dataclass(frozen=True)
class Demand:
    requests: int
    hourly: tuple[float, ...]  # 24 weights, hour 0 = midnight in the scenario's time zone
    states: dict[str, float]
    languages: dict[str, float]  # shares of requests by language (the rest: English)


@dataclass(frozen=True)
class Behaviour:
    answer_share: float  # of an ordinary agent's offers, answered inside the window
    response_median_seconds: float
    response_sigma: float
    reliably_fast_share: float
    fast_median_seconds: float
    reliably_absent_share: float
    accept_by_distance: tuple[DistanceBand, ...]
    # Load: after accepting, an agent is on the phone with that consumer for a lognormal
    # time and answers a new offer only once the call is over (0: no calls).
    call_median_seconds: float = 0.0
    call_sigma: float = 0.5
    # ... and accepts a little less with each referral already accepted that day.
    accept_drop_per_referral: float = 0.0
    # Language: a factor on the accept share for requests in that language (missing: 1).
    accept_by_language: dict[str, float] | None = None
    # An agent paused after letting an offer lapse says "I'm back" (the real switch action)
    # with this probability, after a lognormal delay; reliably absent agents never do.
    back_share: float = 0.0
    back_median_seconds: float = 1800.0


@dataclass(frozen=True)
class Scenario:
    name: str
    seed: int
    day: date
    time_zone: str
    plan_year: int
    offer_window_seconds: int
    waiting_limit_seconds: int
    worker_tick_seconds: int
    sweep_seconds: int
    policy: str
    policy_parameters: dict[str, Any]
    agents: Agents
    demand: Demand
    behaviour: Behaviour


def load_scenario(
    path: Path, *, policy: str | None = None, parameters: dict[str, str] | None = None
) -> Scenario:
    """The scenario in `path`; `policy` and `parameters` (name = a TOML value as written,
    e.g. "15" or "true") replace its [policy] name and parameters, checked like the file's."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError([f"{path}: cannot be read ({exc.strerror})"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{path}: is not valid TOML ({exc})"]) from exc
    table = data.setdefault("policy", {})
    if isinstance(table, dict):
        if policy is not None:
            table["name"] = policy
        problems = []
        for key, text in (parameters or {}).items():
            try:
                table[key] = tomllib.loads(f"value = {text}")["value"]
            except tomllib.TOMLDecodeError:
                problems.append(f"policy.{key}: {text!r} is not a value such as 15, 2.5 or true")
        if problems:
            raise ScenarioError(problems)
    return parse_scenario(data, default_name=Path(path).stem)


class _Checker:
    """Reads keys off nested tables, noting each problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def table(self, data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.problems.append(f"{where}{key}: must be a table")
            return {}
        return value

    def number(
        self,
        data: dict[str, Any],
        key: str,
        where: str,
        default: float | None = None,
        *,
        low: float = -math.inf,
        high: float = math.inf,
        integer: bool = False,
    ) -> float:
        if key not in data:
            if default is None:
                self.problems.append(f"{where}{key}: is required")
                return 0
            return default
        value = data[key]
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            self.problems.append(
                f"{where}{key}: must be {'a whole number' if integer else 'a number'}"
            )
            return default or 0
        if not low <= value <= high:
            self.problems.append(f"{where}{key}: must be between {low:g} and {high:g}, not {value}")
        return value

    def share(
        self, data: dict[str, Any], key: str, where: str, default: float | None = None
    ) -> float:
        return self.number(data, key, where, default, low=0, high=1)

    def weights(
        self,
        data: dict[str, Any],
        key: str,
        where: str,
        allowed: set[str],
        default: dict[str, float],
    ) -> dict[str, float]:
        if key not in data:
            return dict(default)
        value = data[key]
        if not isinstance(value, dict) or not value:
            self.problems.append(f"{where}{key}: must be a non-empty table of name = weight")
            return dict(default)
        out: dict[str, float] = {}
        for name, weight in value.items():
            if name not in allowed:
                self.problems.append(
                    f"{where}{key}.{name}: is not one of {', '.join(sorted(allowed))}"
                )
            elif isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
                self.problems.append(f"{where}{key}.{name}: must be a number 0 or more")
            else:
                out[name] = float(weight)
        if value and out and sum(out.values()) <= 0:
            self.problems.append(f"{where}{key}: the weights add up to 0")
        return out


def _hourly(c: _Checker, demand: dict[str, Any]) -> tuple[float, ...]:
    if "hourly" in demand and "peak" in demand:
        c.problems.append("demand: give either hourly or peak, not both")
    if "hourly" in demand:
        value = demand["hourly"]
        if (
            not isinstance(value, list)
            or len(value) != 24
            or any(isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 for v in value)
        ):
            c.problems.append(
                "demand.hourly: must be a list of 24 numbers 0 or more (midnight first)"
            )
            return (1.0,) * 24
        if sum(value) <= 0:
            c.problems.append("demand.hourly: the 24 numbers add up to 0")
        return tuple(float(v) for v in value)
    peak = c.table(demand, "peak", "demand.")
    if not peak:
        return (1.0,) * 24
    hour = c.number(peak, "hour", "demand.peak.", low=0, high=23.99)
    width = c.number(peak, "width_hours", "demand.peak.", 3, low=0.5, high=24)
    floor = c.share(peak, "floor", "demand.peak.", 0.05)
    # A bell around the peak hour (circular: 23:00 is next to midnight) over a floor.
    gaps = [abs(h + 0.5 - hour) for h in range(24)]
    return tuple(floor + (1 - floor) * math.exp(-0.5 * (min(g, 24 - g) / width) ** 2) for g in gaps)


def _bands(c: _Checker, behaviour: dict[str, Any]) -> tuple[DistanceBand, ...]:
    value = behaviour.get("accept_by_distance", [{"accept": 0.8}])
    where = "behaviour.accept_by_distance"
    if not isinstance(value, list) or not value or not all(isinstance(b, dict) for b in value):
        c.problems.append(
            f"{where}: must be a list of {{ up_to_miles = N, accept = share }} tables"
        )
        return (DistanceBand(math.inf, 0.8),)
    bands = []
    last = 0.0
    for i, band in enumerate(value):
        accept = c.share(band, "accept", f"{where}[{i}].")
        is_last = i == len(value) - 1
        if "up_to_miles" in band:
            miles = c.number(band, "up_to_miles", f"{where}[{i}].", low=0)
            if miles <= last and i:
                c.problems.append(f"{where}[{i}].up_to_miles: must be more than the band before")
            last = miles
        elif not is_last:
            c.problems.append(
                f"{where}[{i}].up_to_miles: is required (only the last band may omit it)"
            )
            miles = math.inf
        else:
            miles = math.inf
        bands.append(DistanceBand(miles, accept))
    # Beyond the last band's limit the last band's share still applies.
    return (*bands[:-1], DistanceBand(math.inf, bands[-1].accept))


def _factors(c: _Checker, behaviour: dict[str, Any], allowed: set[str]) -> dict[str, float]:
    """behaviour.accept_by_language: language = factor on the accept share, 0 to 1."""
    value = behaviour.get("accept_by_language", {})
    where = "behaviour.accept_by_language"
    if not isinstance(value, dict):
        c.problems.append(f"{where}: must be a table of language = factor (0 to 1)")
        return {}
    out = {}
    for code, factor in value.items():
        if code not in allowed:
            c.problems.append(f"{where}.{code}: is not one of {', '.join(sorted(allowed))}")
        elif isinstance(factor, bool) or not isinstance(factor, (int, float)):
            c.problems.append(f"{where}.{code}: must be a number between 0 and 1")
        elif not 0 <= factor <= 1:
            c.problems.append(f"{where}.{code}: must be between 0 and 1, not {factor}")
        else:
            out[code] = float(factor)
    return out


def parse_scenario(data: dict[str, Any], *, default_name: str = "scenario") -> Scenario:
    c = _Checker()
    known = {"name", "seed", "day", "time_zone", "plan_year", "offer_window_seconds",
             "waiting_limit_seconds", "worker_tick_seconds", "sweep_seconds", "policy", "agents",
             "demand", "behaviour"}  # fmt: skip
    c.problems += [f"{k}: is not a scenario key" for k in sorted(set(data) - known)]
    name = data.get("name", default_name)
    if not isinstance(name, str) or not name.strip():
        c.problems.append("name: must be a non-empty string")
        name = default_name
    seed = int(c.number(data, "seed", "", 1, low=0, integer=True))

    day = data.get("day", date(2026, 11, 3))
    if not isinstance(day, date):
        c.problems.append("day: must be a date such as 2026-11-03 (no quotes)")
        day = date(2026, 11, 3)
    time_zone = data.get("time_zone", "America/Chicago")
    try:
        ZoneInfo(str(time_zone))
    except (ZoneInfoNotFoundError, ValueError):
        c.problems.append(
            f"time_zone: {time_zone!r} is not an IANA time zone such as America/Chicago"
        )
        time_zone = "America/Chicago"
    # Open enrollment (from November 1) sells next year's plans.
    plan_year = int(
        c.number(
            data, "plan_year", "", day.year + (day.month >= 11), low=2000, high=2100, integer=True
        )
    )
    window = int(c.number(data, "offer_window_seconds", "", 900, low=30, high=86400, integer=True))
    waiting = int(
        c.number(data, "waiting_limit_seconds", "", 14400, low=60, high=7 * 86400, integer=True)
    )
    tick = int(c.number(data, "worker_tick_seconds", "", 60, low=1, high=3600, integer=True))
    # The sweep of waiting referrals is the real worker's safety net behind the event-driven
    # wake-ups; one process on a simulated clock never needs it (it reports what it found),
    # and it costs three quarters of a run when it comes every tick.
    sweep = int(c.number(data, "sweep_seconds", "", 900, low=1, high=86400, integer=True))

    policy_table = c.table(data, "policy", "")
    policy = policy_table.get("name", "nearest")
    if policy not in POLICIES:
        c.problems.append(f"policy.name: must be one of {', '.join(POLICIES)}, not {policy!r}")
        policy = "nearest"
    parameters = {k: v for k, v in policy_table.items() if k != "name"}
    for key, value in parameters.items():
        parameter = POLICY_PARAMETERS.get(key)
        if parameter is None:
            c.problems.append(
                f"policy.{key}: not a policy parameter; known: {', '.join(POLICY_PARAMETERS)}"
            )
        elif not _of_type(value, parameter[1]):
            kind = {int: "a whole number", float: "a number", bool: "true or false"}
            c.problems.append(f"policy.{key}: must be {kind[parameter[1]]}, not {value!r}")

    states = set(STATE_WEIGHTS)
    languages = set(LANGUAGE_NAMES) - {"en"}
    a = c.table(data, "agents", "")
    agents = Agents(
        count=int(c.number(a, "count", "agents.", low=1, high=200_000, integer=True)),
        states=c.weights(a, "states", "agents.", states, STATE_WEIGHTS),
        languages=c.weights(a, "languages", "agents.", languages, {"es": 0.22}),
        switch=c.weights(
            a, "switch", "agents.", set(SWITCHES), {"on": 0.45, "schedule": 0.45, "off": 0.10}
        ),
    )
    if any(share > 1 for share in agents.languages.values()):
        c.problems.append("agents.languages: each share must be between 0 and 1")

    d = c.table(data, "demand", "")
    demand = Demand(
        requests=int(c.number(d, "requests", "demand.", low=0, high=1_000_000, integer=True)),
        hourly=_hourly(c, d),
        states=c.weights(d, "states", "demand.", states, agents.states),
        languages=c.weights(d, "languages", "demand.", languages, {"es": 0.15}),
    )
    if sum(demand.languages.values()) > 1:
        c.problems.append("demand.languages: the shares add up to more than 1")

    b = c.table(data, "behaviour", "")
    behaviour = Behaviour(
        answer_share=c.share(b, "answer_share", "behaviour.", 0.7),
        response_median_seconds=c.number(b, "response_median_seconds", "behaviour.", 240, low=1),
        response_sigma=c.number(b, "response_sigma", "behaviour.", 1.0, low=0, high=5),
        reliably_fast_share=c.share(b, "reliably_fast_share", "behaviour.", 0.1),
        fast_median_seconds=c.number(b, "fast_median_seconds", "behaviour.", 45, low=1),
        reliably_absent_share=c.share(b, "reliably_absent_share", "behaviour.", 0.1),
        accept_by_distance=_bands(c, b),
        call_median_seconds=c.number(b, "call_median_seconds", "behaviour.", 0, low=0),
        call_sigma=c.number(b, "call_sigma", "behaviour.", 0.5, low=0, high=5),
        accept_drop_per_referral=c.share(b, "accept_drop_per_referral", "behaviour.", 0),
        accept_by_language=_factors(c, b, languages | {"en"}),
        back_share=c.share(b, "back_share", "behaviour.", 0),
        back_median_seconds=c.number(b, "back_median_seconds", "behaviour.", 1800, low=1),
    )
    if behaviour.reliably_fast_share + behaviour.reliably_absent_share > 1:
        c.problems.append("behaviour: reliably_fast_share + reliably_absent_share is more than 1")
    unknown_b = set(b) - {"answer_share", "response_median_seconds", "response_sigma",
                          "reliably_fast_share", "fast_median_seconds", "reliably_absent_share",
                          "accept_by_distance", "call_median_seconds", "call_sigma",
                          "accept_drop_per_referral", "accept_by_language", "back_share",
                          "back_median_seconds"}  # fmt: skip
    c.problems += [f"behaviour.{k}: is not a behaviour key" for k in sorted(unknown_b)]
    for table, keys, where in (
        (a, {"count", "states", "languages", "switch"}, "agents."),
        (d, {"requests", "hourly", "peak", "states", "languages"}, "demand."),
    ):
        c.problems += [f"{where}{k}: is not a key here" for k in sorted(set(table) - keys)]

    if c.problems:
        raise ScenarioError(c.problems)
    return Scenario(
        name=name,
        seed=seed,
        day=day,
        time_zone=str(time_zone),
        plan_year=plan_year,
        offer_window_seconds=window,
        waiting_limit_seconds=waiting,
        worker_tick_seconds=tick,
        sweep_seconds=sweep,
        policy=policy,
        policy_parameters=parameters,
        agents=agents,
        demand=demand,
        behaviour=behaviour,
    )
