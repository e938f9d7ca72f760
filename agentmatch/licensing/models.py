"""State licenses and their lines of authority, as reported by NIPR.

Keyed by NPN (`npn_key`, as the CMS lists are), not by agent: NIPR may report a producer
before the roster creates the agent, and the licenses must apply from the moment the
agent exists, whatever order the files came in.
"""

from django.db import models

from agentmatch.core.states import STATE_CHOICES


class License(models.Model):
    npn_key = models.CharField(max_length=10)
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    license_number = models.CharField(max_length=40, blank=True)
    license_class = models.CharField(max_length=100, blank=True)
    is_resident = models.BooleanField(default=False)
    is_active = models.BooleanField(default=False)
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["npn_key", "state"], name="license_per_npn_state")
        ]

    def __str__(self) -> str:
        return f"{self.state} license {self.license_number} of NPN {self.npn_key}"


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
