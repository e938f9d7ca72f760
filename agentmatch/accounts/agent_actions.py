"""What an agent changes about themselves, one action per use case, behind every door.

Each action opens its own transaction (`transaction.atomic(durable=True)`: nothing may wrap
it), checks every rule with the validators the forms and API schemas share, writes an
`AgentChange` audit row, and runs its follow-ups exactly once before it commits: the
stored availability, the routing index (`eligibility.routing_table`, or the routing states
through `refresh_routing_states`) and the waiting referrals this agent may now take.
Errors are `SettingError`s (stable `code`, human `message`, the `field` concerned).

This module is the agent's use-case layer, on the agent's side of the product above
referrals and notifications: it composes agents.services (steps on agents' own tables) with
eligibility (the routing index), referrals and the outbox; nothing below imports it.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction

from agentmatch.accounts.notification_test import send_test_notification
from agentmatch.agents import services
from agentmatch.agents.availability import Availability
from agentmatch.agents.contact import ContactDetails
from agentmatch.agents.errors import SettingError
from agentmatch.agents.models import Absence, Agent, AgentChange, AvailabilitySwitch, ChangeKind
from agentmatch.agents.ownership import set_own_languages
from agentmatch.agents.schedule import HoursRange
from agentmatch.eligibility.agent_facts import refresh_availability, update_contact
from agentmatch.eligibility.preferences import set_directory_choices, set_state_preferences
from agentmatch.eligibility.routing_table import rebuild_slots
from agentmatch.eligibility.services import refresh_routing_states
from agentmatch.notifications import undeliverable
from agentmatch.notifications.models import PushSubscription
from agentmatch.notifications.subscriptions import SubscriptionError, subscribe, unsubscribe
from agentmatch.planyears.services import current_plan_year
from agentmatch.referrals.services import offer_waiting_referrals


@dataclass
class FollowUps:
    """What a change makes stale; `run` brings each one up to date once."""

    availability: bool = False  # switch, hours, absences: is_available and its slots
    slots: bool = False  # languages, location: the agent's routing index rows
    routing_states: bool = False  # state choices: RoutingState, then its slots
    referrals: bool = False  # the agent may now take a waiting referral

    def run(self, *, agent: Agent, now: datetime) -> None:
        if self.routing_states:
            refresh_routing_states(agents=[agent], plan_year=current_plan_year(), today=now.date())
        if self.slots:
            rebuild_slots(agent_ids=[agent.pk])
        if self.availability:
            refresh_availability(agent=agent, now=now)
        if self.referrals:
            offer_waiting_referrals(now=now, agent=agent)


def _audit(agent: Agent, now: datetime, kind: str, channel: str, detail: str = "") -> None:
    AgentChange.objects.create(agent=agent, at=now, kind=kind, channel=channel, detail=detail)


def _hours_detail(hours: Sequence[HoursRange]) -> str:
    days = sorted({weekday for weekday, _start, _end in hours})
    return f"{len(hours)} ranges on {len(days)} days" if hours else "no hours"


def _days(first_day: date, last_day: date) -> str:
    return f"{first_day.isoformat()}..{last_day.isoformat()}"


# --- Availability: the switch, weekly hours, extended absences --------------------------


def change_availability(
    *,
    agent: Agent,
    now: datetime,
    channel: str,
    switch: str | None = None,
    weekly_hours: Sequence[HoursRange] | None = None,
    absences: Sequence[tuple[date, date, str]] | None = None,
) -> Availability:
    """Changes whichever of the switch, the week's hours (replaced) and the absences
    (replaced) are given; returns the availability that results."""
    with transaction.atomic(durable=True):
        if switch is not None:
            services.set_switch(agent=agent, switch=switch)
            _audit(agent, now, ChangeKind.SWITCH, channel, switch)
        if weekly_hours is not None:
            services.replace_weekly_hours(agent=agent, hours=weekly_hours)
            _audit(agent, now, ChangeKind.WEEKLY_HOURS, channel, _hours_detail(weekly_hours))
        if absences is not None:
            services.replace_absences(agent=agent, absences=absences, now=now)
            listed = ", ".join(_days(first, last) for first, last, _note in absences)
            _audit(agent, now, ChangeKind.ABSENCES, channel, f"now: {listed or 'none'}"[:300])
        FollowUps(availability=True, referrals=True).run(agent=agent, now=now)
    return services.availability_of(agent=agent, now=now)


def flip_switch(*, agent: Agent, now: datetime, channel: str, on: bool) -> Availability:
    """The header's green/red switch (and the workspace's "I'm back" button).

    Off is off. On after a missed-offer pause returns the agent to the mode they were in
    (their weekly hours, or available), so the pause never leaves them on around the
    clock; on otherwise is available now. An explicit choice of mode on the availability
    page or the API is `change_availability`, which sets what it says.
    """
    with transaction.atomic(durable=True):
        # Locked, so that an offer expiring at this moment cannot pause the agent between
        # reading the mode to come back to and storing it.
        locked = (
            Agent.objects.select_for_update()
            .only("paused_after_missed_offer_at", "mode_before_pause")
            .get(pk=agent.pk)
        )
        agent.paused_after_missed_offer_at = locked.paused_after_missed_offer_at
        agent.mode_before_pause = locked.mode_before_pause
        paused = agent.paused_after_missed_offer_at is not None
        switch = services.mode_to_come_back_to(agent) if on else AvailabilitySwitch.OFF
        services.set_switch(agent=agent, switch=switch)
        detail = f"{switch} (back from a pause after a missed offer)" if paused and on else switch
        _audit(agent, now, ChangeKind.SWITCH, channel, detail)
        FollowUps(availability=True, referrals=True).run(agent=agent, now=now)
    return services.availability_of(agent=agent, now=now)


def add_absence(
    *, agent: Agent, now: datetime, channel: str, first_day: date, last_day: date, note: str
) -> Absence:
    """One more extended absence of whole days in the agent's time zone."""
    with transaction.atomic(durable=True):
        absence = services.add_absence(
            agent=agent, first_day=first_day, last_day=last_day, note=note, now=now
        )
        _audit(agent, now, ChangeKind.ABSENCES, channel, f"added {_days(first_day, last_day)}")
        FollowUps(availability=True).run(agent=agent, now=now)
    return absence


