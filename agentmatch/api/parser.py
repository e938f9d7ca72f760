"""The API reads JSON bodies only, and no control characters inside them.

A body of another type is refused (415): browsers send `text/plain` and form bodies
cross-site without asking (a "simple" request), so accepting them would let any page a
consumer visits file requests in their name. JSON needs a CORS preflight, which we never
grant.
"""

import json
from typing import Any, cast

from django.http import HttpRequest
from ninja.parser import Parser
from ninja.types import DictStrAny

from agentmatch.api.errors import ControlCharacterInBody, UnsupportedMediaType
from agentmatch.core.input_guard import CONTROL_CHARACTERS_IN_TEXT


def is_json_media_type(content_type: str) -> bool:
    main = content_type.split(";")[0].strip().lower()
    return main == "application/json" or (
        main.startswith("application/") and main.endswith("+json")
    )


def first_control_character(value: Any, path: tuple[str, ...] = ()) -> str | None:
    """The dotted path of the first string (or key) holding a control character.

    Tab and line breaks are left to each schema (a multi-line note may hold them); every
    other C0 character, NUL first, is refused in any body whatever the operation.
    """
    if isinstance(value, str):
        return (".".join(path) or "body") if CONTROL_CHARACTERS_IN_TEXT.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if CONTROL_CHARACTERS_IN_TEXT.search(key):
                return ".".join(path) or "body"
            found = first_control_character(item, (*path, key))
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = first_control_character(item, (*path, str(index)))
            if found:
                return found
    return None


class JsonOnlyParser(Parser):
    def parse_body(self, request: HttpRequest) -> DictStrAny:
        if not is_json_media_type(request.content_type or ""):
            raise UnsupportedMediaType(request.content_type)
        data = json.loads(request.body)
        field = first_control_character(data)
        if field is not None:
            raise ControlCharacterInBody(field)
        return cast(DictStrAny, data)
