"""A day of requests with known timings, for the dashboard's tests and its browser page.

Ten requests on one day: four from Wisconsin in English at 9 a.m., six from Texas at
2 p.m. (four in Spanish, two in English). Six were accepted, 2, 10, 14, 20, 30 and 45
minutes after the request; two ended unmatched, one was canceled, one still waits. Three
agents (Alpha, Bravo, Charlie) got 14 offers: 6 accepted, 4 rejected, 3 expired, 1
withdrawn when the consumer canceled. One more request, accepted the evening before,
lies outside the day. Every expected figure is worked out in test_dashboard_figures.py.
"""

import hashlib
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from agentmatch.agents.models import Agent
from agentmatch.referrals.models import Offer, OfferStatus, Referral, ReferralStatus
from agentmatch.testing import make_agent

# (state, language, hour, minute, status, offers); an offer is
# (agent, status, minutes after the request it was made, minutes after the request it
# was answered, expired or withdrawn).
A, B, C = "Alpha", "Bravo", "Charlie"
ACC, REJ, EXP, CAN = (
    OfferStatus.ACCEPTED,
    OfferStatus.REJECTED,
    OfferStatus.EXPIRED,
    OfferStatus.CANCELED,
)
REQUESTS = [
    ("WI", "en", 9, 0, ReferralStatus.ACCEPTED, [(A, ACC, 0, 2)]),
    ("WI", "en", 9, 10, ReferralStatus.ACCEPTED, [(B, REJ, 0, 1), (A, ACC, 1, 10)]),
    ("WI", "en", 9, 20, ReferralStatus.ACCEPTED, [(B, EXP, 0, 5), (A, ACC, 5, 14)]),
    ("WI", "en", 9, 30, ReferralStatus.ACCEPTED, [(C, ACC, 0, 20)]),
    ("TX", "es", 14, 0, ReferralStatus.ACCEPTED, [(A, REJ, 0, 3), (B, REJ, 3, 4), (C, ACC, 4, 30)]),
    ("TX", "es", 14, 10, ReferralStatus.ACCEPTED, [(C, ACC, 0, 45)]),
    ("TX", "es", 14, 20, ReferralStatus.UNMATCHED, [(A, REJ, 0, 2), (B, EXP, 2, 7)]),
    ("TX", "es", 14, 30, ReferralStatus.UNMATCHED, [(C, EXP, 0, 5)]),
    ("TX", "en", 14, 40, ReferralStatus.CANCELED, [(A, CAN, 0, 1)]),
    ("TX", "en", 14, 50, ReferralStatus.WAITING, []),
]
PLACES = {"WI": ("53703", "Madison", 43.07, -89.38), "TX": ("78701", "Austin", 30.27, -97.74)}


def make_agents() -> dict[str, Agent]:
    return {
        name: make_agent(zip_code="53703", licensed=["WI"], first_name="Agent", last_name=name)
        for name in (A, B, C)
    }


def make_referral_at(
    at: datetime, *, state: str, language: str, status: str, number: int
) -> Referral:
    zip_code, city, latitude, longitude = PLACES[state]
    waiting = status == ReferralStatus.WAITING
    ended = status in (ReferralStatus.UNMATCHED, ReferralStatus.CANCELED)
    return Referral.objects.create(
        status=status,
        status_token_hash=hashlib.sha256(str(number).encode()).hexdigest(),
        plan_year=2026,
        first_name="Known",
        last_name=f"Request{number}",
        phone=f"+1608555{number:04d}",
        zip_code=zip_code,
        city=city,
        state=state,
        latitude=latitude,
        longitude=longitude,
        language=language,
        consent_given_at=at,
        consent_wording_version="2026-1",
        created_at=at,
        waiting_since=at if waiting else None,
        wait_expires_at=at + timedelta(hours=1) if waiting else None,
        ended_at=at + timedelta(hours=1) if ended else None,
    )


def make_offer(
    referral: Referral, agent: Agent, *, status: str, position: int, offered: int, settled: int
) -> Offer:
    start = referral.created_at
    return Offer.objects.create(
        referral=referral,
        agent=agent,
        status=status,
        position=position,
        rank=1,
        distance_miles=1.0,
        qualified_agents=3,
        reason="known data set",
        offered_at=start + timedelta(minutes=offered),
        expires_at=start + timedelta(minutes=offered + 15),
        responded_at=start + timedelta(minutes=settled),
    )


def make_known_day(day: date) -> dict[str, Agent]:
    """The ten requests on `day` (operator's time zone), and one the evening before."""
    agents = make_agents()
    for number, (state, language, hour, minute, status, offers) in enumerate(REQUESTS, 1):
        at = timezone.make_aware(datetime.combine(day, time(hour, minute)))
        referral = make_referral_at(
            at, state=state, language=language, status=status, number=number
        )
        for position, (name, offer_status, offered, settled) in enumerate(offers, 1):
            make_offer(
                referral,
                agents[name],
                status=offer_status,
                position=position,
                offered=offered,
                settled=settled,
            )
    evening = timezone.make_aware(datetime.combine(day, time.min)) - timedelta(minutes=1)
    before = make_referral_at(
        evening, state="WI", language="en", status=ReferralStatus.ACCEPTED, number=99
    )
    make_offer(before, agents[A], status=ACC, position=1, offered=0, settled=1)
    return agents
