"""Administrators' actions on import files uploaded from the web: upload, cancel.

Each stores or changes the upload and writes its ControlChange row in one transaction;
the import itself is the worker's (imports/uploads.py).
"""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from agentmatch.accounts.models import User
from agentmatch.imports.models import ImportKind, ImportUpload, ImportUploadChunk, UploadStatus
from agentmatch.imports.uploads import store_upload
from agentmatch.operations.models import ControlChange, ControlKind
from agentmatch.operations.services import OperationError


def largest_upload() -> int:
    return int(settings.IMPORT_UPLOAD_MAX_MB) * 1024 * 1024


def upload_import_file(
    *,
    operator: User,
    kind: str,
    file_name: str,
    size: int,
    pieces: Iterable[bytes],
    plan_year: int | None,
    now: datetime,
) -> ImportUpload:
    """Queues a file for a worker to import; the administrator follows it on its page.

    What is inside (format, encoding, columns) is the importer's to judge: a file it
    cannot read ends as a failed import with its reason, as with the commands."""
    if kind not in ImportKind.values:
        raise OperationError(_("Choose which list the file is."))
    if size <= 0:
        raise OperationError(_("The file is empty."))
    if size > largest_upload():
        raise OperationError(too_large_message())
    with transaction.atomic(durable=True):
        upload = store_upload(
            kind=kind,
            file_name=file_name,
            plan_year=plan_year,
            pieces=pieces,
            uploaded_by=operator,
            now=now,
        )
        ControlChange.objects.create(
            operator=operator,
            kind=ControlKind.IMPORT_UPLOADED,
            subject=upload.file_name[:200],
            detail={
                "upload": upload.pk,
                "kind": kind,
                "plan_year": plan_year,
                "size": upload.size,
                "sha256": upload.sha256,
            },
            at=now,
        )
    return upload


def cancel_import_upload(*, operator: User, upload_id: int, now: datetime) -> None:
    """Cancels an upload no worker has started; a running import cannot be stopped halfway."""
    with transaction.atomic(durable=True):
        upload = ImportUpload.objects.filter(pk=upload_id).first()
        if upload is None:
            raise OperationError(_("There is no such upload."))
        canceled = ImportUpload.objects.filter(pk=upload_id, status=UploadStatus.QUEUED).update(
            status=UploadStatus.CANCELED, finished_at=now
        )
        if not canceled:
            raise OperationError(
                _("This import has already started or ended: it can no longer be canceled.")
            )
        ImportUploadChunk.objects.filter(upload_id=upload_id).delete()
        ControlChange.objects.create(
            operator=operator,
            kind=ControlKind.IMPORT_CANCELED,
            subject=upload.file_name[:200],
            detail={"upload": upload.pk, "kind": upload.kind},
            at=now,
        )


def too_large_message() -> str:
    return _(
        "The file is larger than %(mb)s MB, the most this page accepts. Import it with the "
        "import command on the server instead (see the operations guide)."
    ) % {"mb": settings.IMPORT_UPLOAD_MAX_MB}
