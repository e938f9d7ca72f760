"""Login with "Remember my username", logout (here or everywhere), and recovery."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agentmatch.accounts import actions
from agentmatch.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    ForgotUsernameForm,
    LoginForm,
    ResetPasswordForm,
    service_message,
)
from agentmatch.accounts.models import User
from agentmatch.accounts.passwords import personal_words
from agentmatch.accounts.recovery import ResetError, find_reset_link
from agentmatch.accounts.views_help import help_links
from agentmatch.accounts.views_registration import checklist
from agentmatch.core.clients import client_address

REMEMBER_COOKIE = "remembered_username"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_initial(self) -> dict[str, Any]:
        remembered = self.request.get_signed_cookie(REMEMBER_COOKIE, default="", salt="username")
        return {"username": remembered, "remember_username": bool(remembered)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # The "no invitation yet?" box: spam folder, help desk, tracker, NPN look-up.
        return {**super().get_context_data(**kwargs), **help_links()}

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        # Only the username is remembered, never the password or the session.
        if form.cleaned_data.get("remember_username"):
            response.set_signed_cookie(
                REMEMBER_COOKIE,
                form.get_user().get_username(),
                salt="username",
                max_age=settings.REMEMBER_USERNAME_DAYS * 86400,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        else:
            response.delete_cookie(REMEMBER_COOKIE)
        return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@require_POST
@login_required
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    actions.sign_out_everywhere(user=request.user, now=timezone.now())  # type: ignore[arg-type]
    logout(request)
    messages.info(request, _("You are signed out on every device."))
    return redirect("accounts:login")


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if getattr(user, "is_operator", False):
        return redirect("operations:agents")
    return redirect("workspace:referrals")


def forgot_username(request: HttpRequest) -> HttpResponse:
    form = ForgotUsernameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.request_username_reminder(
            email=form.cleaned_data["email"], address=client_address(request), now=timezone.now()
        )
        return render(request, "accounts/recovery_sent.html", {"what": "username"})
    return render(request, "accounts/forgot_username.html", {"form": form})


def forgot_password(request: HttpRequest) -> HttpResponse:
    form = ForgotPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.request_password_reset(
            username_or_email=form.cleaned_data["username_or_email"],
            address=client_address(request),
            now=timezone.now(),
        )
        return render(request, "accounts/recovery_sent.html", {"what": "password"})
    return render(request, "accounts/forgot_password.html", {"form": form})


def reset(request: HttpRequest, token: str) -> HttpResponse:
    now = timezone.now()
    try:
        link = find_reset_link(token=token, now=now)
    except ResetError as exc:
        return render(
            request,
            "accounts/link_problem.html",
            {"problem": exc.code, "message": exc.message, "reset": True},
            status=410 if exc.code != "invalid" else 404,
        )
    form = ResetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.reset_password(
                token=token,
                password=form.cleaned_data["password"],
                password_again=form.cleaned_data["password_again"],
                now=now,
            )
        except ValidationError as exc:
            add_password_errors(form, exc)
        except ResetError as exc:
            return render(
                request,
                "accounts/link_problem.html",
                {"problem": exc.code, "message": exc.message, "reset": True},
                status=410,
            )
        else:
            messages.success(request, _("Your password was changed. Log in with it now."))
            return redirect("accounts:login")
    return render(
        request,
        "accounts/reset.html",
        {"form": form, **checklist(request, personal_words(link.user))},
    )


def add_password_errors(form: ResetPasswordForm, exc: ValidationError) -> None:
    """The new password's broken rules, or the mismatch, next to the field concerned."""
    field = "password_again" if getattr(exc, "code", "") == "mismatch" else "password"
    for message in exc.messages:
        form.add_error(field, service_message(field, message))


@login_required
def change_password(request: HttpRequest) -> HttpResponse:
    form = ChangePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user: User = request.user  # type: ignore[assignment]
        try:
            actions.change_password(
                request=request,
                user=user,
                current_password=form.cleaned_data["current_password"],
                password=form.cleaned_data["password"],
                password_again=form.cleaned_data["password_again"],
                now=timezone.now(),
            )
        except ValidationError as exc:
            add_password_errors(form, exc)
        except actions.LockedOut:
            # django-axes' middleware answers with the lockout page (429, Retry-After).
            pass
        except actions.AccountError as exc:
            form.add_error(exc.field, exc.message)
        else:
            # Every other browser and device is signed out; this one stays in.
            update_session_auth_hash(request, user)
            messages.success(
                request,
                _("Your password was changed. Your other browsers and devices are signed out."),
            )
            return redirect("accounts:home")
    return render(
        request,
        "accounts/change_password.html",
        {"form": form, **checklist(request, personal_words(request.user))},
    )
