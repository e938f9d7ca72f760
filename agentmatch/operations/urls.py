from django.urls import path

from agentmatch.operations import (
    views,
    views_controls,
    views_dashboard,
    views_exports,
    views_imports,
    views_queue,
    views_settings,
)

app_name = "operations"

urlpatterns = [
    path("", views.agents, name="agents"),
    path("agents/<str:npn>/", views.agent_detail, name="agent"),
    path(
        "agents/<str:npn>/resend-invitation/",
        views.agent_action,
        {"action": "resend-invitation"},
        name="resend_invitation",
    ),
    path("agents/<str:npn>/unlock/", views.agent_action, {"action": "unlock"}, name="unlock"),
    path(
        "agents/<str:npn>/deactivate/",
        views.agent_action,
        {"action": "deactivate"},
        name="deactivate",
    ),
    path(
        "agents/<str:npn>/reactivate/",
        views.agent_action,
        {"action": "reactivate"},
        name="reactivate",
    ),
    path(
        "agents/<str:npn>/clear-undeliverable/",
        views.agent_action,
        {"action": "clear-undeliverable"},
        name="clear_undeliverable",
    ),
    path("referrals/", views.find_referral, name="find_referral"),
    path("exports/", views_exports.exports, name="exports"),
    path("referrals/<uuid:public_id>/", views.referral_timeline, name="referral"),
    path("queue/", views_queue.live_queue, name="queue"),
    path("queue/live/", views_queue.live_queue_fragment, name="queue_live"),
]

urlpatterns += [path("dashboard/", views_dashboard.dashboard, name="dashboard")]
urlpatterns += [path("settings/", views_settings.settings_page, name="settings")]
urlpatterns += [path("controls/", views_controls.controls, name="controls")]
urlpatterns += [
    path("imports/", views_imports.imports, name="imports"),
    path("imports/<int:upload_id>/", views_imports.import_upload, name="import_upload"),
    path(
        "imports/<int:upload_id>/progress/", views_imports.import_progress, name="import_progress"
    ),
    path("imports/<int:upload_id>/cancel/", views_imports.cancel_import, name="cancel_import"),
]
