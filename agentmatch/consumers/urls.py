from django.urls import path
from django.views.generic import TemplateView

app_name = "consumers"
urlpatterns = [
    # Placeholder until the Get Contacted page lands.
    path("", TemplateView.as_view(template_name="consumers/index.html"), name="index"),
]
