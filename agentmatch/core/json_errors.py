"""The API's error shape, {"error": {"field", "code", "message"}}, for code below the API app
(middleware) that must answer a request under /api/ before it reaches django-ninja."""

from django.http import HttpRequest, JsonResponse

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def error_body(code: str, message: str, field: str | None = None) -> dict[str, object]:
    return {"error": {"field": field, "code": code, "message": message}}


def control_characters_message(field: str) -> str:
    """The message for `first_name` is "The first name cannot contain control characters.",
    in the words the domain's own checks use, so every door says the same."""
    words = [part for part in field.split(".") if not part.isdigit()]
    name = (words[-1] if words else "request").replace("_", " ")
    return f"The {name} cannot contain control characters."


def json_error(status: int, code: str, message: str, field: str | None = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, field), status=status)
