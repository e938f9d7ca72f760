from django.urls import path

from agentmatch.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.find_help, name="find_help"),
]
