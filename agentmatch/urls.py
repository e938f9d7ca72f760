from django.urls import include, path

from agentmatch.api import views as api_views
from agentmatch.api.api import api
from agentmatch.core import views as core_views
from agentmatch.observability import views as observability_views

urlpatterns = [
    path("api/v1/", api.urls),
    path("accounts/", include("agentmatch.accounts.urls")),
    path("ops/", include("agentmatch.operations.urls")),
    path("n/", include("agentmatch.workspace.offer_answer_urls")),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("api/openapi.json", api_views.openapi_schema, name="openapi-json"),
    path("api/docs", api_views.api_docs, name="api-docs"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", observability_views.metrics, name="metrics"),
    path("privacy/", core_views.privacy, name="privacy"),
    path("accessibility/", core_views.accessibility, name="accessibility"),
    path("about/", core_views.about, name="about"),
    path("workspace/", include("agentmatch.workspace.urls")),
    path("availability/", include("agentmatch.accounts.availability_urls")),
    path("app/", include("agentmatch.webapp.urls")),
    path("find-help/", include("agentmatch.directory.urls")),
    # Last: the consumer pages own the front door ("Get Contacted").
    path("", include("agentmatch.consumers.urls")),
]

# Under /api/ a 400 is JSON, and an over-large body a 413 (the other statuses are made JSON
# by agentmatch.api.errors.ApiJsonErrorsMiddleware).
handler400 = "agentmatch.api.errors.bad_request"
