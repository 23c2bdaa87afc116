"""Writing bids: start, choose lots, answer, price, partners, documents, declarations, submit,
withdraw. Every write locks the competition row and then the bid row, reads the database
server's clock AFTER taking the locks, and refuses once the closing date has passed.

Audit events here hold ids and digests only, never what a bid says: staff can read the audit
history, and bid content is sealed until the closing date.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction

from accounts.models import Organisation
from accounts.permissions import is_member_of, is_member_of_organisation_id, membership_of
from audit.models import AuditEvent
from audit.services import audit_record
from competitions.models import (
    Bid,
    BidAnswer,
    BidDocument,
    BidLot,
    BidPartner,
    BidPrice,
    BidReceipt,
    Competition,
    Lot,
    Question,
    QuestionKind,
)
from competitions.permissions import can_read_bid, is_invited_to_bid
from competitions.sealing import seal_file
from competitions.selectors import bids as sel
from competitions.selectors.answers import answered_per_lot
from core.clock import db_now
from core.formatting import london_datetime
from core.forms import has_hidden_characters
from core.links import service_url
from core.mail import send_email
from qualification.uploads import check_upload, stored_name

CLOSED_MESSAGE = "The closing date has passed. Bids can no longer be sent."
SENT_MESSAGE = "You have sent this bid. Withdraw it if you need to change it, then send it again."


class BidClosed(ValidationError):
    """The closing date has passed (by the database server's clock)."""

    def __init__(self):
        super().__init__(CLOSED_MESSAGE, code="closed")


class BidIncomplete(ValidationError):
    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(missing, code="incomplete")


# Bounds on what a bid may hold, checked here as well as in the forms (the API or a script may call).
MAX_PRICE = Decimal("999999999999.99")  # 14 digits, as stored
PARTNER_WORK_MAX = 2_000


def _refuse_hidden_characters(field: str, name: str, text: str) -> None:
    if has_hidden_characters(text):
        raise ValidationError({field: f"{name} must not include hidden characters, like the ones some programs add"})


def _bounded_decimal(
    value, *, field: str, name: str, minimum: Decimal | None, maximum: Decimal | None, places: int
) -> Decimal:
    """A finite Decimal with at most `places` decimal places, within the bounds given."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: f"{name} must be a number"}) from None
    if not number.is_finite():
        raise ValidationError({field: f"{name} must be a number"})
    if maximum is not None and number > maximum:
        raise ValidationError({field: f"{name} is too big"})
    if minimum is not None and number < minimum:
        raise ValidationError({field: f"{name} must be {minimum} or more"})
    if number.as_tuple().exponent < -places and number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValidationError({field: f"{name} can have up to {places} decimal places"})
    return number


def _ids(bid: Bid, **extra) -> dict:
    return {"bid_id": bid.pk, "competition_id": bid.competition_id, "organisation_id": bid.organisation_id, **extra}


def _audit(*, user, action: str, bid: Bid, at: datetime.datetime, **extra) -> None:
    # `at` is the database clock reading the decision was made on (under the locks), so the
    # record and the deadline check agree to the microsecond.
    audit_record(actor=user, action=action, obj=bid, object_repr=f"Bid {bid.pk}", after=_ids(bid, **extra), at=at)


def _share_competition(competition_id: int) -> Competition:
    """The competition, held against change (cancelling, launching, late invitations, which take
    it FOR UPDATE) until this transaction ends, without blocking other bidders: on PostgreSQL a
    shared row lock (FOR SHARE), which any number of bid writes hold at once. SQLite has no row
    locks; it runs one writing transaction at a time, which is stricter still."""
    if connection.vendor == "postgresql":
        # Locked and read in one query (Django's querysets have no FOR SHARE). The table name is
        # the model's own, quoted; the id is a parameter.
        table = connection.ops.quote_name(Competition._meta.db_table)
        found = list(Competition.objects.raw(f"SELECT * FROM {table} WHERE id = %s FOR SHARE", [competition_id]))  # noqa: S608
        if not found:
            raise Competition.DoesNotExist
        return found[0]
    return Competition.objects.get(pk=competition_id)


def _lock_open(competition_id: int) -> tuple[Competition, datetime.datetime]:
    """Hold the competition (shared), then read the database clock; refuse after the closing date.

    Bidders used to take the competition row FOR UPDATE, so every bid write for a competition
    waited for every other, all of them in the rush before the deadline (docs/performance.md).
    The deadline rule needs only what the shared lock gives: the closing date and state cannot
    change under the check, and the clock is read after the lock is held."""
    competition = _share_competition(competition_id)
    now = db_now()
    if competition.is_bidding_closed(now=now):
        raise BidClosed
    if not competition.is_bidding_open(now=now):
        raise ValidationError("This opportunity is not open for bids.", code="not_open")
    return competition, now


def _lock_bid(*, bid: Bid, user, allow_sent: bool = False) -> tuple[Bid, datetime.datetime]:
    """Lock competition then bid; check the user is in the bidding organisation and the deadline.
    Must be called inside a transaction."""
    if not is_member_of_organisation_id(user, bid.organisation_id):
        raise PermissionDenied
    competition, now = _lock_open(bid.competition_id)
    # Only the bid row: the competition is held shared above (and read there, so it is not read
    # again), and the organisation is not changed here.
    # Without the sealed copy of what was sent: no write here reads it (a submit replaces it), and
    # reading it would decrypt it under the lock.
    locked = (
        Bid.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .defer("submitted_content")
        .get(pk=bid.pk)
    )
    locked.competition = competition
    if locked.is_sent and not allow_sent:
        raise ValidationError(SENT_MESSAGE, code="sent")
    return locked, now


_BID_RELATIONS = ["competition", "organisation", "started_by", "submitted_by", "withdrawn_by"]
# What a submit changes (and so writes): nothing else of the bid's row.
_SUBMIT_FIELDS = [
    "submitted_content",
    "submitted_digest",
    "submitted_at",
    "submitted_by",
    "withdrawn_at",
    "withdrawn_by",
    "updated_at",
]


def _touch(bid: Bid, now: datetime.datetime) -> None:
    bid.updated_at = now
    bid.save(update_fields=["updated_at"])


# --- Start ---------------------------------------------------------------------------------


@transaction.atomic
def bid_start(*, competition: Competition, user) -> Bid:
    """Start (or return) the organisation's one bid for this competition."""
    if not is_invited_to_bid(user, competition):
        raise PermissionDenied
    organisation = membership_of(user).organisation
    _competition, now = _lock_open(competition.pk)
    existing = Bid.objects.filter(competition=competition, organisation=organisation).first()
    if existing is not None:
        return existing
    bid = Bid(competition=competition, organisation=organisation, started_by=user, started_at=now, updated_at=now)
    bid.full_clean()
    try:
        with transaction.atomic():
            bid.save()
    except IntegrityError:
        # A colleague started it at the same moment: one bid per organisation per competition.
        return Bid.objects.get(competition=competition, organisation=organisation)
    _audit(user=user, at=now, action="bid.started", bid=bid)
    return bid


# --- Lots ----------------------------------------------------------------------------------


@transaction.atomic
def bid_lots_set(*, bid: Bid, user, lot_ids: list[int]) -> Bid:
    """Choose the lots. Removing a lot deletes its prices and lot-specific answers."""
    bid, now = _lock_bid(bid=bid, user=user)
    allowed = {lot.pk: lot for lot in sel.lots_open_to(bid)}
    wanted = {int(pk) for pk in lot_ids}
    if not wanted:
        raise ValidationError({"lots": "Select at least one area to bid for"})
    if not wanted <= set(allowed):
        raise ValidationError({"lots": "You can only bid for the areas you were invited to bid for"})
    current = set(bid.bid_lots.values_list("lot_id", flat=True))
    removed = current - wanted
    if removed:
        BidLot.objects.filter(bid=bid, lot_id__in=removed).delete()
        BidAnswer.objects.filter(bid=bid, lot_id__in=removed).delete()
        for partner in bid.partners.all():
            partner.lots.remove(*removed)
    for lot_id in sorted(wanted - current):
        BidLot.objects.create(bid=bid, lot=allowed[lot_id])
    _touch(bid, now)
    _audit(user=user, at=now, action="bid.lots_chosen", bid=bid, lot_ids=sorted(wanted))
    return bid


# --- Answers -------------------------------------------------------------------------------


@transaction.atomic
def bid_answer_save(
    *, bid: Bid, user, question: Question, lot: Lot | None = None, text: str = "", confirmed: bool | None = None
) -> BidAnswer:
    bid, now = _lock_bid(bid=bid, user=user)
    if question.competition_id != bid.competition_id:
        raise PermissionDenied
    if answered_per_lot(question):
        if lot is None or not bid.bid_lots.filter(lot=lot).exists():
            raise ValidationError("Choose this area before answering for it.", code="lot")
    else:
        lot = None
    if question.kind == QuestionKind.PASS_FAIL:
        if confirmed is None:
            raise ValidationError({"confirmed": "Select yes or no"})
        text = ""
    else:
        text = (text or "").replace("\r\n", "\n").strip()
        if not text:
            raise ValidationError({"text": "Enter your answer"})
        _refuse_hidden_characters("text", "Your answer", text)
        limit = sel.answer_max_characters(question)
        if len(text) > limit:
            raise ValidationError({"text": f"Your answer must be {limit:,} characters or fewer"})
        if question.word_limit and sel.word_count(text) > question.word_limit:
            raise ValidationError({"text": f"Your answer must be {question.word_limit} words or fewer"})
        confirmed = None
    answer, _created = BidAnswer.objects.select_for_update().get_or_create(
        bid=bid, question=question, lot=lot, defaults={"updated_by": user, "updated_at": now}
    )
    answer.text = text
    answer.confirmed = confirmed
    answer.updated_by = user
    answer.updated_at = now
    answer.full_clean()
    answer.save()
    _touch(bid, now)
    _audit(
        user=user, at=now, action="bid.answer_saved", bid=bid, question_id=question.pk, lot_id=lot.pk if lot else None
    )
    return answer


# --- Prices --------------------------------------------------------------------------------


@transaction.atomic
def bid_prices_save(*, bid: Bid, user, lot: Lot, prices: dict[int, Decimal]) -> BidLot:
    bid, now = _lock_bid(bid=bid, user=user)
    bid_lot = bid.bid_lots.filter(lot=lot).first()
    if bid_lot is None:
        raise ValidationError("Choose this area before pricing it.", code="lot")
    years = set(lot.years.values_list("financial_year", flat=True))
    if set(prices) != years:
        raise ValidationError("Enter a price for every year.", code="years")
    for year, amount in prices.items():
        amount = _bounded_decimal(
            amount, field=f"price_{year}", name="Price", minimum=None, maximum=MAX_PRICE, places=2
        )
        if amount < 0:
            raise ValidationError({f"price_{year}": "Price must be £0 or more"})
        price, _created = BidPrice.objects.get_or_create(
            bid_lot=bid_lot, financial_year=year, defaults={"amount": amount}
        )
        price.amount = Decimal(amount).quantize(Decimal("0.01"))
        price.full_clean()
        price.save()
    _touch(bid, now)
    _audit(user=user, at=now, action="bid.prices_saved", bid=bid, lot_id=lot.pk)
    return bid_lot


# --- Partners ------------------------------------------------------------------------------


@transaction.atomic
def bid_partner_add(
    *,
    bid: Bid,
    user,
    organisation: Organisation | None,
    name: str,
    role: str,
    share_percent: Decimal,
    lot_ids: list[int],
    work_description: str = "",
) -> BidPartner:
    share_percent = _bounded_decimal(
        share_percent, field="share_percent", name="Share of the work", minimum=None, maximum=None, places=2
    )
    if share_percent <= 0:
        raise ValidationError({"share_percent": "Share of the work must be more than 0%"})
    if share_percent > 100:
        raise ValidationError({"share_percent": "Share of the work must be 100% or less"})
    name = (organisation.display_name if organisation else name or "").strip()
    work_description = (work_description or "").strip()
    _refuse_hidden_characters("name", "Name of the organisation", name)
    _refuse_hidden_characters("work_description", "What they will do", work_description)
    if len(work_description) > PARTNER_WORK_MAX:
        raise ValidationError(
            {"work_description": f"What they will do must be {PARTNER_WORK_MAX:,} characters or fewer"}
        )
    bid, now = _lock_bid(bid=bid, user=user)
    if organisation is not None and organisation.pk == bid.organisation_id:
        raise ValidationError({"organisation": "Choose a different organisation from your own"})
    chosen = set(bid.bid_lots.values_list("lot_id", flat=True))
    wanted = {int(pk) for pk in lot_ids}
    if not wanted or not wanted <= chosen:
        raise ValidationError({"lots": "Select which of your areas this partner will work in"})
    partner = BidPartner(
        bid=bid,
        organisation=organisation,
        name=name,
        role=role,
        share_percent=share_percent,
        work_description=work_description,
    )
    partner.full_clean()
    partner.save()
    partner.lots.set(wanted)
    _touch(bid, now)
    _audit(user=user, at=now, action="bid.partner_added", bid=bid, partner_id=partner.pk)
    return partner


@transaction.atomic
def bid_partner_remove(*, bid: Bid, user, partner_id: int) -> None:
    bid, now = _lock_bid(bid=bid, user=user)
    deleted, _ = BidPartner.objects.filter(bid=bid, pk=partner_id).delete()
    if deleted:
        _touch(bid, now)
        _audit(user=user, at=now, action="bid.partner_removed", bid=bid, partner_id=partner_id)


# --- Documents -----------------------------------------------------------------------------


@transaction.atomic
def bid_document_add(*, bid: Bid, user, title: str, upload: UploadedFile) -> BidDocument:
    title = (title or "").strip()
    _refuse_hidden_characters("title", "What this document is", title)
    try:
        checked = check_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages[0]}) from exc
    bid, now = _lock_bid(bid=bid, user=user)
    document = BidDocument(
        bid=bid,
        title=title,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_at=now,
        uploaded_by=user,
    )
    # Stored under a random name of our own (the uploader's file name is never used on disk), and
    # encrypted before it reaches storage: a copy of the files reveals no bid (ADR 7).
    upload.seek(0)
    document.file.save(stored_name(checked), ContentFile(seal_file(upload.read())), save=False)
    document.full_clean()
    document.save()
    _touch(bid, now)
    _audit(user=user, at=now, action="bid.document_added", bid=bid, document_id=document.pk, sha256=checked.sha256)
    return document


