"""Web Push for the agent app: the VAPID public key and the browser's subscription."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from agentmatch.accounts import agent_actions
from agentmatch.agents.errors import SettingError
from agentmatch.agents.models import Channel
from agentmatch.api.agent_doors import agent_of, error
from agentmatch.api.auth import AgentToken
from agentmatch.api.documentation import AGENT, READ_ONLY, SAFE, Refusal, documented, error_example
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


ENDPOINT_EXAMPLE = "https://fcm.googleapis.com/fcm/send/dXNlci1hZ2VudC1waG9uZQ"
SUBSCRIPTION_EXAMPLE = {
    "endpoint": ENDPOINT_EXAMPLE,
    "keys": {
        "p256dh": "BD1NAr9OudxQjq9LBm0NWHKbDMbM649Z67jCQqtS9Jw8teW_kWYNtRwWQZ0dEIHReoHfBDid"
        "tTK0MnLYx_WQFY0",
        "auth": "K43nFKikA3OWxzxyfD7xZQ",
    },
}


@router.get(
    "/push/vapid-public-key",
    response={200: VapidKeyOut, 503: ErrorOut},
    summary="The key browsers need to subscribe to app notifications",
    openapi_extra=documented(
        who="Anyone (the key is public: browsers pass it to PushManager.subscribe).",
        effects=READ_ONLY,
        retry=SAFE,
        answer={
            "public_key": "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3"
            "qBUYIHBQFLXYp5Nksh8U"
        },
        errors={
            503: Refusal(
                ("push_unavailable",),
                "`push_unavailable`: this deployment has no VAPID keys (app notifications are off)",
                error_example(None, "push_unavailable", "App notifications are not set up."),
            )
        },
    ),
)
def vapid_public_key(request: HttpRequest) -> Status | HttpResponse:
    """The VAPID public key (base64url) of this deployment; the same for every agent."""
    if not settings.VAPID_PUBLIC_KEY:
        return error(request, 503, "push_unavailable", "App notifications are not set up.")
    return Status(200, {"public_key": settings.VAPID_PUBLIC_KEY})


@router.post(
    "/agent/push-subscriptions",
    auth=AgentToken(),
    response={201: PushSubscriptionOut, 422: ErrorOut},
    summary="Receive app notifications in this browser or app",
    openapi_extra=documented(
        who=AGENT,
        effects=(
            "Stores the subscription: new offers and reminders are pushed to it (recorded in "
            "the agent's change log, channel api). An endpoint belongs to the last agent "
            "who subscribed it."
        ),
        retry="Safe to repeat: the same endpoint is stored once (its keys refreshed).",
        body=SUBSCRIPTION_EXAMPLE,
        status=201,
        answer={"id": 7, "endpoint": ENDPOINT_EXAMPLE},
        errors={
            422: Refusal(
                ("bad_subscription",),
                "`bad_subscription`, field `endpoint` (not an https URL of a known push "
                "service), `keys.p256dh` (not a P-256 public key) or `keys.auth` (not 16 "
                "bytes of base64url)",
                error_example("keys.auth", "bad_subscription", "keys.auth must be 16 bytes"),
            )
        },
    ),
)
def add_push_subscription(
    request: HttpRequest, payload: PushSubscriptionIn
) -> Status | HttpResponse:
    """The browser's PushSubscription.toJSON() as it is; the push service must be one this
    deployment allows (PUSH_SERVICE_HOSTS: FCM, Mozilla, Apple, Windows by default)."""
    agent = agent_of(request)
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
        return error(request, 422, exc.code, exc.message, exc.field)
    return Status(201, {"id": subscription.pk, "endpoint": subscription.endpoint})


@router.delete(
    "/agent/push-subscriptions",
    auth=AgentToken(),
    response={204: None, 404: ErrorOut},
    summary="Stop app notifications to this browser or app",
    openapi_extra=documented(
        who=AGENT + " Only the agent the subscription belongs to.",
        effects="Removes the subscription (recorded in the agent's change log, channel api).",
        retry="Not repeatable: once removed, the same request answers 404 `not_found`.",
        body={"endpoint": ENDPOINT_EXAMPLE},
        status=204,
        errors={
            404: Refusal(
                ("not_found",),
                "`not_found`: no subscription with this endpoint for this agent",
                error_example(None, "not_found", "No such subscription for this agent."),
            )
        },
    ),
)
def remove_push_subscription(
    request: HttpRequest, payload: PushEndpointIn
) -> Status | HttpResponse:
    """The body names the endpoint (DELETE with a JSON body): call it when the agent turns
    app notifications off or the browser's subscription changes."""
    agent = agent_of(request)
    removed = agent_actions.remove_push_subscription(
        agent=agent, now=timezone.now(), channel=Channel.API, endpoint=payload.endpoint
    )
    if not removed:
        return error(request, 404, "not_found", "No such subscription for this agent.")
    return Status(204, None)
