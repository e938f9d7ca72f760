"""Invitation link → sign-up → "almost complete" → first login → CMS Terms of Use."""

import json
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agentmatch.accounts import actions, agent_actions
from agentmatch.accounts.forms import SignUpForm, service_message
from agentmatch.accounts.install import phone_platform
from agentmatch.accounts.invitations import InvitationError, find_invitation
from agentmatch.accounts.notification_test import NothingToSend
from agentmatch.accounts.passwords import CHECKLIST, broken_lines, personal_words
from agentmatch.accounts.registration import RegistrationError
from agentmatch.accounts.terms import current_version
from agentmatch.agents.contact import wants_texts
from agentmatch.agents.errors import SettingError
from agentmatch.agents.labels import language_choices
from agentmatch.agents.models import AvailabilitySwitch, Channel
from agentmatch.agents.services import follows_hours_without_any
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
            user = actions.register(invitation=invitation, sign_up=form.sign_up(), now=now)
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
            # Signed in straight away: the next screen turns on this phone's app
            # notifications, which needs the agent's session (they just chose the password).
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
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
    """ "Your registration is almost complete!": check the test text, get the app on this
    phone with its notifications on, then continue to the CMS Terms of Use (tip sheet 004)."""
    agent = getattr(request.user, "agent", None) if request.user.is_authenticated else None
    if request.method == "POST" and agent is not None:
        try:
            agent_actions.send_test_message(agent=agent, now=timezone.now(), via="sms")
        except NothingToSend as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("We sent the test text again."))
        return redirect("accounts:register_done")
    return render(
        request,
        "accounts/register_done.html",
        {
            "agent": agent,
            "texts": agent is not None and wants_texts(agent) and bool(agent.cell_phone),
            "phone_ending": agent.cell_phone[-4:] if agent is not None else "",
            "platform": phone_platform(request.headers.get("User-Agent", "")),
            "vapid_public_key": settings.VAPID_PUBLIC_KEY,
        },
    )


@login_required
def getting_started(request: HttpRequest) -> HttpResponse:
    """After the terms: when can you take referrals? Set weekly hours, or sign on now (tip
    sheet 001: "set standard operating hours or sign on whenever you are available, 24/7").
    A new agent follows weekly hours and has none, so without an answer nothing comes."""
    agent = getattr(request.user, "agent", None)
    if agent is None:
        return redirect("accounts:home")
    if request.method == "POST":
        choice = request.POST.get("start")
        if choice == "now":
            agent_actions.change_availability(
                agent=agent, now=timezone.now(), channel=Channel.WEB, switch=AvailabilitySwitch.ON
            )
            messages.success(
                request,
                _("You are available now. Switch off at the top of any page when you stop."),
            )
            return redirect("workspace:referrals")
        if choice == "hours":
            return redirect(reverse("agents:availability") + "#weekly-hours")
        problem = _("Choose how you want to take referrals.")
    else:
        problem = ""
    return render(
        request,
        "accounts/getting_started.html",
        {
            "agent": agent,
            "problem": problem,
            "no_hours": follows_hours_without_any(agent),
            "platform": phone_platform(request.headers.get("User-Agent", "")),
            "vapid_public_key": settings.VAPID_PUBLIC_KEY,
        },
    )


@require_POST
def fresh_link(request: HttpRequest) -> HttpResponse:
    actions.request_fresh_invitation(token=request.POST.get("token", ""), now=timezone.now())
    return render(request, "accounts/fresh_link_sent.html")


@login_required
def cms_terms(request: HttpRequest) -> HttpResponse:
    """First login: the CMS Agents and Brokers Terms of Use, with the languages and state
    preferences from MLMS shown and editable on the same screen (as on Help On Demand's)."""
    user = request.user
    agent = getattr(user, "agent", None)
    if agent is None:
        return redirect("accounts:home")
    now = timezone.now()
    try:
        states = profile_states(agent=agent, plan_year=current_plan_year(), today=now.date())
        selectable, selected = states.selectable, states.selected
    except NoCurrentPlanYear:
        selectable, selected = [], []
    languages = list(agent.languages.values_list("language", flat=True))
    problems: dict[str, str] = {}
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision == "decline":
            return render(request, "accounts/terms_declined.html")
        # The form carries the preference fields; a client that did not show them
        # (an older page, a script) accepts the terms without changing them.
        shown = request.POST.get("preferences") == "shown"
        languages = request.POST.getlist("languages") if shown else languages
        selected = request.POST.getlist("states") if shown and selectable else selected
        if decision == "accept" and request.POST.get("agree"):
            try:
                actions.accept_terms(
                    user=user,  # type: ignore[arg-type]
                    now=now,
                    languages=languages if shown else None,
                    states=selected if shown and selectable else None,
                )
            except SettingError as exc:
                problems[exc.field if exc.field in ("languages", "states") else "languages"] = (
                    exc.message
                )
            else:
                request.session["cms_terms_ok"] = True
                return redirect("accounts:getting_started")
        else:
            problems["agree"] = _("Check the box to accept, or choose Decline.")
    options = language_choices()
    return render(
        request,
        "accounts/cms_terms.html",
        {
            "problems": problems,
            "language_options": options,
            "languages": languages,
            "chosen_languages": [(name, ok) for code, name, ok in options if code in languages],
            "selectable_states": selectable,
            "selected_states": selected,
        },
    )


def terms_text(request: HttpRequest, document: str) -> HttpResponse:
    if document not in ("service", "cms"):
        return render(request, "accounts/link_problem.html", {"problem": "invalid"}, status=404)
    return render(
        request,
        f"accounts/terms_{document}.html",
        {"version": current_version(document)},
    )
