"""Schemas of the agent app's workspace operations: accepted referrals, follow-ups, history,
availability, absences, contact details and the Find Local Help listing.

Every closed set is an enum of agentmatch.api.enums, built from the model's own choices.
"""

from datetime import date, datetime, time
from uuid import UUID

from ninja import Schema
from pydantic import Field

from agentmatch.api.enums import (
    ContactMethodChoice,
    FollowUpState,
    Language,
    OnOff,
    Outcome,
    Switch,
    TestChannel,
    UsState,
)
from agentmatch.api.schemas import InputSchema

REFERENCE = "What the consumer, the agent and support read out, e.g. K7QF-3M9D (the id is for URLs)"


# --- Accepted referrals and follow-ups ---------------------------------------------------


class ConsumerOut(Schema):
    """The consumer's contact details: only on referrals the agent accepted, and every
    answer that carries them is recorded as a disclosure."""

    first_name: str
    last_name: str
    phone: str = Field(description="E.164, e.g. +16085550100")
    email: str


class FollowUpOut(Schema):
    status: FollowUpState  # type: ignore[valid-type]
    application_id: str = Field(description="Set for enrolled: the Marketplace application ID")
    reason: str
    at: datetime


class AcceptedReferralOut(Schema):
    referral_id: UUID
    reference: str = Field(description=REFERENCE)
    accepted_at: datetime | None
    contact_by: datetime | None = Field(
        description="When a reminder goes out if no follow-up is recorded by then"
    )
    needs_reminder: bool = Field(description="Accepted a while ago and nothing recorded yet")
    follow_up: FollowUpState | None  # type: ignore[valid-type]
    consumer: ConsumerOut
    city: str
    state: UsState  # type: ignore[valid-type]
    zip: str
    language: Language  # type: ignore[valid-type]


class ReferralDetailOut(Schema):
    referral_id: UUID
    reference: str = Field(description=REFERENCE)
    requested_at: datetime
    accepted_at: datetime | None
    contact_by: datetime | None
    needs_reminder: bool
    details_removed: bool = Field(
        description="The referral ended and the consumer's details were removed (retention): "
        "consumer is null and no follow-up can be recorded"
    )
    consumer: ConsumerOut | None
    texts_not_delivered: str | None = Field(
        description="Why texts to the consumer's phone fail, as the carrier reported it"
    )
    city: str
    state: UsState  # type: ignore[valid-type]
    zip: str
    language: Language  # type: ignore[valid-type]
    follow_up: FollowUpOut | None = Field(description="The current follow-up status")
    follow_ups: list[FollowUpOut] = Field(description="Every status recorded, newest first")


class FollowUpIn(InputSchema):
    status: FollowUpState  # type: ignore[valid-type]
    application_id: str = Field(
        default="", max_length=100, description="Required for enrolled (at most 40 characters)"
    )
    reason: str = Field(
        default="",
        max_length=2000,
        description="Required for deferred, not_good_prospect and could_not_reach "
        "(at most 1000 characters)",
    )

    multiline_fields = frozenset({"reason"})


# --- History -----------------------------------------------------------------------------


class HistoryRowOut(Schema):
    offer_id: int
    offered_at: datetime
    outcome: Outcome  # type: ignore[valid-type]
    answered_at: datetime | None
    follow_up: FollowUpState | None  # type: ignore[valid-type]
    referral_id: UUID | None = Field(
        description="Set on accepted referrals: GET /agent/referrals/{referral_id} for details"
    )
    city: str = Field(description="Empty once the referral's details were removed")
    state: UsState  # type: ignore[valid-type]
    zip: str = Field(description="Empty once the referral's details were removed")
    language: Language  # type: ignore[valid-type]
    details_removed: bool


class HistoryPageOut(Schema):
    rows: list[HistoryRowOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page"
    )


# --- Availability and absences -----------------------------------------------------------


class HoursOut(Schema):
    weekday: int = Field(description="0 = Monday ... 6 = Sunday")
    start: time
    end: time = Field(description="00:00 is midnight at the end of the day")


class AbsenceOut(Schema):
    id: int
    first_day: date
    last_day: date
    note: str


class AvailabilityDetailOut(Schema):
    switch: Switch  # type: ignore[valid-type]
    is_available: bool
    reason: str
    changes_at: datetime | None
    paused_after_missed_offer_at: datetime | None
    mode_before_pause: Switch | None  # type: ignore[valid-type]
    follows_hours_without_any: bool = Field(
        description="The switch follows weekly hours but none are set: never available"
    )
    time_zone: str = Field(description="The agent's time zone; hours and days are in it")
    weekly_hours: list[HoursOut]
    absences: list[AbsenceOut] = Field(description="Current and coming absences")


class SwitchIn(InputSchema):
    switch: OnOff = Field(  # type: ignore[valid-type]
        description='The header switch: "off", or "on" (after a pause for a missed offer: '
        "back to the mode before it)"
    )


class NewAbsenceIn(InputSchema):
    first_day: date
    last_day: date
    note: str = Field(default="", max_length=400)


# --- Contact details, listing, test messages ---------------------------------------------


class ContactOut(Schema):
    cell_phone: str = Field(description="E.164")
    contact_method: ContactMethodChoice  # type: ignore[valid-type]
    zip_code: str = Field(description="Business ZIP code: places the agent for routing")
    texts_not_delivered: str | None


class ContactIn(InputSchema):
    cell_phone: str = Field(max_length=40)
    contact_method: ContactMethodChoice  # type: ignore[valid-type]
    zip_code: str = Field(max_length=10)


class ListingOut(Schema):
    eligible_states: list[UsState]  # type: ignore[valid-type]
    listed_states: list[UsState] = Field(  # type: ignore[valid-type]
        description="States where Find Local Help lists the agent"
    )


class ListingIn(InputSchema):
    states: list[str] = Field(description="Among eligible_states; [] lists the agent nowhere")


class StateEligibilityOut(Schema):
    state: UsState  # type: ignore[valid-type]
    ok: bool
    licensed: bool
    reasons: list[str]


class TestMessageIn(InputSchema):
    channel: TestChannel  # type: ignore[valid-type]


class TestMessageOut(Schema):
    sent: int = Field(description="1: a test is on its way; 0: one was sent in the last minute")
