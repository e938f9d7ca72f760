"""Who gets the offer: one test per routing rule, then the order and what each offer records.

Each rule test sets up an agent who fails exactly that rule and sits closer to the
consumer (Madison, 53703) than an otherwise identical agent who passes it: the closer
one is skipped and the farther one gets the offer, so the test fails if the rule is not
applied.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import transaction

from agentmatch.agents.models import Agent
from agentmatch.core.geo import distance_miles, lookup_zip
from agentmatch.eligibility.agent_facts import set_availability
from agentmatch.eligibility.models import RegistrationCompletion, RegistrationTermination
from agentmatch.eligibility.services import refresh_routing_states
from agentmatch.planyears.services import current_plan_year
from agentmatch.referrals.intake import IntakeError
from agentmatch.referrals.models import Offer, OfferStatus, Referral, ReferralStatus
from agentmatch.referrals.services import offer_next, offer_waiting_referrals, reject_offer
from agentmatch.testing import give_license, make_agent, make_referral

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 09:00 in Chicago (CST, UTC-6), 10:00 in Detroit (EST, UTC-5).
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
TODAY = NOW.date()
NEAR = "53704"  # Madison, about 3 miles from the consumer
MIDDLE = "53202"  # Milwaukee, about 75 miles
FAR = "54601"  # La Crosse, about 105 miles


def refer(*, zip_code: str = "53703", language: str = "en", now: datetime = NOW) -> Referral:
    return make_referral(zip_code=zip_code, language=language, now=now)


def offered_agent(referral: Referral) -> Agent | None:
    offer = referral.offers.filter(status=OfferStatus.PENDING).first()
    return offer.agent if offer else None


def assert_skipped_for(failing: Agent, passing: Agent, **referral_kwargs: object) -> Referral:
    referral = refer(**referral_kwargs)  # type: ignore[arg-type]
    assert offered_agent(referral) == passing
    assert not referral.offers.filter(agent=failing).exists()
    return referral


def refresh(agent: Agent, today: date = TODAY) -> None:
    refresh_routing_states(agents=[agent], plan_year=current_plan_year(), today=today)


def wi_agent(zip_code: str, **kwargs: object) -> Agent:
    return make_agent(zip_code=zip_code, licensed=kwargs.pop("licensed", ["WI"]), now=NOW, **kwargs)  # type: ignore[arg-type]


# --- Marketplace registration, training, our own registration ----------------------------


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param({"registered": False}, id="not_on_the_rcl"),
        pytest.param({"rcl_valid": False}, id="npn_not_valid_on_the_rcl"),
        pytest.param({"trained": False}, id="help_on_demand_training_missing"),
        pytest.param({"service_registered": False}, id="service_registration_incomplete"),
    ],
)
def test_agent_not_eligible_on_cms_or_service_registration_is_skipped(plan_year, failure):
    failing = wi_agent(NEAR, **failure)
    passing = wi_agent(MIDDLE)
    assert_skipped_for(failing, passing)


def test_agent_whose_individual_registration_ended_is_skipped(plan_year):
    failing = wi_agent(NEAR)
    passing = wi_agent(MIDDLE)
    RegistrationCompletion.objects.filter(npn_key=failing.npn_key).update(individual_ends_on=TODAY)
    refresh(failing)
    assert_skipped_for(failing, passing)


def terminate(agent: Agent, status: str, on: date, marketplaces: str = "Individual") -> None:
    RegistrationTermination.objects.create(
        npn_key=agent.npn_key,
        status=status,
        marketplaces=marketplaces,
        plan_year=2026,
        effective_on=on,
    )
    refresh(agent)


def test_agent_terminated_on_the_rtl_is_skipped(plan_year):
    failing = wi_agent(NEAR)
    passing = wi_agent(MIDDLE)
    terminate(failing, "T3", date(2026, 2, 1))
    assert_skipped_for(failing, passing)


def test_agent_reinstated_after_termination_gets_referrals_again(plan_year):
    agent = wi_agent(NEAR)
    wi_agent(MIDDLE)
    terminate(agent, "T3", date(2026, 1, 15))
    terminate(agent, "R1", date(2026, 2, 1))
    assert offered_agent(refer()) == agent


def test_shop_only_termination_does_not_stop_individual_referrals(plan_year):
    agent = wi_agent(NEAR)
    wi_agent(MIDDLE)
    terminate(agent, "T3", date(2026, 2, 1), marketplaces="SHOP")
    assert offered_agent(refer()) == agent


# --- Licenses ------------------------------------------------------------------------------


def licensed_agent(zip_code: str, **license_kwargs: object) -> Agent:
    agent = make_agent(zip_code=zip_code, licensed=[], now=NOW)
    give_license(agent, "WI", **license_kwargs)  # type: ignore[arg-type]
    refresh(agent)
    return agent


def test_property_and_casualty_only_license_is_skipped(plan_year):
    failing = licensed_agent(NEAR, lines=["Property", "Casualty"])
    passing = licensed_agent(MIDDLE, lines=["Accident and Health or Sickness"])
    assert_skipped_for(failing, passing)


def test_inactive_license_is_skipped(plan_year):
    failing = licensed_agent(NEAR, active=False)
    passing = licensed_agent(MIDDLE)
    assert_skipped_for(failing, passing)


def test_license_expired_yesterday_is_skipped_and_expiring_today_is_not(plan_year):
    expired = licensed_agent(NEAR, expires_on=TODAY - timedelta(days=1))
    expiring_today = licensed_agent(MIDDLE, expires_on=TODAY)
    licensed_agent(FAR)
    assert_skipped_for(expired, expiring_today)


def test_license_in_another_state_does_not_count(plan_year):
    failing = make_agent(zip_code=NEAR, licensed=["IA", "MN"], now=NOW)
    passing = wi_agent(MIDDLE)
    assert_skipped_for(failing, passing)


# --- States served ---------------------------------------------------------------------------


def test_consumer_in_a_state_with_its_own_exchange_is_refused_at_intake(plan_year):
    make_agent(zip_code="90001", licensed=["CA"], now=NOW)
    with pytest.raises(IntakeError) as err:
        refer(zip_code="90001")
    assert err.value.code == "state_not_served"
    assert "Covered California" in err.value.message
    assert not Referral.objects.exists()


def test_agent_licensed_only_in_states_not_served_gets_nothing(plan_year):
    agent = make_agent(zip_code=NEAR, licensed=["CA", "IL", "MN"], now=NOW)
    assert not agent.routing_states.exists()
    referral = refer()
    assert referral.status == ReferralStatus.WAITING
    assert not referral.offers.exists()
    assert "no agent receives referrals for WI" in referral.events.get(kind="waiting").detail


# --- Display option and state preferences -------------------------------------------------


@pytest.mark.parametrize("option", [1, 2])
def test_display_options_1_and_2_get_referrals_in_every_licensed_state(plan_year, option):
    agent = make_agent(
        zip_code=NEAR, licensed=["WI", "IA"], home_state="IA", display_option=option, now=NOW
    )
    wi_agent(MIDDLE)
    assert offered_agent(refer()) == agent


def test_display_option_3_gets_referrals_in_the_home_state(plan_year):
    home = make_agent(
        zip_code=NEAR, licensed=["WI", "IA"], home_state="WI", display_option=3, now=NOW
    )
    other = wi_agent(MIDDLE)
    assert_skipped_for(other, home)


def test_display_option_3_gets_no_referrals_outside_the_home_state(plan_year):
    failing = make_agent(
        zip_code="52240", licensed=["WI", "IA"], home_state="WI", display_option=3, now=NOW
    )
    passing = make_agent(zip_code=NEAR, licensed=["WI", "IA"], now=NOW)
    assert_skipped_for(failing, passing, zip_code="52240")  # Iowa City


def test_display_option_4_never_gets_referrals(plan_year):
    failing = make_agent(zip_code=NEAR, licensed=["WI"], home_state="WI", display_option=4, now=NOW)
    passing = wi_agent(MIDDLE)
    assert_skipped_for(failing, passing)


SEED_STATES = ["AK", "AL", "AR", "AZ", "UT", "WI", "WY"]


def test_agent_who_deselected_wi_gets_no_wi_referral_but_still_gets_arizona(plan_year):
    seed = make_agent(zip_code=NEAR, licensed=SEED_STATES, deselected=["WI"], now=NOW)
    other = wi_agent(MIDDLE)
    assert_skipped_for(seed, other)
    phoenix = refer(zip_code="85001")
    assert offered_agent(phoenix) == seed
    assert phoenix.offers.get().explanation["state"] == "AZ"


# --- Language and availability --------------------------------------------------------------


def test_spanish_speaking_consumer_skips_the_english_only_agent(plan_year):
    english_only = wi_agent(NEAR, languages=["en"])
    bilingual = wi_agent(MIDDLE, languages=["en", "Spanish"])
    referral = assert_skipped_for(english_only, bilingual, language="es")
    assert "speaks es" in referral.offers.get().reason


def test_agent_switched_off_is_skipped(plan_year):
    failing = wi_agent(NEAR, switch="off")
    passing = wi_agent(MIDDLE)
    assert_skipped_for(failing, passing)


def scheduled_agent(zip_code: str, *, at: datetime, licensed: list[str] | None = None) -> Agent:
    """Monday 09:00-17:00 in the agent's own time zone, following the schedule."""
    agent = make_agent(zip_code=zip_code, licensed=licensed or ["WI"], switch="schedule", now=at)
    with transaction.atomic():
        set_availability(agent=agent, weekly_hours=[(0, time(9), time(17))], now=at)
    return agent


