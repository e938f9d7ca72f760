"""The agent app's login: username and password in, a per-device bearer token out."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from agentmatch.accounts import actions
from agentmatch.accounts.lockout import locked_out_json
from agentmatch.api.schemas import ErrorOut, InputSchema
from agentmatch.core.json_errors import json_error

router = Router(tags=["agent app"])


class DeviceLoginIn(InputSchema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)
    device_name: str = Field(default="Agent app", max_length=100)


class DeviceTokenOut(Schema):
    token: str
    expires_in_days: int


@router.post(
    "/auth/token",
    response={201: DeviceTokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Log in from the agent app and get a token for this device",
    description=(
        "401: wrong username or password, or not an agent account. 429 (with Retry-After): "
        "too many wrong passwords for this username from this address, or from this "
        "address altogether."
    ),
)
def device_login(request: HttpRequest, payload: DeviceLoginIn) -> Status | HttpResponse:
    try:
        issued = actions.log_in_device(
            request=request,
            username=payload.username,
            password=payload.password,
            device_name=payload.device_name,
            now=timezone.now(),
        )
    except actions.LockedOut as exc:
        return locked_out_json(retry_after=exc.retry_after)
    except actions.AccountError as exc:
        status = 401 if exc.code == "bad_credentials" else 422
        return json_error(status, exc.code, exc.message, exc.field)
    return Status(201, {"token": issued.token, "expires_in_days": issued.expires_in_days})
