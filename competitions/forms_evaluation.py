"""Forms for evaluation and award. Validation of the rules lives in the services; these only parse."""

from __future__ import annotations

from django import forms

from core.forms import GovukForm

DESCRIPTORS_0_4 = {
    0: ("Unacceptable", "Does not answer the question, or gives no confidence it would work"),
    1: ("Poor", "Answers only part of the question, with little detail"),
    2: ("Acceptable", "Answers the question with enough detail to show it would work"),
    3: ("Good", "A full answer with good detail and some evidence"),
    4: ("Excellent", "A full answer with strong evidence it would work very well"),
}


def score_choices(maximum: int) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Radio choices and hints for a scale from 0 to `maximum`."""
    if maximum == 4:
        return (
            [(str(n), f"{n} – {label}") for n, (label, _) in DESCRIPTORS_0_4.items()],
            {str(n): hint for n, (_, hint) in DESCRIPTORS_0_4.items()},
        )
    labels = {0: "Unacceptable", maximum: "Excellent"}
    return (
        [(str(n), f"{n} – {labels[n]}" if n in labels else str(n)) for n in range(maximum + 1)],
        {},
    )


def _score_field(label: str, maximum: int, *, required: bool) -> forms.ChoiceField:
    choices, hints = score_choices(maximum)
    field = forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        required=required,
        error_messages={"required": "Choose a score", "invalid_choice": "Choose a score"},
    )
    field.choice_hints = hints  # type: ignore[attr-defined]
    return field


def _yes_no(label: str, required_message: str) -> forms.ChoiceField:
    field = forms.ChoiceField(
        label=label,
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": required_message},
    )
    field.inline = True  # type: ignore[attr-defined]
    return field


class AssignEvaluatorForm(GovukForm):
    evaluator = forms.ChoiceField(label="Evaluator", error_messages={"required": "Choose an evaluator"})

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluator"].choices = [("", "Choose an evaluator")] + [
            (str(p.pk), f"{p.full_name} ({p.email})") for p in people
        ]


class ConflictsForm(GovukForm):
    """One yes/no per bidder, with details if yes."""

    def __init__(self, *args, bids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.bids = list(bids)
        for bid in self.bids:
            name = bid.organisation.display_name
            self.fields[f"conflict_{bid.pk}"] = _yes_no(
                f"Do you have a conflict of interest with {name}?",
                f"Select yes if you have a conflict of interest with {name}",
            )
            self.fields[f"details_{bid.pk}"] = forms.CharField(
                label=f"If yes, describe your conflict of interest with {name}",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def clean(self):
        data = super().clean()
        for bid in self.bids:
            if data.get(f"conflict_{bid.pk}") == "yes" and not (data.get(f"details_{bid.pk}") or "").strip():
                self.add_error(
                    f"details_{bid.pk}",
                    f"Describe your conflict of interest with {bid.organisation.display_name}",
                )
        return data

    def rows(self):
        return [(bid, self[f"conflict_{bid.pk}"], self[f"details_{bid.pk}"]) for bid in self.bids]


class ScoresForm(GovukForm):
    """A score and a justification for each answer. Saving a draft keeps what is filled in;
    submitting needs every answer scored."""

    def __init__(self, *args, answers=(), maximum: int = 4, submitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = list(answers)
        self.submitting = submitting
        for answer in self.answers:
            where = f" for {answer.lot.name}" if answer.lot_id else ""
            self.fields[f"score_{answer.pk}"] = _score_field(
                f"Your score for question {answer.question.number}{where}", maximum, required=submitting
            )
            self.fields[f"justification_{answer.pk}"] = forms.CharField(
                label=f"Why did you give this score for question {answer.question.number}{where}?",
                required=submitting,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={"required": "Explain why you gave this score"},
            )

    def clean(self):
        data = super().clean()
        for answer in self.answers:
            score, why = data.get(f"score_{answer.pk}"), (data.get(f"justification_{answer.pk}") or "").strip()
            if score not in (None, "") and not why and f"justification_{answer.pk}" not in self.errors:
                self.add_error(f"justification_{answer.pk}", "Explain why you gave this score")
            if why and score in (None, "") and f"score_{answer.pk}" not in self.errors:
                self.add_error(f"score_{answer.pk}", "Choose a score")
        return data

    def filled(self) -> list[tuple[object, int, str]]:
        """(answer, score, justification) for every answer with both filled in."""
        rows = []
        for answer in self.answers:
            score = self.cleaned_data.get(f"score_{answer.pk}")
            why = (self.cleaned_data.get(f"justification_{answer.pk}") or "").strip()
            if score not in (None, "") and why:
                rows.append((answer, int(score), why))
        return rows


class PassFailForm(GovukForm):
    passed = forms.ChoiceField(
        label="Does the answer pass?",
        choices=[("yes", "Pass"), ("no", "Fail")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select pass or fail"},
    )
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["passed"].inline = True  # type: ignore[attr-defined]


class ModerationForm(GovukForm):
    """The agreed score and its reason for each answer of one bid. Answers left blank are skipped."""

    def __init__(self, *args, answers=(), maximum: int = 4, **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = list(answers)
        for answer in self.answers:
            where = f" for {answer.lot.name}" if answer.lot_id else ""
            self.fields[f"score_{answer.pk}"] = _score_field(
                f"Agreed score for question {answer.question.number}{where}", maximum, required=False
            )
            self.fields[f"rationale_{answer.pk}"] = forms.CharField(
                label=f"Why is this the agreed score for question {answer.question.number}{where}?",
                help_text="The bidder will read this as feedback. Write it in plain English.",
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    def clean(self):
        data = super().clean()
        for answer in self.answers:
            score, why = data.get(f"score_{answer.pk}"), (data.get(f"rationale_{answer.pk}") or "").strip()
            if score not in (None, "") and not why and f"rationale_{answer.pk}" not in self.errors:
                self.add_error(f"rationale_{answer.pk}", "Explain why this is the agreed score")
            if why and score in (None, "") and f"score_{answer.pk}" not in self.errors:
                self.add_error(f"score_{answer.pk}", "Choose the agreed score")
        if not self.errors and not self.filled():
            self.add_error(None, "Record at least one agreed score")
        return data

    def filled(self) -> list[tuple[object, int, str]]:
        rows = []
        for answer in self.answers:
            score = self.cleaned_data.get(f"score_{answer.pk}")
            why = (self.cleaned_data.get(f"rationale_{answer.pk}") or "").strip()
            if score not in (None, "") and why:
                rows.append((answer, int(score), why))
        return rows


class ChallengeForm(GovukForm):
    details = forms.CharField(
        label="Details of the challenge",
        help_text="Who challenged the decision, when, and on what grounds.",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter details of the challenge"},
    )


class ResolveChallengeForm(GovukForm):
    upheld = _yes_no("Was the challenge upheld?", "Select yes if the challenge was upheld")
    resolution = forms.CharField(
        label="Outcome of the challenge",
        help_text="If the challenge was upheld, the award is cancelled and the lot can be awarded again.",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the outcome of the challenge"},
    )


class DirectAwardForm(GovukForm):
    organisation = forms.ChoiceField(
        label="Organisation", error_messages={"required": "Choose the organisation to award this lot to"}
    )
    justification = forms.CharField(
        label="Why are you awarding this lot directly?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Explain why you are awarding this lot directly"},
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "Choose an organisation")] + [
            (str(o.pk), o.display_name) for o in organisations
        ]
