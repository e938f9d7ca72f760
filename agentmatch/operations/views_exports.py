"""Operators' CSV exports: a form, and the download it posts to (audited by the action)."""

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from agentmatch.accounts.models import Role
from agentmatch.core import time_zones
from agentmatch.core.csv_export import csv_download
from agentmatch.operations import actions
from agentmatch.operations.forms import ExportForm
from agentmatch.operations.models import DataExport
from agentmatch.operations.permissions import operator_required, operator_time_zone
from agentmatch.operations.services import OperationError


@require_http_methods(["GET", "POST"])
@operator_required
def exports(request: HttpRequest) -> HttpResponseBase:
    administrator = getattr(request.user, "role", "") == Role.ADMINISTRATOR
    data = request.POST if request.method == "POST" else None
    form = ExportForm(data, may_include_contact_details=administrator)
    error = ""
    if form.is_bound and form.is_valid():
        start, end = form.period()
        try:
            export = actions.start_export(
                operator=request.user,  # type: ignore[arg-type]
                kind=form.cleaned_data["kind"],
                start=start,
                end=end,
                with_contact_details=bool(form.cleaned_data.get("with_contact_details")),
                now=timezone.now(),
            )
        except OperationError as exc:
            error = str(exc)
        else:
            return csv_download(export.filename, export.header, export.rows)
    context = {
        "form": form,
        "error": error,
        "recent": DataExport.objects.select_related("operator")[:20],
        "zone_name": time_zones.label_of(operator_time_zone(request.user)),
    }
    return render(
        request, "operations/exports.html", context, status=400 if error or form.errors else 200
    )
