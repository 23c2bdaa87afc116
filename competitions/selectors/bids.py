"""Reading bids. Bid content is sealed: every read outside the bidding organisation goes through
`competitions.permissions.can_read_bid` or `bids_readable_by` (the same rule for querysets), and is
audited by `competitions.services.bids.bid_open_for_reading`.

`bid_content(bid)` is the canonical form of a bid (what its digest is computed from);
`canonical_json(content)` gives the exact bytes hashed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.core.paginator import Page
from django.db.models import Count, Q, QuerySet

from accounts.permissions import membership_of
from audit.models import AuditEvent
from competitions import rules
from competitions.models import (
    Bid,
    BidAnswer,
    BidDocument,
    BidLot,
    BidPartner,
    BidPrice,
    BidReceipt,
    Competition,
    CompetitionInvitation,
    CompetitionMember,
    Lot,
    LotYear,
    Question,
    QuestionKind,
)
from competitions.permissions import viewer_invitation
from competitions.sealing import SealBroken, unseal_file
from competitions.selectors import answers as answer_rule
from core.clock import db_now
from core.paging import page_or_404

# What the bidder confirms on the declarations page (and what the digest records).
DECLARATIONS: list[str] = [
    "Everything in this bid is true and complete, as far as you know.",
    "You have not talked to other bidders about your prices or agreed not to compete.",
    "You will tell the commissioner straight away if anything in your bid stops being true.",
    "Your partners have agreed to the work and share of the work shown in this bid.",
]


def _money_text(amount: Decimal) -> str:
    return f"{Decimal(amount):.2f}"


def chosen_lots(bid: Bid) -> list[Lot]:
    return [bl.lot for bl in bid.bid_lots.select_related("lot").order_by("lot__number")]


def invitation_for(competition: Competition, organisation) -> CompetitionInvitation | None:
    return competition.invitations.filter(organisation=organisation).prefetch_related("lots").first()


def lots_open_to(bid: Bid) -> list[Lot]:
    """The lots this bidder may choose: those its invitation covers that are not cancelled."""
    invitation = invitation_for(bid.competition, bid.organisation)
    if invitation is None or invitation.kind != CompetitionInvitation.Kind.ELIGIBLE:
        return []
    return list(invitation.lots.filter(abandoned_at__isnull=True).order_by("number"))


def bid_for_organisation(competition: Competition, organisation) -> Bid | None:
    """The organisation's bid, without the sealed copy of what was sent (the bid's own pages never
    show it, and reading it would decrypt it on every page)."""
    return Bid.objects.filter(competition=competition, organisation=organisation).defer("submitted_content").first()


def own_bid_with_competition(user, competition_id: int) -> Bid | None:
    """The user's organisation's bid for the competition (as `bid_for_organisation`) with its
    competition, and `can_view_opportunity`'s question asked of that competition, in one query:
    what every page of a bid reads first. None if the organisation has no bid for it."""
    membership = membership_of(user)
    if membership is None:
        return None
    bid = (
        Bid.objects.filter(competition_id=competition_id, organisation_id=membership.organisation_id)
        .defer("submitted_content")
        .select_related("competition__service_type", "competition__owner_area")
        .annotate(**viewer_invitation(user, "competition_id"))
        .first()
    )
    if bid is not None:  # the answer belongs to the competition (`can_view_opportunity` asks it there)
        bid.competition.viewer_invited = bid.viewer_invited
        bid.competition.viewer_organisation_id = bid.viewer_organisation_id
    return bid


def bids_by_competition(competition_ids, organisation) -> dict[int, Bid]:
    """The organisation's bid for each of these competitions that it has one for, in one query,
    by competition id. Only what says where a bid stands is read (never its sealed content)."""
    bids = Bid.objects.filter(competition_id__in=competition_ids, organisation=organisation).only(
        "id", "competition_id", "organisation_id", "submitted_at", "withdrawn_at"
    )
    return {bid.competition_id: bid for bid in bids}


def bid_id_for_organisation(competition: Competition, organisation) -> int | None:
    """The id alone, read without decrypting anything (for a page whose bid did not decrypt)."""
    return Bid.objects.filter(competition=competition, organisation=organisation).values_list("pk", flat=True).first()


def bid_content(bid: Bid) -> dict[str, Any]:
    """Exactly what a bid says, in a stable order, with money and percentages as fixed strings.
    Only answers for chosen lots count; nothing about who typed what."""
    return bid_contents([bid])[bid.pk]


def bid_contents(bids: list[Bid]) -> dict[int, dict[str, Any]]:
    """`bid_content` for many bids at once (a few queries in all), by bid id."""
    return _contents_from(bids, _rows_of(bids))


@dataclass
class _BidRows:
    """The rows a bid's content is made of, read once (and decrypted once) for all of `bids`."""

    lots: dict[int, list[BidLot]]  # by bid id, in lot order, each with its lot
    prices: dict[int, list[BidPrice]]  # by bid lot id, in year order
    years: dict[int, list[LotYear]]  # by lot id, in year order (only if read `with_years`)
    questions: dict[int, list[Question]]  # by competition id, in number order (only `with_years`)
    answers: dict[int, list[BidAnswer]]  # by bid id, each with its question, in the content's order
    partners: dict[int, list[BidPartner]]
    documents: dict[int, list[BidDocument]]


