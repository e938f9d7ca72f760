"""A record of every data import, and the scratch table that keeps imports constant-memory."""

from django.conf import settings
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


class UploadStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


class ImportUpload(models.Model):
    """A file an administrator uploaded from the web, waiting for (or run by) a worker.

    The web request only stores it: an import of a large file takes minutes, so a worker
    claims it (imports/uploads.py), imports it as the commands do, and records its
    progress here. The bytes live in ImportUploadChunk rows until the import ends, so
    any worker can read them (web and worker processes share only the database).
    """

    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    file_name = models.CharField(max_length=255)
    plan_year = models.PositiveSmallIntegerField(null=True, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=UploadStatus.choices, default=UploadStatus.QUEUED
    )
    # Bytes of the file read so far (the importers count bytes, whatever the format).
    done_bytes = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A running upload whose lease has passed belongs to a worker that stopped: another
    # worker may take it again (the import rolled back with it), up to MAX_ATTEMPTS.
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    run = models.OneToOneField(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="upload"
    )
    failure_reason = models.TextField(blank=True)
    # The first rejected rows: [{"line": 12, "reason": "...", "raw": ["..", ..]}, ...].
    rejected_preview = models.JSONField(default=list, blank=True)
    # What the import did besides the run's counts (routing refreshed, referrals offered).
    outcome = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="import_upload_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=UploadStatus.values),
                name="import_upload_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(done_bytes__lte=models.F("size")),
                name="import_upload_progress_within_size",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} upload {self.file_name} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == UploadStatus.DONE:
            return 100
        return int(self.done_bytes * 100 / self.size) if self.size else 0

    @property
    def is_pending(self) -> bool:
        return self.status in (UploadStatus.QUEUED, UploadStatus.RUNNING)


class ImportUploadChunk(models.Model):
    """One piece (up to 1 MiB) of an uploaded file, in order; deleted when the import ends."""

    upload = models.ForeignKey(ImportUpload, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["upload", "index"], name="import_upload_chunk_once")
        ]