@transaction.atomic
def bid_document_remove(*, bid: Bid, user, document_id: int) -> None:
    bid, now = _lock_bid(bid=bid, user=user)
    document = BidDocument.objects.filter(bid=bid, pk=document_id).first()
    if document is None:
        return
    _audit(user=user, at=now, action="bid.document_removed", bid=bid, document_id=document_id)
    document.file.delete(save=False)
    document.delete()
    _touch(bid, now)


# --- Declarations --------------------------------------------------------------------------


@transaction.atomic
def bid_declarations_confirm(*, bid: Bid, user) -> Bid:
    bid, now = _lock_bid(bid=bid, user=user)
    bid.declarations_confirmed_at = now
    bid.updated_at = now
    bid.save(update_fields=["declarations_confirmed_at", "updated_at"])
    _audit(user=user, at=now, action="bid.declarations_confirmed", bid=bid)
    return bid


# --- Submit and withdraw -------------------------------------------------------------------


def _send_receipt_email(*, bid: Bid, receipt: BidReceipt, user) -> None:
    """Tell the person who sent it: when, and the digest. Never what the bid says."""
    link = service_url("competitions:bid-receipt", competition_id=bid.competition_id)
    verb = "sent" if receipt.kind == BidReceipt.Kind.SUBMITTED else "withdrew"
    lines = [
        f"Hello {user.get_full_name() or user.email},",
        "",
        f"Your organisation {verb} its bid for {bid.competition.title} ({bid.competition.reference}) "
        f"at {london_datetime(receipt.at)} (London time).",
    ]
    if receipt.digest:
        lines += ["", f"Receipt code (SHA-256 of what you sent): {receipt.digest}"]
    lines += ["", f"You can see your receipt in the service: {link}", ""]
    subject = f"Receipt: your bid for {bid.competition.title}"
    send_email(to=[user.email], subject=subject, body="\n".join(lines))


