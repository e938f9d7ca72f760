"""The scenario's agents and requests as plain data, deterministic for a seed.

Agents are the demo's realistic agents (real ZIP centroids, licenses, hours, absences:
agentmatch/demo/data.py), with the scenario's states, languages and on/off switch, and
made eligible (valid registration, trained, signed up), so `agents.count` counts agents
routing can actually reach. Requests get a real ZIP of their state and a fictional phone.
"""

import random
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from agentmatch.core.phones import PhoneNotAllowed, consumer_phone
from agentmatch.demo.data import DemoAgent, DemoLicense, random_agent, standard_zips
from agentmatch.lab.scenario import Scenario

FAST, ABSENT, ORDINARY = "fast", "absent", "ordinary"


@dataclass(frozen=True)
class SimRequest:
    index: int
    at: datetime  # UTC
    state: str
    zip_code: str
    language: str
    phone: str


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    names = sorted(weights)
    return rng.choices(names, weights=[weights[n] for n in names])[0]


def sim_agents(scenario: Scenario) -> tuple[list[DemoAgent], dict[str, str]]:
    """The agents, and each one's temperament (fast, absent or ordinary) by NPN."""
    rng = random.Random(f"{scenario.seed}:agents")
    spec = scenario.agents
    npns = [str(9_800_000_000 + k) for k in rng.sample(range(99_999_999), spec.count)]
    agents, temperament = [], {}
    b = scenario.behaviour
    for npn in npns:
        drawn = random_agent(rng, npn=npn, state=_pick(rng, spec.states), today=scenario.day)
        second = [code for code in sorted(spec.languages) if rng.random() < spec.languages[code]]
        home = drawn.licenses[0]
        agents.append(
            replace(
                drawn,
                languages=("en", *second[:1]),
                switch=_pick(rng, spec.switch),
                licenses=(
                    DemoLicense(home.state, True, True, ("Life", "Accident & Health")),
                    *drawn.licenses[1:],
                ),
                rcl="valid",
                terminated=False,
                trained=True,
                service_registered=True,
                # The demo's address ends in the NPN's last four digits: at 10,000 agents two
                # namesakes share them, and the address is their username. The whole NPN is unique.
                email=drawn.email.replace(f".{npn[-4:]}@", f".{npn}@"),
            )
        )
        roll = rng.random()
        temperament[npn] = (
            FAST
            if roll < b.reliably_fast_share
            else ABSENT
            if roll < b.reliably_fast_share + b.reliably_absent_share
            else ORDINARY
        )
    return agents, temperament


@cache
def _area_codes() -> tuple[str, ...]:
    codes = sorted({area for rows in standard_zips().values() for _, area in rows})
    good = []
    for area in codes:
        try:
            consumer_phone(f"+1{area}5550100")
        except (PhoneNotAllowed, ValueError):
            continue
        good.append(area)
    return tuple(good)


def fictional_phone(index: int) -> str:
    # 555-0100 to 555-0199 are reserved for fiction in every area code: never a real person.
    codes = _area_codes()
    return f"+1{codes[(index // 100) % len(codes)]}55501{index % 100:02d}"


def sim_requests(scenario: Scenario) -> list[SimRequest]:
    """The day's requests in time order: each hour gets its share, at random moments."""
    rng = random.Random(f"{scenario.seed}:demand")
    d = scenario.demand
    zone = ZoneInfo(scenario.time_zone)
    midnight = datetime.combine(scenario.day, time(0), tzinfo=zone)
    total = sum(d.hourly)
    # Largest remainders, so the hours add up to exactly `requests`.
    exact = [d.requests * w / total for w in d.hourly]
    counts = [int(x) for x in exact]
    for h in sorted(range(24), key=lambda h: counts[h] - exact[h])[: d.requests - sum(counts)]:
        counts[h] += 1
    moments = sorted(
        (midnight + timedelta(hours=h, seconds=rng.uniform(0, 3600))).astimezone(ZoneInfo("UTC"))
        for h in range(24)
        for _ in range(counts[h])
    )
    zips = standard_zips()
    english = max(0.0, 1 - sum(d.languages.values()))
    languages = {**d.languages, "en": english}
    out = []
    for i, at in enumerate(moments):
        state = _pick(rng, d.states)
        out.append(
            SimRequest(
                index=i,
                at=at,
                state=state,
                zip_code=rng.choice(zips[state])[0],
                language=_pick(rng, languages),
                phone=fictional_phone(i),
            )
        )
    return out


def first_day_start(scenario: Scenario) -> datetime:
    return datetime.combine(scenario.day, time(0), tzinfo=ZoneInfo(scenario.time_zone))
