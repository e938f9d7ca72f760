"""The outbox, for administrators: failed and waiting messages, each channel's health, and
the controls that send messages again or cancel them (operations/outbox_actions.py).

Recipients are masked on every page ("+1 ***-***-0199", "l***@example.com"): most texts
go to consumers. Provider errors are masked the same way (core.logging.redact): Twilio
names the number it refused.
"""

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from agentmatch.accounts.models import User
from agentmatch.core.logging import redact
from agentmatch.notifications.health import channel_health
from agentmatch.notifications.models import Message
from agentmatch.notifications.redaction import masked_recipient
from agentmatch.notifications.resending import RESEND_BATCH, resend_refusal
from agentmatch.operations import outbox_actions
from agentmatch.operations.outbox_forms import CHANNEL_NAMES, OutboxFilter
from agentmatch.operations.permissions import administrator_required
from agentmatch.operations.services import OperationError

PER_PAGE = 50


def _row(message: Message) -> dict[str, Any]:
    return {
        "message": message,
        "channel_name": CHANNEL_NAMES.get(message.channel, message.channel),  # type: ignore[call-overload]
        "recipient": masked_recipient(message.channel, message.to),
        "error": redact(message.last_error),
    }


@require_GET
@administrator_required
def outbox(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    form = OutboxFilter(request.GET)
    page = None
    if form.is_valid():
        found = (
            Message.objects.filter(form.filters(now))
            .select_related("agent", "referral")
            .order_by("-created_at", "-pk")
        )
        page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [_row(m) for m in page] if page is not None else [],
        "query": query.urlencode(),
        "health": [
            {"figures": h, "name": CHANNEL_NAMES.get(h.channel, h.channel)}  # type: ignore[call-overload]
            for h in channel_health(now)
        ],
        "batch": RESEND_BATCH,
    }
    return render(request, "operations/outbox.html", context, status=200 if page else 400)


@require_GET
@administrator_required
def message_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    message = Message.objects.select_related("agent", "referral").filter(pk=message_id).first()
    if message is None:
        raise Http404("No such message")
    attempts = [
        {"attempt": a, "error": redact(a.error)}
        for a in message.delivery_attempts.order_by("started_at", "pk")
    ]
    context = {
        **_row(message),
        "subject": redact(message.subject),
        "attempts": attempts,
        "refusal": resend_refusal(message) if message.status == "failed" else None,
    }
    return render(request, "operations/outbox_message.html", context)


def _operator(request: HttpRequest) -> User:
    return cast(User, request.user)  # administrator_required let only administrators in


@require_POST
@administrator_required
def requeue(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        outbox_actions.requeue_message(
            operator=_operator(request), message_id=message_id, now=timezone.now()
        )
    except OperationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The message is back in the outbox and will be sent now."))
    return redirect("operations:outbox_message", message_id=message_id)


@require_POST
@administrator_required
def cancel(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        outbox_actions.cancel_message(
            operator=_operator(request), message_id=message_id, now=timezone.now()
        )
    except OperationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The message is canceled: it will not be sent."))
    return redirect("operations:outbox_message", message_id=message_id)


@require_POST
@administrator_required
def requeue_channel(request: HttpRequest) -> HttpResponse:
    try:
        result = outbox_actions.requeue_failed_messages(
            operator=_operator(request),
            channel=str(request.POST.get("channel", ""))[:10],
            now=timezone.now(),
        )
    except OperationError as exc:
        messages.error(request, exc.message)
    else:
        count = len(result.resent)
        messages.success(
            request,
            ngettext(
                "%(count)s failed message is back in the outbox.",
                "%(count)s failed messages are back in the outbox.",
                count,
            )
            % {"count": count},
        )
    return redirect("operations:outbox")