def _rows_of(bids: list[Bid], *, with_years: bool = False) -> _BidRows:
    """Each bid's lots, prices, answers, partners and documents (and, if `with_years`, each chosen
    lot's years and the competition's questions, for what is missing and the estimates beside the
    prices), in the order the content lists them: one query each however many lots, answers or
    bids. Rows are joined in Python (an answer's question from the questions read here), not by
    SQL joins and prefetches, which cost more to build than the rows they save."""
    ids = [bid.pk for bid in bids]
    bid_lots = list(BidLot.objects.filter(bid_id__in=ids).select_related("lot").order_by("lot__number"))
    rows = _BidRows(
        lots={pk: [] for pk in ids},
        prices={bid_lot.pk: [] for bid_lot in bid_lots},
        years={bid_lot.lot_id: [] for bid_lot in bid_lots} if with_years else {},
        questions={bid.competition_id: [] for bid in bids},
        answers={pk: [] for pk in ids},
        partners={pk: [] for pk in ids},
        documents={pk: [] for pk in ids},
    )
    for bid_lot in bid_lots:
        rows.lots[bid_lot.bid_id].append(bid_lot)
    if bid_lots:
        for price in BidPrice.objects.filter(bid_lot_id__in=list(rows.prices)).order_by("financial_year", "id"):
            rows.prices[price.bid_lot_id].append(price)
        if with_years:
            for year in (
                LotYear.objects.filter(lot_id__in=list(rows.years))
                .only("id", "lot_id", "financial_year", "value")
                .order_by("financial_year")
            ):
                rows.years[year.lot_id].append(year)
    lot_numbers = {bid_lot.lot_id: bid_lot.lot.number for bid_lot in bid_lots}
    for answer in _answers_of(ids, rows.questions if with_years else None):
        rows.answers[answer.bid_id].append(answer)
    for bid_answers in rows.answers.values():
        # As the content lists them: by question number, then lot number (an answer for no lot, or
        # for a lot not chosen, is never listed beside one for a chosen lot of the same question).
        bid_answers.sort(key=lambda a: (a.question.number, lot_numbers.get(a.lot_id, -1), a.pk))
    for partner in BidPartner.objects.filter(bid_id__in=ids).prefetch_related("lots").order_by("id"):
        rows.partners[partner.bid_id].append(partner)
    for document in BidDocument.objects.filter(bid_id__in=ids).order_by("id"):
        rows.documents[document.bid_id].append(document)
    return rows


