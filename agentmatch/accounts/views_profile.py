"""The agent's profile: contact details, languages, state preferences, eligibility, devices.

The sections' templates live in agents/templates/agents/profile/ (their strings are in the
agents catalog); notification tests and Web Push are agents' and webapp's views.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agentmatch.accounts import actions
from agentmatch.accounts.agent_actions import (
    change_contact_details,
    change_directory_listing,
    change_languages,
    change_state_preferences,
)
from agentmatch.accounts.forms import ContactForm, LanguagesForm, StatesForm
from agentmatch.agents.contact import ContactDetails
from agentmatch.agents.errors import SettingError
from agentmatch.agents.labels import language_choices
from agentmatch.agents.models import Agent, Channel
from agentmatch.core.languages import language_name
from agentmatch.core.phones import display_phone
from agentmatch.eligibility.preferences import directory_states, profile_states
from agentmatch.eligibility.state_report import state_eligibility
from agentmatch.notifications.models import PushSubscription
from agentmatch.notifications.undeliverable import describe, undeliverable
from agentmatch.planyears.services import NoCurrentPlanYear, current_plan_year


def _agent(request: HttpRequest) -> Agent | None:
    return getattr(request.user, "agent", None)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    agent = _agent(request)
    if agent is None:
        return redirect("accounts:home")
    now = timezone.now()
    try:
        plan_year = current_plan_year()
        states = profile_states(agent=agent, plan_year=plan_year, today=now.date())
        listing = directory_states(agent=agent, plan_year=plan_year, today=now.date())
    except NoCurrentPlanYear:
        plan_year, states, listing = None, None, None
    selectable = states.selectable if states else []
    contact_form = ContactForm(
        initial={
            "cell_phone": display_phone(agent.cell_phone) if agent.cell_phone else "",
            "contact_method": agent.contact_method,
            "zip_code": agent.business_zip,
        }
    )
    languages = list(agent.languages.values_list("language", flat=True))
    languages_form = LanguagesForm(initial={"languages": ", ".join(languages)})
    states_form = StatesForm(
        initial={"states": states.selected if states else []}, selectable=selectable
    )
    section = request.POST.get("section") if request.method == "POST" else None
    if section == "contact":
        contact_form = ContactForm(request.POST)
        if contact_form.is_valid():
            details = ContactDetails(
                contact_form.cleaned_data["cell_phone"],
                contact_form.cleaned_data["contact_method"],
                contact_form.cleaned_data["zip_code"],
            )
            try:
                change_contact_details(agent=agent, now=now, channel=Channel.WEB, details=details)
            except SettingError as exc:
                contact_form.add_error(exc.field, exc.message)
            else:
                messages.success(request, _("Your contact details were saved."))
                return redirect("accounts:profile")
    elif section == "languages":
        chosen = request.POST.getlist("languages")
        languages_form = LanguagesForm({"languages": ",".join(chosen)})
        try:
            change_languages(agent=agent, now=now, channel=Channel.WEB, languages=chosen)
        except SettingError as exc:
            languages_form.is_valid()
            languages_form.add_error("languages", exc.message)
        else:
            messages.success(request, _("Your languages were saved."))
            return redirect("accounts:profile")
    elif section == "states" and plan_year is not None:
        states_form = StatesForm(request.POST, selectable=selectable)
        try:
            change_state_preferences(
                agent=agent, now=now, channel=Channel.WEB, states=request.POST.getlist("states")
            )
        except SettingError as exc:
            states_form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your state preferences were saved."))
            return redirect("accounts:profile")
    elif section == "directory" and plan_year is not None:
        try:
            change_directory_listing(
                agent=agent, now=now, channel=Channel.WEB, states=request.POST.getlist("listed")
            )
        except SettingError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your Find Local Help listing was saved."))
        return redirect("accounts:profile")
    eligibility = state_eligibility(agent, now=now)
    phone_mark = undeliverable(agent.cell_phone)
    return render(
        request,
        "accounts/profile.html",
        {
            "agent": agent,
            "contact_form": contact_form,
            "texts_undelivered": describe(phone_mark.error_code) if phone_mark else "",
            "languages_form": languages_form,
            "states_form": states_form,
            "language_names": [language_name(x) for x in languages],
            "languages": languages,
            "language_options": language_choices(),
            "selectable_states": selectable,
            "selected_states": states.selected if states else [],
            "listed_states": listing.selected if listing else [],
            "vapid_public_key": settings.VAPID_PUBLIC_KEY,
            "push_count": PushSubscription.objects.filter(agent=agent).count(),
            "eligibility": eligibility,
            "unlicensed_states": [r["state"] for r in eligibility if not r["licensed"]],
            "licensed_state_email": settings.LICENSED_STATE_EMAIL,
            "device_tokens": request.user.device_tokens.filter(  # type: ignore[union-attr]
                revoked_at__isnull=True, expires_at__gt=now
            ).order_by("-created_at"),
            "passkeys": request.user.passkeys.order_by("created_at"),  # type: ignore[union-attr]
        },
    )


@require_POST
@login_required
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    if _agent(request) is None:
        return HttpResponseForbidden()
    actions.revoke_device(user=request.user, token_id=token_id, now=timezone.now())  # type: ignore[arg-type]
    messages.success(request, _("The device was signed out."))
    return redirect("accounts:profile")
