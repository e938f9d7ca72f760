"""What CMS tells us about agents each plan year, and the states each agent is routed for."""

from django.conf import settings
from django.db import models

from agentmatch.agents.models import Agent
from agentmatch.core.states import STATE_CHOICES


class RegistrationCompletion(models.Model):
    """A row of the CMS Registration Completion List (RCL) for one plan year."""

    plan_year = models.PositiveSmallIntegerField()
    npn_key = models.CharField(max_length=10)
    individual_completed_on = models.DateField(null=True, blank=True)
    individual_ends_on = models.DateField(null=True, blank=True)
    shop_completed_on = models.DateField(null=True, blank=True)
    shop_ends_on = models.DateField(null=True, blank=True)
    npn_valid = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan_year", "npn_key"], name="rcl_row_per_npn_year")
        ]


class RegistrationTermination(models.Model):
    """A row of the CMS Registration Termination List (RTL): a termination or reinstatement."""

    npn_key = models.CharField(max_length=10)
    status = models.CharField(
        max_length=10, help_text="e.g. T3 terminated/suspended, R1 reinstated"
    )
    marketplaces = models.CharField(max_length=20, help_text="Individual, SHOP or Both")
    plan_year = models.PositiveSmallIntegerField()
    registration_completed_on = models.DateField(null=True, blank=True)
    effective_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["npn_key", "plan_year", "status", "marketplaces", "effective_on"],
                name="rtl_row_once",
            )
        ]
        indexes = [models.Index(fields=["npn_key", "plan_year"], name="rtl_by_npn_year")]

    @property
    def ends_registration(self) -> bool:
        # T* terminated, S* suspended; R* reinstated.
        return self.status.upper().startswith(("T", "S"))

    @property
    def covers_individual_marketplace(self) -> bool:
        return self.marketplaces.strip().lower() in ("individual", "both", "ffm", "")


class TrainingCompletion(models.Model):
    """Help On Demand coursework completed in MLMS for a plan year."""

    plan_year = models.PositiveSmallIntegerField()
    npn_key = models.CharField(max_length=10)
    completed_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan_year", "npn_key"], name="training_per_npn_year")
        ]


class RoutingState(models.Model):
    """A state this agent receives referrals for in the current plan year.

    Materialised from the eligibility rules (rules.py) so routing is one indexed join;
    `refresh_routing_states` rewrites an agent's rows whenever an input changes.
    """

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="routing_states")
    state = models.CharField(max_length=2, choices=STATE_CHOICES)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "state"], name="routing_state_once")
        ]
        indexes = [models.Index(fields=["state", "agent"], name="routing_state_agents")]


class DirectoryListing(models.Model):
    """A state whose consumers find this agent in the Find Local Help directory, with
    where the agent is.

    Materialised beside RoutingState from the same rules (rules.py `listed_states`): every
    routing rule except the state preferences, which are about referrals; the agent's own
    per-state directory choice (agents.DirectoryOptOut) takes its place. Rewritten by
    `refresh_routing_states` whenever an input changes; the location is a copy of the
    agent's, kept in step by routing_table.py like the routing index, so a search reads
    only its own state's listings inside a box around the consumer.
    """

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="directory_listings")
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "state"], name="directory_listing_once")
        ]
        indexes = [
            models.Index(fields=["state", "latitude", "longitude"], name="directory_listing_near")
        ]


class RoutingSlot(models.Model):
    """One state and language an agent takes referrals in, with where they are.

    The index routing searches: a referral in (state, language) looks only at its own
    slots, nearest first, through each database's spatial index over the available ones
    (referrals/nearest/: a GiST index on PostgreSQL, an R*Tree kept in step by triggers on
    SQLite, both made by migration 0006 outside the model's Meta).
    A pure copy of RoutingState x AgentLanguage x the agent's location and availability,
    rewritten by eligibility/routing_table.py whenever any of those change; matching
    still checks the agent row itself, so a stale slot can never offer to the wrong agent.
    """

    routing_state = models.ForeignKey(RoutingState, on_delete=models.CASCADE, related_name="slots")
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=2)
    language = models.CharField(max_length=3)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    is_available = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["routing_state", "language"], name="routing_slot_once")
        ]
        indexes = [
            # Serves the qualified count an offer records (a box) and SQLite's ranking of a
            # whole state; the nearest-first indexes are migration 0006's.
            models.Index(
                fields=["state", "language", "latitude", "longitude"],
                condition=models.Q(is_available=True),
                name="routing_slot_available",
            ),
            models.Index(fields=["agent"], name="routing_slot_agent"),
        ]


class AgentDeactivation(models.Model):
    """An agent support has taken out of service: no login, no routing, until reactivated.

    One more eligibility fact (rules.py `in_service`), kept apart from Agent so nothing an
    import or the agent does can undo it. Support writes it (operations.actions).
    """

    agent = models.OneToOneField(Agent, on_delete=models.CASCADE, related_name="deactivation")
    deactivated_at = models.DateTimeField()
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=500)
    # Restored on reactivation, so the agent comes back as they were.
    previous_switch = models.CharField(max_length=10)

    class Meta:
        # The table it was created with, when support's app owned it.
        db_table = "operations_agentdeactivation"


class AgentStatusKind(models.TextChoices):
    AVAILABILITY = "availability", "Availability changed"
    ELIGIBILITY = "eligibility", "Routed states changed"


class AgentStatusEvent(models.Model):
    """An agent became available or unavailable, or the states they get referrals for
    changed: written in the transaction that made the change (eligibility/agent_events.py),
    read in id order by the webhooks' fan-out. `params` holds the new value
    (`is_available`, or `states`), never contact details."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="status_events")
    kind = models.CharField(max_length=20, choices=AgentStatusKind.choices)
    at = models.DateTimeField()
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["at"], name="agent_status_events_at")]
