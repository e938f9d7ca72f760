"""Files uploaded from the web, imported by a worker: store, claim, run, record progress.

The web request only stores the file (`store_upload`, inside the administrator's action):
an import of a large file takes minutes. A worker job (`run_one_upload`, registered in
apps.py) claims the oldest queued upload, copies its chunks to a temporary file and runs
`import_file` on it, as the import commands do.

- Claiming is a conditional UPDATE after a `SELECT ... FOR UPDATE SKIP LOCKED`, so two
  workers never take the same upload.
- A running upload carries a lease, renewed with each chunk's progress. A worker that
  stopped (killed, machine lost) leaves an expired lease: its import rolled back with it,
  so another worker runs the upload again, up to MAX_ATTEMPTS times, then marks it failed.
- Progress is written on a connection of its own: the import's transaction stays open
  until the end, and what it writes is not seen before. SQLite lets one connection write
  at a time, so there the page shows progress only when the import ends.
"""

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from agentmatch.imports.actions import import_file
from agentmatch.imports.base import Rejected, UnreadableFile
from agentmatch.imports.models import (
    ImportUpload,
    ImportUploadChunk,
    UploadStatus,
)

log = logging.getLogger("agentmatch.imports")

CHUNK_BYTES = 1 << 20
LEASE = timedelta(minutes=30)
MAX_ATTEMPTS = 3
PREVIEW_ROWS = 50
# A rejected row is shown as it was, within reason: a broken line can be one huge field.
PREVIEW_VALUES = 40
PREVIEW_VALUE_CHARS = 200


def store_upload(
    *,
    kind: str,
    file_name: str,
    plan_year: int | None,
    pieces: Iterable[bytes],
    uploaded_by: Any,
    now: datetime,
) -> ImportUpload:
    """Stores a file as a queued upload, in chunks; runs in the caller's transaction."""
    upload = ImportUpload.objects.create(
        kind=kind,
        file_name=os.path.basename(file_name)[:255],
        plan_year=plan_year,
        size=0,
        sha256="",
        uploaded_by=uploaded_by,
        created_at=now,
    )
    digest = hashlib.sha256()
    size = 0
    index = 0
    buffer = bytearray()

    def flush() -> None:
        nonlocal index, buffer
        ImportUploadChunk.objects.create(upload=upload, index=index, data=bytes(buffer))
        index += 1
        buffer = bytearray()

    for piece in pieces:
        digest.update(piece)
        size += len(piece)
        buffer.extend(piece)
        while len(buffer) >= CHUNK_BYTES:
            rest = buffer[CHUNK_BYTES:]
            buffer = buffer[:CHUNK_BYTES]
            flush()
            buffer = rest
    if buffer:
        flush()
    upload.size, upload.sha256 = size, digest.hexdigest()
    upload.save(update_fields=["size", "sha256"])
    return upload


def claim_next_upload(now: datetime) -> ImportUpload | None:
    """Takes the oldest queued upload (or one whose worker stopped) for this worker."""
    with transaction.atomic(durable=True):
        due = Q(status=UploadStatus.QUEUED) | Q(status=UploadStatus.RUNNING, lease_until__lt=now)
        candidates = (
            ImportUpload.objects.filter(due)
            .order_by("created_at", "pk")
            .select_for_update(skip_locked=True)
            .only("pk", "status", "attempts")
        )
        for upload in candidates[:5]:
            taken = ImportUpload.objects.filter(
                pk=upload.pk, status=upload.status, attempts=upload.attempts
            )
            if upload.attempts >= MAX_ATTEMPTS:
                if taken.update(
                    status=UploadStatus.FAILED,
                    finished_at=now,
                    lease_until=None,
                    failure_reason=(
                        f"the import stopped {upload.attempts} times without finishing "
                        "(a worker was stopped or ran out of memory); nothing was imported"
                    ),
                ):
                    ImportUploadChunk.objects.filter(upload_id=upload.pk).delete()
                continue
            if taken.update(
                status=UploadStatus.RUNNING,
                started_at=now,
                lease_until=now + LEASE,
                attempts=F("attempts") + 1,
                done_bytes=0,
            ):
                return ImportUpload.objects.get(pk=upload.pk)
    return None


