"""The agent app's login: username and password in, a per-device bearer token out."""

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status

from agentmatch.accounts.devices import issue_device_token
from agentmatch.api.schemas import ErrorOut

router = Router(tags=["agent app"])


class DeviceLoginIn(Schema):
    username: str
    password: str
    device_name: str = "Agent app"


class DeviceTokenOut(Schema):
    token: str
    expires_in_days: int


@router.post(
    "/auth/token",
    response={201: DeviceTokenOut, 401: ErrorOut, 429: ErrorOut},
    summary="Log in from the agent app and get a token for this device",
)
def device_login(request: HttpRequest, payload: DeviceLoginIn) -> Status | HttpResponse:
    # Goes through django-axes like the login page, so guessing locks the account here too.
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        return Status(
            429,
            {
                "error": {
                    "field": None,
                    "code": "locked_out",
                    "message": "Too many failed attempts: this account is locked for a while.",
                }
            },
        )
    if user is None or getattr(user, "agent_id", None) is None:
        return Status(
            401,
            {
                "error": {
                    "field": None,
                    "code": "bad_credentials",
                    "message": "Wrong username or password, or not an agent account.",
                }
            },
        )
    with transaction.atomic():
        token = issue_device_token(user=user, name=payload.device_name, now=timezone.now())  # type: ignore[arg-type]
    return Status(201, {"token": token, "expires_in_days": 90})
