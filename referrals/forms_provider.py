"""Forms for the provider's referral pages. They check what was typed (bounds, formats); the
services decide whether it may be done (`referrals.services`)."""

from __future__ import annotations

import datetime
import re

from django import forms

from core.clock import LONDON
from core.forms import GovukDateField, GovukForm
from referrals.models import LONG_TEXT, MAX_SESSIONS, SHORT_TEXT, Achievement, AppointmentMethod, Attendance, Engagement
from referrals.sealing import CRN_FORMAT_MESSAGE, CRN_HINT, crn_is_valid, normalise_crn

APPOINTMENT_DAYS_AHEAD = 366
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


def parse_time(text: str) -> datetime.time | None:
    """A time as people write it: 9:30am, 2pm, 14:30, 9.30. None if it is not one."""
    match = _TIME.match(text.strip().lower().replace(" ", ""))
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match.group(2) is None:
        return None  # "9" alone could be morning or evening
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return datetime.time(hour, minute)


class _WhenForm(GovukForm):
    """A day and a time of day, read as London time."""

    time = forms.CharField(
        label="Time",
        help_text="For example, 9:30am or 2pm",
        max_length=10,
        error_messages={"required": "Enter the time"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
    )

    def clean_time(self) -> datetime.time:
        value = parse_time(self.cleaned_data["time"])
        if value is None:
            raise forms.ValidationError("Enter a real time, like 9:30am or 2pm")
        return value

    def when(self) -> datetime.datetime:
        return datetime.datetime.combine(self.cleaned_data["day"], self.cleaned_data["time"], tzinfo=LONDON)


class PartnerForm(GovukForm):
    organisation = forms.TypedChoiceField(
        label="Who will do the work?",
        help_text="You can keep the work, or give it to a partner named in the contract. "
        "Their managers then choose a caseworker.",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who will do the work",
            "invalid_choice": "Select an organisation from the list",
        },
    )
    page_heading_field = "organisation"

    def __init__(self, *args, organisations: list, prime_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [
            (o.pk, f"{o.legal_name} (you)" if o.pk == prime_id else o.legal_name) for o in organisations
        ]


class CaseworkerForm(GovukForm):
    caseworker = forms.TypedChoiceField(
        label="Who will be the caseworker?",
        help_text="The caseworker meets the person. They write the plan and record each session.",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a caseworker", "invalid_choice": "Select a caseworker from the list"},
    )
    page_heading_field = "caseworker"

    def __init__(self, *args, members: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].choices = [(m.user_id, m.user.full_name or m.user.email) for m in members]


class AppointmentForm(_WhenForm):
    day = GovukDateField(label="Date", label_text="date", help_text="For example, 27 3 2027")
    field_order = ["day", "time", "duration_minutes", "method", "location"]
    duration_minutes = forms.IntegerField(
        label="How long will it last, in minutes?",
        help_text="From 15 to 480 minutes",
        min_value=15,
        max_value=480,
        error_messages={
            "required": "Enter how long it will last",
            "invalid": "Enter how long it will last as a number of minutes, like 60",
            "min_value": "It must last at least 15 minutes",
            "max_value": "It must last no more than 480 minutes (8 hours)",
        },
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )
    method = forms.ChoiceField(
        label="How will you meet?",
        choices=AppointmentMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you will meet", "invalid_choice": "Select how you will meet"},
    )
    location = forms.CharField(
        label="Where will you meet? (only if in person)",
        required=False,
        max_length=SHORT_TEXT * 2,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_day(self) -> datetime.date:
        # Bounded here (the service asks only that it is after the referral was sent).
        day = self.cleaned_data["day"]
        if day is not None and day > datetime.datetime.now(LONDON).date() + datetime.timedelta(
            days=APPOINTMENT_DAYS_AHEAD
        ):
            raise forms.ValidationError("The date must be within a year from today")
        return day


class AttendanceForm(GovukForm):
    attendance = forms.ChoiceField(
        label="Did the person come to the assessment?",
        choices=Attendance.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the person came",
            "invalid_choice": "Select whether the person came",
        },
    )
    page_heading_field = "attendance"


class PlanForm(GovukForm):
    """The number of sessions, and what you will do for each desired outcome (a box each)."""

    number_of_sessions = forms.IntegerField(
        label="How many sessions will there be?",
        help_text=f"From 1 to {MAX_SESSIONS}",
        min_value=1,
        max_value=MAX_SESSIONS,
        error_messages={
            "required": "Enter the number of sessions",
            "invalid": "Enter the number of sessions as a number, like 6",
            "min_value": "There must be at least 1 session",
            "max_value": f"There can be no more than {MAX_SESSIONS} sessions",
        },
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )

    def __init__(self, *args, outcomes: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome_fields = []
        for outcome in outcomes:
            name = f"activity_{outcome.pk}"
            self.fields[name] = forms.CharField(
                label=f"What will you do to help with: {outcome.outcome.description}?",
                help_text=outcome.referral_category.category.name,
                required=False,
                max_length=LONG_TEXT,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.outcome_fields.append((outcome.pk, name))

    def clean(self):
        cleaned = super().clean()
        if self.outcome_fields and not any((cleaned.get(name) or "").strip() for _, name in self.outcome_fields):
            self.add_error(self.outcome_fields[0][1], "Add at least one activity")
        return cleaned

    def activities(self) -> list[tuple[int, str]]:
        return [
            (outcome_id, self.cleaned_data[name].strip())
            for outcome_id, name in self.outcome_fields
            if (self.cleaned_data.get(name) or "").strip()
        ]


class SessionForm(_WhenForm):
    day = GovukDateField(
        label="Date of the session", label_text="date of the session", help_text="For example, 27 3 2027"
    )
    field_order = ["day", "time", "attendance", "engagement", "notes", "tell_practitioner"]
    attendance = forms.ChoiceField(
        label="Did the person come?",
        choices=Attendance.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the person came",
            "invalid_choice": "Select whether the person came",
        },
    )
    engagement = forms.ChoiceField(
        label="How well did they take part? (skip if they did not come)",
        choices=Engagement.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select how well they took part"},
    )
    notes = forms.CharField(
        label="Notes (optional)",
        help_text="What you did, and anything the practitioner should know",
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    tell_practitioner = forms.BooleanField(label="Tell the practitioner about this session", required=False)


class ReportOutcomeForm(GovukForm):
    achievement = forms.ChoiceField(
        label="Did the person achieve this?",
        choices=Achievement.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the person achieved this",
            "invalid_choice": "Select whether the person achieved this",
        },
    )
    notes = forms.CharField(
        label="Notes (optional)",
        help_text="What happened, and what could help next",
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReportNotesForm(GovukForm):
    further_notes = forms.CharField(
        label="Anything else the practitioner should know? (optional)",
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    page_heading_field = "further_notes"


class ManagerForm(GovukForm):
    membership = forms.TypedChoiceField(
        coerce=int, error_messages={"required": "Select a person", "invalid_choice": "Select a person from the list"}
    )
    action = forms.ChoiceField(
        choices=[("grant", "grant"), ("revoke", "revoke")],
        error_messages={"required": "Select what to do", "invalid_choice": "Select what to do"},
    )

    def __init__(self, *args, memberships: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [(m.pk, str(m.pk)) for m in memberships]


class CrnSearchForm(GovukForm):
    """A case reference number to look for in the inbox, checked against the probation format
    (`referrals.sealing`, the rule the draft's person page uses)."""

    crn = forms.CharField(
        label="Case reference number (CRN)",
        help_text=CRN_HINT,
        max_length=20,
        error_messages={"required": "Enter a case reference number", "max_length": CRN_FORMAT_MESSAGE},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_crn(self) -> str:
        crn = normalise_crn(self.cleaned_data["crn"])
        if not crn_is_valid(crn):
            raise forms.ValidationError(CRN_FORMAT_MESSAGE)
        return crn
