"""The staff page's inputs: parsed here, so a bad one is a 400 with a message, not a 500.

The rules on the names themselves (characters, duplicates) are the action's
(accounts.staff_accounts.check_new_staff), so every door says the same.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from agentmatch.accounts.models import Role


class NewStaffForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=200, strip=False)
    email = forms.CharField(label=_("Email"), max_length=254, strip=False)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (Role.OPERATOR, _("Operator: the support pages")),
            (
                Role.ADMINISTRATOR,
                _("Administrator: the support pages, the controls and staff accounts"),
            ),
        ],
        initial=Role.OPERATOR,
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        choices=[(Role.OPERATOR, Role.OPERATOR), (Role.ADMINISTRATOR, Role.ADMINISTRATOR)]
    )
