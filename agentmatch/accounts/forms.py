"""Forms: parse and show input; the rules live in the service modules they call."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from agentmatch.accounts.registration import RegistrationError, SignUp, check_sign_up
from agentmatch.agents.models import Agent, ContactMethod


class LoginForm(AuthenticationForm):
    remember_username = forms.BooleanField(
        label=_("Remember my username"),
        required=False,
        help_text=_('Do not use "Remember my username" on public or shared computers.'),
    )


class SignUpForm(forms.Form):
    cell_phone = forms.CharField(
        label=_("Cell phone"),
        max_length=30,
        help_text=_("A cell phone, not a landline: referral alerts are sent to it by text."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    contact_method = forms.ChoiceField(
        label=_("Preferred contact method"),
        choices=ContactMethod.choices,
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
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return cleaned


class ForgotUsernameForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))


class ForgotPasswordForm(forms.Form):
    username_or_email = forms.CharField(label=_("Username or email address"), max_length=254)


class ResetPasswordForm(forms.Form):
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