@transaction.atomic
def bid_submit(*, bid: Bid, user) -> BidReceipt:
    """Send the bid: under the locks and by the database clock; store exactly what was sent and
    its SHA-256 digest; write a receipt and an audit event (ids and digest only)."""
    bid, now = _lock_bid(bid=bid, user=user)
    # What is missing and what is sent, from one reading of the bid's rows (each sealed value
    # decrypted once, while the lock is held).
    missing, content = sel.bid_missing_and_content(bid)
    if missing:
        raise BidIncomplete(missing)
    digest = sel.content_digest(content)
    bid.submitted_content = content
    bid.submitted_digest = digest
    bid.submitted_at = now
    bid.submitted_by = user
    bid.withdrawn_at = None
    bid.withdrawn_by = None
    bid.updated_at = now
    # Every relation was read in this transaction, under the locks (the bid with its competition
    # and organisation; the user is the one acting): validating them again would read each row
    # once more while the bid is locked. The one-bid-per-organisation constraint is on columns a
    # submit does not change, and the database enforces it.
    bid.full_clean(exclude=_BID_RELATIONS, validate_unique=False, validate_constraints=False)
    bid.save(update_fields=_SUBMIT_FIELDS)
    receipt = BidReceipt.objects.create(bid=bid, kind=BidReceipt.Kind.SUBMITTED, at=now, by=user, digest=digest)
    _audit(user=user, at=now, action="bid.submitted", bid=bid, receipt_id=receipt.pk, digest=digest)
    _send_receipt_email(bid=bid, receipt=receipt, user=user)
    return receipt


