"""Administrators' service controls: consumer intake, plan years and their served states.

Thin doors: each parses its form, calls one action of operations.service_actions (which
writes the audit row) and renders or redirects.
"""

import math
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agentmatch.accounts.models import User
from agentmatch.core.states import STATE_CHOICES
from agentmatch.eligibility.actions import states_with_platform
from agentmatch.operations import service_actions
from agentmatch.operations.models import ControlChange, ControlKind
from agentmatch.operations.permissions import administrator_required
from agentmatch.operations.service_forms import (
    PRESET_2026,
    IntakeForm,
    NewPlanYearForm,
    StatesForm,
    preset_2026,
)
from agentmatch.operations.services import OperationError
from agentmatch.planyears.models import PlanYear

SERVICE_KINDS = [
    ControlKind.INTAKE_PAUSED,
    ControlKind.INTAKE_RESUMED,
    ControlKind.INTAKE_MESSAGE,
    ControlKind.PLAN_YEAR_CREATED,
    ControlKind.PLAN_YEAR_CURRENT,
    ControlKind.SERVED_STATES,
]


def _operator(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _state_rows(form: StatesForm) -> list[dict[str, Any]]:
    """One row per state for the checkbox list, with what the form holds for it."""
    if form.is_bound:
        data = cast(QueryDict, form.data)
        served = set(data.getlist("states"))
        sbm = set(data.getlist("sbm_fp"))
    else:
        served = set(form.initial.get("states", []))
        sbm = set(form.initial.get("sbm_fp", []))
    return [
        {"code": code, "name": name, "served": code in served, "sbm_fp": code in sbm}
        for code, name in STATE_CHOICES
    ]


def _initial_of(plan_year: PlanYear) -> dict[str, list[str]]:
    items = states_with_platform(plan_year)
    return {
        "states": [s.rstrip("*") for s in items],
        "sbm_fp": [s.rstrip("*") for s in items if s.endswith("*")],
    }


@require_http_methods(["GET", "POST"])
@administrator_required
def service(request: HttpRequest) -> HttpResponse:
    """The plan years, and the intake switch with its messages for the current one."""
    current = PlanYear.objects.filter(is_current=True).first()
    error = ""
    form = IntakeForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        if current is None:
            error = _("There is no current plan year: make one current first.")
        elif form.is_valid():
            action = form.cleaned_data["action"]
            try:
                change = service_actions.change_intake(
                    operator=_operator(request),
                    year=current.year,
                    open=action == "resume" or (action == "message" and current.intake_open),
                    message=form.cleaned_data["message"],
                    message_es=form.cleaned_data["message_es"],
                    now=timezone.now(),
                )
            except OperationError as exc:
                error = exc.message
            else:
                if change is None:
                    messages.info(request, _("Nothing changed."))
                elif change.kind == ControlKind.INTAKE_PAUSED:
                    messages.success(request, _("Consumer intake is paused."))
                elif change.kind == ControlKind.INTAKE_RESUMED:
                    messages.success(request, _("Consumer intake is open again."))
                else:
                    messages.success(request, _("The messages were saved."))
                return redirect("operations:service")
    elif current is not None:
        form = IntakeForm(
            initial={
                "message": current.intake_paused_message,
                "message_es": current.intake_paused_message_es,
            }
        )
    years = PlanYear.objects.annotate(states=Count("served_states")).order_by("-year")
    context = {
        "current": current,
        "form": form,
        "error": error,
        "years": years,
        # Whole seconds for the sentence (the setting may be a fraction).
        "cache_seconds": math.ceil(settings.PLAN_YEAR_CACHE_SECONDS),
        "recent": ControlChange.objects.filter(kind__in=SERVICE_KINDS).select_related("operator")[
            :20
        ],
    }
    status = 400 if error or form.errors else 200
    return render(request, "operations/service.html", context, status=status)


@require_http_methods(["GET", "POST"])
@administrator_required
def new_plan_year(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        form = NewPlanYearForm(request.POST)
        if form.is_valid():
            try:
                service_actions.create_plan_year(
                    operator=_operator(request),
                    year=form.cleaned_data["year"],
                    states=form.chosen(),
                    now=timezone.now(),
                )
            except OperationError as exc:
                error = exc.message
            else:
                messages.success(
                    request,
                    _("Plan year %(year)s was created.") % {"year": form.cleaned_data["year"]},
                )
                return redirect("operations:service")
    else:
        initial: dict[str, Any] = {}
        if request.GET.get("preset") == PRESET_2026:
            initial = preset_2026()
        form = NewPlanYearForm(initial=initial)
    context = {"form": form, "error": error, "rows": _state_rows(form), "preset": PRESET_2026}
    status = 400 if error or form.errors else 200
    return render(request, "operations/plan_year_new.html", context, status=status)


@require_POST
@administrator_required
def make_current(request: HttpRequest, year: int) -> HttpResponse:
    try:
        service_actions.make_current(operator=_operator(request), year=year, now=timezone.now())
    except OperationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Plan year %(year)s is now the current one.") % {"year": year})
    return redirect("operations:service")


@require_http_methods(["GET", "POST"])
@administrator_required
def served_states(request: HttpRequest, year: int) -> HttpResponse:
    plan_year = PlanYear.objects.filter(year=year).first()
    if plan_year is None:
        raise Http404
    error = ""
    impacts: list[service_actions.StateImpact] = []
    if request.method == "POST":
        form = StatesForm(request.POST)
        if form.is_valid():
            try:
                change = service_actions.set_served_states(
                    operator=_operator(request),
                    year=year,
                    states=form.chosen(),
                    confirmed=form.cleaned_data["confirmed"],
                    now=timezone.now(),
                )
            except service_actions.NeedsConfirmation as exc:
                impacts = exc.impacts
            except OperationError as exc:
                error = exc.message
            else:
                if change is None:
                    messages.info(request, _("Nothing changed."))
                else:
                    messages.success(
                        request,
                        _("The states served in %(year)s were saved.") % {"year": year},
                    )
                return redirect("operations:service")
    else:
        initial = preset_2026() if request.GET.get("preset") == PRESET_2026 else None
        form = StatesForm(initial=initial or _initial_of(plan_year))
    context = {
        "plan_year": plan_year,
        "form": form,
        "error": error,
        "rows": _state_rows(form),
        "preset": PRESET_2026,
        "impacts": impacts,
        "chosen": form.chosen() if impacts else [],
    }
    if impacts:
        return render(request, "operations/served_states_confirm.html", context)
    status = 400 if error or form.errors else 200
    return render(request, "operations/served_states.html", context, status=status)
