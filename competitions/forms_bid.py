"""Forms for the provider's bid pages. They only parse and check what was typed; the services
decide (and re-check word limits, lots and the closing date)."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from accounts.models import Organisation
from competitions.models import BidPartner, Lot, Question, QuestionKind
from competitions.selectors.bids import answer_max_characters
from core.clock import financial_year_label
from core.formatting import money
from core.forms import GovukForm, MaxWordsValidator
from reference.models import Area, AreaLevel, ServiceCategory

YES_NO = [("yes", "Yes"), ("no", "No")]


class MoneyField(forms.DecimalField):
    """Pounds and pence, typed as people write them: '£250,000', '250000.50'. Never negative."""

    def __init__(self, *, label: str, **kwargs):
        self.name_text = label
        super().__init__(
            label=label,
            min_value=Decimal("0"),
            max_digits=14,
            decimal_places=2,
            widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal"}),
            error_messages={
                "required": f"Enter the price for {label}",
                "invalid": f"Price for {label} must be a number, like 250,000",
                "min_value": f"Price for {label} must be £0 or more",
                "max_digits": f"Price for {label} is too big",
                "max_whole_digits": f"Price for {label} is too big",
                "max_decimal_places": f"Price for {label} can only include pounds and pence",
            },
            **kwargs,
        )
        self.prefix = "£"

    def to_python(self, value):
        if isinstance(value, str):
            cleaned = re.sub(r"[\s,£]", "", value)
            if cleaned.startswith("-"):
                raise ValidationError(self.error_messages["min_value"], code="min_value")
            value = cleaned
        return super().to_python(value)


class LotsForm(GovukForm):
    page_heading_field = "lots"
    lots = forms.MultipleChoiceField(
        label="Which areas do you want to bid for?",
        help_text="Select all that apply. You write most answers once for all of them.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one area to bid for"},
    )

    def __init__(self, *args, lots: list[Lot], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lots"].choices = [(str(lot.pk), f"Lot {lot.number}: {lot.name}") for lot in lots]
        self.fields["lots"].choice_hints = {
            str(lot.pk): "Estimated value: "
            + ", ".join(f"{money(y.value)} in {financial_year_label(y.financial_year)}" for y in lot.years.all())
            for lot in lots
        }


class AnswerForm(GovukForm):
    """One written answer, with the question's word limit (also enforced by the service)."""

    page_heading_field = "text"
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": "Enter your answer"},
    )

    def __init__(self, *args, question: Question, label: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["text"]
        field.label = label
        field.help_text = question.guidance or (
            f"You can use up to {question.word_limit} words." if question.word_limit else ""
        )
        # Characters as well as words: one 2,000,000-character "word" is within any word limit.
        limit = answer_max_characters(question)
        field.max_length = limit
        field.error_messages["max_length"] = f"Your answer must be {limit:,} characters or fewer"
        field.validators = [MaxLengthValidator(limit)]
        if question.word_limit:
            field.max_words = question.word_limit
            field.error_messages["max_words"] = f"Your answer must be {question.word_limit} words or fewer"
            field.validators.append(MaxWordsValidator(question.word_limit))

    def clean_text(self) -> str:
        value = (self.cleaned_data.get("text") or "").strip()
        if not value:
            raise ValidationError("Enter your answer")
        return value


class PassFailForm(GovukForm):
    page_heading_field = "confirmed"
    confirmed = forms.ChoiceField(
        choices=YES_NO, widget=forms.RadioSelect, error_messages={"required": "Select yes or no"}
    )

    def __init__(self, *args, question: Question, label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirmed"].label = label
        self.fields["confirmed"].help_text = question.guidance or ""
        self.fields["confirmed"].inline = True


def answer_form_class(question: Question) -> type[GovukForm]:
    return PassFailForm if question.kind == QuestionKind.PASS_FAIL else AnswerForm


class PricesForm(GovukForm):
    """A price for each financial year of one lot."""

    def __init__(self, *args, lot: Lot, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = list(lot.years.all())
        for year in self.years:
            label = financial_year_label(year.financial_year)
            field = MoneyField(label=label)
            field.help_text = f"Estimated value: {money(year.value)}. About {year.volume} people."
            self.fields[f"price_{year.financial_year}"] = field

    def prices(self) -> dict[int, Decimal]:
        return {y.financial_year: self.cleaned_data[f"price_{y.financial_year}"] for y in self.years}


class PartnerSearchForm(GovukForm):
    """Find an organisation on the framework to name as a partner (a GET form: it changes nothing)."""

    search = forms.CharField(
        label="Organisation name",
        help_text="All or part of the name. Leave it empty to see every organisation that matches the other choices.",
        required=False,
        max_length=100,
    )
    category = forms.ChoiceField(label="Type of support", required=False)
    area = forms.ChoiceField(label="Area they work in", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Any type of support")] + [
            (c.code, c.name) for c in ServiceCategory.objects.order_by("name")
        ]
        areas = Area.objects.exclude(level=AreaLevel.LOCAL_AUTHORITY).order_by("path")
        self.fields["area"].choices = [("", "Anywhere")] + [
            (a.code, ("— " * (a.path.count("/") - 1)) + a.name) for a in areas
        ]
        self.fields["category"].error_messages["invalid_choice"] = "Choose a type of support from the list"
        self.fields["area"].error_messages["invalid_choice"] = "Choose an area from the list"

    def criteria(self) -> dict:
        """The search, as keyword arguments for `partner_search` (empty if the form is not valid)."""
        if not self.is_valid():
            return {}
        category = self.cleaned_data.get("category")
        area = self.cleaned_data.get("area")
        return {
            "name": self.cleaned_data.get("search") or "",
            "category": ServiceCategory.objects.filter(code=category).first() if category else None,
            "area": Area.objects.filter(code=area).first() if area else None,
        }


class PartnerForm(GovukForm):
    """A partner's part in the bid. The organisation is either one chosen from the framework
    (found by the search, passed in, and carried in a hidden field) or named here."""

    organisation = forms.CharField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(
        label="Name of the organisation",
        max_length=200,
        error_messages={"required": "Enter the name of the organisation"},
    )
    role = forms.ChoiceField(
        label="How will they work with you?",
        choices=[
            (BidPartner.PartnerRole.SUBCONTRACTOR, "Subcontractor: they do part of the work for you"),
            (BidPartner.PartnerRole.CONSORTIUM, "Consortium member: you bid together"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how they will work with you"},
    )
    share_percent = forms.DecimalField(
        label="Their share of the work, as a percentage",
        min_value=Decimal("0.01"),
        max_value=Decimal("99.99"),
        max_digits=5,
        decimal_places=2,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", "inputmode": "decimal"}),
        # Django formats these messages with the limit ("%(limit_value)s"), so a percent sign is
        # written %% (a lone % made the error page fail). "required" and "invalid" are not formatted.
        error_messages={
            "required": "Enter their share of the work",
            "invalid": "Share of the work must be a number, like 25",
            "min_value": "Share of the work must be more than 0%%",
            "max_value": "Share of the work must be less than 100%%",
            "max_digits": "Share of the work must be less than 100%%",
            "max_whole_digits": "Share of the work must be less than 100%%",
            "max_decimal_places": "Share of the work can have up to 2 decimal places",
        },
    )
    lots = forms.MultipleChoiceField(
        label="Which areas will they work in?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select which of your areas this partner will work in"},
    )
    work_description = forms.CharField(
        label="What will they do? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, organisation: Organisation | None, lots: list[Lot], **kwargs):
        super().__init__(*args, **kwargs)
        self.chosen_organisation = organisation
        if organisation is not None:
            # Named by the framework, not typed: the hidden field carries the choice to the POST.
            del self.fields["name"]
            self.initial["organisation"] = str(organisation.pk)
        self.fields["lots"].choices = [(str(lot.pk), f"Lot {lot.number}: {lot.name}") for lot in lots]

    def partner_name(self) -> str:
        return self.cleaned_data.get("name", "")


class DeclarationsForm(GovukForm):
    confirmed = forms.BooleanField(
        label="I confirm these statements on behalf of my organisation",
        error_messages={"required": "Confirm the declarations to continue"},
    )


class DocumentForm(GovukForm):
    title = forms.CharField(
        label="What is this document?",
        help_text="For example, 'Safeguarding policy' or 'Organisation chart'.",
        max_length=200,
        error_messages={"required": "Enter what this document is"},
    )
    file = forms.FileField(
        label="Upload a file",
        help_text="PDF, Word, Excel, OpenDocument, PNG or JPG. Smaller than 10MB.",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
    )
