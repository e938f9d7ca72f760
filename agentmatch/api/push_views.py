"""Web Push for the agent app: the VAPID public key and the browser's subscription."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from agentmatch.accounts import agent_actions
from agentmatch.agents.errors import SettingError
from agentmatch.agents.models import Agent, Channel
from agentmatch.api.auth import AgentToken
from agentmatch.api.schemas import ErrorOut

router = Router(tags=["agent app"])


class PushKeysIn(Schema):
    p256dh: str = Field(min_length=1, max_length=200)
    auth: str = Field(min_length=1, max_length=100)


class PushSubscriptionIn(Schema):
    """The browser's PushSubscription.toJSON()."""

    endpoint: str = Field(min_length=1, max_length=1000)
    keys: PushKeysIn


class PushEndpointIn(Schema):
    endpoint: str = Field(min_length=1, max_length=1000)


class PushSubscriptionOut(Schema):
    id: int
    endpoint: str


class VapidKeyOut(Schema):
    public_key: str


def _error(request: HttpRequest, status: int, code: str, message: str, field: str | None = None):  # type: ignore[no-untyped-def]
    from agentmatch.api.api import error_response

    return error_response(request, status, code, message, field)


@router.get(
    "/push/vapid-public-key",
    response={200: VapidKeyOut, 503: ErrorOut},
    summary="The key browsers need to subscribe to app notifications",
)
def vapid_public_key(request: HttpRequest) -> Status | HttpResponse:
    if not settings.VAPID_PUBLIC_KEY:
        return _error(request, 503, "push_unavailable", "App notifications are not set up.")
    return Status(200, {"public_key": settings.VAPID_PUBLIC_KEY})


@router.post(
    "/agent/push-subscriptions",
    auth=AgentToken(),
    response={201: PushSubscriptionOut, 422: ErrorOut},
    summary="Receive app notifications in this browser or app",
)
def add_push_subscription(
    request: HttpRequest, payload: PushSubscriptionIn
) -> Status | HttpResponse:
    agent: Agent = request.auth  # type: ignore[attr-defined]
    try:
        subscription = agent_actions.add_push_subscription(
            agent=agent,
            now=timezone.now(),
            channel=Channel.API,
            endpoint=payload.endpoint,
            p256dh=payload.keys.p256dh,
            auth=payload.keys.auth,
            user_agent=request.headers.get("User-Agent", ""),
        )
    except SettingError as exc:
        return _error(request, 422, exc.code, exc.message, exc.field)
    return Status(201, {"id": subscription.pk, "endpoint": subscription.endpoint})


@router.delete(
    "/agent/push-subscriptions",
    auth=AgentToken(),
    response={204: None, 404: ErrorOut},
    summary="Stop app notifications to this browser or app",
)
def remove_push_subscription(
    request: HttpRequest, payload: PushEndpointIn
) -> Status | HttpResponse:
    agent: Agent = request.auth  # type: ignore[attr-defined]
    removed = agent_actions.remove_push_subscription(
        agent=agent, now=timezone.now(), channel=Channel.API, endpoint=payload.endpoint
    )
    if not removed:
        return _error(request, 404, "not_found", "No such subscription for this agent.")
    return Status(204, None)