def _answers_of(ids: list[int], questions_by_competition: dict[int, list[Question]] | None) -> list[BidAnswer]:
    """The bids' answers, each with its question. Given `questions_by_competition` (competition
    ids, each with an empty list to fill), the competitions' questions are read into it too, and
    each answer is given its question from them rather than by a join."""
    if questions_by_competition is None:
        return list(BidAnswer.objects.filter(bid_id__in=ids).select_related("question"))
    questions: dict[int, Question] = {}
    for question in Question.objects.filter(competition_id__in=list(questions_by_competition)).order_by("number"):
        questions[question.pk] = question
        questions_by_competition[question.competition_id].append(question)
    answers = list(BidAnswer.objects.filter(bid_id__in=ids))
    stray = {answer.question_id for answer in answers} - set(questions)
    if stray:  # a question of another competition: never stored by the services, read if it was
        questions.update({question.pk: question for question in Question.objects.filter(pk__in=stray)})
    for answer in answers:
        answer.question = questions[answer.question_id]
    return answers


def _contents_from(bids: list[Bid], rows: _BidRows) -> dict[int, dict[str, Any]]:
    lots = rows.lots
    answers: dict[int, list[dict[str, Any]]] = {bid.pk: [] for bid in bids}
    for bid in bids:
        for answer in rows.answers[bid.pk]:
            # Only answers that count for a chosen lot (the one answer rule, asked in Python).
            if not any(answer_rule.answer_applies_to_lot(answer, bl.lot) for bl in lots[bid.pk]):
                continue
            answers[bid.pk].append(
                {
                    "question_id": answer.question_id,
                    "question_number": answer.question.number,
                    "lot_id": answer.lot_id,
                    "text": answer.text,
                    "confirmed": answer.confirmed,
                }
            )
    partners = {
        bid.pk: [
            {
                "organisation_id": partner.organisation_id,
                "name": partner.name,
                "role": partner.role,
                "share_percent": f"{Decimal(partner.share_percent):.2f}",
                "lot_ids": sorted(lot.pk for lot in partner.lots.all()),
                "work_description": partner.work_description,
            }
            for partner in rows.partners[bid.pk]
        ]
        for bid in bids
    }
    documents = {
        bid.pk: [
            {"id": d.pk, "title": d.title, "content_type": d.content_type, "size": d.size, "sha256": d.sha256}
            for d in rows.documents[bid.pk]
        ]
        for bid in bids
    }
    return {
        bid.pk: {
            "bid_id": bid.pk,
            "competition_id": bid.competition_id,
            "organisation_id": bid.organisation_id,
            "lots": [
                {
                    "lot_id": bl.lot_id,
                    "lot_number": bl.lot.number,
                    "lot_name": bl.lot.name,
                    "prices": [
                        {"financial_year": p.financial_year, "amount": _money_text(p.amount)}
                        for p in sorted(rows.prices[bl.pk], key=lambda p: p.financial_year)
                    ],
                }
                for bl in lots[bid.pk]
            ],
            "answers": answers[bid.pk],
            "partners": partners[bid.pk],
            "documents": documents[bid.pk],
            "declarations": {
                "confirmed": bid.declarations_confirmed_at is not None,
                "statements": DECLARATIONS if bid.declarations_confirmed_at else [],
            },
        }
        for bid in bids
    }


def canonical_json(content: dict[str, Any]) -> bytes:
    """The exact bytes the digest is computed over: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


# --- Integrity: is what is stored still what was sent? ---------------------------------------


def bid_integrity_problem(bid: Bid) -> str | None:
    """Why a sent bid's stored content cannot be trusted, or None if it is exactly what was sent.

    The live rows (answers, prices, partners, document records) and the stored copy of what was
    sent must both hash to the bid's digest, and that digest must be the one on its latest receipt
    and in the signed audit trail's "bid.submitted" event. Content that does not decrypt fails too.
    The reason is for the service team's log and audit trail; it never quotes the bid."""
    return bids_integrity_problems([bid]).get(bid.pk)


def bids_integrity_problems(bids: list[Bid]) -> dict[int, str]:
    """`bid_integrity_problem` for many bids in one pass, by bid id (only the failing ones).

    A fixed number of queries however many bids (their content with `bid_contents`, then the
    stored copies, the latest receipts and the "bid.submitted" events, each in one query), so a
    page of results or of open data is checked without a query per bid. Only when some token does
    not decrypt are the bids checked one by one, to find which."""
    bids = list(bids)
    if not bids:
        return {}
    try:
        return _integrity_problems(bids)
    except SealBroken:
        if len(bids) == 1:
            return {bids[0].pk: "stored content does not decrypt"}
    problems: dict[int, str] = {}
    for bid in bids:
        problems.update(bids_integrity_problems([bid]))
    return problems


