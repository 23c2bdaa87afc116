"""The service's side of `make bench-load`, run in the service's own settings as
`python -m bench.load.world COMMAND ...`; each command prints JSON for the harness.

- build SCALE: the national world (generate_national_data), once per database.
- provider: the generated provider invited to the most opportunities, able to sign in.
- prepare BIDDERS CLOSES_IN: a competition with 4 lots open for bids until CLOSES_IN seconds from
  now, and BIDDERS generated providers invited, each with a complete draft bid ready to send and
  an account that can sign in with the bench password.
- check COMPETITION_ID: what is stored for its bids, for the integrity checks of P1, R3 and R4.

Written straight to the database like the generated world (no audit events): this is setting
the scene, not what is measured. What is measured goes through the service's pages.
"""

from __future__ import annotations

import datetime
import json
import sys
import uuid
from decimal import Decimal

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Q  # noqa: E402

from accounts.models import Membership, Organisation, User  # noqa: E402
from competitions.models import (  # noqa: E402
    Bid,
    BidAnswer,
    BidLot,
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
from competitions.sealing import SealBroken  # noqa: E402
from competitions.selectors.answers import answer_targets  # noqa: E402
from competitions.selectors.bids import bid_integrity_problem  # noqa: E402
from core.clock import db_now  # noqa: E402
from demo.national import GENERATED_DOMAIN  # noqa: E402
from reference.models import Area, ServiceType  # noqa: E402

PASSWORD = "bench load password 2026"  # noqa: S105 - generated accounts on a bench database only


def _can_sign_in(users: list[User]) -> None:
    hashed = make_password(PASSWORD)  # one Argon2 hash for all: the bench measures bidding, not hashing
    now = db_now()
    User.objects.filter(pk__in=[u.pk for u in users]).update(password=hashed, email_confirmed_at=now)


def build(scale: str) -> dict:
    if Organisation.objects.filter(contact_email__endswith=f"@{GENERATED_DOMAIN}").exists():
        try:  # sealed values are opened as they are read: a wrong key fails here
            Bid.objects.filter(submitted_at__isnull=False).only("submitted_content").first()
        except SealBroken:
            raise SystemExit(
                "The bench database's bids were sealed with other keys than var/bench-load/'s "
                "(built from another clone?): run again with BENCH_FRESH=1 to build it anew."
            ) from None
        return {"built": False}
    call_command("generate_national_data", scale=float(scale), seed=2026, force=True, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"built": True}


def _bidder_memberships(count: int) -> list[Membership]:
    return list(
        Membership.objects.filter(user__email__startswith="bids@", user__email__endswith=f".{GENERATED_DOMAIN}")
        .select_related("user", "organisation")
        .order_by("organisation_id")[:count]
    )


def provider() -> dict:
    busiest = (
        Organisation.objects.filter(contact_email__endswith=f"@{GENERATED_DOMAIN}")
        .annotate(invited=Count("competition_invitations", filter=Q(competition_invitations__kind="eligible")))
        .order_by("-invited", "pk")
        .first()
    )
    membership = Membership.objects.select_related("user").get(organisation=busiest, is_admin=True)
    _can_sign_in([membership.user])
    return {"email": membership.user.email, "password": PASSWORD, "invitations": busiest.invited}


@transaction.atomic
def prepare(bidders: str, closes_in: str) -> dict:
    now = db_now()
    closes_at = now + datetime.timedelta(seconds=float(closes_in))
    commissioner = User.objects.filter(email__startswith="commissioner.", email__endswith=GENERATED_DOMAIN).first()
    region = Area.objects.get(code="K")
    areas = list(Area.objects.filter(level="pcc_area", parent=region).order_by("code")[:4])
    competition = Competition.objects.create(
        title=f"Bench: accommodation in {region.name}",
        reference=f"BENCH-{uuid.uuid4().hex[:12]}",
        service_type=ServiceType.objects.get(code="accommodation"),
        owner_area=region,
        summary="Help people on probation find and keep a home.",
        specification="Providers will help people find somewhere safe to live.",
        contract_start=(now + datetime.timedelta(days=200)).date(),
        clarification_deadline=min(closes_at, now + datetime.timedelta(days=5)),
        closes_at=closes_at,
        evaluation_ends_at=closes_at + datetime.timedelta(days=14),
        intended_award_at=closes_at + datetime.timedelta(days=21),
        created_by=commissioner,
        planned_at=now - datetime.timedelta(days=30),
        planned_by=commissioner,
        launched_at=now - datetime.timedelta(days=1),
        launched_by=commissioner,
    )
    CompetitionMember.objects.create(
        competition=competition, user=commissioner, role="commissioner", added_by=commissioner
    )
    first_year = (
        competition.contract_start.year
        if competition.contract_start.month >= 4
        else competition.contract_start.year - 1
    )
    lots = []
    for number, area in enumerate(areas, start=1):
        lot = Lot.objects.create(competition=competition, number=number, name=area.name)
        lot.areas.set([area])
        for offset in range(3):
            LotYear.objects.create(lot=lot, financial_year=first_year + offset, value=Decimal("400000"), volume=150)
        lots.append(lot)
    questions = [
        Question.objects.create(
            competition=competition,
            number=1,
            kind=QuestionKind.QUALITY,
            weight=Decimal("30"),
            text="How will you find people a home?",
            word_limit=500,
        ),
        Question.objects.create(
            competition=competition,
            number=2,
            kind=QuestionKind.QUALITY,
            weight=Decimal("30"),
            text="How will you work with local services in this area?",
            word_limit=500,
            lot_specific=True,
        ),
        Question.objects.create(
            competition=competition,
            number=3,
            kind=QuestionKind.SOCIAL_VALUE,
            weight=Decimal("10"),
            text="What social value will you add?",
            word_limit=500,
        ),
        Question.objects.create(
            competition=competition,
            number=4,
            kind=QuestionKind.PASS_FAIL,
            weight=Decimal("0"),
            text="Do you hold the insurance the contract needs?",
        ),
    ]
    memberships = _bidder_memberships(int(bidders))
    for membership in memberships:
        invitation = CompetitionInvitation.objects.create(
            competition=competition, organisation=membership.organisation, kind="eligible"
        )
        invitation.lots.set(lots)
        user = membership.user
        bid = Bid.objects.create(
            competition=competition,
            organisation=membership.organisation,
            started_by=user,
            started_at=now,
            updated_at=now,
            declarations_confirmed_at=now,
        )
        for lot in lots:
            bid_lot = BidLot.objects.create(bid=bid, lot=lot)
            BidPrice.objects.bulk_create(
                BidPrice(bid_lot=bid_lot, financial_year=first_year + offset, amount=Decimal("390000"))
                for offset in range(3)
            )
        for question, lot in answer_targets(questions, lots):
            if question.kind == QuestionKind.PASS_FAIL:
                BidAnswer.objects.create(bid=bid, question=question, lot=lot, confirmed=True, updated_by=user)
            else:
                where = f" in {lot.name}" if lot else ""
                BidAnswer.objects.create(
                    bid=bid,
                    question=question,
                    lot=lot,
                    updated_by=user,
                    text=f"Our plan{where}: a named caseworker for each person, from the first day.",
                )
    _can_sign_in([m.user for m in memberships])
    return {
        "competition_id": competition.pk,
        "closes_at": closes_at.isoformat(),
        "password": PASSWORD,
        "bidders": [m.user.email for m in memberships],
    }


def close_in(competition_id: str, seconds: str) -> dict:
    """Move the closing date to SECONDS from now by the database clock (the one the rule uses)."""
    closes_at = db_now() + datetime.timedelta(seconds=float(seconds))
    Competition.objects.filter(pk=int(competition_id)).update(closes_at=closes_at)
    return {"closes_at": closes_at.isoformat()}


def check(competition_id: str) -> dict:
    """Counts the checks need. Late: a submit receipt or sent time at or after the closing date."""
    competition = Competition.objects.get(pk=int(competition_id))
    closes_at = competition.closes_at
    bids = list(Bid.objects.filter(competition=competition).select_related("competition", "organisation", "started_by"))
    receipts = list(BidReceipt.objects.filter(bid__competition=competition).order_by("bid_id", "at", "pk"))
    latest: dict[int, BidReceipt] = {}
    for receipt in receipts:
        latest[receipt.bid_id] = receipt
    sent = [bid for bid in bids if bid.is_sent]
    submitted = [r for r in receipts if r.kind == BidReceipt.Kind.SUBMITTED]
    withdrawn = [r for r in receipts if r.kind == BidReceipt.Kind.WITHDRAWN]
    return {
        "closes_at": closes_at.isoformat(),
        "bids": len(bids),
        "sent": len(sent),
        "submitted_receipts": len(submitted),
        "withdrawn_receipts": len(withdrawn),
        "late_receipts": sum(1 for r in receipts if r.at >= closes_at),
        "late_sent": sum(1 for bid in sent if bid.submitted_at >= closes_at),
        # A sent bid whose latest receipt is not the submit receipt of exactly this sending.
        "sent_without_receipt": sum(
            1
            for bid in sent
            if (r := latest.get(bid.pk)) is None
            or r.kind != BidReceipt.Kind.SUBMITTED
            or r.at != bid.submitted_at
            or r.digest != bid.submitted_digest
        ),
        # A bid whose latest receipt says "sent" but which is not sent.
        "receipt_without_sent": sum(
            1 for bid in bids if (r := latest.get(bid.pk)) and r.kind == BidReceipt.Kind.SUBMITTED and not bid.is_sent
        ),
        # Sent bids whose stored content, live rows, receipt or audit do not match the digest.
        "integrity_problems": sum(1 for bid in sent if bid_integrity_problem(bid) is not None),
        "submitted_digests": sorted({f"{r.bid_id}:{r.digest}" for r in submitted}),
        "bid_of": {bid.started_by.email: bid.pk for bid in bids},
    }


COMMANDS = {"build": build, "provider": provider, "prepare": prepare, "close_in": close_in, "check": check}

if __name__ == "__main__":
    print(json.dumps(COMMANDS[sys.argv[1]](*sys.argv[2:])))