@transaction.atomic
def bid_withdraw(*, bid: Bid, user) -> BidReceipt:
    """Take a sent bid back before the closing date. It stays as a draft to change and send again."""
    bid, now = _lock_bid(bid=bid, user=user, allow_sent=True)
    if not bid.is_sent:
        raise ValidationError("This bid has not been sent, so there is nothing to withdraw.", code="not_sent")
    bid.withdrawn_at = now
    bid.withdrawn_by = user
    bid.updated_at = now
    bid.save(update_fields=["withdrawn_at", "withdrawn_by", "updated_at"])
    receipt = BidReceipt.objects.create(
        bid=bid, kind=BidReceipt.Kind.WITHDRAWN, at=now, by=user, digest=bid.submitted_digest
    )
    _audit(user=user, at=now, action="bid.withdrawn", bid=bid, receipt_id=receipt.pk, digest=bid.submitted_digest)
    _send_receipt_email(bid=bid, receipt=receipt, user=user)
    return receipt


# --- Reading (audited, and checked against what was sent) ----------------------------------

INTEGRITY_MESSAGE = "This bid's stored content does not match what was sent; the service team has been told."
logger = logging.getLogger("competitions.integrity")


class BidIntegrityError(Exception):
    """What is stored for a bid (or one of its documents) is not what was sent."""

    def __init__(self, bid: Bid, reason: str, failed: list[Bid] | None = None):
        self.bid = bid
        self.reason = reason
        # Every bid that failed, when many were checked together (a lot's ranking).
        self.failed = failed or [bid]
        super().__init__(INTEGRITY_MESSAGE)


