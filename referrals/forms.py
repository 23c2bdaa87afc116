"""Forms for the practitioner's referral pages: a few questions per page, GOV.UK messages."""

from __future__ import annotations

from django import forms

from contracts.models import PersonSex
from core.forms import GovukDateField, GovukForm
from referrals.models import LONG_TEXT, MAX_RAR_DAYS, CancelReason, EndReason, SupervisionOrder
from referrals.sealing import CRN_HINT


def _text(label: str, *, max_length: int, required: str | None = None, hint: str = "", long: bool = False):
    return forms.CharField(
        label=label,
        help_text=hint,
        max_length=max_length,
        required=required is not None,
        widget=forms.Textarea(attrs={"rows": 5}) if long else forms.TextInput,
        error_messages={"required": required} if required else {},
    )


class PersonForm(GovukForm):
    crn = _text(
        "Case reference number (CRN)",
        max_length=20,
        required="Enter the case reference number",
        hint=CRN_HINT,
    )
    first_name = _text("First name", max_length=100, required="Enter the person's first name")
    last_name = _text("Last name", max_length=100, required="Enter the person's last name")
    date_of_birth = GovukDateField(
        label="Date of birth", label_text="date of birth", help_text="For example, 27 3 1990"
    )
    sex = forms.ChoiceField(
        label="What is their sex?",
        help_text="As recorded on their probation record. This decides which services can take them.",
        choices=PersonSex.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select their sex", "invalid_choice": "Select their sex"},
    )
    gender = _text("Gender", max_length=50, hint="As the person describes it (optional)")
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        max_length=254,
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    phone = _text("Phone number (optional)", max_length=30)
    address = _text("Address (optional)", max_length=400, long=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sex"].inline = True


class NeedsForm(GovukForm):
    preferred_language = _text("Preferred language (optional)", max_length=100)
    accessibility_needs = _text(
        "Accessibility needs (optional)",
        max_length=LONG_TEXT,
        long=True,
        hint="For example, step-free access, large print, or help with reading",
    )
    needs_interpreter = forms.TypedChoiceField(
        label="Does the person need an interpreter?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the person needs an interpreter"},
    )
    interpreter_language = _text("Language for the interpreter", max_length=100, hint="Only if they need one")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("needs_interpreter") and not (cleaned.get("interpreter_language") or "").strip():
            self.add_error("interpreter_language", "Enter the language the interpreter must speak")
        return cleaned


class OrderForm(GovukForm):
    order_type = forms.ChoiceField(
        label="What type of order or licence is the person on?",
        choices=SupervisionOrder.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of order or licence"},
    )
    order_end_on = GovukDateField(label="When does it end?", label_text="end date", help_text="For example, 27 3 2027")
    max_rar_days = forms.IntegerField(
        label="Most Rehabilitation Activity Requirement (RAR) days the provider may use",
        help_text=f"A whole number from 0 to {MAX_RAR_DAYS}. Enter 0 if the order has no RAR",
        min_value=0,
        max_value=MAX_RAR_DAYS,
        error_messages={
            "required": "Enter the most RAR days the provider may use",
            "invalid": "Enter the RAR days as a whole number, like 10",
            "min_value": "The RAR days must be 0 or more",
            "max_value": f"The RAR days must be {MAX_RAR_DAYS} or fewer",
        },
    )


class RiskForm(GovukForm):
    risk_summary = _text(
        "Summary of risks",
        max_length=LONG_TEXT,
        long=True,
        required="Enter a summary of the risks",
        hint="What the provider needs to know to work safely with this person",
    )
    complete_by = GovukDateField(
        label="Date by which the work must be done",
        label_text="date the work must be done by",
        help_text="For example, 27 3 2027",
    )


class SupportForm(GovukForm):
    """For each type of support the contract's service offers: do they need it, how complex, which outcomes."""

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = categories
        for category in categories:
            self.fields[f"outcomes_{category.pk}"] = forms.TypedMultipleChoiceField(
                label=f"{category.name}: what should the person get from it?",
                help_text="Select all that apply. Leave all empty if the person does not need this type of support",
                choices=[(o.pk, o.description) for o in category.active_outcomes],
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": "Select outcomes from the list"},
            )
            self.fields[f"complexity_{category.pk}"] = forms.TypedChoiceField(
                label=f"{category.name}: how complex are the person's needs?",
                choices=[(level.pk, f"{level.title}: {level.description}") for level in category.active_levels],
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Select a complexity level from the list"},
            )

    def clean(self):
        cleaned = super().clean()
        chosen = 0
        for category in self.categories:
            outcomes = cleaned.get(f"outcomes_{category.pk}") or []
            level = cleaned.get(f"complexity_{category.pk}")
            if outcomes:
                chosen += 1
                if not level:
                    self.add_error(
                        f"complexity_{category.pk}",
                        f"Select how complex the person's {category.name.lower()} needs are",
                    )
            elif level:
                self.add_error(f"outcomes_{category.pk}", f"Select at least one outcome for {category.name.lower()}")
        if not chosen and not self.errors:
            self.add_error(None, "Select at least one outcome for one type of support")
        return cleaned

    def choices(self) -> dict[int, dict]:
        return {
            category.pk: {
                "complexity": self.cleaned_data.get(f"complexity_{category.pk}"),
                "outcomes": self.cleaned_data.get(f"outcomes_{category.pk}") or [],
            }
            for category in self.categories
            if self.cleaned_data.get(f"outcomes_{category.pk}")
        }


class CancelForm(GovukForm):
    reason = forms.ChoiceField(
        label="Why are you cancelling this referral?",
        choices=CancelReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why you are cancelling the referral"},
    )


class EndForm(GovukForm):
    reason = forms.ChoiceField(
        label="Why are you ending this referral early?",
        choices=EndReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why you are ending the referral"},
    )


class ApprovePlanForm(GovukForm):
    version = forms.IntegerField(min_value=1, max_value=1000, widget=forms.HiddenInput)