def test_agent_on_schedule_is_offered_inside_weekly_hours(plan_year):
    at = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 09:00 in Chicago
    scheduled = scheduled_agent(NEAR, at=at)
    wi_agent(MIDDLE)
    assert offered_agent(refer(now=at)) == scheduled


def test_agent_on_schedule_is_skipped_after_hours(plan_year):
    at = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # 17:30 in Chicago
    failing = scheduled_agent(NEAR, at=at)
    passing = wi_agent(MIDDLE)
    assert_skipped_for(failing, passing, now=at)


def test_weekly_hours_are_read_in_each_agents_own_time_zone(plan_year):
    at = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)  # 08:30 in Madison, 09:30 in Grand Rapids
    chicago = scheduled_agent(NEAR, at=at)
    detroit = scheduled_agent("49503", at=at)
    assert detroit.time_zone == "America/Detroit"
    assert_skipped_for(chicago, detroit, now=at)


def test_extended_absence_overrides_the_green_switch(plan_year):
    failing = wi_agent(NEAR)
    passing = wi_agent(MIDDLE)
    with transaction.atomic():
        set_availability(agent=failing, switch="on", absences=[(TODAY, TODAY, "Sick day")], now=NOW)
    assert_skipped_for(failing, passing)


def test_absence_starting_after_the_last_check_is_noticed_before_offering(plan_year):
    failing = wi_agent(NEAR)
    passing = wi_agent(MIDDLE)
    tomorrow = TODAY + timedelta(days=1)
    with transaction.atomic():
        set_availability(agent=failing, absences=[(tomorrow, tomorrow, "Vacation")], now=NOW)
    failing.refresh_from_db()
    assert failing.is_available is True  # stored flag; the absence begins tomorrow
    assert_skipped_for(failing, passing, now=NOW + timedelta(days=1))


