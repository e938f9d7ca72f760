"""Files uploaded from the web: stored in chunks, claimed by one worker, imported, recorded."""

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from agentmatch.agents.models import Agent
from agentmatch.core.jobs import registered
from agentmatch.imports import actions, uploads
from agentmatch.imports.actions import import_file
from agentmatch.imports.models import (
    ImportKind,
    ImportRun,
    ImportStatus,
    ImportUpload,
    ImportUploadChunk,
    UploadStatus,
)
from agentmatch.imports.tests.helpers import fixture
from agentmatch.imports.uploads import (
    LEASE,
    MAX_ATTEMPTS,
    claim_next_upload,
    run_one_upload,
    store_upload,
)
from agentmatch.testing import at_the_same_moment, make_operator

NOW = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)


def queue(name: str, kind: str, *, plan_year: int | None = None) -> ImportUpload:
    data = Path(fixture(name)).read_bytes()
    admin = make_operator(username=f"ada{ImportUpload.objects.count()}", role="administrator")
    return store_upload(
        kind=kind,
        file_name=f"/somewhere/{name}",
        plan_year=plan_year,
        pieces=[data[:100], data[100:]],
        uploaded_by=admin,
        now=NOW,
    )


@pytest.mark.django_db
def test_a_stored_upload_keeps_its_bytes_in_order_with_size_and_sha256(monkeypatch):
    monkeypatch.setattr(uploads, "CHUNK_BYTES", 64)
    upload = queue("roster.csv", ImportKind.ROSTER)
    data = Path(fixture("roster.csv")).read_bytes()
    chunks = ImportUploadChunk.objects.filter(upload=upload).order_by("index")
    assert chunks.count() == -(-len(data) // 64)
    assert b"".join(bytes(c.data) for c in chunks) == data
    assert (upload.file_name, upload.size, upload.status) == ("roster.csv", len(data), "queued")
    assert upload.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.django_db
def test_the_worker_imports_an_uploaded_roster_and_forgets_its_bytes(plan_year):
    upload = queue("roster.csv", ImportKind.ROSTER)
    assert run_one_upload(NOW) is True
    upload.refresh_from_db()
    assert upload.status == UploadStatus.DONE and upload.percent == 100
    assert upload.run is not None and upload.run.status == ImportStatus.SUCCEEDED
    assert upload.run.file_name == "roster.csv"
    assert upload.run.created == Agent.objects.count() > 0
    assert upload.outcome["routing_refreshed"] is True
    assert not ImportUploadChunk.objects.filter(upload=upload).exists()
    assert upload.sha256 == upload.run.sha256
    assert run_one_upload(NOW) is False  # nothing else waits


@pytest.mark.django_db
def test_the_rejected_rows_are_kept_with_line_reason_and_values(plan_year):
    upload = queue("rcl.csv", ImportKind.RCL)
    run_one_upload(NOW)
    upload.refresh_from_db()
    assert [r["line"] for r in upload.rejected_preview] == [8, 9, 10, 11]
    second = upload.rejected_preview[1]
    assert second["reason"].startswith("NPN '12AB5' is not an NPN")
    assert second["raw"] == ["12AB5", "2026", "8/1/2025", "", "", "", "Y"]


@pytest.mark.django_db
def test_only_the_first_rejected_rows_are_kept(plan_year, monkeypatch):
    monkeypatch.setattr(uploads, "PREVIEW_ROWS", 2)
    upload = queue("rcl.csv", ImportKind.RCL)
    run_one_upload(NOW)
    upload.refresh_from_db()
    assert [r["line"] for r in upload.rejected_preview] == [8, 9]
    assert upload.run is not None and upload.run.rejected == 4


@pytest.mark.django_db
def test_an_unreadable_upload_fails_with_the_importers_reason(plan_year):
    upload = queue("bad_csv_not_xml.xml", ImportKind.NIPR)
    run_one_upload(NOW)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED
    assert upload.failure_reason and upload.run is not None
    assert upload.run.status == ImportStatus.FAILED
    assert upload.run.failure_reason == upload.failure_reason
    assert not ImportUploadChunk.objects.filter(upload=upload).exists()


@pytest.mark.django_db
def test_progress_is_reported_after_each_chunk_up_to_the_whole_file(plan_year, monkeypatch):
    monkeypatch.setattr(actions, "CHUNK", 3)
    reports: list[tuple[int, int]] = []
    path = fixture("roster.csv")
    import_file(
        kind=ImportKind.ROSTER, path=path, now=NOW, progress=lambda d, s: reports.append((d, s))
    )
    size = Path(path).stat().st_size
    done = [d for d, _s in reports]
    assert len(reports) >= 3  # ten rows, three at a time
    assert done == sorted(done) and done[0] < size and done[-1] == size
    assert {s for _d, s in reports} == {size}


@pytest.mark.django_db
def test_the_worker_records_progress_as_the_import_reads(plan_year, monkeypatch):
    monkeypatch.setattr(actions, "CHUNK", 3)
    seen: list[list[int]] = []
    real = uploads.ProgressWriter.close

    def close(writer: uploads.ProgressWriter) -> None:
        seen.append(list(writer.reports))
        real(writer)

    monkeypatch.setattr(uploads.ProgressWriter, "close", close)
    upload = queue("roster.csv", ImportKind.ROSTER)
    run_one_upload(NOW)
    assert len(seen[0]) >= 3 and seen[0][-1] == upload.size


@pytest.mark.django_db
def test_a_claimed_upload_is_not_claimed_again_while_its_lease_runs():
    upload = queue("roster.csv", ImportKind.ROSTER)
    claimed = claim_next_upload(NOW)
    assert claimed is not None and claimed.pk == upload.pk
    assert (claimed.status, claimed.attempts) == (UploadStatus.RUNNING, 1)
    assert claim_next_upload(NOW + LEASE - timedelta(seconds=1)) is None


@pytest.mark.django_db
def test_a_stopped_workers_upload_is_taken_again_then_failed_after_its_attempts():
    upload = queue("roster.csv", ImportKind.ROSTER)
    now = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        claimed = claim_next_upload(now)
        assert claimed is not None and claimed.attempts == attempt
        now += LEASE + timedelta(seconds=1)  # the worker never came back
    assert claim_next_upload(now) is None
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED and "stopped 3 times" in upload.failure_reason
    assert not ImportUploadChunk.objects.filter(upload=upload).exists()


@pytest.mark.django_db
def test_a_canceled_upload_is_never_claimed():
    upload = queue("roster.csv", ImportKind.ROSTER)
    ImportUpload.objects.filter(pk=upload.pk).update(status=UploadStatus.CANCELED)
    assert claim_next_upload(NOW) is None


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_claim_the_same_upload():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"] == ":memory:":
        pytest.skip("needs a database shared between threads")
    upload = queue("roster.csv", ImportKind.ROSTER)
    results = at_the_same_moment(4, lambda _i: claim_next_upload(NOW))
    claimed = [r for r in results if isinstance(r, ImportUpload)]
    assert [c.pk for c in claimed] == [upload.pk], results
    if connection.vendor == "postgresql":
        assert results.count(None) == 3, results
    upload.refresh_from_db()
    assert upload.attempts == 1


def test_the_worker_runs_uploads():
    assert "import uploaded files" in [job.name for job in registered()]


@pytest.mark.django_db
def test_an_import_from_the_commands_has_no_upload(plan_year):
    import_file(kind=ImportKind.RCL, path=fixture("rcl.csv"), now=NOW)
    run = ImportRun.objects.get()
    assert run.file_name == fixture("rcl.csv")
    assert not ImportUpload.objects.filter(run=run).exists()


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_other_processes_while_the_import_runs(plan_year, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one connection write at a time: progress shows at the end")
    monkeypatch.setattr(actions, "CHUNK", 3)
    upload = queue("roster.csv", ImportKind.ROSTER)
    seen: list[tuple[str, int]] = []
    real = uploads.ProgressWriter.__call__

    def call(writer: uploads.ProgressWriter, done: int, size: int) -> None:
        real(writer, done, size)
        # A statement of the import's own connection sees what other connections committed.
        row = ImportUpload.objects.values_list("status", "done_bytes").get(pk=upload.pk)
        seen.append(row)

    monkeypatch.setattr(uploads.ProgressWriter, "__call__", call)
    run_one_upload(timezone.now())
    assert len(seen) >= 3 and all(status == UploadStatus.RUNNING for status, _d in seen)
    done = [d for _s, d in seen]
    assert done == sorted(done) and 0 < done[0] < upload.size and done[-1] == upload.size
