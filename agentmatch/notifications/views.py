"""Twilio's delivery status callbacks: a door (served under /n/ by workspace/offer_answer_urls.py).

Signed like the text replies (twilio_signing.py) and checked against the very URL we gave
Twilio as StatusCallback; the work is in delivery_reports.record_delivery_report.
"""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from agentmatch.notifications.delivery_reports import (
    parse_error_code,
    parse_status,
    record_delivery_report,
)
from agentmatch.notifications.twilio_signing import request_is_signed, status_callback_url


def _plain(text: str, status: int) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def sms_status(request: HttpRequest) -> HttpResponse:
    url = status_callback_url()
    if not url or not request_is_signed(request, url=url):
        return _plain("Invalid signature.", 403)
    provider_id = request.POST.get("MessageSid", "").strip()
    status = request.POST.get("MessageStatus", "")
    if not provider_id or len(provider_id) > 200 or not status:
        return _plain("MessageSid and MessageStatus are required.", 400)
    if parse_status(status) is None:
        # accepted, scheduled, read, ...: Twilio's, nothing we track. 2xx, or Twilio warns.
        return _plain("Ignored.", 200)
    record_delivery_report(
        provider_id=provider_id,
        status=parse_status(status) or "",
        error_code=parse_error_code(request.POST.get("ErrorCode", "")),
        now=timezone.now(),
    )
    return _plain("Recorded.", 200)
