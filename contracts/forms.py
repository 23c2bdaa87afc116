"""Forms for a contract's pages: one question (or one set of figures) per page."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms

from competitions.models import PaymentFrequency
from contracts.models import DocumentKind, PaymentModel, TerminationReason, VariationGround
from contracts.services import MAX_PAYMENT_DAYS, MAX_VOLUME
from core.clock import financial_year_label
from core.forms import GovukDateField, GovukForm
from qualification.uploads import ALLOWED_DESCRIPTION

EXPLANATION_LIMIT = 2000
# A change's explanation (a variation's or an extension's) is published in open data as the
# amendment's rationale (opendata.builders), so whoever writes it is told not to name anyone.
PUBLISHED_REASON = (
    "This is published as the reason for the change, so anyone can read it. "
    "Do not name people or give any personal details."
)


def _explanation(label: str, hint: str, required: str) -> forms.CharField:
    field = forms.CharField(
        label=label,
        help_text=hint,
        max_length=EXPLANATION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": required},
    )
    return field


class ManagerForm(GovukForm):
    manager = forms.TypedChoiceField(
        label="Who manages this contract?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a contract manager"},
    )

    def __init__(self, *args, people: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].choices = people
        self.fields["manager"].widget.choices = people
        self.fields["manager"].error_messages["invalid_choice"] = "Select a contract manager from the list"


class StartVariationForm(GovukForm):
    ground = forms.ChoiceField(
        label="Why can the contract be changed?",
        help_text="The permitted grounds for changing a contract during its term.",
        choices=VariationGround.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the contract can be changed"},
    )
    explanation = _explanation(
        "Explain the change", f"Say what is changing and why, in plain words. {PUBLISHED_REASON}", "Explain the change"
    )


class EndDateForm(GovukForm):
    ends_on = GovukDateField(
        label="When should the contract end?", label_text="end date", help_text="For example, 31 3 2030"
    )


def _money(text: str) -> str:
    return re.sub(r"[£,\s]", "", text)


class YearsForm(GovukForm):
    """Value and people for each financial year of the term."""

    def __init__(self, *args, years: list[int], **kwargs):
        if args and args[0] is not None:
            data = args[0].copy()
            for year in years:
                if f"value_{year}" in data:
                    data[f"value_{year}"] = _money(data[f"value_{year}"])
            args = (data, *args[1:])
        super().__init__(*args, **kwargs)
        self.years = years
        for year in years:
            label = financial_year_label(year)
            value = forms.DecimalField(
                label=f"Value, April {year} to March {year + 1}",
                min_value=0,
                max_digits=14,
                decimal_places=2,
                error_messages={
                    "required": f"Enter the value for {label}",
                    "invalid": f"Value for {label} must be an amount of money, like 250000",
                    "min_value": f"Value for {label} must be 0 or more",
                    "max_decimal_places": f"Value for {label} must have no more than 2 numbers after the point",
                    "max_digits": f"Value for {label} is too large",
                    "max_whole_digits": f"Value for {label} is too large",
                },
            )
            value.prefix = "£"
            self.fields[f"value_{year}"] = value
            self.fields[f"volume_{year}"] = forms.IntegerField(
                label=f"People, April {year} to March {year + 1}",
                min_value=0,
                max_value=MAX_VOLUME,
                error_messages={
                    "required": f"Enter the number of people for {label}",
                    "invalid": f"Number of people for {label} must be a whole number, like 150",
                    "min_value": f"Number of people for {label} must be 0 or more",
                    "max_value": f"Number of people for {label} must be {MAX_VOLUME:,} or fewer",
                },
            )

    def figures(self) -> dict[int, tuple[Decimal, int]]:
        return {y: (self.cleaned_data[f"value_{y}"], self.cleaned_data[f"volume_{y}"]) for y in self.years}


class AreasForm(GovukForm):
    areas = forms.TypedMultipleChoiceField(
        label="Which areas does the contract cover?",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one area", "invalid_choice": "Select areas from the list"},
    )

    def __init__(self, *args, choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].choices = choices


class PartnersForm(GovukForm):
    """Each partner's share of the work; 0 takes a partner off the contract."""

    def __init__(self, *args, partners: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.partners = partners
        for partner in partners:
            field = forms.DecimalField(
                label=f"{partner.name}: percentage of the work",
                help_text="A percentage from 0 to 100. Enter 0 to take this partner off the contract.",
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
                error_messages={
                    "required": f"Enter {partner.name}'s share",
                    "invalid": f"{partner.name}'s share must be a number, like 25",
                    "min_value": f"{partner.name}'s share must be 0 or more",
                    "max_value": f"{partner.name}'s share must be 100 or less",
                    "max_decimal_places": f"{partner.name}'s share must have no more than 2 numbers after the point",
                    "max_digits": f"{partner.name}'s share must be 100 or less",
                    "max_whole_digits": f"{partner.name}'s share must be 100 or less",
                },
            )
            self.fields[f"share_{partner.pk}"] = field

    def shares(self) -> dict[int, Decimal]:
        return {p.pk: self.cleaned_data[f"share_{p.pk}"] for p in self.partners}


class PaymentTermsForm(GovukForm):
    payment_frequency = forms.ChoiceField(
        label="How often is the provider paid?",
        choices=PaymentFrequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how often the provider is paid"},
    )
    payment_model = forms.ChoiceField(
        label="What is the provider paid for?",
        choices=PaymentModel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the provider is paid for"},
    )
    payment_days = forms.IntegerField(
        label="How many days after a valid claim must it be paid?",
        min_value=1,
        max_value=MAX_PAYMENT_DAYS,
        error_messages={
            "required": "Enter the number of days to pay",
            "invalid": "Days to pay must be a whole number, like 30",
            "min_value": "Days to pay must be 1 or more",
            "max_value": f"Days to pay must be {MAX_PAYMENT_DAYS} or fewer",
        },
    )
    payment_working_days = forms.TypedChoiceField(
        label="Are those working days?",
        help_text="Working days leave out weekends and bank holidays in England and Wales.",
        choices=[("no", "No, calendar days"), ("yes", "Yes, working days")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the days are working days"},
    )


class DeclineForm(GovukForm):
    reason = _explanation("Why?", "The commissioners and the provider will see this.", "Say why")


class ExtendForm(GovukForm):
    years = forms.TypedChoiceField(
        label="How many years should the contract be extended by?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how many years", "invalid_choice": "Select how many years"},
    )
    explanation = _explanation(
        "Why extend it?", f"Say why, in plain words. {PUBLISHED_REASON}", "Explain why the contract is extended"
    )

    def __init__(self, *args, remaining: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["years"].choices = [(n, f"{n} year" + ("" if n == 1 else "s")) for n in range(1, remaining + 1)]


class TerminateForm(GovukForm):
    reason = forms.ChoiceField(
        label="Why is the contract ending early?",
        choices=TerminationReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the contract is ending"},
    )
    explanation = _explanation("Explain why", "The provider will see this.", "Explain why the contract is ending")
    notice_on = GovukDateField(
        label="When was notice given?", label_text="date notice was given", help_text="For example, 27 3 2027"
    )
    terminates_on = GovukDateField(
        label="What is the contract's last day?", label_text="last day", help_text="For example, 30 6 2027"
    )


# --- Payments ------------------------------------------------------------------------------------


class MoneyForm(GovukForm):
    """A form with an `amount` in pounds: what was typed is read as money ("£1,200.50" as 1200.50)
    and the field shows a £ prefix."""

    def __init__(self, *args, **kwargs):
        if args and args[0] is not None and "amount" in args[0]:
            data = args[0].copy()
            data["amount"] = _money(data["amount"])
            args = (data, *args[1:])
        super().__init__(*args, **kwargs)
        self.fields["amount"].prefix = "£"


class ClaimForm(MoneyForm):
    """A claim for one period. `period` is offered only for a new claim (a claim sent again keeps
    its period); `quantity` only where the payment model pays per person or session."""

    period = forms.ChoiceField(
        label="Which period is this claim for?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the period", "invalid_choice": "Select a period from the list"},
    )
    quantity = forms.IntegerField(
        min_value=0,
        max_value=MAX_VOLUME,
        error_messages={
            "required": "Enter the number delivered in the period",
            "invalid": "The number must be a whole number, like 12",
            "min_value": "The number must be 0 or more",
            "max_value": f"The number must be {MAX_VOLUME:,} or fewer",
        },
    )
    amount = forms.DecimalField(
        label="Amount claimed",
        min_value=0,
        max_digits=14,
        decimal_places=2,
        error_messages={
            "required": "Enter the amount claimed",
            "invalid": "The amount must be an amount of money, like 25000",
            "min_value": "The amount must be £0 or more",
            "max_decimal_places": "The amount must have no more than 2 numbers after the point",
            "max_digits": "The amount is too large",
            "max_whole_digits": "The amount is too large",
        },
    )
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=EXPLANATION_LIMIT, widget=forms.Textarea(attrs={"rows": 3})
    )
    over_value_reason = forms.CharField(
        label="If this takes the year's claims past the year's contract value, say why (optional otherwise)",
        required=False,
        max_length=EXPLANATION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, periods: list | None, quantity_label: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        if periods is None:
            del self.fields["period"]
        else:
            self.fields["period"].choices = [
                (start.isoformat(), f"{start:%-d %B %Y} to {end:%-d %B %Y}") for start, end in periods
            ]
        if quantity_label is None:
            del self.fields["quantity"]
        else:
            self.fields["quantity"].label = quantity_label


class QueryForm(GovukForm):
    reason = _explanation(
        "What is wrong with the claim?", "The provider will see this and can send the claim again.", "Say what is wrong"
    )


class PaidForm(GovukForm):
    paid_on = GovukDateField(
        label="When was it paid?", label_text="date it was paid", help_text="For example, 27 3 2027"
    )


class CorrectionForm(MoneyForm):
    amount = forms.DecimalField(
        label="Amount of the correction",
        help_text="Put a minus sign in front if less is due, like -250. Otherwise, like 250.",
        max_digits=14,
        decimal_places=2,
        error_messages={
            "required": "Enter the amount of the correction",
            "invalid": "The amount must be an amount of money, like -250 or 250",
            "max_decimal_places": "The amount must have no more than 2 numbers after the point",
            "max_digits": "The amount is too large",
            "max_whole_digits": "The amount is too large",
        },
    )
    note = _explanation(
        "What is the correction for?", "The commissioner will see this.", "Say what the correction is for"
    )


class ContractDocumentForm(GovukForm):
    """A document for the contract: its title, what kind it is, and the file."""

    title = forms.CharField(
        label="Document title",
        max_length=200,
        help_text="For example, ‘Signed contract’ or ‘Quarterly report, April to June 2027’",
        error_messages={
            "required": "Enter a title for the document",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    kind = forms.ChoiceField(
        label="What kind of document is it?",
        choices=DocumentKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what kind of document it is",
            "invalid_choice": "Select what kind of document it is",
        },
    )
    file = forms.FileField(
        label="Upload a file",
        help_text=f"{ALLOWED_DESCRIPTION}, smaller than 10MB",
        error_messages={
            "required": "Select a file",
            "empty": "The selected file is empty",
            "invalid": "Select a file",
        },
    )


class ContractDocumentWithdrawForm(GovukForm):
    reason = _explanation(
        "Why are you withdrawing this document?",
        "For example, it was added to the wrong contract, or a later version replaces it. "
        "The document stays listed as withdrawn, with your reason.",
        "Say why the document is being withdrawn",
    )
