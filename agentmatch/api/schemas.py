from datetime import date, datetime, time
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field


class ErrorDetail(Schema):
    field: str | None = None
    code: str
    message: str


class ErrorOut(Schema):
    error: ErrorDetail


class ReferralIn(Schema):
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    phone: str = Field(max_length=40)
    email: str | None = Field(default=None, max_length=254)
    zip: str = Field(max_length=10, description="5-digit ZIP code of the consumer")
    language: str = Field(default="en", max_length=40, description="ISO 639-1 code, e.g. 'es'")
    consent: bool = Field(description="The consumer agrees to be contacted (required)")


class ReferralCreatedOut(Schema):
    id: UUID
    status: str
    status_token: str = Field(description="Secret: send as X-Status-Token to read or cancel")


class AssignedAgentOut(Schema):
    name: str
    npn: str
    phone: str


class ReferralStatusOut(Schema):
    id: UUID
    status: str
    status_text: str
    created_at: datetime
    ended_at: datetime | None
    agent: AssignedAgentOut | None


class OfferOut(Schema):
    id: int
    zip: str
    city: str
    state: str
    language: str
    offered_at: datetime
    expires_at: datetime
    seconds_left: int
    distance_miles: float


class ConsumerContactOut(Schema):
    referral_id: UUID
    first_name: str
    last_name: str
    phone: str
    email: str
    zip: str
    city: str
    state: str
    language: str


class OfferSettledOut(Schema):
    id: int
    status: str


class HoursIn(Schema):
    weekday: int = Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")
    start: time
    end: time


class AbsenceIn(Schema):
    first_day: date
    last_day: date
    note: str = Field(default="", max_length=200)


class AvailabilityIn(Schema):
    switch: Literal["on", "off", "schedule"] | None = None
    weekly_hours: list[HoursIn] | None = None
    absences: list[AbsenceIn] | None = None


class AvailabilityOut(Schema):
    switch: str
    is_available: bool
    reason: str
    changes_at: datetime | None


class PreferencesIn(Schema):
    languages: list[str] | None = None
    states: list[str] | None = Field(
        default=None, description="States to receive referrals for; must be eligible states"
    )


class ProfileOut(Schema):
    npn: str
    name: str
    languages: list[str]
    eligible_states: list[str]
    selected_states: list[str]
    routing_states: list[str]
    availability: AvailabilityOut
