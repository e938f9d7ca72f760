"""State licenses and their lines of authority, as reported by NIPR."""

from django.db import models

from agentmatch.agents.models import Agent
from agentmatch.core.states import STATE_CHOICES


class License(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="licenses")
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    license_number = models.CharField(max_length=40, blank=True)
    license_class = models.CharField(max_length=100, blank=True)
    is_resident = models.BooleanField(default=False)
    is_active = models.BooleanField(default=False)
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agent", "state"], name="license_per_state")]

    def __str__(self) -> str:
        return f"{self.state} license {self.license_number} of {self.agent_id}"


class LineOfAuthority(models.Model):
    license = models.ForeignKey(License, on_delete=models.CASCADE, related_name="lines")
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=20, blank=True)
    is_active = models.BooleanField(default=False)
    # Set by the health-LOA classifier when the line is recorded.
    is_health = models.BooleanField(default=False)
    issued_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["license", "name"], name="line_of_authority_once")
        ]
