"""Invitation link → sign-up → "almost complete" → first login → CMS Terms of Use."""

import json
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language_info
from django.views.decorators.http import require_POST

from agentmatch.accounts import actions
from agentmatch.accounts.forms import SignUpForm, service_message
from agentmatch.accounts.invitations import InvitationError, find_invitation
from agentmatch.accounts.passwords import CHECKLIST, broken_lines, personal_words
from agentmatch.accounts.registration import RegistrationError
from agentmatch.accounts.terms import current_version
from agentmatch.core.languages import language_name
from agentmatch.eligibility.preferences import profile_states
from agentmatch.planyears.services import NoCurrentPlanYear, current_plan_year


def register(request: HttpRequest, token: str) -> HttpResponse:
    now = timezone.now()
    try:
        invitation = find_invitation(token=token, now=now)
    except InvitationError as exc:
        return render(
            request,
            "accounts/link_problem.html",
            {"problem": exc.code, "message": exc.message, "token": token},
            status=410 if exc.code in ("expired", "used", "revoked") else 404,
        )
    agent = invitation.agent
    form = SignUpForm(request.POST or None, agent=agent)
    if request.method == "POST" and form.is_valid():
        try:
            actions.register(invitation=invitation, sign_up=form.sign_up(), now=now)
        except RegistrationError as exc:
            for field, messages in exc.errors.items():
                for message in messages:
                    form.add_error(
                        field if field in form.fields else None, service_message(field, message)
                    )
        except InvitationError as exc:
            return render(
                request,
                "accounts/link_problem.html",
                {"problem": exc.code, "message": exc.message, "token": token},
                status=410,
            )
        else:
            return redirect("accounts:register_done")
    return render(
        request,
        "accounts/register.html",
        {
            "form": form,
            "agent": agent,
            "terms_version": current_version("service"),
            # The username typed on the page joins these words live (password-rules.js).
            **checklist(request, personal_words(_future_user(agent, request))),
        },
    )


def _future_user(agent: Any, request: HttpRequest) -> SimpleNamespace:
    """The user the sign-up creates, as far as the password validators look at it."""
    return SimpleNamespace(
        username=request.POST.get("username", ""),
        first_name=agent.first_name,
        last_name=agent.last_name,
        email=agent.email,
    )


def checklist(request: HttpRequest, words: list[str]) -> dict[str, Any]:
    """The password checklist's context: its lines, the personal words it checks live, and
    after a submit the codes of the lines the submitted password broke."""
    broken = None
    if request.method == "POST":
        broken = broken_lines(request.POST.get("password", ""), words)
    return {
        "password_rules": CHECKLIST,
        "broken_rules": broken,
        "personal_words": json.dumps(words),
    }


def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/register_done.html")


@require_POST
def fresh_link(request: HttpRequest) -> HttpResponse:
    actions.request_fresh_invitation(token=request.POST.get("token", ""), now=timezone.now())
    return render(request, "accounts/fresh_link_sent.html")


@login_required
def cms_terms(request: HttpRequest) -> HttpResponse:
    user = request.user
    agent = getattr(user, "agent", None)
    if agent is None:
        return redirect("accounts:home")
    now = timezone.now()
    if request.method == "POST":
        if request.POST.get("decision") == "accept" and request.POST.get("agree"):
            actions.accept_terms(user=user, now=now)  # type: ignore[arg-type]
            request.session["cms_terms_ok"] = True
            return redirect("accounts:profile")
        if request.POST.get("decision") == "decline":
            return render(request, "accounts/terms_declined.html")
        error = True
    else:
        error = False
    try:
        states = profile_states(agent=agent, plan_year=current_plan_year(), today=now.date())
        selected = states.selected
    except NoCurrentPlanYear:
        selected = []
    languages = [local_language_name(x) for x in agent.languages.values_list("language", flat=True)]
    return render(
        request,
        "accounts/cms_terms.html",
        {"languages": languages, "states": selected, "error": error},
    )


def local_language_name(code: str) -> str:
    """The language's name in the page's language when Django knows it, else in English."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return language_name(code)


def terms_text(request: HttpRequest, document: str) -> HttpResponse:
    if document not in ("service", "cms"):
        return render(request, "accounts/link_problem.html", {"problem": "invalid"}, status=404)
    return render(
        request,
        f"accounts/terms_{document}.html",
        {"version": current_version(document)},
    )
