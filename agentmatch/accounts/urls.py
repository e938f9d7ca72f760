from django.urls import path

from agentmatch.accounts import (
    views_help,
    views_login,
    views_passkeys,
    views_profile,
    views_registration,
)

app_name = "accounts"

urlpatterns = [
    path("", views_login.home, name="home"),
    path("login/", views_login.LoginView.as_view(), name="login"),
    path("logout/", views_login.logout_view, name="logout"),
    path("logout/everywhere/", views_login.logout_everywhere, name="logout_everywhere"),
    path("help/", views_help.help_page, name="help"),
    path("no-invitation/", views_help.no_invitation, name="no_invitation"),
    path("forgot-username/", views_login.forgot_username, name="forgot_username"),
    path("forgot-password/", views_login.forgot_password, name="forgot_password"),
    path("reset/<str:token>/", views_login.reset, name="reset"),
    path("password/", views_login.change_password, name="change_password"),
    path("register/done/", views_registration.register_done, name="register_done"),
    path("register/fresh-link/", views_registration.fresh_link, name="fresh_link"),
    path("register/<str:token>/", views_registration.register, name="register"),
    path("terms/", views_registration.cms_terms, name="cms_terms"),
    path("start/", views_registration.getting_started, name="getting_started"),
    path("terms/<str:document>/", views_registration.terms_text, name="terms_text"),
    path("profile/", views_profile.profile, name="profile"),
    path("profile/devices/<int:token_id>/revoke/", views_profile.revoke_token, name="revoke_token"),
    path("passkeys/register/begin/", views_passkeys.register_begin, name="passkey_register_begin"),
    path(
        "passkeys/register/finish/", views_passkeys.register_finish, name="passkey_register_finish"
    ),
    path("passkeys/login/begin/", views_passkeys.login_begin, name="passkey_login_begin"),
    path("passkeys/login/finish/", views_passkeys.login_finish, name="passkey_login_finish"),
    path("passkeys/<int:passkey_id>/delete/", views_passkeys.delete, name="passkey_delete"),
]
