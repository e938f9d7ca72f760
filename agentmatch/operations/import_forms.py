"""The upload form of /ops/imports/: which file, the file itself, and a plan year."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agentmatch.operations.import_labels import KIND

# The files whose rows may be limited to one plan year (the commands' --plan-year).
TAKES_PLAN_YEAR = ("rcl", "roster")


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        choices=list(KIND.items()), label=_("Which file"), widget=forms.RadioSelect
    )
    file = forms.FileField(label=_("File"), allow_empty_file=False)
    plan_year = forms.IntegerField(
        required=False, min_value=2014, max_value=2100, label=_("Plan year (optional)")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, year = data.get("kind"), data.get("plan_year")
        if year is not None and kind and kind not in TAKES_PLAN_YEAR:
            self.add_error(
                "plan_year",
                _("Only the registration list and the roster can be limited to a plan year."),
            )
        return data
