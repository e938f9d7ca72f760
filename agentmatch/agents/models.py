"""Agents and brokers: profile, languages, state preferences and availability."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import models
from django.db.models import Q

from agentmatch.core.states import STATE_CHOICES


class DisplayOption(models.IntegerChoices):
    """The MLMS display option (set by the agent in MLMS, read-only here), worded as MLMS."""

    ALL_STATES = (
        1,
        "I would like all my contact information displayed for all states where I have a valid "
        "health license.",
    )
    ALL_STATES_NO_STREET = (
        2,
        "I would like my contact information, except my street address, displayed for all "
        "states where I have a valid health license.",
    )
    HOME_STATE_ONLY = (
        3,
        "I would like all my contact information displayed but only for my home state.",
    )
    NOT_PARTICIPATING = (
        4,
        "I don't want my contact information displayed and do not want to participate in "
        "Find Local Help or Help On Demand.",
    )


class ContactMethod(models.TextChoices):
    EMAIL_TEXT_APP = "email_text_app", "Email, Text & App Notification"
    EMAIL_TEXT = "email_text", "Email & Text"
    EMAIL_APP = "email_app", "Email & App Notification"
    EMAIL_ONLY = "email", "Email Only"


class AvailabilitySwitch(models.TextChoices):
    """The green/red override at the top of the agent's screen, or follow weekly hours."""

    ON = "on", "Available now (green)"
    OFF = "off", "Not available (red)"
    SCHEDULE = "schedule", "Follow my weekly hours"


# The one fallback for an agent whose ZIP gave no (or an unknown) time zone: US Eastern,
# where most agents are, so weekly hours, absences and message times agree everywhere.
FALLBACK_TIME_ZONE = "America/New_York"


def zone_named(key: str) -> ZoneInfo:
    """The time zone stored as `key`; blank or unknown keys fall back to FALLBACK_TIME_ZONE."""
    try:
        return ZoneInfo(key or FALLBACK_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(FALLBACK_TIME_ZONE)


class Agent(models.Model):
    npn = models.CharField("NPN", max_length=10, unique=True)
    # NPN without leading zeros: CMS spreadsheets lose them, so files are matched on this.
    npn_key = models.CharField(max_length=10, unique=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    cell_phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    business_street = models.CharField(max_length=200, blank=True)
    business_city = models.CharField(max_length=100, blank=True)
    business_zip = models.CharField(max_length=5, blank=True)
    # Derived from business_zip via the offline ZIP table; stored so routing can sort in SQL.
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    time_zone = models.CharField(max_length=64, blank=True)
    home_state = models.CharField(max_length=2, choices=STATE_CHOICES, blank=True)
    display_option = models.PositiveSmallIntegerField(
        choices=DisplayOption.choices, default=DisplayOption.NOT_PARTICIPATING
    )
    contact_method = models.CharField(
        max_length=20, choices=ContactMethod.choices, default=ContactMethod.EMAIL_TEXT_APP
    )
    # Account created and both Terms of Use accepted (domain.md section 2, rule 5).
    service_registration_completed_at = models.DateTimeField(null=True, blank=True)

    availability_switch = models.CharField(
        max_length=10, choices=AvailabilitySwitch.choices, default=AvailabilitySwitch.SCHEDULE
    )
    # Availability resolved from switch, weekly hours and absences as of
    # `availability_checked_at`; the worker re-resolves it at `availability_changes_at`
    # (the next hour boundary or absence edge), so routing filters on one indexed column.
    is_available = models.BooleanField(default=False)
    availability_checked_at = models.DateTimeField(null=True, blank=True)
    availability_changes_at = models.DateTimeField(null=True, blank=True)
    # A missed offer switches the agent off (PAUSE_AGENT_AFTER_MISSED_OFFER) and remembers
    # the mode they were in, so that "I'm back" returns them to it (their weekly hours,
    # or available) instead of around the clock. Any explicit switch change clears both.
    paused_after_missed_offer_at = models.DateTimeField(null=True, blank=True)
    mode_before_pause = models.CharField(
        max_length=10,
        blank=True,
        choices=[
            (AvailabilitySwitch.ON.value, AvailabilitySwitch.ON.label),
            (AvailabilitySwitch.SCHEDULE.value, AvailabilitySwitch.SCHEDULE.label),
        ],
    )

    # When this agent last received an offer: ties in distance go to whoever waited longest.
    last_offered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(display_option__gte=1) & Q(display_option__lte=4),
                name="display_option_1_to_4",
            ),
            models.CheckConstraint(condition=Q(npn__regex=r"^[0-9]{1,10}$"), name="npn_is_digits"),
            # Paused means switched off with the mode to come back to; not paused, no mode.
            models.CheckConstraint(
                condition=(
                    Q(paused_after_missed_offer_at__isnull=True, mode_before_pause="")
                    | Q(
                        paused_after_missed_offer_at__isnull=False,
                        availability_switch=AvailabilitySwitch.OFF,
                        mode_before_pause__in=[AvailabilitySwitch.ON, AvailabilitySwitch.SCHEDULE],
                    )
                ),
                name="pause_remembers_the_mode",
            ),
        ]
        indexes = [
            models.Index(fields=["availability_changes_at"], name="agent_avail_due"),
            # Routing's bounding-box search: a range scan over available agents near a point.
            models.Index(
                fields=["latitude", "longitude"],
                condition=Q(is_available=True),
                name="agent_available_location",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} (NPN {self.npn})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def zone(self) -> ZoneInfo:
        """The agent's own time zone: weekly hours, absences and times in messages use it."""
        return zone_named(self.time_zone)


class AgentLanguage(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(max_length=3, help_text="ISO 639-1")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "language"], name="agent_language_once")
        ]
        indexes = [models.Index(fields=["language", "agent"], name="language_agents")]