# --- Never twice, pending-offer limit --------------------------------------------------------


def test_agent_who_rejected_is_never_offered_the_same_referral_again(plan_year):
    agent = wi_agent(NEAR)
    referral = refer()
    with transaction.atomic():
        reject_offer(offer_id=referral.offers.get().pk, agent=agent, now=NOW + timedelta(minutes=1))
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WAITING  # the only agent said no
    later = NOW + timedelta(minutes=5)
    with transaction.atomic():
        assert offer_waiting_referrals(now=later, agent=agent) == 0
        assert offer_waiting_referrals(now=later) == 0
        assert offer_next(referral=Referral.objects.get(pk=referral.pk), now=later) is None
    assert referral.offers.count() == 1
    # A different referral is still offered to them.
    assert offered_agent(refer(now=later)) == agent


def test_agent_holding_a_pending_offer_is_skipped_at_the_default_limit_of_one(plan_year):
    near = wi_agent(NEAR)
    middle = wi_agent(MIDDLE)
    assert offered_agent(refer()) == near
    assert offered_agent(refer(now=NOW + timedelta(seconds=1))) == middle


def test_configurable_limit_of_two_pending_offers(plan_year, settings):
    settings.MAX_PENDING_OFFERS_PER_AGENT = 2
    near = wi_agent(NEAR)
    middle = wi_agent(MIDDLE)
    first, second, third = (refer(now=NOW + timedelta(seconds=s)) for s in range(3))
    assert [offered_agent(r) for r in (first, second, third)] == [near, near, middle]


def test_answered_offers_do_not_count_against_the_limit(plan_year):
    near = wi_agent(NEAR)
    wi_agent(MIDDLE)
    first = refer()
    with transaction.atomic():
        reject_offer(offer_id=first.offers.get().pk, agent=near, now=NOW + timedelta(minutes=1))
    assert offered_agent(refer(now=NOW + timedelta(minutes=2))) == near


