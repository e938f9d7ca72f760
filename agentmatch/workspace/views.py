"""Manage Referrals: pending offers, accepted referrals with follow-up, history. Thin views."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agentmatch.agents.models import Agent
from agentmatch.agents.services import follows_hours_without_any
from agentmatch.core.csv_export import csv_download
from agentmatch.notifications.messages import agent_time_zone
from agentmatch.referrals.actions.offers import ACCEPT, REJECT, answer_offer
from agentmatch.referrals.models import Referral
from agentmatch.referrals.problems import OfferConflict
from agentmatch.workspace import queries
from agentmatch.workspace.actions import (
    HISTORY_COLUMNS,
    export_history,
    open_accepted_referrals,
    open_referral,
    record_follow_up,
)
from agentmatch.workspace.forms import FollowUpForm, HistoryFilterForm
from agentmatch.workspace.services import FollowUpError, accepted_offer

View = Callable[..., HttpResponseBase]
CHANNEL = "web"
POLL_CHANGED_EVENT = "workspace-offers-changed"


def agent_required(view: View) -> View:
    """Logged-in agents only; times shown in the agent's own time zone."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            if request.headers.get("HX-Request"):
                # A poll after the session ended: send the whole page to the login form.
                response = HttpResponse(status=204)
                response["HX-Redirect"] = reverse("accounts:login")
                return response
            return redirect_to_login(request.get_full_path())
        agent: Agent | None = getattr(request.user, "agent", None)
        if agent is None:
            # Their landing page too (accounts:home sends them here): explain, not an error.
            return render(request, "workspace/not_agent.html")
        with timezone.override(agent_time_zone(agent)):
            return view(request, agent, *args, **kwargs)

    return wrapper


def _offers_context(agent: Agent) -> dict[str, Any]:
    now = timezone.now()
    offers = queries.pending_offers(agent=agent, now=now)
    for offer in offers:
        offer.seconds_left = max(0, int((offer.expires_at - now).total_seconds()))  # type: ignore[attr-defined]
    return {"offers": offers, "offers_digest": queries.offers_digest(offers), "now": now}


@require_GET
@agent_required
def referrals(request: HttpRequest, agent: Agent) -> HttpResponse:
    accepted = open_accepted_referrals(agent=agent, now=timezone.now(), channel=CHANNEL)
    context = {
        **_offers_context(agent),
        "accepted": accepted,
        "agent": agent,
        "no_hours": follows_hours_without_any(agent),
        "vapid_public_key": settings.VAPID_PUBLIC_KEY,
    }
    return render(request, "workspace/referrals.html", context)


@require_GET
@agent_required
def offers_partial(request: HttpRequest, agent: Agent) -> HttpResponse:
    """Polled by htmx; 204 (nothing to swap) while the list is the one already shown."""
    context = _offers_context(agent)
    if request.GET.get("shown") == context["offers_digest"]:
        return HttpResponse(status=204)
    response = render(request, "workspace/_offers.html", context)
    response["HX-Trigger"] = POLL_CHANGED_EVENT
    return response


@require_GET
@agent_required
def pending_count(request: HttpRequest, agent: Agent) -> HttpResponse:
    count = queries.pending_count(agent_id=agent.pk, now=timezone.now())
    if request.GET.get("shown") == str(count):
        return HttpResponse(status=204)
    return render(request, "workspace/_pending_count.html", {"pending_count": count})


@require_POST
@agent_required
def accept(request: HttpRequest, agent: Agent, offer_id: int) -> HttpResponse:
    try:
        offer = answer_offer(
            offer_id=offer_id, agent=agent, answer=ACCEPT, now=timezone.now(), channel=CHANNEL
        )
    except OfferConflict as exc:
        if exc.code == "already_accepted":
            referral = Referral.objects.get(offers__pk=offer_id)
            return redirect("workspace:referral", public_id=referral.public_id)
        messages.error(request, exc.message)
        return redirect("workspace:referrals")
    messages.success(request, _("You accepted the referral. Please contact the consumer now."))
    return redirect("workspace:referral", public_id=offer.referral.public_id)


@require_POST
@agent_required
def reject(request: HttpRequest, agent: Agent, offer_id: int) -> HttpResponse:
    try:
        answer_offer(
            offer_id=offer_id, agent=agent, answer=REJECT, now=timezone.now(), channel=CHANNEL
        )
    except OfferConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, _("You rejected the referral. It has moved to another agent."))
    return redirect("workspace:referrals")


@agent_required
def referral_detail(request: HttpRequest, agent: Agent, public_id: UUID) -> HttpResponse:
    form = None
    if request.method == "POST":
        referral = get_object_or_404(Referral, public_id=public_id)
        if accepted_offer(referral=referral, agent=agent) is None:
            raise Http404
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                record_follow_up(
                    referral=referral,
                    agent=agent,
                    data=form.cleaned_data["follow_up"],
                    now=timezone.now(),
                )
            except FollowUpError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(request, _("The follow-up status was saved."))
                return redirect("workspace:referral", public_id=referral.public_id)
    page = open_referral(public_id=public_id, agent=agent, now=timezone.now(), channel=CHANNEL)
    if page is None:
        # Not accepted by this agent: the consumer's details are not theirs to see.
        raise Http404
    if form is None:
        form = FollowUpForm(initial={"status": page.current.status} if page.current else None)
    context = {
        "referral": page.referral,
        "offer": page.offer,
        "texts_undelivered": page.texts_undelivered,
        "current": page.current,
        "form": form,
        "history": page.history,
        "needs_reminder": page.needs_reminder,
        "contact_by": page.contact_by,
    }
    return render(request, "workspace/referral.html", context)


@require_GET
@agent_required
def history(request: HttpRequest, agent: Agent) -> HttpResponse:
    form = HistoryFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    offers = queries.history(agent=agent, tz=timezone.get_current_timezone(), **filters)
    page = Paginator(offers, 20).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1),
        "filtered": bool(filters),
    }
    return render(request, "workspace/history.html", context)


@require_GET
@agent_required
def history_export(request: HttpRequest, agent: Agent) -> HttpResponseBase:
    """The history page's rows, with the same filters, as a CSV file of the agent's own."""
    form = HistoryFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # The history page shows what is wrong with the filters.
        return redirect(f"{reverse('workspace:history')}?{request.GET.urlencode()}")
    filters = {k: v for k, v in (form.cleaned_data if form.is_bound else {}).items() if v}
    offers = queries.history(agent=agent, tz=timezone.get_current_timezone(), **filters)
    rows = export_history(agent=agent, offers=offers, now=timezone.now(), channel="web")
    return csv_download(f"referral-history-{agent.npn}.csv", HISTORY_COLUMNS, rows)