class ProgressWriter:
    """Records how far the import has read, and renews the lease, as chunks complete."""

    def __init__(self, upload: ImportUpload) -> None:
        self.upload = upload
        self.reports: list[int] = []  # what was reported, in order (tests read it)
        self._side: Any = None
        if connection.vendor == "postgresql":
            self._side = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, done: int, size: int) -> None:
        self.reports.append(done)
        if self._side is None:
            return
        with self._side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportUpload._meta.db_table} SET done_bytes = %s, lease_until = %s "
                "WHERE id = %s AND status = %s AND attempts = %s",
                [
                    min(done, self.upload.size),
                    timezone.now() + LEASE,
                    self.upload.pk,
                    UploadStatus.RUNNING,
                    self.upload.attempts,
                ],
            )

    def close(self) -> None:
        if self._side is not None:
            self._side.close()


class RejectedPreview:
    """The first PREVIEW_ROWS rejected rows, for the page (the count is on the run)."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def __call__(self, rejected: Rejected) -> None:
        if len(self.rows) >= PREVIEW_ROWS:
            return
        values = [str(v)[:PREVIEW_VALUE_CHARS] for v in list(rejected.raw)[:PREVIEW_VALUES]]
        self.rows.append({"line": rejected.line, "reason": rejected.reason, "raw": values})


def run_one_upload(now: datetime) -> bool:
    """The worker job: imports one uploaded file; False when none is waiting."""
    upload = claim_next_upload(now)
    if upload is None:
        return False
    suffix = os.path.splitext(upload.file_name)[1][:10]
    handle = tempfile.NamedTemporaryFile(suffix=suffix, delete=False)  # noqa: SIM115
    try:
        with handle:
            chunks = ImportUploadChunk.objects.filter(upload=upload).order_by("index")
            for data in chunks.values_list("data", flat=True).iterator(chunk_size=4):
                handle.write(data)
        _import(upload, handle.name)
    finally:
        os.unlink(handle.name)
    return True


def _import(upload: ImportUpload, path: str) -> None:
    writer = ProgressWriter(upload)
    preview = RejectedPreview()
    try:
        report = import_file(
            kind=upload.kind,
            path=path,
            now=timezone.now(),
            plan_year=upload.plan_year,
            progress=writer,
            on_rejected=preview,
            file_name=upload.file_name,
        )
    except UnreadableFile as exc:
        _finish(upload, status=UploadStatus.FAILED, failure_reason=exc.message, run=exc.run)
    except Exception as exc:
        log.exception("import upload %s stopped on an unexpected error", upload.pk)
        reason = f"the import stopped on an unexpected error ({type(exc).__name__})"
        _finish(upload, status=UploadStatus.FAILED, failure_reason=reason)
    else:
        outcome = {
            "routing_refreshed": report.routing_refreshed,
            "agents_refreshed": report.agents_refreshed,
            "agents_gained": report.agents_gained,
            "referrals_offered": report.referrals_offered,
            "conflict_agents": report.conflict_agents,
        }
        _finish(
            upload,
            status=UploadStatus.DONE,
            run=report.run,
            done_bytes=upload.size,
            rejected_preview=preview.rows,
            outcome=outcome,
        )
    finally:
        writer.close()


def _finish(upload: ImportUpload, *, status: str, **values: Any) -> None:
    # The bytes go once the import has ended (the sha256 and size stay on the upload).
    with transaction.atomic(durable=True):
        ended = ImportUpload.objects.filter(
            pk=upload.pk, status=UploadStatus.RUNNING, attempts=upload.attempts
        ).update(status=status, finished_at=timezone.now(), lease_until=None, **values)
        if not ended:
            log.warning("import upload %s was taken over before it ended", upload.pk)
            return
        ImportUploadChunk.objects.filter(upload=upload).delete()
