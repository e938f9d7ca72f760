"""The availability pages (/availability/): the URL names keep their `agents:` namespace."""

from django.urls import path

from agentmatch.accounts import views_availability as views

app_name = "agents"
urlpatterns = [
    path("", views.availability, name="availability"),
    path("switch/", views.switch, name="switch"),
    path("mode/", views.mode, name="mode"),
    path("hours/", views.hours, name="hours"),
    path("absences/", views.absence_add, name="absence_add"),
    path("absences/<int:absence_id>/delete/", views.absence_delete, name="absence_delete"),
    path("test-notification/", views.test_notification, name="test_notification"),
]