def remove_absence(*, agent: Agent, now: datetime, channel: str, absence_id: int) -> bool:
    """Removes one of the agent's own absences; False if there was no such absence."""
    with transaction.atomic(durable=True):
        if not services.delete_absence(agent=agent, absence_id=absence_id):
            return False
        _audit(agent, now, ChangeKind.ABSENCES, channel, f"removed absence {absence_id}")
        FollowUps(availability=True, referrals=True).run(agent=agent, now=now)
    return True


# --- Preferences: languages and states ---------------------------------------------------


def _apply_languages(agent: Agent, now: datetime, channel: str, values: Iterable[str]) -> None:
    codes = services.clean_languages(values)
    # Languages the agent changes here are theirs: the roster no longer overwrites them.
    set_own_languages(agent=agent, languages=codes, now=now)
    _audit(agent, now, ChangeKind.LANGUAGES, channel, ", ".join(codes))


def _apply_states(agent: Agent, now: datetime, channel: str, states: Sequence[str]) -> None:
    set_state_preferences(
        agent=agent, selected=list(states), plan_year=current_plan_year(), today=now.date()
    )
    chosen = ", ".join(sorted({s.strip().upper() for s in states}))
    _audit(agent, now, ChangeKind.STATES, channel, chosen or "none")


def change_languages(
    *, agent: Agent, now: datetime, channel: str, languages: Iterable[str]
) -> None:
    """The languages the agent speaks: codes or names, comma-separated or one per value."""
    change_preferences(agent=agent, now=now, channel=channel, languages=languages)


def change_state_preferences(
    *, agent: Agent, now: datetime, channel: str, states: Sequence[str]
) -> None:
    """Which of their eligible states the agent wants referrals for."""
    change_preferences(agent=agent, now=now, channel=channel, states=states)


