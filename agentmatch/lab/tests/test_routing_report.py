"""The routing lab's figures for a live day: read from the database the real code wrote,
in the operators' time zone, never written to, never a person's details in the files.

The day (Wednesday 2026-06-10, Central daylight time, UTC-5), made through the real
intake and answer actions; every consumer asks from Madison (53703). Five agents:
Ana in 53703 (0 mi), Ben in 53704 (3.35 mi), Cal in 53711 (4.55 mi), Dee in Milwaukee
53202 (75.05 mi), and Eve, routed for Texas only, never offered.

| request | offers (answer, minutes after the request) | outcome |
| --- | --- | --- |
| 08:15 | Ana accepts (4) | accepted after 4 min, 0 mi |
| 09:15 | Ana rejects (1), Ben accepts (10) | 10 min, 3.35 mi |
| 10:15 | Ana rejects (2), Ben rejects (3), Cal accepts (12) | 12 min, 4.55 mi |
| 11:15 | Ana, Ben, Cal, Dee reject (1 to 4) | waits, ends unmatched at 13:30 |
| 22:15 | Ana rejects (1), Ben accepts (15) | 15 min, 3.35 mi |

Outside the day: a request at 21:00 the evening before (02:00 UTC on the 10th, so inside
the UTC day) accepted by Ana, and one at 08:00 the morning after, left pending with Ana.
"""

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agentmatch.agents.models import Agent
from agentmatch.lab.live import read_period
from agentmatch.lab.report import figures
from agentmatch.referrals import jobs
from agentmatch.referrals.actions.offers import ACCEPT, REJECT, answer_offer
from agentmatch.referrals.models import Offer, OfferStatus, Referral
from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
DAY = date(2026, 6, 10)
HOUR = 3600.0
CURSOR = re.compile(r"^\s*DECLARE\s.*?\bCURSOR\b.*?\bFOR\s+", re.IGNORECASE | re.DOTALL)


def at(clock: str, day: date = DAY) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=CHICAGO)


def answer(referral: Referral, agent: Agent, reply: str, when: datetime) -> None:
    offer = Offer.objects.get(referral=referral, status=OfferStatus.PENDING)
    assert offer.agent_id == agent.pk, "the nearest agent not yet offered gets the offer"
    answer_offer(offer_id=offer.pk, agent=agent, answer=reply, now=when, channel="api")  # type: ignore[arg-type]


def ask(clock: str, day: date = DAY) -> tuple[Referral, datetime]:
    when = at(clock, day)
    return make_referral(first_name="Zelda", last_name="Quixote", now=when), when


@pytest.fixture
def live_day(plan_year) -> dict[str, Agent]:  # type: ignore[no-untyped-def]
    def agent(name: str, zip_code: str, state: str = "WI") -> Agent:
        return make_agent(
            zip_code=zip_code, licensed=[state], first_name=name, last_name="Privateperson"
        )

    ana, ben, cal = agent("Ana", "53703"), agent("Ben", "53704"), agent("Cal", "53711")
    dee = agent("Dee", "53202")
    eve = agent("Eve", "78701", state="TX")
    m = timedelta(minutes=1)

    before, t = ask("21:00", DAY - timedelta(days=1))
    answer(before, ana, ACCEPT, t + 5 * m)

    first, t = ask("08:15")
    answer(first, ana, ACCEPT, t + 4 * m)

    second, t = ask("09:15")
    answer(second, ana, REJECT, t + 1 * m)
    answer(second, ben, ACCEPT, t + 10 * m)

    third, t = ask("10:15")
    answer(third, ana, REJECT, t + 2 * m)
    answer(third, ben, REJECT, t + 3 * m)
    answer(third, cal, ACCEPT, t + 12 * m)

    fourth, t = ask("11:15")
    for minutes, who in enumerate((ana, ben, cal, dee), 1):
        answer(fourth, who, REJECT, t + minutes * m)
    assert jobs.end_one_wait(at("13:30"))

    fifth, t = ask("22:15")
    answer(fifth, ana, REJECT, t + 1 * m)
    answer(fifth, ben, ACCEPT, t + 15 * m)

    ask("08:00", DAY + timedelta(days=1))
    return {"ana": ana, "ben": ben, "cal": cal, "dee": dee, "eve": eve}