@dataclass(frozen=True)
class VerifiedBid:
    content: dict
    document: BidDocument | None = None
    document_bytes: bytes = b""


def bid_verify_integrity(*, bid: Bid, user, purpose: str, document: BidDocument | None = None) -> VerifiedBid:
    """THE integrity check, before anyone outside the bidding organisation reads a sent bid (the
    whole-bid page, scoring, pass/fail, moderation, a document download); also before the bidder
    downloads its own document, whose file must decrypt to what was uploaded.

    On a mismatch: an error in the log for the service team, an audit event "bid.integrity_failed"
    in a transaction of its own (durable, so the refusal that follows cannot roll it back — call
    this outside any transaction), then BidIntegrityError, which the pages show as a refusal."""
    reason: str | None = None
    content: dict = {}
    outside = not is_member_of(user, bid.organisation)
    if outside:
        reason = sel.bid_integrity_problem(bid)
        if reason is None:
            content = bid.submitted_content or {}
    data = b""
    if reason is None and document is not None:
        reason, data = sel.document_integrity_problem(document)
    if reason is None:
        return VerifiedBid(content=content, document=document, document_bytes=data)
    _integrity_failed(bid=bid, user=user, purpose=purpose, reason=reason, document=document)
    raise BidIntegrityError(bid, reason)