def _integrity_problems(bids: list[Bid]) -> dict[int, str]:
    problems = {bid.pk: "no digest of what was sent" for bid in bids if not bid.submitted_digest}
    checked = [bid for bid in bids if bid.submitted_digest]
    if not checked:
        return problems
    ids = [bid.pk for bid in checked]
    live = bid_contents(checked)
    sent = dict(Bid.objects.filter(pk__in=ids).values_list("pk", "submitted_content"))
    receipts: dict[int, str] = {}
    for bid_id, digest in (
        BidReceipt.objects.filter(bid_id__in=ids, kind=BidReceipt.Kind.SUBMITTED)
        .order_by("bid_id", "-at", "-id")
        .values_list("bid_id", "digest")
    ):
        receipts.setdefault(bid_id, digest)
    events: dict[str, dict] = {}
    for object_id, after in (
        AuditEvent.objects.filter(
            object_type="competitions.bid", object_id__in=[str(pk) for pk in ids], action="bid.submitted"
        )
        .order_by("object_id", "-seq")
        .values_list("object_id", "after")
    ):
        events.setdefault(object_id, after or {})
    for bid in checked:
        reason = None
        copy = sent.get(bid.pk)
        if content_digest(live[bid.pk]) != bid.submitted_digest:
            reason = "answers, prices, partners or documents differ from what was sent"
        elif copy is None or content_digest(copy) != bid.submitted_digest:
            reason = "the stored copy of what was sent differs from its digest"
        elif receipts.get(bid.pk) != bid.submitted_digest:
            reason = "the digest differs from the bidder's receipt"
        elif str(bid.pk) in events and events[str(bid.pk)].get("digest") != bid.submitted_digest:
            reason = "the digest differs from the audit trail"
        if reason is not None:
            problems[bid.pk] = reason
    return problems


def document_integrity_problem(document: BidDocument) -> tuple[str | None, bytes]:
    """Why a bid document's stored file cannot be trusted (or None), and its decrypted bytes."""
    try:
        with document.file.open("rb") as stored:
            data = unseal_file(stored.read())
    except SealBroken:
        return "the stored file does not decrypt", b""
    except OSError:
        return "the stored file is missing", b""
    if hashlib.sha256(data).hexdigest() != document.sha256:
        return "the stored file differs from what was uploaded", b""
    return None, data


# --- Completeness --------------------------------------------------------------------------


def word_count(text: str) -> int:
    """Words as GOV.UK's character count counts them: runs of non-space characters."""
    return len(str(text or "").split())


# An answer is bounded in characters as well as words (one 2,000,000-character "word" is one word):
# 15 characters a word, a margin for punctuation and line breaks, and never more than the maximum.
CHARACTERS_PER_WORD = 15
CHARACTER_MARGIN = 1_000
ANSWER_MAX_CHARACTERS = 100_000


def answer_max_characters(question: Question) -> int:
    if not question.word_limit:
        return ANSWER_MAX_CHARACTERS
    return min(ANSWER_MAX_CHARACTERS, question.word_limit * CHARACTERS_PER_WORD + CHARACTER_MARGIN)


def answer_targets(bid: Bid) -> list[tuple[Question, Lot | None]]:
    """Every answer this bid needs: each question once, or once per chosen lot if lot-specific."""
    return answer_rule.answer_targets(bid.competition.questions.order_by("number"), chosen_lots(bid))


def answers_by_target(bid: Bid) -> dict[tuple[int, int | None], BidAnswer]:
    return {(a.question_id, a.lot_id): a for a in bid.answers.all()}


def answer_is_complete(question: Question, answer: BidAnswer | None) -> bool:
    if answer is None:
        return False
    if question.kind == QuestionKind.PASS_FAIL:
        return answer.confirmed is not None
    return bool(answer.text.strip())


