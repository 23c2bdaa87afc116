"""The answer library: text an organisation has written before, to start a new answer from.

Two sources, both the organisation's own: answers in its earlier bids (any competition) and the
written answers in its application to join. Only ever the user's own organisation's text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms

from competitions.models import Bid, BidAnswer, QuestionKind
from qualification import forms as qforms
from qualification.models import ApplicationSection, SectionKey

_SECTION_FORMS: dict[str, type[forms.Form]] = {
    SectionKey.ABOUT: qforms.AboutForm,
    SectionKey.EXCLUSION: qforms.ExclusionForm,
    SectionKey.SAFEGUARDING: qforms.SafeguardingForm,
    SectionKey.SECURITY: qforms.SecurityForm,
}
MIN_WORDS = 3


@dataclass(frozen=True)
class LibraryAnswer:
    key: str  # "bid-<answer id>" or "sq-<section id>-<field name>"
    source: str  # where it came from, in plain words
    question: str
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


def _text_fields(key: str) -> dict[str, str]:
    form = _SECTION_FORMS.get(key)
    if form is None:
        return {}
    return {
        name: str(field.label) for name, field in form.base_fields.items() if isinstance(field.widget, forms.Textarea)
    }


def library_answers(organisation, *, exclude_bid: Bid | None = None) -> list[LibraryAnswer]:
    """Earlier written answers of `organisation`, newest first, skipping empty or very short ones."""
    results: list[LibraryAnswer] = []
    earlier = (
        BidAnswer.objects.filter(bid__organisation=organisation)
        .exclude(question__kind=QuestionKind.PASS_FAIL)
        .select_related("question", "bid__competition", "lot")
        .order_by("-updated_at")
    )
    for answer in earlier:
        if len(answer.text.split()) < MIN_WORDS:
            continue
        where = "this bid" if exclude_bid and answer.bid_id == exclude_bid.pk else answer.bid.competition.title
        lot = f" ({answer.lot.name})" if answer.lot else ""
        results.append(
            LibraryAnswer(
                key=f"bid-{answer.pk}",
                source=f"Your bid: {where}{lot}",
                question=answer.question.text,
                text=answer.text,
            )
        )
    sections = ApplicationSection.objects.filter(application__organisation=organisation).order_by(
        "-application__started_at", "id"
    )
    for section in sections:
        labels = _text_fields(section.key)
        for name, label in labels.items():
            value = (section.answers or {}).get(name)
            if isinstance(value, str) and len(value.split()) >= MIN_WORDS:
                results.append(
                    LibraryAnswer(
                        key=f"sq-{section.pk}-{name}",
                        source="Your application to join the framework",
                        question=label,
                        text=value,
                    )
                )
    return results


def library_answer(organisation, key: str) -> LibraryAnswer | None:
    """One library answer by key, only if it belongs to `organisation`."""
    for item in library_answers(organisation):
        if item.key == key:
            return item
    return None