def _integrity_failed(*, bid: Bid, user, purpose: str, reason: str, document: BidDocument | None = None) -> None:
    """Tell the service team: an error in the log (ids and the reason, never the bid's content)
    and "bid.integrity_failed" in a durable transaction of its own, so the refusal that follows
    cannot roll it back."""
    logger.error(
        "Bid %s failed its integrity check (%s) when %s asked to read it for %s",
        bid.pk,
        reason,
        getattr(user, "pk", None),
        purpose,
    )
    with transaction.atomic(durable=True):
        audit_record(
            actor=user if getattr(user, "is_authenticated", False) else None,
            action="bid.integrity_failed",
            obj=bid,
            object_repr=f"Bid {bid.pk}",
            after=_ids(
                bid,
                purpose=purpose,
                reason=reason,
                document_id=document.pk if document else None,
                digest=bid.submitted_digest,
            ),
        )


UNREADABLE_REASON = "stored content does not decrypt"


def bid_unreadable_record(*, bid_id: int | None, user, purpose: str) -> None:
    """A sealed value did not decrypt while a page was reading it (a token changed in the
    database, or the key it was made with is no longer in BID_ENCRYPTION_KEYS): logged without
    any of the bid's content, and audited as "bid.integrity_failed", in a transaction of its own.
    `bid_id` is None when the page cannot say which bid (the event then names none)."""
    bid = Bid.objects.defer("submitted_content").filter(pk=bid_id).first() if bid_id else None
    if bid is not None:
        _integrity_failed(bid=bid, user=user, purpose=purpose, reason=UNREADABLE_REASON)
        return
    logger.error("A bid's stored content did not decrypt when %s asked for %s", getattr(user, "pk", None), purpose)
    with transaction.atomic(durable=True):
        audit_record(
            actor=user if getattr(user, "is_authenticated", False) else None,
            action="bid.integrity_failed",
            object_type="competitions.bid",
            object_repr="A bid (not known)",
            after={"purpose": purpose, "reason": UNREADABLE_REASON},
        )