class StateDeselection(models.Model):
    """A state the agent chose not to receive referrals for.

    State preferences default to every eligible state, so we store only the exceptions:
    a state where the agent becomes newly licensed is preferred until deselected.
    """

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="deselected_states")
    state = models.CharField(max_length=2, choices=STATE_CHOICES)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "state"], name="state_deselected_once")
        ]


class DirectoryOptOut(models.Model):
    """A state whose consumers the agent chose not to be listed for in Find Local Help.

    Apart from StateDeselection: an agent may stop taking referrals in a state and still
    be found there in the directory (or the reverse). Only the exceptions are stored, so
    an agent is listed in every state where they are eligible until they say otherwise.
    """

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="directory_opt_outs")
    state = models.CharField(max_length=2, choices=STATE_CHOICES)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "state"], name="directory_opt_out_once")
        ]


class WeeklyHours(models.Model):
    """A window of standard operating hours, in the agent's own time zone."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="weekly_hours")
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday ... 6 = Sunday")
    starts_at = models.TimeField()
    ends_at = models.TimeField(help_text="00:00 means midnight at the end of the day")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="weekday_0_to_6"),
        ]
        ordering = ["weekday", "starts_at"]


class Absence(models.Model):
    """An Extended Absence (vacation, leave): never available in [starts_at, ends_at)."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="absences")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="absence_ends_after_start"
            )
        ]


class Channel(models.TextChoices):
    """The door a change came through."""

    WEB = "web", "Web page"
    API = "api", "Agent API"


class ChangeKind(models.TextChoices):
    SWITCH = "switch", "Availability switch"
    WEEKLY_HOURS = "weekly_hours", "Weekly hours"
    ABSENCES = "absences", "Extended absences"
    LANGUAGES = "languages", "Languages"
    STATES = "states", "State preferences"
    CONTACT = "contact", "Contact details"
    DIRECTORY = "directory", "Find Local Help listing"
    PUSH = "push", "App notifications"


class AgentChange(models.Model):
    """Audit row: an agent changed one of their own settings (who, when, what, which door).

    `detail` says what changed in a few words, never a phone number or an endpoint.
    """

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["agent", "-at"], name="agent_change_history")]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.kind} via {self.channel} at {self.at:%Y-%m-%d %H:%M}"


class EditedField(models.Model):
    """The agent changed this field here (agents/ownership.py GUARDED): a roster
    re-import keeps the agent's value instead of following MLMS."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="edited_fields")
    field = models.CharField(max_length=20, choices=[("languages", "languages"), ("zip", "ZIP")])
    edited_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agent", "field"], name="field_edited_once")]

    def __str__(self) -> str:
        return f"{self.agent_id} edited {self.field} at {self.edited_at:%Y-%m-%d %H:%M}"
