"""Forms for the supply chain pages: a payment to a partner, and a correction to one."""

from __future__ import annotations

from django import forms

from contracts.forms import EXPLANATION_LIMIT, MoneyForm
from core.forms import GovukDateField

_AMOUNT_ERRORS = {
    "required": "Enter the amount paid",
    "invalid": "The amount must be an amount of money, like 2500",
    "max_decimal_places": "The amount must have no more than 2 numbers after the point",
    "max_digits": "The amount must be £999,999,999,999.99 or less",
    "max_whole_digits": "The amount must be £999,999,999,999.99 or less",
}


class PartnerPaymentForm(MoneyForm):
    """One payment to one partner for one period."""

    partner = forms.TypedChoiceField(
        label="Which partner did you pay?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the partner you paid", "invalid_choice": "Select a partner from the list"},
    )
    period = forms.ChoiceField(
        label="Which payment period was it for?",
        help_text="The periods of your contract with the commissioner.",
        error_messages={"required": "Select the period", "invalid_choice": "Select a period from the list"},
    )
    amount = forms.DecimalField(
        label="Amount paid",
        min_value=0,
        max_digits=14,
        decimal_places=2,
        error_messages=_AMOUNT_ERRORS | {"min_value": "The amount must be more than £0"},
    )
    paid_on = GovukDateField(
        label="When did you pay it?", label_text="date you paid it", help_text="For example, 27 3 2027"
    )
    note = forms.CharField(
        label="Note (optional)",
        help_text="For example, the invoice it paid. The commissioners will see this.",
        required=False,
        max_length=EXPLANATION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, partners: list, periods: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [(p.pk, p.name) for p in partners]
        self.fields["period"].choices = [("", "Select a period")] + [
            (start.isoformat(), f"{start:%-d %B %Y} to {end:%-d %B %Y}") for start, end in periods
        ]


class PartnerPaymentCorrectionForm(MoneyForm):
    amount = forms.DecimalField(
        label="Amount of the correction",
        help_text="Put a minus sign in front if less was paid or money came back, like -250. Otherwise, like 250.",
        max_digits=14,
        decimal_places=2,
        error_messages=_AMOUNT_ERRORS | {"required": "Enter the amount of the correction"},
    )
    paid_on = GovukDateField(
        label="When was it paid or returned?",
        label_text="date it was paid or returned",
        help_text="For example, 27 3 2027",
    )
    note = forms.CharField(
        label="What is the correction for?",
        max_length=EXPLANATION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what the correction is for"},
    )
