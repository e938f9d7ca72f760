"""Administrators' imports from the web: upload a file, follow its import, read the history.

The upload is stored and queued (operations/uploads.py); a worker imports it. The upload's
page shows its progress, polled by htmx, and works without scripts by reloading it.
"""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agentmatch.imports.models import ImportRun, ImportUpload, UploadStatus
from agentmatch.operations import uploads
from agentmatch.operations.import_forms import TAKES_PLAN_YEAR, ImportUploadForm
from agentmatch.operations.permissions import administrator_required
from agentmatch.operations.services import OperationError

HISTORY = 30
POLL_SECONDS = 2
# Room for the form's other fields and the multipart boundaries around the file.
FORM_OVERHEAD = 64 * 1024


@require_http_methods(["GET", "POST"])
@csrf_exempt  # checked in _imports, once the size is known to be acceptable
@administrator_required
def imports(request: HttpRequest) -> HttpResponseBase:
    if request.method == "POST" and _declared_size(request) > (
        uploads.largest_upload() + FORM_OVERHEAD
    ):
        # Refused before the body is read: nothing of a too-large file is stored anywhere.
        return _page(request, ImportUploadForm(), uploads.too_large_message(), status=400)
    return _imports(request)


@csrf_protect
def _imports(request: HttpRequest) -> HttpResponseBase:
    if request.method != "POST":
        return _page(request, ImportUploadForm(), "")
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, "", status=400)
    file = form.cleaned_data["file"]
    try:
        upload = uploads.upload_import_file(
            operator=request.user,  # type: ignore[arg-type]
            kind=form.cleaned_data["kind"],
            file_name=file.name or "",
            size=file.size or 0,
            pieces=file.chunks(),
            plan_year=form.cleaned_data.get("plan_year"),
            now=timezone.now(),
        )
    except OperationError as exc:
        return _page(request, form, exc.message, status=400)
    return redirect("operations:import_upload", upload_id=upload.pk)


@require_GET
@administrator_required
def import_upload(request: HttpRequest, upload_id: int) -> HttpResponse:
    context = {"upload": _upload(upload_id), "poll_seconds": POLL_SECONDS, "error": ""}
    return render(request, "operations/import_upload.html", context)


@require_GET
def import_progress(request: HttpRequest, upload_id: int) -> HttpResponseBase:
    if request.headers.get("HX-Request") and not request.user.is_authenticated:
        # Signed out while the page polled: the whole page goes to the login page.
        response = HttpResponse(status=204)
        page = reverse("operations:import_upload", args=[upload_id])
        response["HX-Redirect"] = redirect_to_login(page)["Location"]
        return response
    return _progress(request, upload_id)


@administrator_required
def _progress(request: HttpRequest, upload_id: int) -> HttpResponse:
    context = {"upload": _upload(upload_id), "poll_seconds": POLL_SECONDS}
    return render(request, "operations/_import_progress.html", context)


@require_POST
@administrator_required
def cancel_import(request: HttpRequest, upload_id: int) -> HttpResponseBase:
    try:
        uploads.cancel_import_upload(
            operator=request.user,  # type: ignore[arg-type]
            upload_id=upload_id,
            now=timezone.now(),
        )
    except OperationError as exc:
        upload = ImportUpload.objects.filter(pk=upload_id).first()
        if upload is None:
            raise Http404 from exc
        context = {"upload": upload, "poll_seconds": POLL_SECONDS, "error": exc.message}
        return render(request, "operations/import_upload.html", context, status=400)
    return redirect("operations:import_upload", upload_id=upload_id)


def _upload(upload_id: int) -> ImportUpload:
    upload = ImportUpload.objects.select_related("run", "uploaded_by").filter(pk=upload_id).first()
    if upload is None:
        raise Http404
    return upload


def _declared_size(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _page(
    request: HttpRequest, form: ImportUploadForm, error: str, *, status: int = 200
) -> HttpResponse:
    pending = ImportUpload.objects.filter(
        status__in=(UploadStatus.QUEUED, UploadStatus.RUNNING)
    ).select_related("uploaded_by")
    context = {
        "form": form,
        "error": error,
        "max_mb": uploads.largest_upload() // (1024 * 1024),
        "takes_plan_year": TAKES_PLAN_YEAR,
        "pending": pending.defer("rejected_preview", "outcome")[:HISTORY],
        "runs": ImportRun.objects.select_related("upload__uploaded_by").order_by(
            "-started_at", "-pk"
        )[:HISTORY],
    }
    return render(request, "operations/imports.html", context, status=status)
