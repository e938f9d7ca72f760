"""The agent app's login: username and password in, a per-device bearer token out."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field, field_validator

from agentmatch.accounts import actions
from agentmatch.accounts.lockout import locked_out_json
from agentmatch.accounts.text import has_control_characters
from agentmatch.api.schemas import ErrorOut

router = Router(tags=["agent app"])


class DeviceLoginIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)
    device_name: str = Field(default="Agent app", max_length=100)

    @field_validator("username", "device_name")
    @classmethod
    def _no_control_characters(cls, value: str) -> str:
        # The same check the action makes; here it becomes a 422 naming the field.
        if has_control_characters(value):
            raise ValueError("must not contain control characters")
        return value


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
        return JsonResponse(
            {"error": {"field": exc.field, "code": exc.code, "message": exc.message}},
            status=status,
        )
    return Status(201, {"token": issued.token, "expires_in_days": issued.expires_in_days})
