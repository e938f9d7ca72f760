from django.urls import path

from agentmatch.notifications import views as delivery_views
from agentmatch.workspace import views_offer_answers as views

# The links in messages already sent say /n/...: the paths and their names
# ("notifications:offer_link", "notifications:sms_inbound") stay as they were.
app_name = "notifications"
urlpatterns = [
    path("o/<str:token>/", views.offer_link, name="offer_link"),
    path("sms/inbound", views.sms_inbound, name="sms_inbound"),
    # Twilio's delivery reports (TWILIO_STATUS_CALLBACK_URL points here by default).
    path("sms/status", delivery_views.sms_status, name="sms_status"),
]
