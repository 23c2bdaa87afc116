"""The form for inviting organisations that qualified after an opportunity was sent."""

from __future__ import annotations

from django import forms

from accounts.models import Organisation
from competitions.selectors.invitations import Invitee
from core.forms import GovukForm


class InviteNewlyQualifiedForm(GovukForm):
    organisations = forms.MultipleChoiceField(
        label="Which organisations do you want to invite?",
        help_text="Select all that apply. We will email each one the same invitation that was sent at launch.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select the organisations to invite",
            "invalid_choice": "Select organisations from the list. The list may have changed",
        },
    )

    def __init__(self, *args, candidates: list[tuple[Organisation, Invitee]], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisations"]
        field.choices = [(str(org.pk), org.display_name) for org, _ in candidates]
        field.choice_hints = {
            str(org.pk): (
                "Can bid for " + ", ".join(lot.name for lot in invitee.lots)
                if invitee.can_bid
                else "Possible partner: covers part of an area"
            )
            for org, invitee in candidates
        }

    def organisation_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["organisations"]]
