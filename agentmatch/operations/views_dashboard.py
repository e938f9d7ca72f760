"""The operators' dashboard: how the service did in a period, with charts and tables."""

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agentmatch.operations.charts import band_label, bar_chart, bucket_label
from agentmatch.operations.dashboard import dashboard as figures_for
from agentmatch.operations.dashboard_forms import WEEK, PeriodForm
from agentmatch.operations.permissions import operator_required


@require_GET
@operator_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or {"period": WEEK}, today=timezone.localdate())
    if not form.is_valid():
        return render(request, "operations/dashboard.html", {"form": form}, status=400)
    figures = figures_for(form.to_period())
    bucket = figures.period.bucket
    context = {
        "form": form,
        "figures": figures,
        "bucket": bucket,
        "last_day": figures.period.end - timedelta(seconds=1),
        "requests_chart": bar_chart(
            [(bucket_label(c.start, bucket), c.count) for c in figures.requests]
        ),
        "requests_table": [
            (bucket_label(c.start, bucket, long=True), c.count) for c in figures.requests
        ],
        "breakdowns": [
            (figures.by_state, _("State"), "states", _("Figures by the consumer's state")),
            (
                figures.by_language,
                _("Language"),
                "languages",
                _("Figures by the consumer's language"),
            ),
        ],
        "accept_chart": bar_chart(
            [(band_label(b.lower, b.upper), b.count) for b in figures.accept_bands], height=200
        ),
    }
    return render(request, "operations/dashboard.html", context)