@dataclass
class BidReading:
    """A bid's rows read once (each sealed value decrypted once), and what the bid's pages ask of
    them: what is missing before it can be sent, what it says, and its task list's statuses."""

    bid: Bid
    bid_lots: list[BidLot]  # in lot order, each with its lot
    questions: list[Question]  # the competition's, in number order
    answers: dict[tuple[int, int | None], BidAnswer]  # by (question id, lot id or None)
    prices_complete: dict[int, bool]  # by lot id: a price for every year of the lot
    years: dict[int, list[LotYear]]  # by lot id, with their estimated values
    partner_count: int
    document_count: int
    missing: list[str]
    rows: _BidRows

    @cached_property
    def content(self) -> dict[str, Any]:
        """What the bid says (`bid_content`), from the same rows."""
        return _contents_from([self.bid], self.rows)[self.bid.pk]

    def answer_targets(self) -> list[tuple[Question, Lot | None]]:
        """Every answer this bid needs: each question once, or once per chosen lot if lot-specific."""
        return answer_rule.answer_targets(self.questions, [bid_lot.lot for bid_lot in self.bid_lots])


def bid_reading(bid: Bid) -> BidReading:
    """Everything the bid's check page, task list and a submit ask of its rows, from one reading
    of them: a fixed number of queries however many lots, answers or partners."""
    rows = _rows_of([bid], with_years=True)
    bid_lots = rows.lots[bid.pk]
    complete = {
        bid_lot.lot_id: {year.financial_year for year in rows.years[bid_lot.lot_id]}
        <= {price.financial_year for price in rows.prices[bid_lot.pk]}
        for bid_lot in bid_lots
    }
    questions = rows.questions[bid.competition_id]
    answers = {(a.question_id, a.lot_id): a for a in rows.answers[bid.pk]}
    return BidReading(
        bid=bid,
        bid_lots=bid_lots,
        questions=questions,
        answers=answers,
        prices_complete=complete,
        years=rows.years,
        partner_count=len(rows.partners[bid.pk]),
        document_count=len(rows.documents[bid.pk]),
        missing=_missing_from(bid, bid_lots, questions, answers, complete, rows.partners[bid.pk]),
        rows=rows,
    )


def bid_missing(bid: Bid) -> list[str]:
    """What must be done before the bid can be sent, in plain words (empty when complete). A fixed
    number of queries however many lots."""
    return bid_reading(bid).missing


def bid_missing_and_content(bid: Bid) -> tuple[list[str], dict[str, Any]]:
    """`bid_missing` and `bid_content` together, from one reading of the bid's rows (each sealed
    value decrypted once): what a submit asks while it holds the bid's lock."""
    reading = bid_reading(bid)
    return reading.missing, reading.content


def _missing_from(
    bid: Bid,
    bid_lots: list[BidLot],
    questions: list[Question],
    answers: dict[tuple[int, int | None], BidAnswer],
    prices_complete: dict[int, bool],
    partner_rows: list[BidPartner],
) -> list[str]:
    missing: list[str] = []
    if not bid_lots:
        missing.append("Choose at least one area to bid for")
    for question, lot in answer_rule.answer_targets(questions, [bid_lot.lot for bid_lot in bid_lots]):
        answer = answers.get((question.pk, lot.pk if lot else None))
        if not answer_is_complete(question, answer):
            where = f" for {lot.name}" if lot else ""
            missing.append(f"Answer question {question.number}{where}")
        elif question.word_limit and word_count(answer.text) > question.word_limit:
            missing.append(f"Shorten your answer to question {question.number} to {question.word_limit} words or fewer")
    for bid_lot in bid_lots:
        if not prices_complete[bid_lot.lot_id]:
            missing.append(f"Enter your prices for {bid_lot.lot.name}")
    total_share = sum((p.share_percent for p in partner_rows), Decimal("0"))
    if total_share >= 100:
        missing.append("Your partners' shares of the work must add up to less than 100%")
    if bid.declarations_confirmed_at is None:
        missing.append("Confirm the declarations")
    return missing


