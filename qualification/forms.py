"""Forms for the provider journey: registering an organisation and answering the questionnaire.

Every field has GOV.UK error messages. Forms only parse and check what was typed; saving is done
by services. `conditionals` names fields revealed under a radio option (GOV.UK conditional reveal).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import OrganisationType, StaffBand, TurnoverBand, User
from accounts.passwords import MAX_LENGTH, MESSAGES, password_errors
from core.forms import GovukForm
from qualification.sections import (
    DECLARATION_STATEMENTS,
    DISCRETIONARY_GROUNDS,
    MANDATORY_GROUNDS,
    SECURITY_STATEMENTS,
)
from qualification.uploads import check_upload
from reference.models import Area, CategoryKind, ServiceCategory

YES_NO_CHOICES = [("yes", "Yes"), ("no", "No")]

# Registered charity numbers (England and Wales): 6 or 7 digits, optionally "-" and 1 or 2 digits
# for a linked charity. Scottish (SC) and Northern Irish (NIC) numbers are accepted too.
CHARITY_NUMBER_RE = re.compile(r"^(\d{6,7}(-\d{1,2})?|SC\d{6}|NIC\d{6})$")
# Companies House numbers: 8 digits, or 2 letters and 6 digits (SC123456, NI…, OC…, RC…, CE…).
COMPANY_NUMBER_RE = re.compile(r"^(\d{8}|(SC|NI|OC|SO|NC|RC|SE|CE|CS|SL|SP|IP|SA|NP|FC|GE|LP|R0|ZC)\d{6})$")
POSTCODE_RE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$")
ICO_NUMBER_RE = re.compile(r"^[A-Z]{1,2}\d{6,7}$")

CHARITY_NUMBER_TYPES = {OrganisationType.REGISTERED_CHARITY, OrganisationType.CIO}
COMPANY_NUMBER_TYPES = {
    OrganisationType.CIC,
    OrganisationType.COMPANY_BY_GUARANTEE,
    OrganisationType.COMPANY_BY_SHARES,
}


def _compact(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def yes_no(label: str, *, required: str, hint: str = "", inline: bool = True) -> forms.ChoiceField:
    field = forms.ChoiceField(
        label=label,
        help_text=hint,
        choices=YES_NO_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": required},
    )
    field.inline = inline  # type: ignore[attr-defined]
    return field


def details(label: str, *, hint: str = "", max_words: int = 200) -> forms.CharField:
    field = forms.CharField(label=label, help_text=hint, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    field.max_words = max_words  # type: ignore[attr-defined]
    return field


def money_field(
    label: str, *, required: str, hint: str = "", required_field: bool = True, name: str = "The amount"
) -> forms.DecimalField:
    field = forms.DecimalField(
        label=label,
        help_text=hint,
        required=required_field,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal"}),
        error_messages={
            "required": required,
            "invalid": f"{name} must be a number, like 250000",
            "min_value": f"{name} must be 0 or more",
            "max_digits": f"{name} is too big",
            "max_decimal_places": f"{name} can only include pounds and pence",
            "max_whole_digits": f"{name} is too big",
        },
    )
    field.prefix = "£"  # type: ignore[attr-defined]
    return field


class ConditionalMixin:
    """Fields revealed under a radio option are required only when that option is chosen,
    and are emptied when it is not (so an old explanation never lingers)."""

    conditionals: dict[str, dict[str, list[str]]] = {}
    conditional_required: dict[str, str] = {}

    def revealed_fields(self) -> set[str]:
        return {name for options in self.conditionals.values() for names in options.values() for name in names}

    def clean(self):
        cleaned = super().clean()  # type: ignore[misc]
        for radio, options in self.conditionals.items():
            for option, names in options.items():
                for name in names:
                    if cleaned.get(radio) == option:
                        if (
                            cleaned.get(name) in (None, "")
                            and name not in self.errors
                            and name in self.conditional_required
                        ):  # type: ignore[attr-defined]
                            self.add_error(name, self.conditional_required[name])  # type: ignore[attr-defined]
                    elif name not in self.errors:  # type: ignore[attr-defined]
                        cleaned[name] = ""
        return cleaned


# --- Registering an organisation ------------------------------------------------------------


class YouForm(GovukForm):
    page_heading = "Your details"
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your full name"},
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We will use this to sign you in and to send you updates.",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    password = forms.CharField(
        label="Create a password",
        help_text="Use at least 12 characters. A few words together are easy to remember.",
        strip=False,
        max_length=MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={
            "required": "Enter a password",
            "max_length": MESSAGES["password_too_long"].format(max_length=MAX_LENGTH),
        },
    )

    def __init__(self, *args, has_password: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if has_password:
            # Coming back to this page: the password chosen before is kept unless a new one is typed.
            self.fields["password"].required = False
            self.fields["password"].label = "Create a password (optional)"
            self.fields["password"].help_text = "Leave this empty to keep the password you chose."

    def clean_email(self) -> str:
        # Whether an account already has this address is never said here (see organisation_register).
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password and "password" not in self.errors:
            probe = User(email=cleaned.get("email") or "", full_name=cleaned.get("full_name") or "")
            for message in password_errors(password, probe):
                self.add_error("password", message)
        return cleaned


class OrganisationForm(GovukForm):
    page_heading = "Your organisation"
    legal_name = forms.CharField(
        label="Legal name",
        help_text="The name on your charity or company record, or in your rules.",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"required": "Enter the legal name of your organisation"},
    )
    trading_name = forms.CharField(
        label="Name you use day to day (optional)",
        help_text="Only if it is not the same as the legal name.",
        max_length=200,
        required=False,
    )
    organisation_type = forms.ChoiceField(
        label="What type of organisation is it?",
        choices=OrganisationType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of organisation"},
    )
    charity_number = forms.CharField(
        label="Charity number",
        help_text="Only for charities and CIOs. For example, 1123456.",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    company_number = forms.CharField(
        label="Company number",
        help_text="Only if you are a company. It has 8 numbers, or 2 letters and 6 numbers, like SC123456.",
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )

    def clean_charity_number(self) -> str:
        value = _compact(self.cleaned_data.get("charity_number", ""))
        if value and not CHARITY_NUMBER_RE.match(value):
            raise ValidationError("Enter a charity number in the correct format, like 1123456")
        return value

    def clean_company_number(self) -> str:
        value = _compact(self.cleaned_data.get("company_number", ""))
        if value.isdigit() and 6 <= len(value) < 8:
            value = value.zfill(8)  # Companies House pads with leading zeros
        if value and not COMPANY_NUMBER_RE.match(value):
            raise ValidationError("Enter a company number in the correct format, like 01234567 or SC123456")
        return value

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("organisation_type")
        if kind in CHARITY_NUMBER_TYPES and not cleaned.get("charity_number") and "charity_number" not in self.errors:
            self.add_error("charity_number", "Enter your charity number")
        if kind in COMPANY_NUMBER_TYPES and not cleaned.get("company_number") and "company_number" not in self.errors:
            self.add_error("company_number", "Enter your company number")
        return cleaned


class SizeForm(GovukForm):
    page_heading = "How big is your organisation?"
    staff_band = forms.ChoiceField(
        label="How many people work for you in the UK?",
        help_text="Count paid staff, full time or part time. Do not count volunteers.",
        choices=StaffBand.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how many people work for you"},
    )
    turnover_band = forms.ChoiceField(
        label="How much money came in last year?",
        help_text="All your income, such as grants, gifts and fees.",
        choices=TurnoverBand.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how much money came in last year"},
    )


class AddressForm(GovukForm):
    page_heading = "Address and contact details"
    address_line_1 = forms.CharField(
        label="Address line 1",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
        error_messages={"required": "Enter address line 1, typically the building and street"},
    )
    address_line_2 = forms.CharField(
        label="Address line 2 (optional)",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    town = forms.CharField(
        label="Town or city",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2", "class": "govuk-!-width-two-thirds"}),
        error_messages={"required": "Enter town or city"},
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "govuk-input--width-10"}),
        error_messages={"required": "Enter postcode"},
    )
    contact_email = forms.EmailField(
        label="Email address for your organisation",
        help_text="We send news about work you can bid for here.",
        max_length=254,
        error_messages={
            "required": "Enter an email address for your organisation",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    contact_phone = forms.CharField(
        label="Phone number (optional)",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "class": "govuk-input--width-20"}),
    )

    def clean_postcode(self) -> str:
        value = " ".join((self.cleaned_data.get("postcode") or "").upper().split())
        compact = value.replace(" ", "")
        if not POSTCODE_RE.match(compact):
            raise ValidationError("Enter a real postcode, like SW1A 1AA")
        return f"{compact[:-3]} {compact[-3:]}"

    def clean_contact_phone(self) -> str:
        value = (self.cleaned_data.get("contact_phone") or "").strip()
        if value and not re.fullmatch(r"\+?[\d\s()-]{10,20}", value):
            raise ValidationError("Enter a phone number, like 01632 960 001 or 07700 900 982")
        return value


class OrganisationDetailsForm(OrganisationForm, SizeForm, AddressForm):
    """Everything about the organisation on one page, to update it after joining."""

    page_heading = "Update your organisation's details"


# --- The questionnaire -----------------------------------------------------------------------


class AboutForm(GovukForm):
    what_you_do = details(
        "What does your organisation do?",
        hint="Tell us who you help and how, in a few sentences. You can use up to 150 words.",
        max_words=150,
    )
    probation_experience = yes_no(
        "Have you helped people on probation or people leaving prison before?",
        required="Select yes if you have helped people on probation or leaving prison",
        hint="It is fine if you have not. We want to hear from new groups too.",
    )

    def clean_what_you_do(self) -> str:
        value = (self.cleaned_data.get("what_you_do") or "").strip()
        if not value:
            raise ValidationError("Tell us what your organisation does")
        return value


class ExclusionForm(ConditionalMixin, GovukForm):
    mandatory = yes_no(
        "In the last 5 years, has your organisation, or anyone who runs it, been found guilty of any of these?",
        required="Select yes if your organisation or anyone who runs it has been found guilty of any of these",
        inline=False,
    )
    mandatory_details = details("If yes, tell us what happened and what you have done since")
    discretionary = yes_no(
        "In the last 3 years, has any of these things happened?",
        required="Select yes if any of these things has happened",
        inline=False,
    )
    discretionary_details = details("If yes, tell us what happened and what you have done since", max_words=200)
    conditionals = {"mandatory": {"yes": ["mandatory_details"]}, "discretionary": {"yes": ["discretionary_details"]}}
    conditional_required = {
        "mandatory_details": "Tell us what happened",
        "discretionary_details": "Tell us what happened",
    }
    lists = {"mandatory": MANDATORY_GROUNDS, "discretionary": DISCRETIONARY_GROUNDS}


class FinanceForm(GovukForm):
    turnover = money_field(
        "How much money came in during your last financial year?",
        required="Enter how much money came in during your last financial year",
        hint="All your income, such as grants, gifts and fees. Use the figure from your accounts.",
    )
    accounts = forms.FileField(
        label="Upload your latest accounts",
        required=False,
        help_text="A PDF, Word, Excel, OpenDocument, PNG or JPG file, smaller than 10MB.",
    )

    def __init__(self, *args, micro: bool = True, has_document: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.micro = micro
        self.has_document = has_document
        if micro:
            self.fields["accounts"].label = "Upload your latest accounts (optional)"
            self.fields["accounts"].help_text = (
                "You do not have to do this as a small group. " + self.fields["accounts"].help_text
            )

    def clean_accounts(self):
        upload = self.cleaned_data.get("accounts")
        if upload:
            self.checked_file = check_upload(upload)
        elif not self.micro and not self.has_document:
            raise ValidationError("Select your latest accounts")
        return upload


class InsuranceForm(ConditionalMixin, GovukForm):
    employers_liability = yes_no(
        "Do you have employer's liability insurance?",
        required="Select yes if you have employer's liability insurance",
        hint="The law says you must have this if you pay staff.",
        inline=False,
    )
    employers_liability_amount = money_field(
        "If yes, how much employer's liability cover do you have?",
        required="Enter how much employer's liability cover you have",
        required_field=False,
    )
    public_liability = yes_no(
        "Do you have public liability insurance?",
        required="Select yes if you have public liability insurance",
        hint="This pays if someone is hurt or their things are damaged because of your work.",
        inline=False,
    )
    public_liability_amount = money_field(
        "If yes, how much public liability cover do you have?",
        required="Enter how much public liability cover you have",
        required_field=False,
    )
    professional_indemnity = yes_no(
        "Do you have professional indemnity insurance?",
        required="Select yes if you have professional indemnity insurance",
        hint="This pays if your advice or service causes someone a loss.",
        inline=False,
    )
    professional_indemnity_amount = money_field(
        "If yes, how much professional indemnity cover do you have?",
        required="Enter how much professional indemnity cover you have",
        required_field=False,
    )
    conditionals = {
        "employers_liability": {"yes": ["employers_liability_amount"]},
        "public_liability": {"yes": ["public_liability_amount"]},
        "professional_indemnity": {"yes": ["professional_indemnity_amount"]},
    }
    conditional_required = {
        "employers_liability_amount": "Enter how much employer's liability cover you have",
        "public_liability_amount": "Enter how much public liability cover you have",
        "professional_indemnity_amount": "Enter how much professional indemnity cover you have",
    }


class SafeguardingForm(GovukForm):
    safeguarding_policy = yes_no(
        "Do you have a written safeguarding policy?",
        required="Select yes if you have a written safeguarding policy",
        hint="This says how you keep children and adults at risk safe from harm.",
    )
    dbs_checks = yes_no(
        "Do you check staff and volunteers with the DBS before they work with people?",
        required="Select yes if you check staff and volunteers with the DBS",
        hint="DBS is the Disclosure and Barring Service.",
    )
    data_protection_policy = yes_no(
        "Do you have a written data protection policy?",
        required="Select yes if you have a written data protection policy",
        hint="This says how you look after people's personal details.",
    )
    ico_number = forms.CharField(
        label="ICO registration number (optional)",
        help_text="Most groups that keep personal details pay a fee to the ICO. The number looks like ZA123456.",
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )

    def clean_ico_number(self) -> str:
        value = _compact(self.cleaned_data.get("ico_number", ""))
        if value and not ICO_NUMBER_RE.match(value):
            raise ValidationError("Enter an ICO registration number in the correct format, like ZA123456")
        return value


class SecurityForm(ConditionalMixin, GovukForm):
    all_true = yes_no(
        "Can you say yes to all of these?",
        required="Select yes if you can say yes to all of these",
        inline=False,
    )
    gaps = details("If no, which ones can you not say yes to yet? What are you doing about it?")
    cyber_essentials = forms.CharField(
        label="Cyber Essentials certificate number (optional)",
        help_text="Only if you have one. You do not need it to join.",
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )
    conditionals = {"all_true": {"no": ["gaps"]}}
    conditional_required = {"gaps": "Tell us which ones you cannot say yes to yet"}
    statements = SECURITY_STATEMENTS


class DeclarationForm(GovukForm):
    confirmed = forms.BooleanField(
        label="I confirm this on behalf of my organisation",
        error_messages={"required": "Confirm the declaration to continue"},
    )
    statements = DECLARATION_STATEMENTS


# --- Types of support and areas -----------------------------------------------------------


class CategoriesForm(GovukForm):
    needs = forms.MultipleChoiceField(label="Needs you help with", required=False, widget=forms.CheckboxSelectMultiple)
    cohorts = forms.MultipleChoiceField(
        label="Groups of people you help", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        categories = list(ServiceCategory.objects.all())
        for name, kind in (("needs", CategoryKind.NEED), ("cohorts", CategoryKind.COHORT)):
            field = self.fields[name]
            field.choices = [(c.code, c.name) for c in categories if c.kind == kind]
            field.choice_hints = {c.code: c.description for c in categories if c.kind == kind}  # type: ignore[attr-defined]

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("needs") or cleaned.get("cohorts")):
            self.add_error("needs", "Select at least one type of support")
        return cleaned

    @classmethod
    def initial_from(cls, answers: dict[str, Any]) -> dict[str, Any]:
        codes = set(answers.get("categories") or [])
        kinds = dict(ServiceCategory.objects.values_list("code", "kind"))
        return {
            "needs": [c for c in codes if kinds.get(c) == CategoryKind.NEED],
            "cohorts": [c for c in codes if kinds.get(c) == CategoryKind.COHORT],
        }


class WhereForm(GovukForm):
    where = forms.ChoiceField(
        label="Where can you give this help?",
        choices=[("all", "All of England and Wales"), ("some", "Only in some regions or areas")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select where you can give this help"},
    )
    page_heading_field = "where"


class AreasForm(GovukForm):
    """One group of checkboxes per probation region: the whole region first, then its PCC areas."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        regions = list(Area.objects.filter(level="region").order_by("name"))
        pcc_areas = list(Area.objects.filter(level="pcc_area").order_by("name"))
        for region in regions:
            choices = [(region.code, f"All of {region.name}")]
            choices += [(a.code, a.name) for a in pcc_areas if a.parent_id == region.pk]
            self.fields[f"region_{region.code}"] = forms.MultipleChoiceField(
                label=region.name, required=False, choices=choices, widget=forms.CheckboxSelectMultiple
            )

    def clean(self):
        cleaned = super().clean()
        if not self.chosen_codes(cleaned) and not self.has_councils:
            first = next(iter(self.fields))
            self.add_error(first, "Select at least one region or area")
        return cleaned

    has_councils = False

    @staticmethod
    def chosen_codes(cleaned: dict[str, Any]) -> list[str]:
        return sorted({code for name, codes in cleaned.items() if name.startswith("region_") for code in codes or []})

    @staticmethod
    def initial_from(answers: dict[str, Any]) -> dict[str, Any]:
        chosen = set(answers.get("areas") or [])
        initial: dict[str, list[str]] = {}
        for area in Area.objects.filter(code__in=chosen).select_related("parent"):
            region_code = area.code if area.level == "region" else area.parent.code
            initial.setdefault(f"region_{region_code}", []).append(area.code)
        return initial