# --- Order -----------------------------------------------------------------------------------


def test_offers_go_out_closest_first_by_great_circle_distance(plan_year):
    # Created farthest first, so the database's natural order would be wrong.
    la_crosse = wi_agent(FAR)
    milwaukee = wi_agent(MIDDLE)
    madison = wi_agent(NEAR)
    referral = refer()
    order = []
    t = NOW
    for _ in range(3):
        offer = referral.offers.get(status=OfferStatus.PENDING)
        order.append(offer)
        t += timedelta(minutes=1)
        with transaction.atomic():
            reject_offer(offer_id=offer.pk, agent=offer.agent, now=t)
    assert [o.agent for o in order] == [madison, milwaukee, la_crosse]
    consumer = lookup_zip("53703")
    for offer in order:
        place = lookup_zip(offer.agent.business_zip)
        expected = distance_miles(
            consumer.latitude, consumer.longitude, place.latitude, place.longitude
        )
        assert offer.distance_miles == pytest.approx(expected, abs=0.01)
    assert [round(o.distance_miles) for o in order] == [3, 75, 105]
    assert [o.qualified_agents for o in order] == [3, 2, 1]


def test_equal_distance_goes_to_whoever_waited_longest_never_offered_first(plan_year):
    recent = wi_agent(NEAR, first_name="Recent")
    oldest = wi_agent(NEAR, first_name="Oldest")
    never = wi_agent(NEAR, first_name="Never")
    Agent.objects.filter(pk=recent.pk).update(last_offered_at=NOW - timedelta(hours=1))
    Agent.objects.filter(pk=oldest.pk).update(last_offered_at=NOW - timedelta(days=3))
    referrals = [refer(now=NOW + timedelta(seconds=s)) for s in range(3)]
    assert [offered_agent(r) for r in referrals] == [never, oldest, recent]
    explained = [r.offers.get().explanation["agent_last_offered_at"] for r in referrals]
    assert explained[0] is None
    assert explained[1] == (NOW - timedelta(days=3)).isoformat()


def test_offer_records_rank_distance_qualified_count_and_reason(plan_year):
    wi_agent(FAR)
    near = wi_agent(NEAR)
    referral = refer()
    offer = referral.offers.get()
    assert offer.agent == near
    assert (offer.position, offer.rank, offer.qualified_agents) == (1, 1, 2)
    assert 2 < offer.distance_miles < 5
    assert offer.reason.startswith("Closest qualified agent (")
    # Two qualified agents, too few to settle within a small box: counted over the state.
    assert "miles from 53703) of 2 in WI: routed for WI, speaks en, available" in offer.reason
    recorded = {
        "state": "WI",
        "language": "en",
        "distance_miles": offer.distance_miles,
        "rank": 1,
        "qualified_agents": 2,
        "agent_last_offered_at": None,
        "skipped": [],
    }
    assert {k: offer.explanation.get(k) for k in recorded} == recorded
    assert offer.expires_at - offer.offered_at == timedelta(minutes=15)
    near.refresh_from_db()
    assert near.last_offered_at == NOW


def test_closer_agent_whose_hours_just_ended_is_skipped_and_the_reason_says_so(plan_year):
    monday_1600_chicago = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)
    stale = scheduled_agent(NEAR, at=monday_1600_chicago)  # available until 17:00
    farther = wi_agent(MIDDLE)
    # 17:05 in Chicago; the worker has not re-checked the stored flag yet.
    referral = refer(now=monday_1600_chicago + timedelta(minutes=65))
    offer = referral.offers.get()
    assert offer.agent == farther
    assert (offer.rank, offer.qualified_agents) == (2, 2)
    assert f"Closer agents skipped: {stale.npn} no longer available" in offer.reason
    assert "outside weekly hours (America/Chicago)" in offer.explanation["skipped"][0]


def test_more_than_five_stale_closer_agents_do_not_hide_an_available_one(plan_year):
    monday_1600_chicago = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)
    for zip_code in ("53703", "53704", "53705", "53711", "53713"):
        scheduled_agent(zip_code, at=monday_1600_chicago)  # hours end at 17:00
    available = wi_agent(MIDDLE)
    referral = refer(now=monday_1600_chicago + timedelta(minutes=65))
    assert offered_agent(referral) == available
    assert Offer.objects.count() == 1
