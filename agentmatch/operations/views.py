"""Support pages: find an agent, see why they do or do not get referrals, act, audit."""

from collections.abc import Callable
from typing import cast
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agentmatch.accounts.models import User
from agentmatch.agents.models import Agent
from agentmatch.agents.services import availability_of
from agentmatch.core.states import STATE_CHOICES
from agentmatch.eligibility.models import AgentDeactivation
from agentmatch.notifications.undeliverable import describe, undeliverable
from agentmatch.operations import actions
from agentmatch.operations.forms import AgentSearchForm
from agentmatch.operations.labels import language_label
from agentmatch.operations.lookups import (
    account_state,
    eligibility_report,
    find_agent,
    invitations_with_email_state,
    mask_email,
    mask_name,
    mask_phone,
    search_agents,
)
from agentmatch.operations.models import OperatorAction
from agentmatch.operations.permissions import operator_required
from agentmatch.operations.services import OperationError
from agentmatch.planyears.services import NoCurrentPlanYear, current_plan_year
from agentmatch.referrals.event_details import end_reason_text, with_reasons, with_texts
from agentmatch.referrals.models import Offer, Referral
from agentmatch.referrals.reference import find_referral as referral_by_number

PAGE_SIZE = 25
RECENT_OFFERS = 20
KNOWN_STATES = {code for code, _name in STATE_CHOICES}


@require_GET
@operator_required
def agents(request: HttpRequest) -> HttpResponse:
    form = AgentSearchForm(request.GET)
    if not form.is_valid():
        error = " ".join(str(e) for e in form.errors.get("q", []))
        context = {"query": "", "page": None, "search_error": error}
        return render(request, "operations/agents.html", context, status=400)
    query = form.query()
    page = None
    if query:
        page = Paginator(search_agents(query), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "operations/agents.html", {"query": query, "page": page})


def _agent_or_404(npn: str) -> Agent:
    agent = find_agent(npn)
    if agent is None:
        raise Http404("No agent with this NPN")
    return agent


@require_GET
@operator_required
def agent_detail(request: HttpRequest, npn: str) -> HttpResponse:
    agent = _agent_or_404(npn)
    now = timezone.now()
    asked_state = request.GET.get("state", "").strip().upper()
    if asked_state and asked_state not in KNOWN_STATES:
        messages.error(request, _("“%(state)s” is not a state code.") % {"state": asked_state})
        asked_state = ""
    try:
        report = eligibility_report(
            agent, plan_year=current_plan_year(), now=now, extra_state=asked_state
        )
        plan_year_problem = ""
    except NoCurrentPlanYear as exc:
        report, plan_year_problem = None, str(exc)
    phone_mark = undeliverable(agent.cell_phone)
    context = {
        "agent": agent,
        "undeliverable": phone_mark,
        "undeliverable_reason": describe(phone_mark.error_code) if phone_mark else "",
        "languages": sorted(
            language_label(code) for code in agent.languages.values_list("language", flat=True)
        ),
        "deselected": sorted(agent.deselected_states.values_list("state", flat=True)),
        "account": account_state(agent, now=now),
        "deactivation": AgentDeactivation.objects.filter(agent=agent)
        .select_related("deactivated_by")
        .first(),
        "report": report,
        "plan_year_problem": plan_year_problem,
        "asked_state": asked_state,
        "routing_states": sorted(agent.routing_states.values_list("state", flat=True)),
        "availability": availability_of(agent=agent, now=now),
        "invitations": invitations_with_email_state(agent),
        "offers": Offer.objects.filter(agent=agent)
        .select_related("referral")
        .order_by("-offered_at", "-pk")[:RECENT_OFFERS],
        "edited": dict(agent.edited_fields.values_list("field", "edited_at")),
        "conflicts": agent.profile_conflicts.select_related("import_run").order_by("field"),
        "actions": OperatorAction.objects.filter(agent=agent).select_related("operator")[:20],
        "state_choices": STATE_CHOICES,
        "now": now,
    }
    return render(request, "operations/agent_detail.html", context)


def _resend(request: HttpRequest, operator: User, agent: Agent) -> str:
    actions.resend_invitation_for(operator=operator, agent=agent, now=timezone.now())
    return _("A new invitation will be emailed to %(email)s; older links no longer work.") % {
        "email": agent.email
    }


def _unlock(request: HttpRequest, operator: User, agent: Agent) -> str:
    cleared = actions.unlock_account(operator=operator, agent=agent, now=timezone.now())
    if cleared:
        return _("The account is unlocked.")
    return _("The account was not locked; nothing to clear.")


def _deactivate(request: HttpRequest, operator: User, agent: Agent) -> str:
    actions.deactivate_agent(
        operator=operator,
        agent=agent,
        reason=request.POST.get("reason", ""),
        now=timezone.now(),
    )
    return _("The agent is deactivated: signed out, and no referrals will reach them.")


def _reactivate(request: HttpRequest, operator: User, agent: Agent) -> str:
    actions.reactivate_agent(operator=operator, agent=agent, now=timezone.now())
    return _("The agent is active again.")


def _clear_undeliverable(request: HttpRequest, operator: User, agent: Agent) -> str:
    actions.clear_undeliverable_phone(operator=operator, agent=agent, now=timezone.now())
    return _("Texts will go to this agent's cell phone again.")


ACTIONS: dict[str, Callable[[HttpRequest, User, Agent], str]] = {
    "resend-invitation": _resend,
    "unlock": _unlock,
    "deactivate": _deactivate,
    "reactivate": _reactivate,
    "clear-undeliverable": _clear_undeliverable,
}


@require_POST
@operator_required
def agent_action(request: HttpRequest, npn: str, action: str) -> HttpResponse:
    agent = _agent_or_404(npn)
    perform = ACTIONS.get(action)
    if perform is None:
        raise Http404("No such action")
    operator = cast(User, request.user)  # operator_required let only operators in
    try:
        done = perform(request, operator, agent)
    except OperationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("operations:agent", npn=agent.npn)


@require_GET
@operator_required
def referral_timeline(request: HttpRequest, public_id: UUID) -> HttpResponse:
    referral = Referral.objects.filter(public_id=public_id).first()
    if referral is None:
        raise Http404("No such referral")
    phone_mark = undeliverable(referral.phone)
    # Each event's detail in the operator's language (event_details), and the ending's.
    events = with_texts(referral.events.select_related("agent", "offer").order_by("at", "pk"))
    context = {
        "referral": referral,
        "end_reason": end_reason_text(referral, events),
        "undeliverable_reason": describe(phone_mark.error_code) if phone_mark else "",
        # Minimum necessary: support sees who asked only in masked form (and, once the
        # retention period removed the details, nothing).
        "masked": None
        if referral.anonymised_at
        else {
            "name": mask_name(referral.first_name, referral.last_name),
            "phone": mask_phone(referral.phone),
            "email": mask_email(referral.email),
        },
        "language_name": language_label(referral.language),
        "events": events,
        "offers": with_reasons(referral.offers.select_related("agent").order_by("position")),
    }
    return render(request, "operations/referral.html", context)


@require_GET
@operator_required
def find_referral(request: HttpRequest) -> HttpResponse:
    """The reference a consumer reads out (confirmation page, texts, emails) opens its
    timeline: "K7QF-3M9D" in any case, with or without the dash, or an internal id."""
    text = request.GET.get("ref", "").strip()[:40]
    referral = referral_by_number(text)
    if referral is not None:
        return redirect("operations:referral", public_id=referral.public_id)
    messages.error(request, _("No referral has the number “%(number)s”.") % {"number": text})
    return redirect("operations:agents")
