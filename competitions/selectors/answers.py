"""Which lot an answer belongs to: the one rule that bidding, completeness, the bid's content,
scoring, pass/fail checks and moderation all use.

A lot-specific question, of any kind (pass/fail included), is answered once for each lot bid
for, and each answer is stored with its lot: it counts for that lot only. Any other question is
answered once for the whole bid (stored with no lot), and that answer counts for every lot.

`answer_lot` is the definition; `answer_applies_to_lot` (one answer) and `answers_for_lots` (a
`BidAnswer` queryset filter) are the same rule for an answer already stored.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from competitions.models import BidAnswer, Lot, Question


def answered_per_lot(question: Question) -> bool:
    """True if bidders answer this question separately for each lot they bid for."""
    return question.lot_specific


def answer_lot(question: Question, lot: Lot | None) -> Lot | None:
    """The lot the answer to `question` that counts for `lot` is stored with (None: the whole bid)."""
    return lot if answered_per_lot(question) else None


def answer_key(question: Question, lot: Lot | None) -> tuple[int, int | None]:
    """(question id, lot id or None): how the answer counting for `lot` is found among a bid's answers."""
    stored = answer_lot(question, lot)
    return question.pk, stored.pk if stored is not None else None


def answer_applies_to_lot(answer: BidAnswer, lot: Lot) -> bool:
    """True if this stored answer counts for `lot`."""
    return answer_key(answer.question, lot) == (answer.question_id, answer.lot_id)


def answers_for_lots(lot_ids: Iterable[int], *, prefix: str = "") -> Q:
    """`BidAnswer` filter: the answers that count for any of the lots `lot_ids` (the same rule as
    `answer_applies_to_lot`). `prefix` reaches the answer through a relation, e.g. "answer__"."""
    ids = list(lot_ids)
    return Q(**{f"{prefix}question__lot_specific": False, f"{prefix}lot__isnull": True}) | Q(
        **{f"{prefix}question__lot_specific": True, f"{prefix}lot_id__in": ids}
    )


def answer_targets(questions: Iterable[Question], lots: list[Lot]) -> list[tuple[Question, Lot | None]]:
    """Every answer a bid for `lots` needs: each question once, or once per lot if answered per lot."""
    targets: list[tuple[Question, Lot | None]] = []
    for question in questions:
        if answered_per_lot(question):
            targets.extend((question, lot) for lot in lots)
        else:
            targets.append((question, None))
    return targets
