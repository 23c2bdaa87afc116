"""Reads for open data: competitions with everything a release needs, in a fixed number of
queries per page (or per chunk, for the streamed download).

Bid prices are published once bidding has closed, so each page or chunk first checks its bids
against what was sent, in one pass (`bids_verify_integrity`, ADR 7): a bid that fails is left out
of the open data (not counted, not priced) and its failure audited once, not on every request."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, Min, OuterRef, Prefetch, QuerySet, Sum, prefetch_related_objects
from django.db.models.functions import Coalesce

from competitions.models import (
    Bid,
    BidLot,
    BidPrice,
    Competition,
    Lot,
    LotFunding,
    LotYear,
    LotYearRevision,
    PassFailResult,
)
from competitions.services.bids import bids_verify_integrity
from contracts import rules as contract_rules
from contracts.models import ContractVersion, PaymentClaim
from core.clock import LONDON
from opendata import builders
from qualification.models import Qualification
from reference.models import Area, ServiceType

# Competitions per API page. Since paid claims became contract transactions, a competition's releases
# carry every payment of its contracts: 50 a page made 4.3 MB pages at scale 1; 10 make about 0.9 MB.
DEFAULT_PAGE_SIZE = 10
STREAM_CHUNK_SIZE = 200
# When the framework opened, if nothing has happened on it yet.
FRAMEWORK_OPENED_DEFAULT = datetime.datetime(2026, 4, 1, tzinfo=LONDON)


def page_size() -> int:
    return int(getattr(settings, "OCDS_PAGE_SIZE", DEFAULT_PAGE_SIZE))


OPEN_DATA_PURPOSE = "open_data"

# What a release says about an organisation (`builders.organisation_party`): nothing else is read.
PARTY_FIELDS = ("id", "legal_name", "trading_name", "organisation_type", "charity_number", "company_number", "size")

# What a contract amendment says about a version: its terms, ground and why; never who.
VERSION_FIELDS = (
    "id",
    "contract_id",
    "number",
    "kind",
    "ground",
    "explanation",
    "ends_on",
    "extension_years",
    "payment_frequency",
    "payment_days",
    "payment_working_days",
    "payment_model",
    "accepted_at",
)


def _party_fields(prefix: str) -> list[str]:
    return [f"{prefix}{name}" for name in PARTY_FIELDS]


def bids_left_out(*, now: datetime.datetime, competition_ids: list[int]) -> set[int]:
    """The sent bids of these competitions that fail the integrity check, to leave out of the
    open data. The one write here is the failure's audit event, once per bid and digest."""
    bids = (
        Bid.objects.sent_and_closed(now=now)
        .filter(competition_id__in=competition_ids)
        .defer("submitted_content")  # read (and checked) by the check itself
        .order_by("id")
    )
    return set(bids_verify_integrity(bids=bids, user=None, purpose=OPEN_DATA_PURPOSE, once=True))


def sent_bids(*, now: datetime.datetime, left_out: set[int] | frozenset[int] = frozenset()) -> QuerySet[Bid]:
    """The sent bids open data shows (bidding closed by `now`), less those in `left_out`. Only the
    columns a release uses are read: the copy of what was sent is never loaded (open data does not
    need it, and decrypting it was a large part of a page's time), nor an organisation's address."""
    bid_lots = BidLot.objects.order_by("id").prefetch_related(
        Prefetch("prices", queryset=BidPrice.objects.only("id", "bid_lot_id", "amount"), to_attr="ocds_prices")
    )
    return (
        Bid.objects.sent_and_closed(now=now)
        .exclude(pk__in=left_out)
        .select_related("organisation")
        .only("id", "competition_id", "submitted_at", "withdrawn_at", *_party_fields("organisation__"))
        .annotate(failed_pass_fail=Exists(PassFailResult.objects.filter(answer__bid=OuterRef("pk"), passed=False)))
        .order_by("submitted_at", "id")
        .prefetch_related(Prefetch("bid_lots", queryset=bid_lots, to_attr="ocds_bid_lots"))
    )


