"""Forms for who a contract is for, and for finding services for a person (issue 12)."""

from __future__ import annotations

from django import forms

from contracts.models import OLDEST, YOUNGEST, EligibleSex, OrderType, PersonSex
from core.forms import GovukForm

YES_NO = [("yes", "Yes"), ("no", "No")]


def _age(label: str, hint: str, name: str) -> forms.IntegerField:
    field = forms.IntegerField(
        label=label,
        help_text=hint,
        min_value=YOUNGEST,
        max_value=OLDEST,
        error_messages={
            "required": f"Enter {name}",
            "invalid": f"Enter {name} as a whole number, like 30",
            "min_value": f"Enter {name} from {YOUNGEST} to {OLDEST}",
            "max_value": f"Enter {name} from {YOUNGEST} to {OLDEST}",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
    )
    return field


def _yes_no(label: str, hint: str, required: str) -> forms.ChoiceField:
    field = forms.ChoiceField(
        label=label,
        help_text=hint,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": required, "invalid_choice": required},
    )
    field.inline = True
    return field


class EligibilityForm(GovukForm):
    min_age = _age("Youngest age", f"In years. {YOUNGEST} or more.", "the youngest age")
    max_age = _age("Oldest age", f"In years. {OLDEST} or less.", "the oldest age")
    eligible_sex = forms.ChoiceField(
        label="Who is the service for?",
        choices=EligibleSex.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who the service is for", "invalid_choice": "Select who the service is for"},
    )
    orders = forms.MultipleChoiceField(
        label="Which orders does it take?",
        help_text="Select all that apply.",
        choices=[("community_order", "People on a community order"), ("licence", "People on licence")],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one: community orders or licences",
            "invalid_choice": "Select at least one: community orders or licences",
        },
    )
    pre_release = _yes_no(
        "Does it work with people before they leave prison?",
        "For example, planning where they will live.",
        "Select yes if it works with people before they leave prison",
    )

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "min_age": data["min_age"],
            "max_age": data["max_age"],
            "sex": data["eligible_sex"],
            "community_orders": "community_order" in data["orders"],
            "licences": "licence" in data["orders"],
            "pre_release": data["pre_release"] == "yes",
        }

    @classmethod
    def initial_for(cls, contract) -> dict:
        return {
            "min_age": contract.min_age,
            "max_age": contract.max_age,
            "eligible_sex": contract.eligible_sex,
            "orders": [
                name
                for name, on in (("community_order", contract.for_community_orders), ("licence", contract.for_licences))
                if on
            ],
            "pre_release": "yes" if contract.pre_release else "no",
        }


class FindServicesForm(GovukForm):
    """What a practitioner knows about the person: where they live, the support they need, and
    what the contracts' eligibility asks."""

    local_authority = forms.TypedChoiceField(
        label="Where does the person live?",
        help_text="Their local council area.",
        coerce=int,
        error_messages={
            "required": "Select where the person lives",
            "invalid_choice": "Select where the person lives from the list",
        },
    )
    categories = forms.TypedMultipleChoiceField(
        label="What help do they need?",
        help_text="Select all that apply.",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one type of help",
            "invalid_choice": "Select the types of help from the list",
        },
    )
    age = _age("How old are they?", "In years.", "their age")
    sex = forms.ChoiceField(
        label="What is their sex?",
        choices=PersonSex.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select their sex", "invalid_choice": "Select their sex"},
    )
    order_type = forms.ChoiceField(
        label="What are they on?",
        choices=[(OrderType.COMMUNITY_ORDER, "A community order"), (OrderType.LICENCE, "A licence")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what they are on", "invalid_choice": "Select what they are on"},
    )
    pre_release = _yes_no(
        "Are they still in prison?",
        "Select yes if they will get help before they are released.",
        "Select yes if they are still in prison",
    )

    def __init__(self, *args, places: list[tuple[int, str]], categories: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["local_authority"].choices = [("", "Choose a place"), *places]
        self.fields["categories"].choices = [(c.pk, c.name) for c in categories]
        self.fields["categories"].choice_hints = {str(c.pk): c.description for c in categories if c.description}
        self.fields["sex"].inline = True
        self.fields["order_type"].inline = True

    def query(self) -> dict:
        data = self.cleaned_data
        return {
            "local_authority_id": data["local_authority"],
            "categories": data["categories"],
            "age": data["age"],
            "sex": data["sex"],
            "order_type": data["order_type"],
            "pre_release": data["pre_release"] == "yes",
        }