class CouncilsForm(GovukForm):
    councils = forms.MultipleChoiceField(label="Councils", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, pcc_area: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.pcc_area = pcc_area
        field = self.fields["councils"]
        field.label = f"Which councils in {pcc_area.name} do you work in?"
        field.help_text = "Choose only the ones you work in. If you work in all of them, choose the whole area instead."
        field.choices = [(a.code, a.name) for a in pcc_area.children.order_by("name")]

    page_heading_field = "councils"


class CouncilAreaChoiceForm(GovukForm):
    """Pick the police and crime commissioner area whose councils to choose from."""

    area = forms.ChoiceField(label="Area", error_messages={"required": "Select an area"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "Choose an area")] + [
            (a.code, a.name) for a in Area.objects.filter(level="pcc_area").order_by("name")
        ]
        self.fields["area"].widget.choices = self.fields["area"].choices


# --- Help and declarations -------------------------------------------------------------------


class HelpRequestForm(GovukForm):
    message = details(
        "What do you need help with?",
        hint="For example, a question you do not understand, or help to upload your accounts.",
        max_words=300,
    )
    page_heading_field = "message"

    def clean_message(self) -> str:
        value = (self.cleaned_data.get("message") or "").strip()
        if not value:
            raise ValidationError("Tell us what you need help with")
        return value


class ReconfirmForm(GovukForm):
    confirmed = forms.BooleanField(
        label="I confirm this is still true for my organisation",
        error_messages={"required": "Confirm the declaration to continue"},
    )
    statements = DECLARATION_STATEMENTS
