"""/ops/imports/: administrators upload a file, a worker imports it, the page follows it."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from agentmatch.imports.actions import import_file
from agentmatch.imports.models import ImportKind, ImportUpload, ImportUploadChunk, UploadStatus
from agentmatch.imports.tests.helpers import fixture
from agentmatch.imports.uploads import claim_next_upload, run_one_upload
from agentmatch.operations.models import ControlChange, ControlKind
from agentmatch.testing import make_operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(plan_year):  # type: ignore[no-untyped-def]
    return make_operator(username="ada.admin", role="administrator")


@pytest.fixture
def admin_client(admin):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(admin)
    return client


def a_file(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, Path(fixture(name)).read_bytes(), "text/csv")


def upload(client: Client, name: str, kind: str, **extra: object):  # type: ignore[no-untyped-def]
    return client.post("/ops/imports/", {"kind": kind, "file": a_file(name), **extra})


def test_the_page_offers_the_four_files_and_the_history_of_imports(admin_client, plan_year):
    import_file(kind=ImportKind.RCL, path=fixture("rcl.csv"), now=timezone.now())
    page = admin_client.get("/ops/imports/")
    assert page.status_code == 200
    text = page.content.decode()
    for kind in ("roster", "rcl", "rtl", "nipr"):
        assert f'value="{kind}"' in text
    assert 'enctype="multipart/form-data"' in text
    assert "command on the server" in text and "rcl.csv" in text


def test_an_upload_is_queued_audited_and_shown_waiting(admin_client, admin):
    response = upload(admin_client, "roster.csv", "roster")
    queued = ImportUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/ops/imports/{queued.pk}/"
    assert (queued.status, queued.uploaded_by, queued.file_name) == ("queued", admin, "roster.csv")
    change = ControlChange.objects.get()
    assert (change.kind, change.operator, change.subject) == (
        ControlKind.IMPORT_UPLOADED,
        admin,
        "roster.csv",
    )
    assert change.detail == {
        "upload": queued.pk,
        "kind": "roster",
        "plan_year": None,
        "size": queued.size,
        "sha256": queued.sha256,
    }
    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    assert b'id="import-progress"' in page.content
    assert b"hx-trigger" in page.content  # polls while it waits
    assert b"Cancel this import" in page.content


def test_once_imported_the_page_shows_the_summary_and_the_rejected_rows(admin_client):
    upload(admin_client, "rcl.csv", "rcl", plan_year="2026")
    run_one_upload(timezone.now())
    queued = ImportUpload.objects.get()
    page = admin_client.get(f"/ops/imports/{queued.pk}/")
    text = page.content.decode()
    assert 'value="100"' in text and "hx-trigger" not in text
    assert 'id="import-summary"' in text
    assert '<th scope="row" data-label="Line">9</th>' in text
    assert "NPN &#x27;12AB5&#x27; is not an NPN" in text
    history = admin_client.get("/ops/imports/").content.decode()
    assert f'href="/ops/imports/{queued.pk}/"' in history and "ada.admin" in history


def test_the_progress_fragment_polls_until_the_import_ends(admin_client):
    upload(admin_client, "roster.csv", "roster")
    queued = ImportUpload.objects.get()
    fragment = admin_client.get(f"/ops/imports/{queued.pk}/progress/")
    assert fragment.status_code == 200 and b"hx-get" in fragment.content
    run_one_upload(timezone.now())
    fragment = admin_client.get(f"/ops/imports/{queued.pk}/progress/")
    assert b"hx-get" not in fragment.content and b'id="import-summary"' in fragment.content
    assert b"Cancel this import" not in fragment.content  # the button goes with the wait


def test_a_file_the_importer_cannot_read_ends_as_a_failed_import_with_its_reason(admin_client):
    upload(admin_client, "bad_undecodable.csv", "rcl")
    run_one_upload(timezone.now())
    queued = ImportUpload.objects.get()
    page = admin_client.get(f"/ops/imports/{queued.pk}/")
    assert page.status_code == 200
    assert queued.failure_reason and "not UTF-8" in queued.failure_reason
    assert queued.failure_reason.encode() in page.content
    assert b'id="import-failure"' in page.content


def test_a_file_too_large_is_refused_with_a_message_before_it_is_read(admin_client, settings):
    settings.IMPORT_UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("roster.csv", b"x" * (2 * 1024 * 1024), "text/csv")
    response = admin_client.post("/ops/imports/", {"kind": "roster", "file": big})
    assert response.status_code == 400
    assert b"larger than 1 MB" in response.content
    assert not ImportUpload.objects.exists() and not ControlChange.objects.exists()


def test_a_file_just_over_the_limit_is_refused_too(admin_client, settings):
    settings.IMPORT_UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("roster.csv", b"x" * (1024 * 1024 + 1), "text/csv")
    response = admin_client.post("/ops/imports/", {"kind": "roster", "file": big})
    assert response.status_code == 400
    assert b"larger than 1 MB" in response.content
    assert not ImportUpload.objects.exists()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"kind": "roster"}, b"This field is required"),
        ({"kind": "payroll", "file": "x"}, b"Select a valid choice"),
        ({"kind": "nipr", "plan_year": "2026"}, b"Only the registration list and the roster"),
        ({"kind": "rcl", "plan_year": "26"}, b"greater than or equal to 2014"),
    ],
)
def test_bad_input_is_a_400_naming_the_problem(admin_client, data, problem):
    if data.get("file") == "x" or "plan_year" in data:
        data = {**data, "file": a_file("nipr.xml")}
    response = admin_client.post("/ops/imports/", data)
    assert response.status_code == 400
    assert problem in response.content
    assert not ImportUpload.objects.exists()


def test_an_empty_file_is_refused(admin_client):
    empty = SimpleUploadedFile("roster.csv", b"", "text/csv")
    response = admin_client.post("/ops/imports/", {"kind": "roster", "file": empty})
    assert response.status_code == 400
    assert not ImportUpload.objects.exists()


def test_a_queued_upload_can_be_canceled_and_that_is_audited(admin_client, admin):
    upload(admin_client, "roster.csv", "roster")
    queued = ImportUpload.objects.get()
    response = admin_client.post(f"/ops/imports/{queued.pk}/cancel/")
    assert response.status_code == 302
    queued.refresh_from_db()
    assert queued.status == UploadStatus.CANCELED
    assert not ImportUploadChunk.objects.filter(upload=queued).exists()
    change = ControlChange.objects.filter(kind=ControlKind.IMPORT_CANCELED).get()
    assert (change.operator, change.subject, change.detail["upload"]) == (
        admin,
        "roster.csv",
        queued.pk,
    )
    assert run_one_upload(timezone.now()) is False


def test_a_started_import_cannot_be_canceled(admin_client):
    upload(admin_client, "roster.csv", "roster")
    queued = ImportUpload.objects.get()
    claim_next_upload(timezone.now())
    response = admin_client.post(f"/ops/imports/{queued.pk}/cancel/")
    assert response.status_code == 400
    assert b"can no longer be canceled" in response.content
    assert not ControlChange.objects.filter(kind=ControlKind.IMPORT_CANCELED).exists()


def test_an_unknown_upload_is_a_404(admin_client):
    assert admin_client.get("/ops/imports/999/").status_code == 404
    assert admin_client.post("/ops/imports/999/cancel/").status_code == 404


PAGES = ["/ops/imports/", "/ops/imports/{pk}/", "/ops/imports/{pk}/progress/"]


def queued_upload(admin) -> ImportUpload:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(admin)
    upload(client, "roster.csv", "roster")
    return ImportUpload.objects.get()


@pytest.mark.parametrize("path", PAGES)
def test_an_operator_gets_the_403_page(operator_client, admin, path):
    pk = queued_upload(admin).pk
    assert operator_client.get(path.format(pk=pk)).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_an_agent_gets_the_403_page(agent_client, admin, path):
    pk = queued_upload(admin).pk
    assert agent_client.get(path.format(pk=pk)).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_a_visitor_is_sent_to_sign_in(client, admin, path):
    pk = queued_upload(admin).pk
    response = client.get(path.format(pk=pk))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_neither_an_operator_nor_an_agent_can_upload_or_cancel(
    operator_client, agent_client, admin
):
    pk = queued_upload(admin).pk
    for client in (operator_client, agent_client):
        assert upload(client, "roster.csv", "roster").status_code == 403
        assert client.post(f"/ops/imports/{pk}/cancel/").status_code == 403
    assert ImportUpload.objects.count() == 1
    assert ImportUpload.objects.get().status == UploadStatus.QUEUED
    assert ControlChange.objects.count() == 1  # the administrator's upload only


def test_a_visitor_cannot_upload(client, admin):
    response = upload(client, "roster.csv", "roster")
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not ImportUpload.objects.exists()


def test_a_signed_out_poll_sends_the_page_to_sign_in(client, admin):
    pk = queued_upload(admin).pk
    response = client.get(f"/ops/imports/{pk}/progress/", headers={"HX-Request": "true"})
    assert response.status_code == 204 and "/login" in response["HX-Redirect"]


def test_an_upload_without_the_csrf_token_is_refused(admin):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin)
    assert upload(strict, "roster.csv", "roster").status_code == 403
    assert not ImportUpload.objects.exists()


def test_the_controls_hub_links_to_the_imports(admin_client):
    page = admin_client.get("/ops/controls/")
    assert b'href="/ops/imports/"' in page.content
