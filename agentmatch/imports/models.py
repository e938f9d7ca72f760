"""A record of every data import, and the scratch table that keeps imports constant-memory."""

from django.db import models

from agentmatch.agents.models import Agent


class ImportKind(models.TextChoices):
    RCL = "rcl", "CMS Registration Completion List"
    RTL = "rtl", "CMS Registration Termination List"
    NIPR = "nipr", "NIPR producer licensing (PDB XML)"
    ROSTER = "roster", "MLMS roster"


class ImportStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed (nothing imported)"


class ImportRun(models.Model):
    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    file_name = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64, blank=True)
    plan_year = models.PositiveSmallIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.RUNNING
    )
    failure_reason = models.TextField(blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    # Distinct NPNs of the accepted rows that have no agent when the import ends: their
    # data is kept (by NPN) and applies when the roster adds the agent.
    npns_without_agent = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["kind", "started_at"], name="import_run_kind_started")]

    def __str__(self) -> str:
        return f"{self.kind} import of {self.file_name} ({self.status})"


class ImportedKey(models.Model):
    """The keys one running import has already seen, with the line and a digest of the values.

    Kept in the database rather than in a Python set so that duplicate detection and the
    "which agents did this file touch" question cost constant memory, whatever the file
    size. Rows live only for the duration of the import's transaction.
    """

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    npn_key = models.CharField(max_length=10)
    digest = models.CharField(max_length=32)
    line = models.PositiveIntegerField()
    changed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "key"], name="imported_key_once_per_run")
        ]
        indexes = [models.Index(fields=["run", "changed", "npn_key"], name="imported_key_changed")]


class ProfileConflict(models.Model):
    """The roster says something else for a field the agent edited here; the agent's value
    was kept (agents/ownership.py). One row per agent and field, as of the latest roster
    that disagreed; a roster that agrees again removes it."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="profile_conflicts")
    field = models.CharField(max_length=20)
    mlms_value = models.CharField(max_length=200)
    our_value = models.CharField(max_length=200)
    seen_at = models.DateTimeField()
    import_run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="conflicts")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "field"], name="profile_conflict_once")
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.field}: MLMS {self.mlms_value!r}, here {self.our_value!r}"
