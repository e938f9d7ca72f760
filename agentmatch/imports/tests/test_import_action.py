"""Importing a file is one action: its own transaction, its run record, its follow-ups."""

from datetime import UTC, datetime

import pytest
from django.db import transaction

from agentmatch.imports.actions import import_file
from agentmatch.imports.base import UnreadableFile
from agentmatch.imports.models import ImportKind, ImportRun, ImportStatus
from agentmatch.imports.tests.helpers import fixture

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)


def test_an_import_records_its_run_at_the_time_it_is_given(plan_year):
    report = import_file(kind=ImportKind.RCL, path=fixture("rcl.csv"), now=NOW)
    run = ImportRun.objects.get()
    assert (run.status, run.started_at, run.created, run.npns_without_agent) == (
        ImportStatus.SUCCEEDED,
        NOW,
        6,
        5,
    )
    assert report.run == run and report.changed_anything


def test_an_import_owns_its_transaction_and_refuses_to_run_inside_another(plan_year):
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        import_file(kind=ImportKind.RCL, path=fixture("rcl.csv"), now=NOW)


def test_a_file_that_cannot_be_read_is_a_domain_error_naming_the_file(plan_year):
    with pytest.raises(UnreadableFile) as caught:
        import_file(kind=ImportKind.ROSTER, path=fixture("bad_empty.csv"), now=NOW)
    assert (caught.value.code, caught.value.field) == ("unreadable_file", "file")
    assert "empty" in caught.value.message
    assert ImportRun.objects.get().status == ImportStatus.FAILED
