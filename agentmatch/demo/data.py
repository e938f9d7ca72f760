"""Demo agents as plain data: deterministic for a seed, real ZIPs, realistic mixes.

Pure functions: nothing here touches the database (see loader.py for that), so the
same seed always describes the same agents.
"""

import random
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import cache

import zipcodes

DEMO_EMAIL_DOMAIN = "agentmatch-demo.example"

# The seed's example (domain.md section 2, rule 7): licensed in seven states, WI deselected.
SEED_EXAMPLE_NPN = "0012345"
# The agent a consumer in Madison, WI (53703) reaches first, in English or Spanish.
MADISON_NPN = "0053703"
MADISON_ZIP = "53703"

# Rough population shares, so Texas and Florida get more agents than Wyoming.
STATE_WEIGHTS: dict[str, float] = {
    "TX": 30, "FL": 22, "OH": 11.8, "NC": 10.8, "MI": 10, "AZ": 7.4, "TN": 7, "IN": 6.8,
    "MO": 6.2, "WI": 5.9, "SC": 5.3, "AL": 5.1, "LA": 4.6, "OR": 4.2, "OK": 4, "UT": 3.4,
    "IA": 3.2, "AR": 3, "MS": 2.9, "KS": 2.9, "NE": 2, "WV": 1.8, "HI": 1.4, "NH": 1.4,
    "MT": 1.1, "DE": 1, "SD": 0.9, "ND": 0.8, "AK": 0.7, "WY": 0.6,
}  # fmt: skip
MIN_AGENTS_PER_STATE = 3

NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "AL": ("FL", "GA", "MS", "TN"), "AK": ("WA",), "AZ": ("CA", "NV", "UT", "NM"),
    "AR": ("MO", "TN", "MS", "LA", "TX", "OK"), "DE": ("MD", "PA", "NJ"), "FL": ("AL", "GA"),
    "HI": ("CA",), "IN": ("IL", "MI", "OH", "KY"), "IA": ("MN", "WI", "IL", "MO", "NE", "SD"),
    "KS": ("NE", "MO", "OK", "CO"), "LA": ("TX", "AR", "MS"), "MI": ("OH", "IN", "WI"),
    "MS": ("LA", "AR", "TN", "AL"), "MO": ("IA", "IL", "KY", "TN", "AR", "OK", "KS", "NE"),
    "MT": ("ND", "SD", "WY", "ID"), "NE": ("SD", "IA", "MO", "KS", "CO", "WY"),
    "NH": ("ME", "MA", "VT"), "NC": ("VA", "TN", "GA", "SC"), "ND": ("MN", "SD", "MT"),
    "OH": ("PA", "WV", "KY", "IN", "MI"), "OK": ("KS", "MO", "AR", "TX", "NM", "CO"),
    "OR": ("WA", "ID", "NV", "CA"), "SC": ("NC", "GA"), "SD": ("ND", "MN", "IA", "NE", "WY"),
    "TN": ("KY", "VA", "NC", "GA", "AL", "MS", "AR", "MO"), "TX": ("NM", "OK", "AR", "LA"),
    "UT": ("ID", "WY", "CO", "NM", "AZ", "NV"), "WV": ("OH", "PA", "MD", "VA", "KY"),
    "WI": ("MI", "MN", "IA", "IL"), "WY": ("MT", "SD", "NE", "CO", "UT", "ID"),
}  # fmt: skip

# NIPR line-of-authority names as states actually spell them.
HEALTH_LINES: list[tuple[str, ...]] = [
    ("Life", "Accident & Health"),
    ("Accident and Health or Sickness",),
    ("Life", "Accident and Health or Sickness"),
    ("Life, Accident & Health",),
    ("Property", "Casualty", "Life", "Accident & Health"),
    ("Health",),
    ("Life", "Health", "Variable Life and Variable Annuity"),
]
NON_HEALTH_LINES: list[tuple[str, ...]] = [
    ("Property", "Casualty"),
    ("Life",),
    ("Personal Lines",),
    ("Life", "Variable Life and Variable Annuity"),
    ("Travel Accident & Health",),  # a limited line: cannot sell Marketplace plans
    ("Credit",),
]


