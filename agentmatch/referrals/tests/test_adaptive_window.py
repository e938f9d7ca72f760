"""The adaptive offer window (ROUTING_ADAPTIVE_WINDOW): off by default, every offer lasts
OFFER_WINDOW_SECONDS; on, a new offer's window shrinks with the queue in the referral's
state and language, never below ROUTING_MIN_WINDOW_SECONDS, and every message says the
offer's own minutes.

The long queue here is one agent allowed ten pending offers: each new English request in
WI finds one more request offered before it, so the pressure grows by one each time."""

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from agentmatch.notifications.models import Message
from agentmatch.referrals.event_details import event_text
from agentmatch.referrals.models import Offer, Referral, ReferralEvent
from agentmatch.referrals.policies import window_for
from agentmatch.testing import (
    api_token_for,
    make_agent,
    make_agent_user,
    make_referral,
    render_outbox,
)

NOW = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)


def seconds(offer: Offer) -> float:
    return (offer.expires_at - offer.offered_at).total_seconds()


def offer_of(referral: Referral) -> Offer:
    return Offer.objects.get(referral=referral)


def queue(count: int) -> list[Referral]:
    """`count` English requests in Madison, a minute apart, each offered to the one agent."""
    return [make_referral(now=NOW + timedelta(minutes=n)) for n in range(count)]


@pytest.fixture
def adaptive(settings):  # type: ignore[no-untyped-def]
    settings.ROUTING_ADAPTIVE_WINDOW = True
    settings.OFFER_WINDOW_SECONDS = 900
    settings.ROUTING_MIN_WINDOW_SECONDS = 300
    settings.MAX_PENDING_OFFERS_PER_AGENT = 10
    return settings


@pytest.mark.parametrize(
    ("waiting", "available", "expected", "pressure"),
    [
        (1, 1, 900, 1.0),  # one request per agent: the full window
        (3, 5, 900, 0.6),  # fewer requests than agents: never longer than the full window
        (2, 1, 450, 2.0),
        (3, 1, 300, 3.0),
        (30, 2, 300, 15.0),  # the formula says 60 s: the minimum holds
        (4, 0, 300, 4.0),  # nobody available counts as one agent
    ],
)
def test_the_window_is_the_full_window_divided_by_the_pressure_never_below_the_minimum(
    waiting: int, available: int, expected: int, pressure: float
) -> None:
    window = window_for(full=900, minimum=300, waiting=waiting, available=available)
    assert (window.seconds, window.pressure) == (expected, pressure)
    assert window.shortened == (expected < 900)


@pytest.mark.django_db
def test_by_default_every_offer_lasts_the_offer_window_however_long_the_queue(
    plan_year, settings
) -> None:
    assert django_settings.ROUTING_ADAPTIVE_WINDOW is False
    settings.MAX_PENDING_OFFERS_PER_AGENT = 10
    make_agent(zip_code="53703", licensed=["WI"], now=NOW)
    referrals = queue(4)
    for referral in referrals:
        offer = offer_of(referral)
        assert seconds(offer) == settings.OFFER_WINDOW_SECONDS
        assert offer.explanation["window_seconds"] == settings.OFFER_WINDOW_SECONDS
        assert offer.explanation["pressure"] is None
    codes = ReferralEvent.objects.filter(kind="offered").values_list("code", flat=True)
    assert set(codes) == {"offered"}


@pytest.mark.django_db
def test_a_long_queue_shortens_new_offers_down_to_the_minimum(plan_year, adaptive) -> None:
    make_agent(zip_code="53703", licensed=["WI"], now=NOW)
    # A Spanish request in WI waits (nobody speaks Spanish): another queue, not counted.
    make_referral(now=NOW - timedelta(minutes=1), language="es")
    first, second, third, fourth = queue(4)
    assert [seconds(offer_of(r)) for r in (first, second, third, fourth)] == [900, 450, 300, 300]
    assert [offer_of(r).explanation["pressure"] for r in (first, second, third, fourth)] == [
        1.0,
        2.0,
        3.0,
        4.0,
    ]
    assert offer_of(second).explanation["window_seconds"] == 450

    unchanged = ReferralEvent.objects.get(referral=first, kind="offered")
    assert unchanged.code == "offered"
    event = ReferralEvent.objects.get(referral=second, kind="offered")
    assert event.code == "offered_short_window"
    assert (event.params["minutes"], event.params["waiting"], event.params["available"]) == (
        7.5,
        2,
        1,
    )
    assert "window shortened to 7.5 min: 2 requests waiting for 1 available agents" in (
        event.detail
    )
    with translation.override("es"):
        assert "plazo reducido a 7,5 min: 2 solicitudes en espera para 1 agentes" in (
            event_text(event)
        )


