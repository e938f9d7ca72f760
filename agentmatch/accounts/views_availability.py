"""The agent's availability: the green/red switch, weekly hours, extended absences.

Thin views: each parses its form, calls one action of accounts/agent_actions.py (which owns the
transaction, the rules, the audit row and the follow-ups) and renders the answer.
Every form works without JavaScript; with htmx the parts swap in place.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agentmatch.accounts import agent_actions
from agentmatch.accounts.availability_forms import (
    AbsenceForm,
    DayRows,
    ModeForm,
    RangeRow,
    clean_week,
    week_from_post,
    week_from_rows,
)
from agentmatch.accounts.notification_test import NothingToSend
from agentmatch.agents.errors import SettingError
from agentmatch.agents.models import Agent, AvailabilitySwitch, Channel, WeeklyHours
from agentmatch.agents.services import coming_absences, follows_hours_without_any, local_today
from agentmatch.agents.templatetags.agents_ui import switch_state

View = Callable[..., HttpResponse]


def agent_required(view: View) -> View:
    """Logged in as an agent; anyone else goes to the account home page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        agent = getattr(request.user, "agent", None)
        if agent is None:
            return redirect("accounts:home")
        return view(request, agent, *args, **kwargs)

    return wrapper


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _page(
    request: HttpRequest,
    agent: Agent,
    *,
    week: list[DayRows] | None = None,
    absence_form: AbsenceForm | None = None,
    mode_form: ModeForm | None = None,
    hours_saved: bool = False,
) -> HttpResponse:
    now = timezone.now()
    if week is None:
        week = week_from_rows(list(WeeklyHours.objects.filter(agent=agent)))
    hours_errors = [
        (day, index, row)
        for day in week
        for index, row in enumerate(day.ranges)
        if row.start_error or row.end_error
    ]
    context = {
        "agent": agent,
        "switch": switch_state(agent),
        "no_hours": follows_hours_without_any(agent),
        "week": week,
        "hours_errors": hours_errors,
        "hours_saved": hours_saved,
        "time_zone": agent.zone.key,
        "absences": coming_absences(agent=agent, now=now),
        "absence_form": absence_form or AbsenceForm(),
        "mode_form": mode_form or ModeForm(initial={"switch": agent.availability_switch}),
        "today": local_today(agent, now),
        "switch_next": reverse("agents:availability"),
    }
    if _is_htmx(request):
        # htmx swaps only 2xx answers: field errors are content like any other here.
        return render(request, "agents/_hours_swap.html", context)
    return render(request, "agents/availability.html", context)


@agent_required
def availability(request: HttpRequest, agent: Agent) -> HttpResponse:
    return _page(request, agent)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("agents:availability")


@require_POST
@agent_required
def switch(request: HttpRequest, agent: Agent) -> HttpResponse:
    """The header's green/red switch: OFF, or ON ("I'm back": the mode before a pause)."""
    value = request.POST.get("switch", "")
    if value not in (AvailabilitySwitch.ON, AvailabilitySwitch.OFF):
        messages.error(request, _("Choose Available or Not available."))
        return redirect(_safe_next(request))
    agent_actions.flip_switch(
        agent=agent, now=timezone.now(), channel=Channel.WEB, on=value == AvailabilitySwitch.ON
    )
    if _is_htmx(request):
        return render(
            request,
            "agents/_switch_inner.html",
            {"sw": switch_state(agent), "switch_next": _safe_next(request)},
        )
    if agent.availability_switch == AvailabilitySwitch.SCHEDULE:
        messages.success(request, _("You follow your weekly hours again."))
    elif agent.availability_switch == AvailabilitySwitch.ON:
        messages.success(request, _("You are available: new referrals can come to you."))
    else:
        messages.success(request, _("You are not available: no new referrals will come to you."))
    return redirect(_safe_next(request))


@require_POST
@agent_required
def mode(request: HttpRequest, agent: Agent) -> HttpResponse:
    """Follow the weekly hours, or override them (green or red)."""
    form = ModeForm(request.POST)
    if not form.is_valid():
        return _page(request, agent, mode_form=form)
    agent_actions.change_availability(
        agent=agent, now=timezone.now(), channel=Channel.WEB, switch=form.cleaned_data["switch"]
    )
    messages.success(request, _("Your availability setting was saved."))
    return redirect("agents:availability")


@require_POST
@agent_required
def hours(request: HttpRequest, agent: Agent) -> HttpResponse:
    """Weekly hours. The pressed button says what to do: save, add a range, remove one."""
    week = week_from_post(request.POST)
    action = request.POST.get("action", "save")
    if action.startswith("add-"):
        day = _int(action.removeprefix("add-"))
        if day is not None and 0 <= day <= 6:
            week[day].ranges.append(RangeRow())
        return _page(request, agent, week=week)
    if action.startswith("remove-"):
        day_text, _sep, index_text = action.removeprefix("remove-").partition("-")
        day, index = _int(day_text), _int(index_text)
        ranges = week[day].ranges if day is not None and 0 <= day <= 6 else []
        if index is not None and 0 <= index < len(ranges):
            del ranges[index]
    cleaned = clean_week(week)
    if cleaned is None:
        return _page(request, agent, week=week)
    agent_actions.change_availability(
        agent=agent, now=timezone.now(), channel=Channel.WEB, weekly_hours=cleaned
    )
    if _is_htmx(request):
        return _page(request, agent, hours_saved=True)
    messages.success(request, _("Your weekly hours were saved."))
    return redirect(reverse("agents:availability") + "#weekly-hours")


@require_POST
@agent_required
def absence_add(request: HttpRequest, agent: Agent) -> HttpResponse:
    form = AbsenceForm(request.POST)
    if form.is_valid():
        first, last = form.cleaned_data["first_date"], form.cleaned_data["last_date"]
        if first is not None and last is not None:
            try:
                agent_actions.add_absence(
                    agent=agent,
                    now=timezone.now(),
                    channel=Channel.WEB,
                    first_day=first,
                    last_day=last,
                    note=form.cleaned_data["note"],
                )
            except SettingError as exc:
                form.add_error(exc.field, str(exc.message))
            else:
                messages.success(request, _("Your absence was added."))
                return redirect(reverse("agents:availability") + "#absences")
    return _page(request, agent, absence_form=form)


@require_POST
@agent_required
def absence_delete(request: HttpRequest, agent: Agent, absence_id: int) -> HttpResponse:
    deleted = agent_actions.remove_absence(
        agent=agent, now=timezone.now(), channel=Channel.WEB, absence_id=absence_id
    )
    if deleted:
        messages.success(request, _("The absence was removed."))
    else:
        messages.error(request, _("That absence was already removed."))
    return redirect(reverse("agents:availability") + "#absences")


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


@require_POST
@agent_required
def test_notification(request: HttpRequest, agent: Agent) -> HttpResponse:
    """The profile's "send me a test" buttons."""
    try:
        count = agent_actions.send_test_message(
            agent=agent, now=timezone.now(), via=request.POST.get("channel", "")
        )
    except NothingToSend as exc:
        messages.error(request, str(exc))
    else:
        if count:
            messages.success(request, _("Your test was sent. It should arrive within a minute."))
        else:
            messages.info(request, _("A test was sent less than a minute ago."))
    return redirect(reverse("accounts:profile") + "#notifications")
