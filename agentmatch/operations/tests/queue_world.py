"""A known queue for the live queue's tests (and the browser pages that show it).

Rosa (WI, English, available) has one referral offered to her and another English one
waiting behind it; nobody speaks Spanish in WI (two waiting); Pedro speaks Spanish in TX
but is switched off (one waiting); two referrals ended unmatched, 2 and 30 hours ago; one
was accepted and one canceled (neither is in the queue).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from agentmatch.agents.models import Agent, AvailabilitySwitch
from agentmatch.referrals.models import Referral
from agentmatch.referrals.services import accept_offer, cancel_referral, end_unmatched
from agentmatch.testing import make_agent, make_referral


@dataclass
class QueueWorld:
    rosa: Agent
    pedro: Agent
    offered: Referral  # WI en, to Rosa, asked 3 minutes ago
    english_waiting: Referral  # WI en, 8 minutes, Rosa is busy
    spanish_old: Referral  # WI es, 40 minutes
    spanish_new: Referral  # WI es, 10 minutes
    texas: Referral  # TX es, 2 minutes
    unmatched_recent: Referral  # ended 2 hours ago
    unmatched_old: Referral  # ended 30 hours ago
    accepted: Referral
    canceled: Referral


def _ago(now: datetime, **delta: float) -> datetime:
    return now - timedelta(**delta)


def _ended_unmatched(now: datetime, *, hours: int, zip_code: str, language: str) -> Referral:
    referral = make_referral(zip_code=zip_code, language=language, now=_ago(now, hours=hours + 1))
    with transaction.atomic():
        end_unmatched(referral=referral, now=_ago(now, hours=hours), reason="maximum wait reached")
    return referral


def build_queue_world(rosa: Agent) -> QueueWorld:
    """`rosa`: an available agent licensed in WI who speaks English (the personas' Rosa)."""
    now = timezone.now()
    pedro = make_agent(
        zip_code="77002",
        licensed=["TX"],
        languages=["es"],
        first_name="Pedro",
        last_name="Salas",
        switch=AvailabilitySwitch.OFF,
    )
    # Settled ones first, while Rosa is free: they must not show in the queue.
    accepted = make_referral(zip_code="53703", now=_ago(now, minutes=50))
    with transaction.atomic():
        accept_offer(offer_id=accepted.offers.get().pk, agent=rosa, now=_ago(now, minutes=49))
    canceled = make_referral(zip_code="53703", language="es", now=_ago(now, minutes=45))
    with transaction.atomic():
        cancel_referral(referral_id=canceled.pk, now=_ago(now, minutes=44))
    unmatched_old = _ended_unmatched(now, hours=30, zip_code="53703", language="es")
    unmatched_recent = _ended_unmatched(now, hours=2, zip_code="77002", language="es")
    spanish_old = make_referral(
        zip_code="53703",
        language="es",
        first_name="Anastasia",
        last_name="Quintero",
        now=_ago(now, minutes=40),
    )
    spanish_new = make_referral(zip_code="53202", language="es", now=_ago(now, minutes=10))
    offered = make_referral(zip_code="53703", now=_ago(now, minutes=3))
    english_waiting = make_referral(zip_code="53202", now=_ago(now, minutes=8))
    texas = make_referral(zip_code="77002", language="es", now=_ago(now, minutes=2))
    for referral in (spanish_old, spanish_new, offered, english_waiting, texas):
        referral.refresh_from_db()
    return QueueWorld(
        rosa=rosa,
        pedro=pedro,
        offered=offered,
        english_waiting=english_waiting,
        spanish_old=spanish_old,
        spanish_new=spanish_new,
        texas=texas,
        unmatched_recent=unmatched_recent,
        unmatched_old=unmatched_old,
        accepted=accepted,
        canceled=canceled,
    )