# --- Status and receipts -------------------------------------------------------------------


@dataclass(frozen=True)
class BidStatus:
    text: str
    tag_class: str


def bid_status(bid: Bid | None) -> BidStatus:
    if bid is None:
        return BidStatus("Not started", "govuk-tag--grey")
    if bid.is_sent:
        return BidStatus("Sent", "govuk-tag--green")
    if bid.withdrawn_at is not None:
        return BidStatus("Withdrawn", "govuk-tag--orange")
    return BidStatus("Draft", "govuk-tag--blue")


def latest_receipt(bid: Bid):
    return bid.receipts.order_by("-at", "-id").first()


# --- Opportunities for a provider ----------------------------------------------------------


def opportunities_for(user) -> QuerySet[CompetitionInvitation]:
    """The launched competitions the user's organisation was sent, newest closing first (then by
    invitation, so pages of it never overlap), with each competition."""
    membership = membership_of(user)
    if membership is None:
        return CompetitionInvitation.objects.none()
    return (
        CompetitionInvitation.objects.filter(
            organisation_id=membership.organisation_id, competition__launched_at__isnull=False
        )
        .select_related("competition")
        .order_by("-competition__closes_at", "pk")
    )


@dataclass(frozen=True)
class OpportunityPages:
    """One page of the opportunities a provider may bid for, and one of those it may join as a
    partner, each invitation with its lots."""

    eligible: Page
    partner: Page


def opportunity_pages(user, *, page: str | None, partner_page: str | None, per_page: int) -> OpportunityPages:
    """The pages of `opportunities_for` asked for (`page_or_404`: "not found" past the end): one
    query counts both lists, one reads each page, one reads the names of the lots of both (each
    invitation's `lot_names`, in lot order), however many invitations the organisation has."""
    invitations = opportunities_for(user)
    eligible_kind, partner_kind = CompetitionInvitation.Kind.ELIGIBLE, CompetitionInvitation.Kind.PARTNER
    counts = invitations.order_by().aggregate(
        eligible=Count("pk", filter=Q(kind=eligible_kind)), partner=Count("pk", filter=Q(kind=partner_kind))
    )
    pages = OpportunityPages(
        eligible=page_or_404(invitations.filter(kind=eligible_kind), per_page, page, count=counts["eligible"]),
        partner=page_or_404(invitations.filter(kind=partner_kind), per_page, partner_page, count=counts["partner"]),
    )
    pages.eligible.object_list = list(pages.eligible.object_list)
    pages.partner.object_list = list(pages.partner.object_list)
    shown = [*pages.eligible.object_list, *pages.partner.object_list]
    # The names alone, as plain rows: a prefetch would build a lot and a related manager for each.
    names: dict[int, list[str]] = {invitation.pk: [] for invitation in shown}
    if names:
        for invitation_id, name in (
            CompetitionInvitation.lots.through.objects.filter(competitioninvitation_id__in=list(names))
            .order_by("lot__number", "lot_id")
            .values_list("competitioninvitation_id", "lot__name")
        ):
            names[invitation_id].append(name)
    for invitation in shown:
        invitation.lot_names = names[invitation.pk]
    return pages


def eligible_bidder_names(competition: Competition) -> list[str]:
    """Names of organisations that can bid, only if they are on the public register (no contact
    details or people): for possible partners looking for someone to join."""
    from qualification.selectors.register import register_organisations

    invited = CompetitionInvitation.objects.filter(
        competition=competition, kind=CompetitionInvitation.Kind.ELIGIBLE
    ).values("organisation_id")
    return [org.display_name for org in register_organisations().filter(pk__in=invited)]