def bids_verify_integrity(*, bids, user, purpose: str, once: bool = False) -> dict[int, str]:
    """`bid_verify_integrity` for many sent bids in one pass (`bids_integrity_problems`: a fixed
    number of queries), for outputs that read many bids at once: results and ranking, award
    decisions and outcome letters, open data. Returns the failing bids' reasons by id (empty when
    every bid is as sent); each failure is logged and audited as "bid.integrity_failed".

    The caller decides what a failure means: a page or an award refuses (`bids_require_integrity`),
    a batch output leaves the bid out. With `once`, for outputs anyone can ask for again and again
    (open data), a failure already audited for the same purpose and digest is only logged, so the
    public cannot fill the audit trail."""
    bids = list(bids)
    problems = sel.bids_integrity_problems(bids)
    if not problems:
        return problems
    failed = [bid for bid in bids if bid.pk in problems]
    audited: set[tuple[str, str]] = set()
    if once:
        audited = {
            (object_id, (after or {}).get("digest"))
            for object_id, after in AuditEvent.objects.filter(
                action="bid.integrity_failed",
                object_type="competitions.bid",
                object_id__in=[str(bid.pk) for bid in failed],
                after__purpose=purpose,
            ).values_list("object_id", "after")
        }
    for bid in failed:
        if (str(bid.pk), bid.submitted_digest) in audited:
            logger.error("Bid %s still fails its integrity check (%s) for %s", bid.pk, problems[bid.pk], purpose)
            continue
        _integrity_failed(bid=bid, user=user, purpose=purpose, reason=problems[bid.pk])
    return problems


def bids_require_integrity(*, bids, user, purpose: str) -> None:
    """Every one of these sent bids as sent, or BidIntegrityError (about the first that is not):
    for a page or a decision that reads them together, such as a lot's ranking."""
    bids = list(bids)
    problems = bids_verify_integrity(bids=bids, user=user, purpose=purpose)
    for bid in bids:
        if bid.pk in problems:
            raise BidIntegrityError(bid, problems[bid.pk], failed=[b for b in bids if b.pk in problems])


def bid_open_for_reading(*, bid: Bid, user) -> dict:
    """The content of a bid for someone `can_read_bid` allows; PermissionDenied for anyone else.

    Members of the bidding organisation see their live bid. Anyone else sees exactly what was
    sent, once `bid_verify_integrity` has found it unchanged (BidIntegrityError otherwise), and the
    read is written to the audit trail ("bid.read"). Not atomic: the integrity failure must stay."""
    if not can_read_bid(user, bid):
        raise PermissionDenied
    if is_member_of(user, bid.organisation):
        return sel.bid_content(bid)
    verified = bid_verify_integrity(bid=bid, user=user, purpose="whole_bid")
    with transaction.atomic():
        audit_record(
            actor=user,
            action="bid.read",
            obj=bid,
            object_repr=f"Bid {bid.pk}",
            after=_ids(bid, digest=bid.submitted_digest),
        )
    return verified.content


def bid_document_open(*, bid: Bid, user, document_id: int) -> VerifiedBid:
    """A document of a bid and its decrypted bytes, for someone `can_read_bid` allows (checked
    against what was sent and uploaded, and audited, outside the bidder)."""
    if not can_read_bid(user, bid):
        raise PermissionDenied
    document = BidDocument.objects.filter(bid=bid, pk=document_id).first()
    if document is None:
        raise PermissionDenied
    outside = not is_member_of(user, bid.organisation)
    verified = bid_verify_integrity(bid=bid, user=user, purpose="document", document=document)
    if outside:
        if document.pk not in {d["id"] for d in verified.content.get("documents", [])}:
            raise PermissionDenied
        with transaction.atomic():
            audit_record(
                actor=user,
                action="bid.read",
                obj=bid,
                object_repr=f"Bid {bid.pk}",
                after=_ids(bid, document_id=document.pk, sha256=document.sha256),
            )
    return verified


__all__ = [
    "CLOSED_MESSAGE",
    "INTEGRITY_MESSAGE",
    "BidClosed",
    "BidIncomplete",
    "BidIntegrityError",
    "VerifiedBid",
    "bid_answer_save",
    "bid_declarations_confirm",
    "bid_document_add",
    "bid_document_open",
    "bid_document_remove",
    "bid_lots_set",
    "bid_open_for_reading",
    "bid_partner_add",
    "bid_partner_remove",
    "bid_prices_save",
    "bid_start",
    "bid_submit",
    "bid_unreadable_record",
    "bid_verify_integrity",
    "bids_require_integrity",
    "bids_verify_integrity",
    "bid_withdraw",
]
