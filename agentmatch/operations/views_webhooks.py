"""Partners' webhooks, for administrators (/ops/webhooks/): the subscriptions, a new one
(its secret shown once, on the answer to the POST), a subscription's delivery log, and
the controls of operations/webhook_actions.py, one action per POST.

The log shows the receiver's status and a short redacted excerpt of its answer, never a
payload (a payload may carry a consumer's details).
"""

from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agentmatch.accounts.models import User
from agentmatch.operations import webhook_actions
from agentmatch.operations.models import ControlChange
from agentmatch.operations.permissions import administrator_required
from agentmatch.operations.webhook_forms import (
    STATE_NAMES,
    DeliveryFilter,
    NewWebhookForm,
    PartnerDetailsForm,
)
from agentmatch.partners.models import PartnerKey
from agentmatch.webhooks.models import WebhookSubscription
from agentmatch.webhooks.subscriptions import SubscriptionError

PER_PAGE = 50
RECENT_CHANGES = 20
WEBHOOK_KINDS = (
    "webhook_created",
    "webhook_rotated",
    "webhook_deactivated",
    "webhook_test",
    "webhook_redelivered",
    "partner_details",
)


def _operator(request: HttpRequest) -> User:
    return cast(User, request.user)  # administrator_required let only administrators in


def _list_page(
    request: HttpRequest, form: NewWebhookForm, error: str = "", field: str = ""
) -> HttpResponse:
    context = {
        "form": form,
        "error": error,
        "field_error": field,
        "subscriptions": WebhookSubscription.objects.select_related("partner").order_by(
            "-is_active", "partner__name", "pk"
        ),
        "partners": PartnerKey.objects.filter(revoked_at__isnull=True).order_by("name"),
        "recent": ControlChange.objects.filter(kind__in=WEBHOOK_KINDS).select_related("operator")[
            :RECENT_CHANGES
        ],
    }
    status = 400 if error or form.errors else 200
    return render(request, "operations/webhooks.html", context, status=status)


def _secret_page(
    request: HttpRequest, done: webhook_actions.WithSecret, rotated: bool
) -> HttpResponse:
    response = render(
        request,
        "operations/webhook_secret.html",
        {
            "subscription": done.subscription,
            "secret": done.secret,
            "rotated": rotated,
            "overlap_hours": settings.WEBHOOKS_SECRET_OVERLAP_HOURS,
        },
    )
    # The only answer that ever holds the secret: no cache keeps it.
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@administrator_required
def webhooks(request: HttpRequest) -> HttpResponse:
    form = NewWebhookForm(request.POST if request.method == "POST" else None)
    if not form.is_bound or not form.is_valid():
        return _list_page(request, form)
    data = form.cleaned_data
    try:
        done = webhook_actions.create_webhook(
            operator=_operator(request),
            partner_id=data["partner"].pk,
            url=data["url"],
            event_types=list(data["event_types"]),
            include_consumer_details=data["include_consumer_details"],
            now=timezone.now(),
        )
    except SubscriptionError as exc:
        return _list_page(request, form, exc.message, exc.field)
    return _secret_page(request, done, rotated=False)


def _subscription(subscription_id: int) -> WebhookSubscription:
    found = WebhookSubscription.objects.select_related("partner", "created_by").filter(
        pk=subscription_id
    )
    subscription = found.first()
    if subscription is None:
        raise Http404("No such webhook")
    return subscription


@require_GET
@administrator_required
def webhook(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = _subscription(subscription_id)
    form = DeliveryFilter(request.GET)
    page = None
    if form.is_valid():
        found = subscription.deliveries.filter(form.filters()).order_by("-created_at", "-pk")
        page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows: list[dict[str, Any]] = [
        {"delivery": d, "state": STATE_NAMES.get(d.state, d.state)}  # type: ignore[call-overload]
        for d in (page or [])
    ]
    context = {
        "subscription": subscription,
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
    }
    return render(request, "operations/webhook.html", context, status=200 if page else 400)


@require_POST
@administrator_required
def rotate(request: HttpRequest, subscription_id: int) -> HttpResponse:
    try:
        done = webhook_actions.rotate_webhook_secret(
            operator=_operator(request), subscription_id=subscription_id, now=timezone.now()
        )
    except SubscriptionError as exc:
        messages.error(request, exc.message)
        return redirect("operations:webhook", subscription_id=subscription_id)
    return _secret_page(request, done, rotated=True)


def _deactivate(request: HttpRequest, subscription_id: int) -> str:
    webhook_actions.deactivate_webhook(
        operator=_operator(request), subscription_id=subscription_id, now=timezone.now()
    )
    return _("The subscription is deactivated: nothing more is sent to it.")


def _test(request: HttpRequest, subscription_id: int) -> str:
    webhook_actions.send_test_event(
        operator=_operator(request), subscription_id=subscription_id, now=timezone.now()
    )
    return _("A webhook.test event is on its way; its delivery is at the top of the log.")


CONTROLS: dict[str, Callable[[HttpRequest, int], str]] = {
    "deactivate": _deactivate,
    "test": _test,
}


@require_POST
@administrator_required
def control(request: HttpRequest, subscription_id: int, action: str) -> HttpResponse:
    perform = CONTROLS.get(action)
    if perform is None:
        raise Http404("No such action")
    try:
        messages.success(request, perform(request, subscription_id))
    except SubscriptionError as exc:
        messages.error(request, exc.message)
    return redirect("operations:webhook", subscription_id=subscription_id)


@require_POST
@administrator_required
def redeliver(request: HttpRequest, subscription_id: int, delivery_id: int) -> HttpResponse:
    subscription = _subscription(subscription_id)
    if not subscription.deliveries.filter(pk=delivery_id).exists():
        raise Http404("No such delivery")
    try:
        webhook_actions.redeliver_webhook(
            operator=_operator(request), delivery_id=delivery_id, now=timezone.now()
        )
    except SubscriptionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The delivery is waiting again and will be sent now."))
    return redirect("operations:webhook", subscription_id=subscription_id)


@require_POST
@administrator_required
def partner_details(request: HttpRequest, partner_id: int) -> HttpResponse:
    form = PartnerDetailsForm(request.POST)
    if not form.is_valid():
        return _list_page(request, NewWebhookForm(), _("Choose allow or do not allow."))
    try:
        partner = webhook_actions.set_partner_consumer_details(
            operator=_operator(request),
            partner_id=partner_id,
            allowed=form.cleaned_data["allowed"],
            now=timezone.now(),
        )
    except SubscriptionError as exc:
        return _list_page(request, NewWebhookForm(), exc.message)
    if partner.may_receive_consumer_details:
        text = _("%(name)s may now receive consumers' details in webhooks that ask for them.")
    else:
        text = _("%(name)s no longer receives consumers' details in webhooks.")
    messages.success(request, text % {"name": partner.name})
    return redirect("operations:webhooks")