def time_left_text(closes_at: datetime.datetime | None, *, now: datetime.datetime | None = None) -> str:
    """'Closes in 5 days', 'Closes in 3 hours', 'Closed'."""
    if closes_at is None:
        return ""
    now = now or db_now()
    left = closes_at - now
    if left.total_seconds() <= 0:
        return "Closed"
    days = left.days
    if days >= 2:
        return f"Closes in {days} days"
    hours = int(left.total_seconds() // 3600)
    if hours >= 2:
        return f"Closes in {hours} hours"
    minutes = max(1, int(left.total_seconds() // 60))
    return f"Closes in {minutes} minute{'s' if minutes != 1 else ''}"


# --- The sealed-bid rule on querysets -------------------------------------------------------


def bids_readable_by(user, competition: Competition, *, now: datetime.datetime | None = None) -> QuerySet[Bid]:
    """The bids of `competition` whose content `user` may read: `can_read_bid` as a queryset.

    Before the closing date: only the user's own organisation's bid. After it, also every sent
    bid for the competition's commissioners, and for its evaluators the sent bids for which they
    declared no conflict. Nobody else (administrators and assessors included)."""
    bids = Bid.objects.filter(competition=competition)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return bids.none()
    membership = membership_of(user)
    own = Q(organisation_id=membership.organisation_id) if membership else Q(pk__in=[])
    if not competition.is_bidding_closed(now=now):
        return bids.filter(own)
    sent = rules.SENT.q()
    from accounts.permissions import is_commissioner

    roles = set(CompetitionMember.objects.filter(competition=competition, user=user).values_list("role", flat=True))
    if CompetitionMember.MemberRole.COMMISSIONER in roles and is_commissioner(user):
        return bids.filter(own | sent)
    if CompetitionMember.MemberRole.EVALUATOR in roles:
        cleared = Q(conflict_declarations__evaluator=user, conflict_declarations__has_conflict=False)
        return bids.filter(own | (sent & cleared)).distinct()
    return bids.filter(own)


# --- Showing a bid -------------------------------------------------------------------------


def content_for_display(
    competition: Competition, content: dict[str, Any], *, reading: BidReading | None = None
) -> dict[str, Any]:
    """A bid's canonical content with question and lot wording added, for check-your-answers and
    for the bid page. Every value is shown as text (escaped), never as HTML. Given the `reading`
    the content came from (the bid's live rows), its questions, lots and years are used instead of
    being read again: the content names no other lot."""
    if reading is not None:
        questions = {q.pk: q for q in reading.questions}
        lots = {bid_lot.lot_id: bid_lot.lot for bid_lot in reading.bid_lots}
        years = {(y.lot_id, y.financial_year): y for lot_years in reading.years.values() for y in lot_years}
    else:
        questions = {q.pk: q for q in competition.questions.all()}
        lots = {lot.pk: lot for lot in competition.lots.all()}
        years = {(y.lot_id, y.financial_year): y for y in LotYear.objects.filter(lot__competition=competition)}
    answers = []
    for item in content.get("answers", []):
        question = questions.get(item["question_id"])
        lot = lots.get(item["lot_id"]) if item.get("lot_id") else None
        if item.get("confirmed") is True:
            shown = "Yes"
        elif item.get("confirmed") is False:
            shown = "No"
        else:
            shown = item.get("text", "")
        answers.append(
            {
                "question": question,
                "number": item.get("question_number"),
                "lot": lot,
                "text": shown,
                "kind": question.kind if question else "",
            }
        )
    lot_rows = []
    for item in content.get("lots", []):
        prices = []
        total = Decimal("0")
        for price in item.get("prices", []):
            amount = Decimal(price["amount"])
            total += amount
            estimate = years.get((item["lot_id"], price["financial_year"]))
            prices.append(
                {
                    "financial_year": price["financial_year"],
                    "amount": amount,
                    "estimate": estimate.value if estimate else None,
                }
            )
        lot_rows.append(
            {"lot": lots.get(item["lot_id"]), "name": item.get("lot_name"), "prices": prices, "total": total}
        )
    partners = [
        {
            **partner,
            "share": Decimal(partner["share_percent"]),
            "lot_names": [lots[pk].name for pk in partner.get("lot_ids", []) if pk in lots],
        }
        for partner in content.get("partners", [])
    ]
    return {
        "lots": lot_rows,
        "answers": answers,
        "partners": partners,
        "documents": content.get("documents", []),
        "declarations": content.get("declarations", {}),
    }
