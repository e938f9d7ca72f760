"""Referrals at every point of their life, made at chosen moments in the past.

The consumer is Anastasia Quintero, 608-555-0100, anastasia@example.com... in Madison's
53703; the agent, Nora, is in 53711 (so her own ZIP code never looks like the consumer's).
"""

from datetime import datetime, timedelta

import pytest
from django.core import serializers
from django.db import transaction
from django.test import Client
from django.utils import timezone

from agentmatch.notifications.models import DeliveryAttempt, Message
from agentmatch.referrals.models import (
    ContactDisclosure,
    IdempotencyKey,
    Offer,
    Referral,
    ReferralEvent,
)
from agentmatch.referrals.services import accept_offer, cancel_referral, end_unmatched
from agentmatch.testing import make_agent, make_agent_user, make_referral, render_outbox
from agentmatch.workspace.models import FollowUp
from agentmatch.workspace.services import FollowUpInput, set_follow_up

CONSUMER_PHONE = "+16085550100"
CONSUMER_PHONE_DIGITS = "6085550100"
CONSUMER_EMAIL = "consumer@example.com"


@pytest.fixture
def agent(plan_year):  # type: ignore[no-untyped-def]
    return make_agent(
        zip_code="53711", licensed=["WI"], first_name="Nora", last_name="Near", npn="99887766"
    )


@pytest.fixture
def agent_client(agent) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_agent_user(agent))
    return client


def days_ago(days: float) -> datetime:
    return timezone.now() - timedelta(days=days)


def requested(*, at: datetime, phone: str = CONSUMER_PHONE, language: str = "en") -> Referral:
    """A request made at `at`, offered to the closest agent, its messages rendered, one of
    them attempted with a provider error naming the number (Twilio's do)."""
    referral = make_referral(
        zip_code="53703",
        first_name="Anastasia",
        last_name="Quintero",
        phone=phone,
        language=language,
        now=at,
    )
    render_outbox()
    message = Message.objects.filter(referral=referral, channel="sms").first()
    assert message is not None
    Message.objects.filter(pk=message.pk).update(
        provider_id="SM0123", last_error=f"The 'To' number {phone} is not reachable"
    )
    DeliveryAttempt.objects.create(
        message=message,
        channel="sms",
        started_at=at,
        finished_at=at,
        outcome="temporary",
        provider_id="SM0123",
        error=f"The 'To' number {phone} is not reachable",
        latency_ms=5,
    )
    IdempotencyKey.objects.create(
        key_hash=f"k{referral.pk}",
        fingerprint="f" * 64,
        token_salt="s" * 64,
        referral=referral,
        first_status="offered",
        created_at=at,
        expires_at=at + timedelta(hours=24),
    )
    return referral


def accepted(*, at: datetime, agent, phone: str = CONSUMER_PHONE) -> Referral:  # type: ignore[no-untyped-def]
    referral = requested(at=at - timedelta(minutes=5), phone=phone)
    with transaction.atomic():
        accept_offer(offer_id=referral.offers.get().pk, agent=agent, now=at)
    referral.refresh_from_db()
    return referral


def followed_up(referral: Referral, *, agent, at: datetime, **fields: str) -> FollowUp:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        return set_follow_up(referral=referral, agent=agent, data=FollowUpInput(**fields), now=at)


def canceled(*, at: datetime, phone: str = CONSUMER_PHONE) -> Referral:
    referral = requested(at=at - timedelta(minutes=5), phone=phone)
    with transaction.atomic():
        cancel_referral(referral_id=referral.pk, now=at)
    referral.refresh_from_db()
    return referral


def unmatched(*, at: datetime, phone: str = CONSUMER_PHONE) -> Referral:
    """Nobody speaks Spanish here: the request waits, then ends unmatched."""
    referral = requested(at=at - timedelta(minutes=5), phone=phone, language="es")
    with transaction.atomic():
        end_unmatched(referral=referral, now=at, reason="maximum wait reached")
    referral.refresh_from_db()
    return referral


def everything_about(referral: Referral) -> str:
    """Every row about the referral, serialised: what a database dump would hold."""
    offers = Offer.objects.filter(referral=referral)
    messages = Message.objects.filter(referral=referral) | Message.objects.filter(offer__in=offers)
    rows = [
        *Referral.objects.filter(pk=referral.pk),
        *offers,
        *ReferralEvent.objects.filter(referral=referral),
        *ContactDisclosure.objects.filter(referral=referral),
        *IdempotencyKey.objects.filter(referral=referral),
        *messages,
        *DeliveryAttempt.objects.filter(message__in=messages),
        *FollowUp.objects.filter(referral=referral),
    ]
    return serializers.serialize("json", rows)