def test_a_live_day_gives_the_figures_worked_out_by_hand(live_day) -> None:  # type: ignore[no-untyped-def]
    outcome = read_period(DAY, DAY, CHICAGO)
    result = figures(outcome)

    assert outcome.scenario == "live 2026-06-10..2026-06-10"
    assert (outcome.seed, outcome.policy, outcome.refused, outcome.late_answers) == (
        0,
        "nearest",
        0,
        0,
    )
    # Every agent routed now (Eve, for Texas) and every agent offered; available: offered.
    npns = {name: agent.npn for name, agent in live_day.items()}
    assert set(outcome.agents) == set(npns.values())
    assert set(outcome.available_agents) == {npns[n] for n in ("ana", "ben", "cal", "dee")}
    # Seconds since 00:00 Central: the first request at 08:15, accepted at 08:19.
    first = outcome.referrals[0]
    assert (first.index, first.created_at, first.accepted_at) == (0, 8.25 * HOUR, 29_940.0)
    assert first.state == "WI" and first.language == "en"
    assert [r.status for r in outcome.referrals] == [
        "accepted",
        "accepted",
        "accepted",
        "unmatched",
        "accepted",
    ]
    assert outcome.referrals[3].ended_at == 13.5 * HOUR

    assert result.requests == 5
    assert result.accepted == 4
    # Waits 4, 10, 12, 15 minutes: median (10 + 12) / 2; nearest-rank p90: the 4th of 4.
    assert result.median_minutes_to_acceptance == 11.0
    assert result.p90_minutes_to_acceptance == 15.0
    assert result.share_never_accepted == 0.2
    # Distances 0, 3.35, 4.55, 3.35: mean 11.25 / 4; p90 the largest.
    assert result.mean_distance_miles == 2.81
    assert result.p90_distance_miles == 4.55
    # Offers 1 + 2 + 3 + 4 + 2 = 12 for 5 requests.
    assert result.offers_per_referral == 2.4
    # Offers per agent, Eve's zero included: 0, 1, 2, 4, 5. Gini = 2 * (0*1 + 1*2 + 2*3 +
    # 4*4 + 5*5) / (5 * 12) - 6/5 = 98/60 - 1.2.
    assert result.agents == 5
    assert result.mean_offers_per_agent == 2.4
    assert result.max_offers_per_agent == 5
    assert result.gini_offers_per_agent == 0.4333
    # Acceptances 0, 0, 1, 1, 2: 2 * (3 + 4 + 10) / (5 * 4) - 1.2 = 0.5.
    assert result.mean_acceptances_per_agent == 0.8
    assert result.max_acceptances_per_agent == 2
    assert result.gini_acceptances_per_agent == 0.5
    # Only the 11:15 request outlives its hour: open at 12:00 and 13:00, gone at 14:00.
    assert result.backlog_by_hour == (0,) * 11 + (1, 1) + (0,) * 11
    assert result.open_at_end == 0


def test_requests_outside_the_period_are_left_out(live_day) -> None:  # type: ignore[no-untyped-def]
    day = read_period(DAY, DAY, CHICAGO)
    assert [r.created_at / HOUR for r in day.referrals] == [8.25, 9.25, 10.25, 11.25, 22.25]
    three_days = read_period(DAY - timedelta(days=1), DAY + timedelta(days=1), CHICAGO)
    assert len(three_days.referrals) == 7
    # The evening before is 21 hours after the period's start; the offers of the morning
    # after (still pending) are its own.
    assert three_days.referrals[0].created_at == 21 * HOUR
    assert three_days.referrals[-1].status == "offered"
    assert three_days.referrals[-1].ended_at is None
    assert read_period(date(2026, 6, 1), date(2026, 6, 8), CHICAGO).referrals == ()


