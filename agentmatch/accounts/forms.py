"""Forms: parse and show input; the rules live in the service modules they call."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _

from agentmatch.accounts.passwords import RULES
from agentmatch.accounts.registration import RegistrationError, SignUp, check_sign_up
from agentmatch.agents.models import Agent, ContactMethod


class UswdsRenderer(DjangoTemplates):
    field_template_name = "accounts/forms/field.html"


_WIDGET_CLASSES: tuple[tuple[type[forms.Widget], str], ...] = (
    (forms.CheckboxInput, "usa-checkbox__input"),
    (forms.Select, "usa-select"),
    (forms.widgets.Input, "usa-input"),
)


class UswdsForm(forms.Form):
    """Renders each field the USWDS way (accounts/forms/field.html) with its error state.

    Django already ties help text and errors to the input (aria-describedby with the ids
    `<id>_helptext` and `<id>_error`, aria-invalid); this adds the USWDS classes, and
    `described_by_extra` names more elements describing a field (the password checklist).
    """

    default_renderer = UswdsRenderer()
    described_by_extra: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self._style(name)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.fields:
            self._style(name)

    def _style(self, name: str) -> None:
        field = self.fields[name]
        widget = field.widget
        css = next((c for kind, c in _WIDGET_CLASSES if isinstance(widget, kind)), "")
        errors = getattr(self, "_errors", None)  # None until the form is validated
        has_errors = errors is not None and name in errors
        if has_errors and css in ("usa-input", "usa-select"):
            css += " usa-input--error"
        widget.attrs["class"] = css
        extra = self.described_by_extra.get(name)
        if extra:
            auto_id = self[name].auto_id
            ids = [f"{auto_id}_helptext"] if field.help_text else []
            if has_errors:
                ids.append(f"{auto_id}_error")
            widget.attrs["aria-describedby"] = " ".join([*ids, extra])


class LoginForm(UswdsForm, AuthenticationForm):  # type: ignore[misc]
    remember_username = forms.BooleanField(
        label=_("Remember my username"),
        required=False,
        help_text=_('Do not use "Remember my username" on public or shared computers.'),
    )


# Contact method labels as the tip sheet words them, in the page's language.
CONTACT_METHOD_CHOICES = [
    (ContactMethod.EMAIL_TEXT_APP, _("Email, Text & App Notification (recommended)")),
    (ContactMethod.EMAIL_TEXT, _("Email & Text")),
    (ContactMethod.EMAIL_APP, _("Email & App Notification")),
    (ContactMethod.EMAIL_ONLY, _("Email Only")),
]


def service_message(field: str, message: str, value: str = "") -> Any:
    """A sign-up or reset error in the page's language; a broken password rule says so."""
    if field == "password" and message in {str(rule.message) for rule in RULES}:
        return _("Rule not met: %(rule)s") % {"rule": message}
    value = value.strip()[:30]
    if field == "cell_phone":
        return _(
            "“%(phone)s” is not a valid US phone number: enter 10 digits, like (608) 555-0142."
        ) % {"phone": value}
    if field == "zip_code":
        if len(value) == 5 and value.isdigit():
            return _("%(zip)s is not a known US ZIP code.") % {"zip": value}
        return _("Enter a 5-digit ZIP code, like 53703.")
    return message


class SignUpForm(UswdsForm):
    described_by_extra = {"password": "password-checklist"}

    cell_phone = forms.CharField(
        label=_("Cell phone"),
        max_length=30,
        help_text=_("A cell phone, not a landline: referral alerts are sent to it by text."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    contact_method = forms.ChoiceField(
        label=_("Preferred contact method"),
        choices=CONTACT_METHOD_CHOICES,
        initial=ContactMethod.EMAIL_TEXT_APP,
        help_text=_(
            "Email, Text & App Notification is recommended: email only can cause delays "
            "and lost referrals."
        ),
    )
    zip_code = forms.CharField(
        label=_("ZIP code"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Confirm password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    accepts_terms = forms.BooleanField(
        label=_("I read and agree to the AgentMatch Terms of Use"), required=False
    )

    def __init__(self, *args: Any, agent: Agent, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agent = agent
        if not self.is_bound:
            self.fields["username"].initial = agent.email
            self.fields["zip_code"].initial = agent.business_zip
            if agent.cell_phone:
                self.fields["cell_phone"].initial = agent.cell_phone

    def sign_up(self) -> SignUp:
        data = self.cleaned_data
        return SignUp(
            cell_phone=data.get("cell_phone", ""),
            contact_method=data.get("contact_method", ""),
            zip_code=data.get("zip_code", ""),
            username=data.get("username", ""),
            password=data.get("password", ""),
            password_again=data.get("password_again", ""),
            accepts_terms=bool(data.get("accepts_terms")),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            check_sign_up(agent=self.agent, sign_up=self.sign_up())
        except RegistrationError as exc:
            for field, messages in exc.errors.items():
                if field in self.fields and self.has_error(field):
                    continue  # "This field is required." already says it
                for message in messages:
                    self.add_error(
                        field if field in self.fields else None,
                        service_message(field, message, str(self.data.get(field, ""))),
                    )
        return cleaned


class ForgotUsernameForm(UswdsForm):
    email = forms.EmailField(label=_("Email address"))


class ForgotPasswordForm(UswdsForm):
    username_or_email = forms.CharField(label=_("Username or email address"), max_length=254)


class ResetPasswordForm(UswdsForm):
    described_by_extra = {"password": "password-checklist"}

    password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Confirm new password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ChangePasswordForm(ResetPasswordForm):
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current_password", "password", "password_again"]


class ContactForm(forms.Form):
    cell_phone = SignUpForm.base_fields["cell_phone"]
    contact_method = SignUpForm.base_fields["contact_method"]
    zip_code = SignUpForm.base_fields["zip_code"]


class LanguagesForm(forms.Form):
    languages = forms.CharField(
        label=_("Languages you speak"),
        help_text=_("Two-letter codes or names, separated by commas, e.g. en, es."),
        max_length=200,
    )


class StatesForm(forms.Form):
    states = forms.MultipleChoiceField(
        label=_("State preferences"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, selectable: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["states"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(s, s) for s in selectable]
