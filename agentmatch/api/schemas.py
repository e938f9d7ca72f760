import types
from datetime import date, datetime, time
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin
from uuid import UUID

from ninja import Schema
from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from agentmatch.api.enums import Language, Outcome, RequestStatus, Switch, UsState
from agentmatch.core.input_guard import CONTROL_CHARACTERS, CONTROL_CHARACTERS_IN_TEXT

# What a JSON value must be for a field of each plain type. Pydantic's lax mode would take
# "yes", 1 or "on" for a boolean and "3" for an integer; its strict mode would also refuse
# the ISO strings that dates, times and UUIDs are in JSON. So strictness is checked here,
# for the plain types only, and pydantic still parses everything else.
STRICT_TYPES: dict[Any, tuple[tuple[type, ...], str]] = {
    bool: ((bool,), "a JSON boolean (true or false)"),
    int: ((int,), "a JSON integer"),
    float: ((int, float), "a JSON number"),
    str: ((str,), "a JSON string"),
}


def _plain_types(annotation: Any) -> list[Any]:
    """The plain types a value of `annotation` may be (unions and Annotated unwrapped)."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return [t for arg in get_args(annotation) for t in _plain_types(arg)]
    if origin is Annotated:
        return _plain_types(get_args(annotation)[0])
    return [annotation]


def _strict_type_error(value: Any, annotation: Any) -> str | None:
    """What `value` should have been, if its JSON type does not match `annotation` exactly."""
    options = _plain_types(annotation)
    if value is None and type(None) in options:
        return None
    options = [option for option in options if option is not type(None)]
    expected = ""
    for option in options:
        if get_origin(option) is list and isinstance(value, list):
            (item,) = get_args(option) or (Any,)
            errors = [_strict_type_error(v, item) for v in value]
            return next((e for e in errors if e), None)
        if option not in STRICT_TYPES:
            return None  # dates, UUIDs, literals, nested schemas: pydantic checks them
        kinds, expected = STRICT_TYPES[option]
        if isinstance(value, kinds) and (option is bool or not isinstance(value, bool)):
            return None
    return expected or None


def _has_control_character(value: Any, multiline: bool) -> bool:
    pattern = CONTROL_CHARACTERS_IN_TEXT if multiline else CONTROL_CHARACTERS
    if isinstance(value, str):
        return pattern.search(value) is not None
    if isinstance(value, list):
        return any(isinstance(v, str) and pattern.search(v) for v in value)
    return False


class InputSchema(Schema):
    """The base of every request body: strict JSON types and no control characters, in
    every field of every (nested) schema; the error names the field."""

    # Fields of free text where tab and line breaks are allowed (no other control character).
    multiline_fields: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _strict_and_printable(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.field_name or ""
        expected = _strict_type_error(value, cls.model_fields[name].annotation)
        if expected:
            raise PydanticCustomError("strict_type", "must be {expected}", {"expected": expected})
        if _has_control_character(value, multiline=name in cls.multiline_fields):
            raise PydanticCustomError(
                "control_characters", "control characters (such as NUL) are not allowed"
            )
        return value


class ErrorDetail(Schema):
    field: str | None = None
    code: str
    message: str


class ErrorOut(Schema):
    error: ErrorDetail


class ReferralIn(InputSchema):
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    phone: str = Field(
        max_length=40,
        description="A US landline or mobile number in any usual form, e.g. (608) 555-0199; "
        "one open request per phone",
    )
    email: str | None = Field(default=None, max_length=254, description="Optional")
    zip: str = Field(
        max_length=10,
        description="5-digit ZIP code of the consumer, in a state HealthCare.gov serves",
    )
    language: str = Field(
        default="en",
        max_length=40,
        description="The language the consumer wants to be helped in: an ISO 639-1 code of "
        "the Language enum (e.g. 'es'), or its English name ('Spanish')",
    )
    consent: bool = Field(description="The consumer agrees to be contacted (must be true)")


class ReferralCreatedOut(Schema):
    id: UUID
    reference: str = Field(
        description="What the consumer, the agent and support read out, e.g. K7QF-3M9D "
        "(the id is for URLs)"
    )
    status: RequestStatus  # type: ignore[valid-type]
    status_token: str = Field(description="Secret: send as X-Status-Token to read or cancel")


class AssignedAgentOut(Schema):
    name: str
    npn: str
    phone: str


class ReferralStatusOut(Schema):
    id: UUID
    reference: str = Field(
        description="What the consumer, the agent and support read out, e.g. K7QF-3M9D "
        "(the id is for URLs)"
    )
    status: RequestStatus  # type: ignore[valid-type]
    status_text: str
    created_at: datetime
    ended_at: datetime | None
    agent: AssignedAgentOut | None


class OfferOut(Schema):
    id: int
    zip: str
    city: str
    state: UsState  # type: ignore[valid-type]
    language: Language  # type: ignore[valid-type]
    offered_at: datetime
    expires_at: datetime
    seconds_left: int
    distance_miles: float


class ConsumerContactOut(Schema):
    referral_id: UUID
    reference: str = Field(
        description="What the consumer, the agent and support read out, e.g. K7QF-3M9D "
        "(the id is for URLs)"
    )
    first_name: str
    last_name: str
    phone: str
    email: str
    zip: str
    city: str
    state: UsState  # type: ignore[valid-type]
    language: Language  # type: ignore[valid-type]


class OfferSettledOut(Schema):
    id: int
    status: Outcome  # type: ignore[valid-type]


class HoursIn(InputSchema):
    weekday: int = Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")
    start: time
    end: time


class AbsenceIn(InputSchema):
    first_day: date
    last_day: date
    note: str = Field(default="", max_length=200)


class AvailabilityIn(InputSchema):
    switch: Literal["on", "off", "schedule"] | None = None
    weekly_hours: list[HoursIn] | None = None
    absences: list[AbsenceIn] | None = None


class AvailabilityOut(Schema):
    switch: Switch  # type: ignore[valid-type]
    is_available: bool
    reason: str
    changes_at: datetime | None
    paused_after_missed_offer_at: datetime | None = Field(
        default=None, description="Set while a missed offer has paused the agent (switch off)"
    )
    mode_before_pause: Switch | None = Field(  # type: ignore[valid-type]
        default=None,
        description='The switch to send to come back ("schedule" or "on") while paused',
    )


class PreferencesIn(InputSchema):
    languages: list[str] | None = Field(
        default=None,
        description="Languages spoken: ISO 639-1 codes of the Language enum or English names; "
        "null or absent leaves them as they are",
    )
    states: list[str] | None = Field(
        default=None,
        description="States to receive referrals for (codes, any case), among eligible_states; "
        "null or absent leaves them as they are",
    )


class ProfileOut(Schema):
    npn: str
    name: str
    languages: list[Language]  # type: ignore[valid-type]
    eligible_states: list[UsState]  # type: ignore[valid-type]
    selected_states: list[UsState]  # type: ignore[valid-type]
    routing_states: list[UsState]  # type: ignore[valid-type]
    availability: AvailabilityOut
    texts_not_delivered: str | None = Field(
        default=None,
        description="Why texts to the agent's cell phone are not delivered, as the carrier "
        "reported it (e.g. 'code 30005: unknown destination'); no texts are sent to it until "
        "the agent saves their contact details or an operator clears it. Null: texts are "
        "delivered (or never failed).",
    )


class DirectoryAgentOut(Schema):
    """An agent as Find Local Help shows them: only what their display option allows."""

    name: str
    phone: str
    email: str
    street_address: str | None = Field(
        description="null when the agent's MLMS display option keeps it private (option 2)"
    )
    city: str
    state: UsState  # type: ignore[valid-type]
    zip: str
    languages: list[Language] = Field(  # type: ignore[valid-type]
        description="ISO 639-1 codes"
    )
    distance_miles: float = Field(description="from the searched ZIP code, between centroids")


class DirectoryOut(Schema):
    zip: str = Field(description="the ZIP code searched from (a city: its first ZIP code)")
    city: str
    state: UsState = Field(  # type: ignore[valid-type]
        description="the consumer's state: agents eligible there are listed"
    )
    radius_miles: int
    language: Language | None  # type: ignore[valid-type]
    page: int
    pages: int
    page_size: int
    total: int = Field(description="agents within the radius, on every page")
    agents: list[DirectoryAgentOut]
