"""The one error every change to an agent's own settings raises when a rule says no.

`code` is stable (API clients switch on it), `message` is for people (translated), and
`field` names the input concerned, as the web forms and the API name it. Where a change is
a list (the API's weekly hours and absences), `index` is the position of the bad item, so
the API can answer `weekly_hours.2.end` while the page puts the same message by its input.
"""


class SettingError(ValueError):
    def __init__(
        self, field: str | None, message: str, *, code: str = "invalid", index: int | None = None
    ) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message
        self.code = code
        self.index = index

    def api_field(self, prefix: str = "") -> str | None:
        """The field as the API names it: `absences.0.first_day`, or the plain field."""
        if self.index is not None and prefix:
            return f"{prefix}.{self.index}.{self.field}" if self.field else f"{prefix}.{self.index}"
        return self.field
