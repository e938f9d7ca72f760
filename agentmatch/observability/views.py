"""`/metrics` for Prometheus (the readiness and liveness probes are core's)."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from agentmatch.observability import access
from agentmatch.observability.metrics import exposition


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    refused = access.refusal(request)
    if refused is not None:
        return refused
    # Text format 0.0.4: every Prometheus version reads it (our names need nothing newer).
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_PLAIN_0_0_4)