def ocds_competitions(*, now: datetime.datetime, with_bids: bool = True) -> QuerySet[Competition]:
    """Every competition that has been made public (planned or launched), oldest first, with
    its lots, values and revisions, funding partners, awards and contracts. Bids are loaded
    only for competitions whose bidding has closed by `now`, and only sent, not withdrawn ones.
    Without `with_bids`, `load_bids` adds them once they are checked (what the pages do)."""
    # Every list is prefetched into a plain attribute (`to_attr`, named ocds_*): Django then skips
    # making a related manager and queryset for each of the ~1,400 rows of a page that has them.
    lots = (
        Lot.objects.order_by("number")
        .select_related("award__contract", "award__direct_organisation", "award__bid__organisation")
        .defer("abandoned_reason", "award__bid__submitted_content")
        .prefetch_related(
            Prefetch("areas", queryset=Area.objects.only("id", "name"), to_attr="ocds_areas"),
            Prefetch(
                "years",
                queryset=LotYear.objects.order_by("financial_year").prefetch_related(
                    Prefetch(
                        "revisions",
                        queryset=LotYearRevision.objects.order_by("recorded_at", "id"),
                        to_attr="ocds_revisions",
                    )
                ),
                to_attr="ocds_years",
            ),
            Prefetch("funding", queryset=LotFunding.objects.order_by("id"), to_attr="ocds_funding"),
            Prefetch("award__contract__years", to_attr="ocds_years"),
            # After award: the versions in force (ADR 9) with their years, and the paid claims.
            Prefetch(
                "award__contract__versions",
                queryset=ContractVersion.objects.filter(contract_rules.VERSION_IN_FORCE.q())
                .order_by("number")
                .only(*VERSION_FIELDS)
                .annotate(
                    ocds_value=Coalesce(Sum("years__value"), Decimal(0)), ocds_volume=Coalesce(Sum("years__volume"), 0)
                ),
                to_attr="ocds_versions",
            ),
            Prefetch(
                "award__contract__claims",
                queryset=PaymentClaim.objects.filter(paid_on__isnull=False, queried_at__isnull=True)
                .order_by("paid_on", "id")
                .only("id", "contract_id", "amount", "paid_on", "paid_recorded_at"),
                to_attr="ocds_paid_claims",
            ),
        )
    )
    competitions = (
        Competition.objects.public()
        .select_related("service_type")
        .order_by("id")
        .prefetch_related(
            Prefetch("lots", queryset=lots, to_attr="ocds_lots"),
            Prefetch("co_commissioners", to_attr="ocds_co_commissioners"),
        )
    )
    if with_bids:
        competitions = competitions.prefetch_related(Prefetch("bids", queryset=sent_bids(now=now), to_attr="sent_bids"))
    return competitions


def load_bids(competitions: list[Competition], *, now: datetime.datetime) -> list[Competition]:
    """Each competition's sent bids (as `ocds_competitions` loads them), checked first in one pass
    for all of them, those that fail left out (`bids_left_out`)."""
    left_out = bids_left_out(now=now, competition_ids=[competition.pk for competition in competitions])
    prefetch_related_objects(
        competitions, Prefetch("bids", queryset=sent_bids(now=now, left_out=left_out), to_attr="sent_bids")
    )
    return competitions


def framework_opened_at() -> datetime.datetime:
    """The earliest thing that happened on the framework: a qualification or a published competition."""
    competitions = Competition.objects.aggregate(planned=Min("planned_at"), launched=Min("launched_at"))
    moments = [
        Qualification.objects.aggregate(first=Min("granted_at"))["first"],
        competitions["planned"],
        competitions["launched"],
    ]
    known = [moment for moment in moments if moment is not None]
    return min(known) if known else FRAMEWORK_OPENED_DEFAULT


def framework_releases() -> list[dict]:
    return builders.framework_releases(
        opened_at=framework_opened_at(), service_types=ServiceType.objects.order_by("display_order", "name")
    )


@dataclass
class ReleasePage:
    releases: list[dict]
    has_next: bool


def releases_page(*, page: int, now: datetime.datetime, size: int | None = None) -> ReleasePage:
    """One page of releases: the framework's on page 1, then those of `size` competitions."""
    size = size or page_size()
    start = (page - 1) * size
    competitions = list(ocds_competitions(now=now, with_bids=False)[start : start + size + 1])
    has_next = len(competitions) > size
    releases = framework_releases() if page == 1 else []
    for competition in load_bids(competitions[:size], now=now):
        releases.extend(builders.competition_releases(competition, now=now))
    return ReleasePage(releases=releases, has_next=has_next)


def iter_all_releases(*, now: datetime.datetime) -> Iterator[dict]:
    """Every release, one competition at a time; memory stays flat however many there are."""
    yield from framework_releases()
    chunk: list[Competition] = []
    for competition in ocds_competitions(now=now, with_bids=False).iterator(chunk_size=STREAM_CHUNK_SIZE):
        chunk.append(competition)
        if len(chunk) == STREAM_CHUNK_SIZE:
            yield from _chunk_releases(chunk, now=now)
            chunk = []
    yield from _chunk_releases(chunk, now=now)


def _chunk_releases(competitions: list[Competition], *, now: datetime.datetime) -> Iterator[dict]:
    if not competitions:
        return
    for competition in load_bids(competitions, now=now):
        yield from builders.competition_releases(competition, now=now)


def record_releases(*, ocid: str, now: datetime.datetime) -> list[dict] | None:
    """Every release of one contracting process, oldest first; None if there is no such process."""
    if ocid == builders.framework_ocid():
        return framework_releases()
    competition_id = builders.competition_id_from_ocid(ocid)
    if competition_id is None:
        return None
    competition = ocds_competitions(now=now, with_bids=False).filter(id=competition_id).first()
    if competition is None:
        return None
    load_bids([competition], now=now)
    releases = builders.competition_releases(competition, now=now)
    return releases or None
