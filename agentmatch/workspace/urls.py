from django.urls import path

from agentmatch.workspace import views

app_name = "workspace"
urlpatterns = [
    path("", views.referrals, name="referrals"),
    path("offers/", views.offers_partial, name="offers"),
    path("pending/", views.pending_count, name="pending_count"),
    path("offers/<int:offer_id>/accept/", views.accept, name="accept"),
    path("offers/<int:offer_id>/reject/", views.reject, name="reject"),
    path("referrals/<uuid:public_id>/", views.referral_detail, name="referral"),
    path("history/", views.history, name="history"),
    path("history/export.csv", views.history_export, name="history_export"),
]
