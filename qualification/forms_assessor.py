"""Forms for the assessor's pages and the register's filters."""

from __future__ import annotations

from django import forms

from core.forms import GovukForm
from qualification.models import HELP_NOTE_MAX_CHARS, HELP_REPLY_MAX_CHARS, RequestedCoverage
from reference.models import Area, AreaLevel, ServiceCategory


class QueueFilterForm(GovukForm):
    category = forms.ChoiceField(label="Type of support", required=False)
    region = forms.ChoiceField(label="Region", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Any type of support")] + [
            (c.code, c.name) for c in ServiceCategory.objects.all()
        ]
        self.fields["region"].choices = [("", "Any region")] + [
            (a.code, a.name) for a in Area.objects.filter(level=AreaLevel.REGION).order_by("name")
        ]
        self.fields["category"].error_messages["invalid_choice"] = "Choose a type of support from the list"
        self.fields["region"].error_messages["invalid_choice"] = "Choose a region from the list"

    def chosen(self) -> tuple[ServiceCategory | None, Area | None]:
        if not self.is_valid():
            return None, None
        code = self.cleaned_data.get("category")
        region = self.cleaned_data.get("region")
        return (
            ServiceCategory.objects.filter(code=code).first() if code else None,
            Area.objects.filter(code=region, level=AreaLevel.REGION).first() if region else None,
        )


class RegisterFilterForm(GovukForm):
    category = forms.ChoiceField(label="Type of support", required=False)
    area = forms.ChoiceField(label="Area", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Any type of support")] + [
            (c.code, c.name) for c in ServiceCategory.objects.all()
        ]
        areas = Area.objects.exclude(level=AreaLevel.LOCAL_AUTHORITY).order_by("path")
        self.fields["area"].choices = [("", "Anywhere")] + [
            (a.code, ("— " * (a.path.count("/") - 1)) + a.name) for a in areas
        ]
        self.fields["category"].error_messages["invalid_choice"] = "Choose a type of support from the list"
        self.fields["area"].error_messages["invalid_choice"] = "Choose an area from the list"

    def chosen(self) -> tuple[ServiceCategory | None, Area | None]:
        if not self.is_valid():
            return None, None
        code = self.cleaned_data.get("category")
        area = self.cleaned_data.get("area")
        return (
            ServiceCategory.objects.filter(code=code).first() if code else None,
            Area.objects.filter(code=area).first() if area else None,
        )


class ClarificationForm(GovukForm):
    question = forms.CharField(
        label="What does the organisation need to fix or explain?",
        help_text="Write it so a small charity can understand it. We will e-mail it to them.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter what the organisation needs to fix or explain"},
    )
    page_heading_field = "question"


class ReasonForm(GovukForm):
    reason = forms.CharField(
        label="Reason",
        help_text="We will send this to the organisation.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the reason"},
    )

    def __init__(self, *args, label: str = "Reason", required_message: str = "Enter the reason", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].error_messages["required"] = required_message


class HelpReplyForm(GovukForm):
    reply = forms.CharField(
        label="Your reply",
        help_text="The organisation reads this in the service. We e-mail them to say it is there. "
        "Write it so a small charity can understand it.",
        max_length=HELP_REPLY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter your reply",
            "max_length": f"Your reply must be {HELP_REPLY_MAX_CHARS:,} characters or fewer",
        },
    )
    internal_note = forms.CharField(
        label="Note for colleagues (optional)",
        help_text="The organisation does not see this. For example, what you did to help.",
        required=False,
        max_length=HELP_NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"The note must be {HELP_NOTE_MAX_CHARS:,} characters or fewer"},
    )


class DecisionForm(GovukForm):
    """One checkbox per type of support and area asked for; where the area has smaller areas
    inside it, the assessor may grant one of them instead of the whole area."""

    grant = forms.MultipleChoiceField(
        label="What can the organisation bid for?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select everything you agree to. Leave a box empty to refuse it.",
    )
    reason = forms.CharField(
        label="Why can the organisation not bid for everything it asked for?",
        help_text="Only needed if you refuse something or choose a smaller area. We will put this in the letter.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, requested: list[RequestedCoverage], **kwargs):
        super().__init__(*args, **kwargs)
        self.requested = requested
        self.fields["grant"].choices = [(str(r.pk), f"{r.category.name} in {r.area.name}") for r in requested]
        self.children: dict[int, list[Area]] = {}
        children_of: dict[int, list[Area]] = {}
        for child in Area.objects.filter(parent_id__in={r.area_id for r in requested}).order_by("name"):
            children_of.setdefault(child.parent_id, []).append(child)
        for r in requested:
            kids = children_of.get(r.area_id, [])
            if kids:
                self.children[r.pk] = kids
                self.fields[f"area_{r.pk}"] = forms.ChoiceField(
                    label=f"Where can they deliver {r.category.name}?",
                    required=False,
                    choices=[("", f"All of {r.area.name}")] + [(a.code, f"Only {a.name}") for a in kids],
                    error_messages={"invalid_choice": f"Choose an area inside {r.area.name}"},
                )

    def area_field(self, requested: RequestedCoverage):
        name = f"area_{requested.pk}"
        return self[name] if name in self.fields else None

    def clean(self):
        cleaned = super().clean()
        chosen = set(cleaned.get("grant") or [])
        grants = []
        partial = False
        for r in self.requested:
            if str(r.pk) not in chosen:
                partial = True
                continue
            code = cleaned.get(f"area_{r.pk}") or ""
            area = r.area
            if code:
                area = next((a for a in self.children.get(r.pk, []) if a.code == code), r.area)
                partial = True
            grants.append((r, area))
        if partial and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Explain why the organisation cannot bid for everything it asked for")
        cleaned["grants"] = grants
        return cleaned
