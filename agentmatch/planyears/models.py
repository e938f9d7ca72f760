"""Plan years as data: which states the federal platform serves, and whether intake is open."""

from django.db import models
from django.db.models import Q

from agentmatch.core.states import STATE_CHOICES


class PlanYear(models.Model):
    year = models.PositiveSmallIntegerField(primary_key=True)
    is_current = models.BooleanField(default=False)
    # Consumer intake pauses after Open Enrollment and resumes in January for SEPs.
    intake_open = models.BooleanField(default=True)
    intake_paused_message = models.CharField(max_length=300, blank=True)
    # The same message for consumers reading the Spanish pages (or asking in Spanish).
    intake_paused_message_es = models.CharField(max_length=300, blank=True, db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_plan_year"
            )
        ]

    def __str__(self) -> str:
        return str(self.year)

    def paused_message(self, language: str) -> str:
        """What consumers see while intake is paused, in their language when there is one:
        the other language's message otherwise, "" when neither was written."""
        english, spanish = self.intake_paused_message, self.intake_paused_message_es
        if language.lower().startswith("es"):
            return spanish or english
        return english or spanish


class ServedState(models.Model):
    class Platform(models.TextChoices):
        FFM = "FFM", "Federally-facilitated Marketplace"
        SBM_FP = "SBM-FP", "State-based Marketplace on the Federal Platform"

    plan_year = models.ForeignKey(PlanYear, on_delete=models.CASCADE, related_name="served_states")
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    platform = models.CharField(max_length=6, choices=Platform.choices, default=Platform.FFM)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan_year", "state"], name="served_state_once")
        ]

    def __str__(self) -> str:
        return f"{self.state} ({self.plan_year_id})"
