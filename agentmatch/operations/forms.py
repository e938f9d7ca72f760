"""The operator pages' inputs: parsed and checked here, so a bad one is a 400, not a 500."""

from django import forms


class AgentSearchForm(forms.Form):
    # Django's CharField refuses NUL characters (PostgreSQL cannot compare with them).
    q = forms.CharField(required=False)

    def query(self) -> str:
        return str(self.cleaned_data.get("q") or "")[:200]
