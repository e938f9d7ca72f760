"""A missed offer pauses the agent (PAUSE_AGENT_AFTER_MISSED_OFFER) and remembers the mode
they were in: "I'm back" returns them to their weekly hours (or to available), the message
and the workspace say so, and the referral timeline gives the reason."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from agentmatch.accounts.agent_actions import flip_switch
from agentmatch.agents.models import Agent, AgentChange, AvailabilitySwitch, Channel
from agentmatch.eligibility.agent_facts import set_availability
from agentmatch.eligibility.models import RoutingSlot
from agentmatch.notifications.models import Message
from agentmatch.referrals.jobs import expire_offers_batch
from agentmatch.referrals.models import EventKind, OfferStatus
from agentmatch.testing import (
    api_token_for,
    make_agent,
    make_agent_user,
    make_operator,
    make_referral,
    render_outbox,
)

pytestmark = pytest.mark.django_db

# Wednesday 25 November 2026, 2:00 p.m. in Madison (America/Chicago): inside weekday hours.
NOW = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
MISSED = NOW + timedelta(minutes=16)
# 5:30 p.m. the same day in Madison: after the weekday hours end.
EVENING = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
# Thursday 9:00 a.m. in Madison: inside the hours again.
NEXT_MORNING = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
WEEKDAYS_8_TO_5 = [(day, time(8), time(17)) for day in range(5)]


def madison_agent(*, switch: str, languages: tuple[str, ...] = ("en",)) -> Agent:
    agent = make_agent(
        zip_code="53711", licensed=["WI"], first_name="Nora", languages=languages, now=NOW
    )
    with transaction.atomic():
        set_availability(agent=agent, now=NOW, switch=switch, weekly_hours=WEEKDAYS_8_TO_5)
    return agent


def miss_an_offer(agent: Agent, *, language: str = "en"):  # type: ignore[no-untyped-def]
    referral = make_referral(now=NOW, language=language)
    assert referral.offers.get().agent == agent
    assert expire_offers_batch(MISSED) is True
    agent.refresh_from_db()
    return referral


def slot_available(agent: Agent) -> bool:
    return RoutingSlot.objects.filter(agent=agent, is_available=True).exists()


def test_a_scheduled_agent_who_misses_an_offer_is_paused_and_follows_their_hours_again(
    plan_year,
) -> None:
    agent = madison_agent(switch=AvailabilitySwitch.SCHEDULE)
    assert agent.is_available is True
    miss_an_offer(agent)
    assert agent.availability_switch == AvailabilitySwitch.OFF
    assert agent.is_available is False
    assert agent.paused_after_missed_offer_at == MISSED
    assert agent.mode_before_pause == AvailabilitySwitch.SCHEDULE
    assert not slot_available(agent)

    # "I'm back" in the evening: back on the weekly hours, so not available outside them.
    result = flip_switch(agent=agent, now=EVENING, channel=Channel.WEB, on=True)
    agent.refresh_from_db()
    assert agent.availability_switch == AvailabilitySwitch.SCHEDULE
    assert agent.paused_after_missed_offer_at is None
    assert agent.mode_before_pause == ""
    assert result.is_available is False
    assert agent.is_available is False
    assert not slot_available(agent)
    change = AgentChange.objects.filter(agent=agent).latest("pk")
    assert change.detail == "schedule (back from a pause after a missed offer)"


def test_an_agent_back_from_a_pause_inside_their_hours_takes_referrals_again(plan_year) -> None:
    agent = madison_agent(switch=AvailabilitySwitch.SCHEDULE)
    miss_an_offer(agent)
    result = flip_switch(agent=agent, now=NEXT_MORNING, channel=Channel.WEB, on=True)
    agent.refresh_from_db()
    assert result.is_available is True
    assert agent.is_available is True
    assert slot_available(agent)


def test_an_always_on_agent_who_misses_an_offer_comes_back_to_available(plan_year) -> None:
    agent = madison_agent(switch=AvailabilitySwitch.ON)
    miss_an_offer(agent)
    assert agent.mode_before_pause == AvailabilitySwitch.ON
    result = flip_switch(agent=agent, now=EVENING, channel=Channel.WEB, on=True)
    agent.refresh_from_db()
    assert agent.availability_switch == AvailabilitySwitch.ON
    assert result.is_available is True
    assert slot_available(agent)


def test_the_api_shows_the_pause_and_an_explicit_choice_sets_what_it_says(plan_year) -> None:
    agent = madison_agent(switch=AvailabilitySwitch.SCHEDULE)
    miss_an_offer(agent)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_for(agent)}"}
    profile = Client().get("/api/v1/agent/profile", **auth)  # type: ignore[arg-type]
    shown = profile.json()["availability"]
    assert shown["switch"] == "off"
    assert shown["mode_before_pause"] == "schedule"
    assert shown["paused_after_missed_offer_at"] is not None
    response = Client().put(
        "/api/v1/agent/availability",
        {"switch": "on"},
        content_type="application/json",
        **auth,  # type: ignore[arg-type]
    )
    assert response.status_code == 200, response.content
    agent.refresh_from_db()
    assert agent.availability_switch == AvailabilitySwitch.ON
    assert agent.paused_after_missed_offer_at is None
    assert agent.mode_before_pause == ""


def test_an_agent_already_switched_off_is_not_paused_by_a_missed_offer(plan_year) -> None:
    agent = madison_agent(switch=AvailabilitySwitch.ON)
    referral = make_referral(now=NOW)
    with transaction.atomic():
        set_availability(agent=agent, now=NOW, switch=AvailabilitySwitch.OFF)
    assert expire_offers_batch(MISSED) is True
    agent.refresh_from_db()
    assert agent.paused_after_missed_offer_at is None
    render_outbox()
    email = Message.objects.get(kind="offer_missed", channel="email")
    assert "paused" not in email.body
    assert referral.events.get(kind=EventKind.EXPIRED).detail == (
        "no answer within the offer window"
    )


def test_a_pause_without_the_mode_to_come_back_to_is_refused_by_the_database(plan_year) -> None:
    agent = madison_agent(switch=AvailabilitySwitch.ON)
    with pytest.raises(IntegrityError), transaction.atomic():
        Agent.objects.filter(pk=agent.pk).update(
            availability_switch=AvailabilitySwitch.OFF, paused_after_missed_offer_at=NOW
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        # Paused but switched on: the pause would never end.
        Agent.objects.filter(pk=agent.pk).update(
            paused_after_missed_offer_at=NOW, mode_before_pause=AvailabilitySwitch.SCHEDULE
        )


@pytest.mark.parametrize(
    ("switch", "language", "email_says", "sms_says"),
    [
        (
            AvailabilitySwitch.SCHEDULE,
            "en",
            "When you switch back on in your workspace, you follow your weekly hours again",
            "switching back on returns you to your weekly hours",
        ),
        (
            AvailabilitySwitch.ON,
            "en",
            "When you switch back on in your workspace, you are available again",
            "switching back on makes you available again",
        ),
        (
            AvailabilitySwitch.SCHEDULE,
            "es",
            "vuelve a seguir su horario semanal",
            "vuelve a su horario semanal",
        ),
        (
            AvailabilitySwitch.ON,
            "es",
            "vuelve a estar disponible",
            "vuelve a estar disponible",
        ),
    ],
)
def test_the_missed_offer_message_says_the_agent_is_paused_and_what_coming_back_does(
    plan_year, switch: str, language: str, email_says: str, sms_says: str
) -> None:
    agent = madison_agent(switch=switch, languages=(language,))
    miss_an_offer(agent, language=language)
    render_outbox()
    missed = {m.channel: m for m in Message.objects.filter(kind="offer_missed")}
    assert missed["email"].language == language
    assert email_says in missed["email"].body
    assert sms_says in missed["sms"].body
    assert ("pausa" if language == "es" else "paused") in missed["email"].body


def test_with_the_setting_off_a_missed_offer_pauses_nobody(plan_year, settings) -> None:
    settings.PAUSE_AGENT_AFTER_MISSED_OFFER = False
    agent = madison_agent(switch=AvailabilitySwitch.SCHEDULE)
    referral = miss_an_offer(agent)
    assert agent.availability_switch == AvailabilitySwitch.SCHEDULE
    assert agent.paused_after_missed_offer_at is None
    assert agent.is_available is True
    assert referral.offers.get(agent=agent).status == OfferStatus.EXPIRED
    render_outbox()
    assert "paused" not in Message.objects.get(kind="offer_missed", channel="email").body


def test_the_referral_timeline_gives_the_reason_for_the_pause(plan_year) -> None:
    agent = madison_agent(switch=AvailabilitySwitch.SCHEDULE)
    referral = miss_an_offer(agent)
    detail = referral.events.get(kind=EventKind.EXPIRED).detail
    assert detail == (
        "no answer within the offer window; paused after a missed offer"
        " (was: Follow my weekly hours)"
    )
    client = Client()
    client.force_login(make_operator())
    page = client.get(reverse("operations:referral", args=[referral.public_id]))
    assert page.status_code == 200
    assert "paused after a missed offer (was: Follow my weekly hours)" in page.content.decode()


def test_the_workspace_shows_the_pause_and_its_button_brings_the_agent_back(plan_year) -> None:
    agent = madison_agent(switch=AvailabilitySwitch.ON)
    client = Client()
    client.force_login(make_agent_user(agent))
    workspace = reverse("workspace:referrals")
    assert 'id="paused-banner"' not in client.get(workspace).content.decode()

    miss_an_offer(agent)
    page = client.get(workspace).content.decode()
    assert 'id="paused-banner"' in page
    assert "When you come back, you are available again." in page
    assert "Paused after a missed referral" in page  # the header switch's hint

    response = client.post(reverse("agents:switch"), {"switch": "on", "next": workspace})
    assert response.status_code == 302
    assert response["Location"] == workspace
    agent.refresh_from_db()
    assert agent.availability_switch == AvailabilitySwitch.ON
    assert agent.is_available is True
    assert 'id="paused-banner"' not in client.get(workspace).content.decode()


def test_the_workspace_banner_of_a_scheduled_agent_promises_their_weekly_hours(
    plan_year,
) -> None:
    agent = madison_agent(switch=AvailabilitySwitch.SCHEDULE)
    client = Client()
    client.force_login(make_agent_user(agent))
    miss_an_offer(agent)
    page = client.get(reverse("workspace:referrals")).content.decode()
    assert "When you come back, you follow your weekly hours again." in page
    response = client.post(reverse("agents:switch"), {"switch": "on"}, follow=True)
    agent.refresh_from_db()
    assert agent.availability_switch == AvailabilitySwitch.SCHEDULE
    assert "You follow your weekly hours again." in response.content.decode()