def test_the_zone_decides_where_the_day_begins_and_ends(live_day) -> None:  # type: ignore[no-untyped-def]
    utc_day = read_period(DAY, DAY, ZoneInfo("UTC"))
    # In UTC the day holds the evening before (02:00 UTC) and not the 22:15 request
    # (03:15 UTC on the 11th); times count from midnight UTC.
    assert [r.created_at / HOUR for r in utc_day.referrals] == [2, 13.25, 14.25, 15.25, 16.25]
    central = datetime.combine(DAY, time.min, tzinfo=CHICAGO)
    assert central.astimezone(UTC).hour == 5


def test_the_policy_named_is_the_one_the_offers_record(live_day) -> None:  # type: ignore[no-untyped-def]
    day = Referral.objects.filter(created_at__gte=at("00:00"), created_at__lt=at("23:59"))
    offers = Offer.objects.filter(referral__in=day).order_by("pk")
    ids = list(offers.values_list("pk", flat=True))
    Offer.objects.filter(pk__in=ids[:7]).update(explanation={"policy": "fair"})
    # An offer from before policies were recorded was routed the only way there was.
    Offer.objects.filter(pk=ids[7]).update(explanation={})
    assert read_period(DAY, DAY, CHICAGO).policy == "fair+nearest"


def run(*args: str) -> str:
    out = StringIO()
    call_command("routing_report", *args, stdout=out)
    return out.getvalue()


def test_the_command_writes_the_report_and_figures_without_personal_data(
    live_day, tmp_path: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.OPERATOR_TIME_ZONE = "America/Chicago"
    said = run("--since", "2026-06-10", "--out", str(tmp_path))
    assert "5 requests, 4 accepted, median 11.0 min" in said
    written = json.loads((tmp_path / "figures.json").read_text())
    assert written["requests"] == 5
    assert written["gini_offers_per_agent"] == 0.4333
    report = (tmp_path / "report.md").read_text()
    assert "# Routing lab: live 2026-06-10..2026-06-10 (seed 0, policy nearest)" in report
    text = report + (tmp_path / "figures.json").read_text()
    people = list(Referral.objects.values_list("first_name", "last_name", "phone", "email"))
    people += list(Agent.objects.values_list("first_name", "last_name", "cell_phone", "email"))
    details = {value for row in people for value in row if value}
    assert "Zelda" in details and "Privateperson" in details
    assert not [value for value in details if value in text]
    # NPNs, ids and ZIP codes stay out too: the files hold counts and figures only.
    assert not [a.npn for a in live_day.values() if a.npn in text]
    assert "53703" not in text


def test_the_default_folder_is_named_after_the_period(live_day, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    run("--since", "2026-06-09", "--until", "2026-06-11")
    folder = tmp_path / "routing-report-2026-06-09-2026-06-11"
    assert json.loads((folder / "figures.json").read_text())["requests"] == 7


def test_the_command_never_writes_to_the_database(live_day, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        run("--since", "2026-06-09", "--until", "2026-06-11", "--out", str(tmp_path))
    # PostgreSQL streams through a server-side cursor: "DECLARE ... CURSOR ... FOR SELECT".
    statements = [
        CURSOR.sub("", q["sql"]).split(None, 1)[0].upper() for q in queries.captured_queries
    ]
    assert "SELECT" in statements
    assert not {"INSERT", "UPDATE", "DELETE"} & set(statements)
    # Two queries for referrals and offers, one for the routed agents: none per row.
    assert len([s for s in statements if s == "SELECT"]) <= 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-13-01"], "--since must be a date like 2026-11-03"),
        (["--since", "20260610"], "--since must be a date like 2026-11-03"),
        (["--since", "2026-06-10", "--until", "June 11"], "--until must be a date like"),
        (["--since", "2026-06-10", "--until", "2026-06-09"], "is before --since"),
        (["--since", "2027-06-10", "--until", "2028-06-10"], "367 days long: at most 366"),
        ([], "--since"),
    ],
)
def test_bad_arguments_are_refused_clearly(args: list[str], message: str, db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_a_year_of_366_days_is_accepted(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    said = run("--since", "2027-06-10", "--until", "2028-06-09", "--out", str(tmp_path))
    assert "0 requests" in said
