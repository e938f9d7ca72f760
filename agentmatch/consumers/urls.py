from django.urls import path

from agentmatch.consumers import views

app_name = "consumers"
urlpatterns = [
    path("", views.index, name="index"),
    path("request/<uuid:public_id>/sent/", views.confirmation, name="confirmation"),
    path("status/<uuid:public_id>/", views.status, name="status"),
    path("status/<uuid:public_id>/live/", views.status_partial, name="status_partial"),
    path("status/<uuid:public_id>/cancel/", views.cancel, name="cancel"),
    # Last: the secret link from the text message (any other segment is a token).
    path("status/<uuid:public_id>/<str:token>/", views.status_link, name="status_link"),
]