def change_directory_listing(
    *, agent: Agent, now: datetime, channel: str, states: Sequence[str]
) -> None:
    """In which of their eligible states consumers find the agent in Find Local Help
    (referrals are not affected: those follow the state preferences)."""
    with transaction.atomic(durable=True):
        set_directory_choices(
            agent=agent, listed=list(states), plan_year=current_plan_year(), today=now.date()
        )
        chosen = ", ".join(sorted({s.strip().upper() for s in states}))
        _audit(agent, now, ChangeKind.DIRECTORY, channel, f"listed in: {chosen or 'none'}")
        # The listings are rewritten with the routing states, from the same facts.
        FollowUps(routing_states=True).run(agent=agent, now=now)


def change_preferences(
    *,
    agent: Agent,
    now: datetime,
    channel: str,
    languages: Iterable[str] | None = None,
    states: Sequence[str] | None = None,
) -> None:
    """Languages and state choices together (the API sends both in one request)."""
    with transaction.atomic(durable=True):
        apply_preferences(agent=agent, now=now, channel=channel, languages=languages, states=states)


def apply_preferences(
    *,
    agent: Agent,
    now: datetime,
    channel: str,
    languages: Iterable[str] | None = None,
    states: Sequence[str] | None = None,
) -> None:
    """The steps of `change_preferences`, inside a transaction an action already holds
    (accepting the CMS Terms of Use confirms languages and states on the same screen)."""
    follow_ups = FollowUps(referrals=True)
    if languages is not None:
        _apply_languages(agent, now, channel, languages)
        follow_ups.slots = True
    if states is not None:
        _apply_states(agent, now, channel, states)
        follow_ups.routing_states = True
    follow_ups.run(agent=agent, now=now)


# --- Contact details and app notifications -----------------------------------------------


def change_contact_details(
    *, agent: Agent, now: datetime, channel: str, details: ContactDetails
) -> Agent:
    """Cell phone, contact method and business ZIP (which places the agent for routing).

    Saving the cell phone is the agent saying it takes texts: a number marked undeliverable
    (the old one, or the same one fixed with the carrier) gets texts again.
    """
    with transaction.atomic(durable=True):
        old_phone = agent.cell_phone
        # update_contact rebuilds the routing index when the ZIP moved the agent.
        changed = update_contact(agent=agent, details=details, now=now)
        detail = ", ".join(changed) or "unchanged"
        if undeliverable.clear(old_phone, agent.cell_phone):
            detail += "; texts to the cell phone allowed again"
        _audit(agent, now, ChangeKind.CONTACT, channel, detail)
    return agent


def add_push_subscription(
    *,
    agent: Agent,
    now: datetime,
    channel: str,
    endpoint: str,
    p256dh: str,
    auth: str,
    user_agent: str,
) -> PushSubscription:
    """App notifications to one more browser or installed app."""
    with transaction.atomic(durable=True):
        try:
            subscription = subscribe(
                agent=agent,
                endpoint=endpoint,
                p256dh=p256dh,
                auth=auth,
                user_agent=user_agent,
                now=now,
            )
        except SubscriptionError as exc:
            raise SettingError(exc.field, exc.message, code="bad_subscription") from exc
        _audit(agent, now, ChangeKind.PUSH, channel, f"subscribed {subscription.pk}")
    return subscription


def remove_push_subscription(*, agent: Agent, now: datetime, channel: str, endpoint: str) -> bool:
    """Stops app notifications to one browser or app; False if it was not subscribed."""
    with transaction.atomic(durable=True):
        if not unsubscribe(agent=agent, endpoint=endpoint):
            return False
        _audit(agent, now, ChangeKind.PUSH, channel, "unsubscribed")
    return True


def send_test_message(*, agent: Agent, now: datetime, via: str) -> int:
    """'Send me a test' by email, text or app notification; returns how many were new.

    Raises NothingToSend when the agent has no address for that channel.
    """
    with transaction.atomic(durable=True):
        return send_test_notification(agent=agent, channel=via, now=now)