def _names(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _names(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Christopher Karen Daniel Lisa Matthew Nancy "
    "Anthony Betty Mark Sandra Steven Ashley Andrew Kimberly Joshua Emily Kevin Donna Brian "
    "Michelle Ryan Amanda Jacob Melissa Gary Stephanie Tyler Rebecca Nicole Heather"
)
LAST_NAMES = _names(
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore "
    "Jackson Martin Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright "
    "Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell "
    "Parker Evans Edwards Collins Stewart Morris Murphy Cook Rogers Olson Schmidt Peterson Larson"
)
# Names for agents whose second language is this one.
NAMES_BY_LANGUAGE: dict[str, tuple[list[str], list[str]]] = {
    "es": (
        _names(
            "María José Juan Ana Luis Carmen Carlos Rosa Jorge Sofía Miguel Lucía Alejandro "
            "Gabriela Ricardo Daniela Fernando Isabel Javier Elena"
        ),
        _names(
            "García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres "
            "Flores Rivera Gómez Díaz Morales Reyes Cruz Ortiz Gutiérrez Chávez"
        ),
    ),
    "vi": (_names("Linh Minh Thu Anh Tuan Hoa Duc Lan"), _names("Nguyen Tran Le Pham Hoang Vu")),
    "zh": (_names("Wei Mei Jing Hao Lin Yan Jun Xiu"), _names("Wang Li Zhang Liu Chen Huang")),
    "ko": (_names("Ji-ho Min-jun Seo-yeon Ha-eun Joon Soo-jin"), _names("Kim Lee Park Choi Jung")),
    "ht": (
        _names("Marie Jean Fabiola Wilner Nadège Guerline"),
        _names("Jean-Baptiste Pierre Joseph Charles Louis Étienne"),
    ),
    "ar": (
        _names("Omar Layla Ahmed Nadia Youssef Rania"),
        _names("Haddad Khalil Nasser Saleh Farah"),
    ),
    "ru": (_names("Olga Dmitri Irina Sergei Natalia"), _names("Ivanov Petrova Smirnov Volkova")),
    "tl": (
        _names("Maricel Jose Rowena Paolo Liza"),
        _names("Santos Reyes Bautista Mendoza Villanueva"),
    ),
}
OTHER_LANGUAGES = ["vi", "zh", "ko", "ht", "ar", "ru", "tl"]

# Weekly hours patterns: (weekdays, start, end) in the agent's own time zone.
HOURS_PATTERNS: list[tuple[tuple[int, ...], time, time]] = [
    ((0, 1, 2, 3, 4), time(9), time(17)),
    ((0, 1, 2, 3, 4), time(8), time(20)),
    ((0, 1, 2, 3, 4, 5), time(10), time(18)),
    ((0, 1, 2, 3, 4, 5, 6), time(7), time(22)),
]


@dataclass(frozen=True)
class DemoLicense:
    state: str
    active: bool
    resident: bool
    lines: tuple[str, ...]


@dataclass(frozen=True)
class DemoAgent:
    npn: str
    first_name: str
    last_name: str
    email: str
    cell_phone: str  # E.164, 555-01xx: reserved for fiction
    zip_code: str
    home_state: str
    languages: tuple[str, ...]
    display_option: int
    licenses: tuple[DemoLicense, ...]
    switch: str  # "on", "off" or "schedule"
    weekly_hours: tuple[tuple[int, time, time], ...]
    absences: tuple[tuple[date, date], ...]  # whole days, first and last
    rcl: str  # "valid", "invalid" (on the RCL, NPN not valid) or "missing"
    terminated: bool  # a T3 row on the Registration Termination List
    trained: bool
    service_registered: bool
    deselected: tuple[str, ...] = ()


@cache
def standard_zips() -> dict[str, list[tuple[str, str]]]:
    """Active, standard (street-delivery) ZIPs by state, each with its first area code."""
    by_state: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in zipcodes.list_all():
        if (
            row.get("zip_code_type") == "STANDARD"
            and row.get("active")
            and row.get("lat")
            and row.get("timezone")
            and row.get("area_codes")
        ):
            by_state[row["state"]].append((row["zip_code"], row["area_codes"][0]))
    return dict(by_state)


def area_code(zip_code: str) -> str:
    rows = zipcodes.matching(zip_code)
    codes = rows[0].get("area_codes") if rows else None
    return codes[0] if codes else "555"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _email(first: str, last: str, npn: str) -> str:
    local = f"{_ascii(first)}.{_ascii(last)}".replace(" ", "").replace("'", "")
    return f"{local}.{npn[-4:]}@{DEMO_EMAIL_DOMAIN}"


def _phone(area: str, npn: str) -> str:
    # 555-0100 to 555-0199 are reserved for fiction in every area code.
    return f"+1{area if len(area) == 3 else '608'}55501{int(npn) % 100:02d}"


def allocate_states(rng: random.Random, count: int) -> list[str]:
    """A few agents in every served state, the rest by population."""
    states = sorted(STATE_WEIGHTS)
    base = [s for s in states for _ in range(MIN_AGENTS_PER_STATE)][:count]
    rest = rng.choices(states, weights=[STATE_WEIGHTS[s] for s in states], k=count - len(base))
    return base + rest


def _languages(rng: random.Random, state: str) -> tuple[str, ...]:
    spanish_share = 0.35 if state in ("TX", "FL", "AZ") else 0.18
    roll = rng.random()
    if roll < spanish_share:
        return ("en", "es")
    if roll < spanish_share + 0.08:
        other = "ht" if state == "FL" and rng.random() < 0.5 else rng.choice(OTHER_LANGUAGES)
        return ("en", other)
    return ("en",)


def _name(rng: random.Random, languages: tuple[str, ...]) -> tuple[str, str]:
    second = languages[1] if len(languages) > 1 else None
    if second in NAMES_BY_LANGUAGE and rng.random() < 0.8:
        firsts, lasts = NAMES_BY_LANGUAGE[second]
        return rng.choice(firsts), rng.choice(lasts)
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def _licenses(rng: random.Random, home: str, display_option: int) -> tuple[DemoLicense, ...]:
    home_lines = rng.choice(HEALTH_LINES if rng.random() < 0.95 else NON_HEALTH_LINES)
    licenses = [DemoLicense(home, rng.random() > 0.02, True, home_lines)]
    if display_option == 3:
        extra: list[str] = []
    elif rng.random() < 0.05:  # a national agency: many states
        extra = rng.sample(sorted(set(STATE_WEIGHTS) - {home}), rng.randint(6, 12))
    else:
        neighbours = list(NEIGHBOURS.get(home, ()))
        roll = rng.random()
        n = 0 if roll < 0.4 else rng.randint(1, 2) if roll < 0.8 else rng.randint(3, 5)
        extra = rng.sample(neighbours, min(n, len(neighbours)))
    for state in extra:
        lines = rng.choice(HEALTH_LINES if rng.random() < 0.85 else NON_HEALTH_LINES)
        licenses.append(DemoLicense(state, rng.random() > 0.05, False, lines))
    return tuple(licenses)


def _availability(
    rng: random.Random, today: date
) -> tuple[str, tuple[tuple[int, time, time], ...], tuple[tuple[date, date], ...]]:
    roll = rng.random()
    switch = "on" if roll < 0.45 else "schedule" if roll < 0.85 else "off"
    days, start, end = rng.choice(HOURS_PATTERNS)
    hours = tuple((d, start, end) for d in days)
    absences: tuple[tuple[date, date], ...] = ()
    roll = rng.random()
    if roll < 0.03:  # away right now
        absences = ((today - timedelta(days=2), today + timedelta(days=rng.randint(1, 7))),)
    elif roll < 0.07:  # vacation booked
        first = today + timedelta(days=rng.randint(7, 40))
        absences = ((first, first + timedelta(days=rng.randint(2, 10))),)
    return switch, hours, absences


def random_agent(rng: random.Random, *, npn: str, state: str, today: date) -> DemoAgent:
    # Nobody else at 53703, so the Madison agent is the closest there whatever happened.
    zip_code, area = rng.choice([z for z in standard_zips()[state] if z[0] != MADISON_ZIP])
    languages = _languages(rng, state)
    first, last = _name(rng, languages)
    display_option = rng.choices([1, 2, 3, 4], weights=[55, 25, 12, 8])[0]
    licenses = _licenses(rng, state, display_option)
    switch, hours, absences = _availability(rng, today)
    roll = rng.random()
    rcl = "valid" if roll < 0.95 else "invalid" if roll < 0.97 else "missing"
    served_elsewhere = [x.state for x in licenses[1:] if x.state in STATE_WEIGHTS]
    deselected = (rng.choice(served_elsewhere),) if served_elsewhere and rng.random() < 0.1 else ()
    return DemoAgent(
        npn=npn,
        first_name=first,
        last_name=last,
        email=_email(first, last, npn),
        cell_phone=_phone(area, npn),
        zip_code=zip_code,
        home_state=state,
        languages=languages,
        display_option=display_option,
        licenses=licenses,
        switch=switch,
        weekly_hours=hours,
        absences=absences,
        rcl=rcl,
        terminated=rcl == "valid" and rng.random() < 0.02,
        trained=rng.random() < 0.95,
        service_registered=rng.random() < 0.9,
        deselected=deselected,
    )


def _always_on(
    npn: str,
    first: str,
    last: str,
    zip_code: str,
    home: str,
    languages: tuple[str, ...],
    licensed: tuple[str, ...],
    deselected: tuple[str, ...] = (),
) -> DemoAgent:
    return DemoAgent(
        npn=npn,
        first_name=first,
        last_name=last,
        email=_email(first, last, npn),
        cell_phone=_phone(area_code(zip_code), npn),
        zip_code=zip_code,
        home_state=home,
        languages=languages,
        display_option=1,
        licenses=tuple(
            DemoLicense(s, True, s == home, ("Life", "Accident & Health")) for s in licensed
        ),
        switch="on",
        weekly_hours=tuple((d, time(9), time(17)) for d in range(5)),
        absences=(),
        rcl="valid",
        terminated=False,
        trained=True,
        service_registered=True,
        deselected=deselected,
    )


def named_agents() -> list[DemoAgent]:
    """The two agents the README and `load_demo` output talk about."""
    return [
        # First, so a tie at 0 miles from 53703 goes to her (ties break on id).
        _always_on(MADISON_NPN, "Lucía", "Hernández", MADISON_ZIP, "WI", ("en", "es"),
                   ("WI", "IL", "MN")),
        _always_on(SEED_EXAMPLE_NPN, "Dana", "Whitfield", "85004", "AZ", ("en",),
                   ("AK", "AL", "AR", "AZ", "UT", "WI", "WY"), deselected=("WI",)),
    ]  # fmt: skip


def demo_agents(*, count: int, seed: int, today: date) -> list[DemoAgent]:
    """`count` agents in all: the named ones, then random ones across the served states."""
    rng = random.Random(seed)
    named = named_agents()
    n = max(0, count - len(named))
    states = allocate_states(rng, n)
    # Ten-digit NPNs starting 99: far above any real NPN, so demo agents never collide.
    npns = [str(9_900_000_000 + k) for k in rng.sample(range(99_999_999), n)]
    agents = [
        random_agent(rng, npn=npn, state=s, today=today)
        for npn, s in zip(npns, states, strict=True)
    ]
    return named + agents
