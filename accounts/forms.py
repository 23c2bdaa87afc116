"""Forms for accounts pages: input checks and GOV.UK error wording only. Rules live in services."""

from __future__ import annotations

from django import forms

from accounts.models import SCOPED_ROLES, Role, User
from accounts.passwords import MAX_LENGTH, MESSAGES, password_errors
from accounts.selectors import areas_for_staff_roles
from core.forms import GovukForm

EMAIL_ERRORS = {
    "required": "Enter your email address",
    "invalid": "Enter an email address in the correct format, like name@example.com",
}


def _email_field(
    *, label: str = "Email address", required_message: str = "Enter your email address"
) -> forms.EmailField:
    return forms.EmailField(
        label=label,
        max_length=254,
        error_messages=EMAIL_ERRORS | {"required": required_message},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def _password_field(*, label: str, autocomplete: str, required_message: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        error_messages={
            "required": required_message,
            "max_length": MESSAGES["password_too_long"].format(max_length=MAX_LENGTH),
        },
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        # Bounded before anything else, so a huge password is never hashed at all (not even to sign in).
        max_length=MAX_LENGTH,
    )


def govuk_password_errors(password: str, user: User) -> list[str]:
    """Run the validators from settings; return their errors in GOV.UK wording."""
    return password_errors(password, user)


CHOOSING_ADVICE = "Use at least 12 characters. A few words you will remember, with spaces, make a good password."


class NewPasswordForm(GovukForm):
    """A new password typed twice, checked against the password rules in settings."""

    password = _password_field(
        label="New password",
        autocomplete="new-password",
        required_message="Enter a new password",
        help_text=CHOOSING_ADVICE,
    )
    password_confirm = _password_field(
        label="Confirm new password", autocomplete="new-password", required_message="Enter the new password again"
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        password, confirm = data.get("password"), data.get("password_confirm")
        if password and "password" not in self.errors:
            for message in govuk_password_errors(password, self.user):
                self.add_error("password", message)
        if password and confirm and password != confirm and "password" not in self.errors:
            self.add_error("password_confirm", "Passwords must match")
        return data


class SignInForm(GovukForm):
    email = _email_field()
    password = _password_field(
        label="Password", autocomplete="current-password", required_message="Enter your password"
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class PasswordResetRequestForm(GovukForm):
    email = _email_field(label="Email address")


class AcceptInvitationForm(NewPasswordForm):
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={"required": "Enter your full name", "max_length": "Full name must be 150 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = _password_field(
        label="Create a password",
        autocomplete="new-password",
        required_message="Enter a password",
        help_text=CHOOSING_ADVICE,
    )
    password_confirm = _password_field(
        label="Confirm password", autocomplete="new-password", required_message="Enter the password again"
    )
    field_order = ["full_name", "password", "password_confirm"]

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, user=User(email=email), **kwargs)

    def clean(self):
        # The password must not look like the name just typed.
        self.user.full_name = (self.cleaned_data.get("full_name") or "").strip()
        return super().clean()


class InviteColleagueForm(GovukForm):
    email = _email_field(label="Email address", required_message="Enter their email address")
    as_org_admin = forms.TypedChoiceField(
        label="Should they be an administrator?",
        help_text="Administrators can invite and remove people in your organisation.",
        choices=[("no", "No"), ("yes", "Yes")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if they should be an administrator"},
    )
    as_org_admin.inline = True


class InviteStaffForm(GovukForm):
    email = _email_field(label="Email address", required_message="Enter their email address")
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a role", "invalid_choice": "Select a role"},
    )
    role.choice_hints = {
        Role.ASSESSOR: "Decides applications to join the framework.",
        Role.COMMISSIONER: "Runs opportunities in a region or PCC area. Choose the area below.",
        Role.EVALUATOR: "Scores bids.",
        Role.PRACTITIONER: "Sends people on probation to services in a region. Choose the region below.",
        Role.ADMINISTRATOR: "Manages staff and reference data.",
    }
    area = forms.ModelChoiceField(
        label="Area (for commissioners and probation practitioners only)",
        queryset=areas_for_staff_roles(),
        required=False,
        empty_label="Not limited to an area",
        help_text="Commissioners: a region or PCC area. Probation practitioners: a region.",
        error_messages={"invalid_choice": "Select an area from the list"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].label_from_instance = lambda area: f"{area.name} ({area.get_level_display().lower()})"

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role in SCOPED_ROLES and not data.get("area") and "area" not in self.errors:
            self.add_error("area", "Select an area" if role == Role.COMMISSIONER else "Select a region")
        return data


class SecondFactorForm(GovukForm):
    code = forms.CharField(
        label="Code",
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        max_length=32,
        error_messages={
            "required": "Enter the code from your authenticator app",
            "max_length": "Enter the 6-digit code from your app, or a recovery code",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "class": "govuk-input--width-10"}
        ),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class SecondFactorSetUpForm(GovukForm):
    code = forms.CharField(
        label="Code from your app",
        help_text="The 6 digits your app shows now, for example 123456.",
        max_length=12,
        error_messages={
            "required": "Enter the 6-digit code from your app",
            "max_length": "Enter the 6-digit code from your app",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-5",
            }
        ),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
