"""Administrators manage support staff's logins (/ops/staff/): one action per POST."""

from collections.abc import Callable
from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agentmatch.accounts.models import User
from agentmatch.accounts.staff_accounts import StaffAccountError, staff_accounts
from agentmatch.operations import staff_actions
from agentmatch.operations.permissions import administrator_required
from agentmatch.operations.staff_forms import NewStaffForm, RoleForm


def _page(
    request: HttpRequest, form: NewStaffForm, error: str = "", field: str | None = None
) -> HttpResponse:
    context = {
        "form": form,
        "error": error,
        "field_error": field or "",
        "staff": staff_accounts().order_by("-is_active", "username"),
        "me": request.user.pk,
    }
    status = 400 if error or form.errors else 200
    return render(request, "operations/staff.html", context, status=status)


@require_http_methods(["GET", "POST"])
@administrator_required
def staff(request: HttpRequest) -> HttpResponse:
    form = NewStaffForm(request.POST if request.method == "POST" else None)
    if not form.is_bound:
        return _page(request, form)
    if not form.is_valid():
        return _page(request, form)
    try:
        user = staff_actions.create_staff_account(
            operator=cast(User, request.user),
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            now=timezone.now(),
        )
    except StaffAccountError as exc:
        return _page(request, form, exc.message, exc.field)
    messages.success(
        request,
        _("Created %(username)s. They got an email with a link to choose their password.")
        % {"username": user.username},
    )
    return redirect("operations:staff")


def _role(request: HttpRequest, operator: User, user_id: int) -> str:
    form = RoleForm(request.POST)
    if not form.is_valid():
        raise StaffAccountError("bad_role", _("Choose operator or administrator."))
    user = staff_actions.change_role(
        operator=operator, user_id=user_id, role=form.cleaned_data["role"], now=timezone.now()
    )
    if user.role == "administrator":
        return _("%(username)s is now an administrator.") % {"username": user.username}
    return _("%(username)s is now an operator.") % {"username": user.username}


def _deactivate(request: HttpRequest, operator: User, user_id: int) -> str:
    user = staff_actions.deactivate_staff_account(
        operator=operator, user_id=user_id, now=timezone.now()
    )
    return _("Deactivated %(username)s and signed them out everywhere.") % {
        "username": user.username
    }


def _reactivate(request: HttpRequest, operator: User, user_id: int) -> str:
    user = staff_actions.reactivate_staff_account(
        operator=operator, user_id=user_id, now=timezone.now()
    )
    return _("Reactivated %(username)s.") % {"username": user.username}


def _password_link(request: HttpRequest, operator: User, user_id: int) -> str:
    user = staff_actions.send_staff_password_link(
        operator=operator, user_id=user_id, now=timezone.now()
    )
    return _("Sent %(username)s a link to choose a new password.") % {"username": user.username}


ACTIONS: dict[str, Callable[[HttpRequest, User, int], str]] = {
    "role": _role,
    "deactivate": _deactivate,
    "reactivate": _reactivate,
    "password-link": _password_link,
}


@require_POST
@administrator_required
def staff_action(request: HttpRequest, user_id: int, action: str) -> HttpResponse:
    perform = ACTIONS.get(action)
    if perform is None:
        raise Http404("No such action")
    try:
        done = perform(request, cast(User, request.user), user_id)
    except StaffAccountError as exc:
        return _page(request, NewStaffForm(), exc.message)
    messages.success(request, done)
    return redirect("operations:staff")
