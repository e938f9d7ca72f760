from django.urls import path

from agentmatch.operations import (
    views,
    views_controls,
    views_dashboard,
    views_disclosures,
    views_exports,
    views_imports,
    views_outbox,
    views_queue,
    views_service,
    views_settings,
    views_staff,
    views_webhooks,
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
    path("staff/", views_staff.staff, name="staff"),
    path(
        "staff/<int:user_id>/role/", views_staff.staff_action, {"action": "role"}, name="staff_role"
    ),
    path(
        "staff/<int:user_id>/deactivate/",
        views_staff.staff_action,
        {"action": "deactivate"},
        name="staff_deactivate",
    ),
    path(
        "staff/<int:user_id>/reactivate/",
        views_staff.staff_action,
        {"action": "reactivate"},
        name="staff_reactivate",
    ),
    path(
        "staff/<int:user_id>/password-link/",
        views_staff.staff_action,
        {"action": "password-link"},
        name="staff_password_link",
    ),
    path("service/", views_service.service, name="service"),
    path("service/new/", views_service.new_plan_year, name="new_plan_year"),
    path("service/<int:year>/current/", views_service.make_current, name="make_current"),
    path("service/<int:year>/states/", views_service.served_states, name="served_states"),
    path("outbox/", views_outbox.outbox, name="outbox"),
    path("outbox/requeue-failed/", views_outbox.requeue_channel, name="outbox_requeue_channel"),
    path("outbox/<int:message_id>/", views_outbox.message_detail, name="outbox_message"),
    path("outbox/<int:message_id>/requeue/", views_outbox.requeue, name="outbox_requeue"),
    path("outbox/<int:message_id>/cancel/", views_outbox.cancel, name="outbox_cancel"),
    path("disclosures/", views_disclosures.disclosures, name="disclosures"),
    path("imports/", views_imports.imports, name="imports"),
    path("imports/<int:upload_id>/", views_imports.import_upload, name="import_upload"),
    path(
        "imports/<int:upload_id>/progress/", views_imports.import_progress, name="import_progress"
    ),
    path("imports/<int:upload_id>/cancel/", views_imports.cancel_import, name="cancel_import"),
]
urlpatterns += [
    path("webhooks/", views_webhooks.webhooks, name="webhooks"),
    path("webhooks/<int:subscription_id>/", views_webhooks.webhook, name="webhook"),
    path("webhooks/<int:subscription_id>/rotate/", views_webhooks.rotate, name="webhook_rotate"),
    path(
        "webhooks/<int:subscription_id>/deactivate/",
        views_webhooks.control,
        {"action": "deactivate"},
        name="webhook_deactivate",
    ),
    path(
        "webhooks/<int:subscription_id>/test/",
        views_webhooks.control,
        {"action": "test"},
        name="webhook_test",
    ),
    path(
        "webhooks/<int:subscription_id>/deliveries/<int:delivery_id>/redeliver/",
        views_webhooks.redeliver,
        name="webhook_redeliver",
    ),
    path(
        "webhooks/partners/<int:partner_id>/consumer-details/",
        views_webhooks.partner_details,
        name="webhook_partner_details",
    ),
]