@pytest.mark.django_db
def test_the_agent_is_told_the_offers_own_minutes(plan_year, adaptive) -> None:
    make_agent(zip_code="53703", licensed=["WI"], contact_method="email_text", now=NOW)
    first, _second, third = queue(3)
    render_outbox()

    def words(referral: Referral, channel: str) -> str:
        message = Message.objects.get(kind="offer_new", channel=channel, offer=offer_of(referral))
        return f"{message.subject} {message.body}"

    assert "You have 15 minutes: answer by 2:15 p.m. CST" in words(first, "email")
    assert "within 15 min, by 2:15 p.m. CST" in words(first, "sms")
    # The third came at 20:02 with three requests for one agent: 5 minutes, to 2:07 p.m.
    assert "You have 5 minutes: answer by 2:07 p.m. CST" in words(third, "email")
    assert "within 5 min, by 2:07 p.m. CST" in words(third, "sms")


@pytest.mark.django_db
def test_a_spanish_speaking_agent_is_told_the_minutes_in_spanish(plan_year, adaptive) -> None:
    make_agent(
        zip_code="53703",
        licensed=["WI"],
        languages=["es"],
        contact_method="email_text",
        now=NOW,
    )
    make_referral(now=NOW, language="es")
    second = make_referral(now=NOW, language="es")
    render_outbox()
    email = Message.objects.get(kind="offer_new", channel="email", offer=offer_of(second))
    sms = Message.objects.get(kind="offer_new", channel="sms", offer=offer_of(second))
    assert "Tiene 7,5 minutos: responda antes de las 14:07 CST" in email.body
    assert "en 7,5 min, antes de las 14:07 CST" in sms.body


@pytest.mark.django_db
def test_the_workspace_and_the_api_count_down_each_offers_own_window(plan_year, adaptive) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"])
    full, short = offer_of(make_referral()), offer_of(make_referral())
    assert seconds(short) == 450

    client = Client()
    client.force_login(make_agent_user(agent))
    page = client.get(reverse("workspace:referrals")).content.decode()
    deadlines = {datetime.fromisoformat(d) for d in re.findall(r'data-deadline="([^"]+)"', page)}
    assert deadlines == {full.expires_at, short.expires_at}

    token = api_token_for(agent)
    offers = Client().get("/api/v1/agent/offers", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    left = {offer["id"]: offer["seconds_left"] for offer in offers}
    assert 800 < left[full.pk] <= 900 and 350 < left[short.pk] <= 450


@pytest.mark.parametrize("value", ["1200", "0", "-5"])
def test_a_minimum_window_outside_the_offer_window_stops_the_start(tmp_path, value) -> None:
    env = {
        **os.environ,
        "ROUTING_ADAPTIVE_WINDOW": "true",
        "ROUTING_MIN_WINDOW_SECONDS": value,
        "OFFER_WINDOW_SECONDS": "900",
        "PYTHONPATH": str(django_settings.BASE_DIR),
    }
    result = subprocess.run(
        [sys.executable, "-c", "import agentmatch.settings"],
        env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode != 0
    assert f"ROUTING_MIN_WINDOW_SECONDS={value}: expected more than 0 and no more than" in (
        result.stderr
    )
    assert "OFFER_WINDOW_SECONDS=900" in result.stderr


def test_with_the_window_off_a_short_offer_window_needs_no_minimum(tmp_path) -> None:
    env = {
        **os.environ,
        "ROUTING_ADAPTIVE_WINDOW": "false",
        "OFFER_WINDOW_SECONDS": "4",
        "PYTHONPATH": str(django_settings.BASE_DIR),
    }
    env.pop("ROUTING_MIN_WINDOW_SECONDS", None)
    result = subprocess.run(
        [sys.executable, "-c", "import agentmatch.settings"],
        env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_the_window_costs_two_counts_per_offer_and_none_when_off(plan_year, settings) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agentmatch.eligibility.models import RoutingSlot

    settings.MAX_PENDING_OFFERS_PER_AGENT = 10
    make_agent(zip_code="53703", licensed=["WI"], now=NOW)
    slots, referrals = RoutingSlot._meta.db_table, Referral._meta.db_table

    def window_counts() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            make_referral(now=NOW)
        return [
            q["sql"]
            for q in queries.captured_queries
            # QuerySet.count(): the window's counts, and any other the offer makes.
            if "__count" in q["sql"] and (slots in q["sql"] or f'FROM "{referrals}"' in q["sql"])
        ]

    assert window_counts() == []
    settings.ROUTING_ADAPTIVE_WINDOW = True
    counted = window_counts()
    assert len(counted) == 2
    assert any(slots in sql for sql in counted)
