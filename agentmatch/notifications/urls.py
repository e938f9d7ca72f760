from django.urls import path

from agentmatch.notifications import views

app_name = "notifications"
urlpatterns = [
    path("o/<str:token>/", views.offer_link, name="offer_link"),
    path("sms/inbound", views.sms_inbound, name="sms_inbound"),
]
