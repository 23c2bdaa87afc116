"""Forms for setting up a competition and for questions about it. Input parsing only: the rules
(weights, dates in order, shares) are in the services and selectors."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from competitions.models import CoCommissioner, PaymentFrequency, QuestionKind, ScoringScale, TieBreak
from core.clock import LONDON, financial_year_label
from core.forms import GovukDateField, GovukForm
from reference.models import ServiceType


def _req(message: str, **more) -> dict[str, str]:
    return {"required": message, **more}


class CompetitionDetailsForm(GovukForm):
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="Say what is being bought and where, for example ‘Accommodation support in Kent, Surrey and Sussex’",
        error_messages=_req("Enter a title"),
    )
    service_type = forms.ModelChoiceField(
        label="Service",
        queryset=ServiceType.objects.all(),
        empty_label="Choose a service",
        error_messages=_req("Choose a service", invalid_choice="Choose a service from the list"),
    )
    owner_area = forms.ModelChoiceField(
        label="Area you are buying for",
        queryset=None,
        empty_label="Choose an area",
        help_text="Your region or a police and crime commissioner (PCC) area inside it",
        error_messages=_req("Choose an area", invalid_choice="Choose an area you commission services for"),
    )
    summary = forms.CharField(
        label="Summary",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A few sentences in plain English: who the service is for and what it should achieve",
        error_messages=_req("Enter a summary"),
    )
    specification = forms.CharField(
        label="Specification",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="What the provider must do. Use plain English. You can add documents on the next page",
    )

    def __init__(self, *args, owner_areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_area"].queryset = owner_areas


DOCUMENT_AUDIENCES = [
    ("invited", "Only the organisations we invite to bid"),
    ("anyone", "Anyone, from when the opportunity is published until it closes"),
]


class DocumentForm(GovukForm):
    title = forms.CharField(
        label="Document title", max_length=200, error_messages=_req("Enter a title for the document")
    )
    file = forms.FileField(
        label="Upload a file",
        help_text="PDF, Word, Excel, OpenDocument, PNG or JPG, smaller than 10MB",
        error_messages=_req("Select a file", empty="The selected file is empty"),
    )
    public = forms.ChoiceField(
        label="Who can download it?",
        choices=DOCUMENT_AUDIENCES,
        widget=forms.RadioSelect,
        error_messages=_req("Choose who can download the document"),
    )

    def is_public(self) -> bool:
        return self.cleaned_data["public"] == "anyone"


class DocumentPublicForm(GovukForm):
    public = forms.ChoiceField(choices=DOCUMENT_AUDIENCES, error_messages=_req("Choose who can download the document"))

    def is_public(self) -> bool:
        return self.cleaned_data["public"] == "anyone"


class LotForm(GovukForm):
    GROUP = "group"

    name = forms.CharField(
        label="Lot name",
        max_length=200,
        help_text="What providers will see, usually the area, for example ‘Kent’",
        error_messages=_req("Enter a name for the lot"),
    )
    area = forms.ChoiceField(
        label="Area this lot covers",
        widget=forms.RadioSelect,
        error_messages=_req("Choose the area this lot covers"),
    )
    local_authorities = forms.MultipleChoiceField(
        label="Local authorities in this lot",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only if you chose a group of local authorities",
    )

    def __init__(self, *args, areas, local_authorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(str(a.pk), a.name) for a in areas] + [
            (self.GROUP, "A group of local authorities")
        ]
        self.fields["local_authorities"].choices = [(str(a.pk), a.name) for a in local_authorities]

    def clean(self):
        data = super().clean()
        if data.get("area") == self.GROUP and not data.get("local_authorities"):
            self.add_error("local_authorities", "Choose the local authorities in this lot")
        return data

    def area_ids(self) -> list[int]:
        if self.cleaned_data["area"] == self.GROUP:
            return [int(pk) for pk in self.cleaned_data["local_authorities"]]
        return [int(self.cleaned_data["area"])]


class LotYearsForm(GovukForm):
    """Estimated value and people for each financial year of the contract."""

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.years = years
        for year in years:
            label = financial_year_label(year)
            value = forms.DecimalField(
                label=f"Estimated value, April {year} to March {year + 1}",
                min_value=0,
                max_digits=14,
                decimal_places=2,
                error_messages=_req(
                    f"Enter the estimated value for {label}",
                    invalid=f"Estimated value for {label} must be an amount of money, like 250000",
                    min_value=f"Estimated value for {label} must be 0 or more",
                    max_decimal_places=f"Estimated value for {label} must have no more than 2 numbers after the point",
                    max_digits=f"Estimated value for {label} is too large",
                    max_whole_digits=f"Estimated value for {label} is too large",
                ),
            )
            value.prefix = "£"
            self.fields[f"value_{year}"] = value
            self.fields[f"volume_{year}"] = forms.IntegerField(
                label=f"People each year, April {year} to March {year + 1}",
                min_value=0,
                error_messages=_req(
                    f"Enter the number of people for {label}",
                    invalid=f"Number of people for {label} must be a whole number, like 150",
                    min_value=f"Number of people for {label} must be 0 or more",
                ),
            )

    def to_python_years(self) -> dict[int, tuple[Decimal, int]]:
        return {y: (self.cleaned_data[f"value_{y}"], self.cleaned_data[f"volume_{y}"]) for y in self.years}


def _strip_money(data, years):
    """Allow '£250,000' as well as '250000'."""
    if data is None:
        return None
    data = data.copy()
    for year in years:
        key = f"value_{year}"
        if key in data:
            data[key] = re.sub(r"[£,\s]", "", data[key])
    return data


def lot_years_form(data=None, *, years: list[int], initial=None) -> LotYearsForm:
    return LotYearsForm(_strip_money(data, years), years=years, initial=initial)


class ContractTermsForm(GovukForm):
    contract_start = GovukDateField(
        label="When will the contract start?",
        label_text="contract start date",
        help_text="For example, 1 7 2027",
    )
    contract_years = forms.IntegerField(
        label="How many years will the contract last?",
        min_value=1,
        max_value=10,
        error_messages=_req(
            "Enter how many years the contract will last",
            invalid="Years must be a whole number, like 3",
            min_value="The contract must last at least 1 year",
            max_value="The contract must last 10 years or fewer",
        ),
    )
    extension_years = forms.IntegerField(
        label="How many years could it be extended by? (optional)",
        required=False,
        min_value=0,
        max_value=10,
        help_text="Enter 0 if it cannot be extended",
        error_messages={
            "invalid": "Extension years must be a whole number, like 2",
            "min_value": "Extension years must be 0 or more",
            "max_value": "Extension years must be 10 or fewer",
        },
    )
    payment_frequency = forms.ChoiceField(
        label="How will the provider be paid?",
        choices=PaymentFrequency.choices,
        widget=forms.RadioSelect,
        error_messages=_req("Choose how the provider will be paid"),
    )
    payment_days = forms.IntegerField(
        label="Days to pay an invoice",
        min_value=1,
        max_value=60,
        help_text="Government pays within 30 days",
        error_messages=_req(
            "Enter the number of days to pay an invoice",
            invalid="Days to pay must be a whole number, like 30",
            min_value="Days to pay must be 1 or more",
            max_value="Days to pay must be 60 or fewer",
        ),
    )
    max_lots_per_provider = forms.IntegerField(
        label="Most lots one provider may win (optional)",
        required=False,
        min_value=1,
        help_text="Leave empty if a provider may win every lot",
        error_messages={
            "invalid": "Most lots must be a whole number, like 2",
            "min_value": "Most lots must be 1 or more",
        },
    )

    def clean_extension_years(self):
        return self.cleaned_data.get("extension_years") or 0


class FundingPartnerForm(GovukForm):
    name = forms.CharField(
        label="Name of the funding partner",
        max_length=200,
        help_text="For example, Kent Police and Crime Commissioner",
        error_messages=_req("Enter the name of the funding partner"),
    )
    party_type = forms.ChoiceField(
        label="Type of funding partner",
        choices=CoCommissioner.PartyType.choices,
        widget=forms.RadioSelect,
        error_messages=_req("Choose the type of funding partner"),
    )

    def __init__(self, *args, lots, **kwargs):
        super().__init__(*args, **kwargs)
        self.lots = list(lots)
        for lot in self.lots:
            self.fields[f"lot_{lot.pk}"] = forms.DecimalField(
                label=f"Share of {lot.name} (optional)",
                required=False,
                min_value=0,
                max_value=100,
                decimal_places=2,
                help_text="Percentage of this lot's value they pay. Leave empty if none",
                error_messages={
                    "invalid": f"Share of {lot.name} must be a number, like 25",
                    "min_value": f"Share of {lot.name} must be between 0 and 100",
                    "max_value": f"Share of {lot.name} must be between 0 and 100",
                    "max_decimal_places": f"Share of {lot.name} must have no more than 2 numbers after the point",
                },
            )

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(f"lot_{lot.pk}") for lot in self.lots):
            raise ValidationError("Enter the share of at least one lot")
        return data

    def shares(self) -> dict[int, Decimal]:
        return {
            lot.pk: self.cleaned_data[f"lot_{lot.pk}"]
            for lot in self.lots
            if self.cleaned_data.get(f"lot_{lot.pk}") is not None
        }


YES_NO = [("yes", "Yes"), ("no", "No")]


class QuestionForm(GovukForm):
    kind = forms.ChoiceField(
        label="Type of question",
        choices=QuestionKind.choices,
        widget=forms.RadioSelect,
        error_messages=_req("Choose the type of question"),
    )
    text = forms.CharField(
        label="Question",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=_req("Enter the question"),
    )
    guidance = forms.CharField(
        label="Guidance for providers (optional)",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What a good answer covers",
    )
    word_limit = forms.IntegerField(
        label="Word limit (optional)",
        required=False,
        min_value=50,
        max_value=5000,
        help_text="Not used for pass or fail questions",
        error_messages={
            "invalid": "Word limit must be a whole number, like 500",
            "min_value": "Word limit must be 50 or more",
            "max_value": "Word limit must be 5000 or fewer",
        },
    )
    weight = forms.DecimalField(
        label="Weight (optional)",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text="Its share of the 100 marks. Not used for pass or fail questions",
        error_messages={
            "invalid": "Weight must be a number, like 20",
            "min_value": "Weight must be between 0 and 100",
            "max_value": "Weight must be between 0 and 100",
        },
    )
    lot_specific = forms.ChoiceField(
        label="Should providers answer it separately for each lot?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="no",
        help_text="Choose yes only if the answer depends on the area, for example local partners",
        error_messages=_req("Choose yes if providers should answer separately for each lot"),
    )

    def clean(self):
        data = super().clean()
        scored = data.get("kind") in (QuestionKind.QUALITY, QuestionKind.SOCIAL_VALUE)
        if scored and not data.get("weight") and "weight" not in self.errors:
            self.add_error("weight", "Enter a weight for this question")
        return data


class EvaluationModelForm(GovukForm):
    price_weight = forms.DecimalField(
        label="Price weight",
        min_value=0,
        max_value=100,
        decimal_places=2,
        error_messages=_req(
            "Enter the price weight",
            invalid="Price weight must be a number, like 30",
            min_value="Price weight must be between 0 and 100",
            max_value="Price weight must be between 0 and 100",
        ),
    )
    social_value_weight = forms.DecimalField(
        label="Social value weight",
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text="Central government policy expects at least 10",
        error_messages=_req(
            "Enter the social value weight",
            invalid="Social value weight must be a number, like 10",
            min_value="Social value weight must be between 0 and 100",
            max_value="Social value weight must be between 0 and 100",
        ),
    )
    scoring_scale = forms.ChoiceField(
        label="Scoring scale",
        choices=ScoringScale.choices,
        widget=forms.RadioSelect,
        error_messages=_req("Choose a scoring scale"),
    )
    tie_break = forms.ChoiceField(
        label="If two bids have the same total score",
        choices=TieBreak.choices,
        widget=forms.RadioSelect,
        error_messages=_req("Choose what happens if two bids have the same total score"),
    )


_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


def parse_time(text: str) -> datetime.time | None:
    """'5pm', '5:30pm', '17:00', '9am', 'midday', 'midnight'. None if not a time."""
    value = text.strip().lower().replace(" ", "")
    if value in ("midday", "noon", "12noon"):
        return datetime.time(12, 0)
    if value == "midnight":
        return datetime.time(0, 0)
    match = _TIME.match(value)
    if not match:
        return None
    hour, minute, meridiem = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    elif match.group(2) is None:
        return None  # "5" alone is ambiguous
    if hour > 23 or minute > 59:
        return None
    return datetime.time(hour, minute)


TIMETABLE_DATES = [
    ("clarification_deadline", "deadline for questions", "Last day providers can ask questions"),
    ("closes_at", "closing date", "Last day providers can send a bid"),
    ("evaluation_ends_at", "end of scoring", "When you expect to finish scoring bids"),
    ("intended_award_at", "intended award date", "When you expect to tell providers the result"),
]


class TimetableForm(GovukForm):
    """Each moment as a GOV.UK date input and a time, in London time."""

    standstill_days = forms.IntegerField(
        label="Waiting period before the contract, in working days",
        min_value=8,
        max_value=30,
        help_text="The time between telling providers the result and signing the contract. At least 8 working days",
        error_messages=_req(
            "Enter the waiting period in working days",
            invalid="Waiting period must be a whole number, like 8",
            min_value="Waiting period must be at least 8 working days",
            max_value="Waiting period must be 30 working days or fewer",
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for name, label_text, hint in TIMETABLE_DATES:
            fields[f"{name}_date"] = GovukDateField(
                label=label_text[:1].upper() + label_text[1:],
                label_text=label_text,
                help_text=f"{hint}. For example, 27 3 2027",
            )
            fields[f"{name}_time"] = forms.CharField(
                label="Time",
                max_length=10,
                help_text="For example, 5pm or 17:00",
                error_messages=_req(f"Enter the time of the {label_text}"),
            )
            fields[f"{name}_time"].widget.attrs["class"] = "govuk-input--width-5"
        fields["standstill_days"] = self.fields.pop("standstill_days")
        self.fields = fields | dict(self.fields)

    def clean(self):
        data = super().clean()
        for name, label_text, _hint in TIMETABLE_DATES:
            time_text = data.get(f"{name}_time")
            if time_text:
                parsed = parse_time(time_text)
                if parsed is None:
                    self.add_error(f"{name}_time", f"Time of the {label_text} must be a real time, like 5pm or 17:00")
                    continue
                day = data.get(f"{name}_date")
                if day:
                    data[name] = datetime.datetime.combine(day, parsed, tzinfo=LONDON).astimezone(datetime.UTC)
        return data

    @staticmethod
    def initial_from(competition) -> dict:
        initial = {"standstill_days": competition.standstill_days}
        for name, _label, _hint in TIMETABLE_DATES:
            value = getattr(competition, name)
            if value is not None:
                local = value.astimezone(LONDON)
                initial[f"{name}_date"] = local.date()
                hour = local.hour % 12 or 12
                initial[f"{name}_time"] = (
                    f"{hour}{'' if local.minute == 0 else f':{local.minute:02d}'}{'am' if local.hour < 12 else 'pm'}"
                )
        return initial

    def values(self) -> dict:
        result = {name: self.cleaned_data[name] for name, _l, _h in TIMETABLE_DATES}
        result["standstill_days"] = self.cleaned_data["standstill_days"]
        return result


class ReasonForm(GovukForm):
    reason = forms.CharField(
        label="Why are you cancelling?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Everyone invited will be told this",
        error_messages=_req("Enter why you are cancelling"),
    )


class ClarificationAskForm(GovukForm):
    page_heading_field = None
    question = forms.CharField(
        label="Your question",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Other organisations will not see who asked. The answer will be shown to everyone invited",
        error_messages=_req("Enter your question"),
    )


class ClarificationAnswerForm(GovukForm):
    question = forms.CharField(
        label="Question, as everyone will see it",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Remove anything that shows who asked, such as the organisation's name",
        error_messages=_req("Enter the question"),
    )
    answer = forms.CharField(
        label="Your answer",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Every invited organisation will see this and get an email",
        error_messages=_req("Enter an answer"),
    )


class AddCommissionerForm(GovukForm):
    commissioner = forms.ChoiceField(
        label="Commissioner",
        help_text="Someone else on the team must approve each award: the person who recommends it cannot.",
        error_messages={"required": "Choose a commissioner", "invalid_choice": "Choose a commissioner from the list"},
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commissioner"].choices = [("", "Choose a commissioner")] + [
            (str(p.pk), f"{p.full_name} ({p.email})") for p in people
        ]
