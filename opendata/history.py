"""One call-off competition through time: when each public event happened, and what was true at
any instant up to now. No queries: the competition comes loaded by `opendata.selectors`.

An OCDS release is a snapshot of what was public at its date. The competition rules
(`competitions.rules`: bidding has closed, the award is final, published) are asked about a past
instant `at` the way they are asked about the present: of the row as it stood at `at` — every
event recorded later not yet happened (`as_at`) — and with `now=at` for the deadlines they
compare with the clock. So a release never retypes a rule, and an award cancelled in March still
shows as active in the release of February.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist

from competitions.models import Award, Competition, Lot
from contracts.models import ContractVersion
from core.clock import LONDON

# The timestamps that record that something happened (not deadlines such as `closes_at` or
# `standstill_ends_at`, which are set in advance): before its moment, the event had not happened.
EVENTS: dict[type, tuple[str, ...]] = {
    Competition: ("planned_at", "launched_at", "abandoned_at"),
    Lot: ("abandoned_at",),
    Award: ("approved_at", "challenged_at", "challenge_resolved_at", "cancelled_at"),
}


def happened(moment: datetime.datetime | None, at: datetime.datetime) -> bool:
    return moment is not None and moment <= at


def as_at[Row: (Competition, Lot, Award)](row: Row, at: datetime.datetime) -> Row:
    """A copy of `row` as it stood at `at`: its events after `at` had not happened yet."""
    past = copy.copy(row)
    for name in EVENTS[type(row)]:
        if not happened(getattr(past, name), at):
            setattr(past, name, None)
    return past


def live_award(lot: Lot) -> Award | None:
    try:
        return lot.award
    except ObjectDoesNotExist:
        return None


def contract_of(lot: Lot):
    award = live_award(lot)
    if award is None:
        return None
    try:
        return award.contract
    except ObjectDoesNotExist:
        return None


def published_at(award: Award) -> datetime.datetime | None:
    """When the result became public: the first of its recorded moments at which the award, as it
    then stood, was published (`rules.AWARD_PUBLISHED`). None if it never was."""
    for moment in sorted(m for m in (award.recommended_at, award.approved_at) if m is not None):
        if as_at(award, moment).is_published:
            return moment
    return None


# --- a contract after award (contracts app, ADR 9) -------------------------------------------


def contract_versions(contract) -> list:
    """The contract's versions in force (`contracts.rules.VERSION_IN_FORCE`), oldest first, as
    `opendata.selectors` loads them; version 1 is the contract as made."""
    return list(getattr(contract, "ocds_versions", []))


def paid_claims(contract) -> list:
    """The contract's paid claims (corrections included), as `opendata.selectors` loads them."""
    return list(getattr(contract, "ocds_paid_claims", []))


def payment_moment(claim) -> datetime.datetime:
    """When a payment became known: when it was recorded (else the start of the day it was paid)."""
    if claim.paid_recorded_at is not None:
        return claim.paid_recorded_at
    return datetime.datetime.combine(claim.paid_on, datetime.time(0, 0), tzinfo=LONDON)


def terms_at(contract, at: datetime.datetime):
    """The terms in force at `at` (the latest version accepted by then), the contract as it stood
    then (a termination recorded later not yet known) attached, for the contract rules to ask."""
    past = copy.copy(contract)
    if not happened(contract.termination_recorded_at, at):
        past.terminates_on = past.termination_notice_on = past.termination_recorded_at = None
        past.termination_reason = ""
    accepted = [version for version in contract_versions(contract) if happened(version.accepted_at, at)]
    if accepted:
        terms = copy.copy(accepted[-1])
    else:  # a contract made before versions were kept: the terms as made
        terms = ContractVersion(
            number=1,
            ends_on=contract.ends_on,
            payment_frequency=contract.payment_frequency,
            payment_days=contract.payment_days,
        )
        years = list(getattr(contract, "ocds_years", []))
        terms.ocds_value = sum((year.value for year in years), Decimal(0))
        terms.ocds_volume = sum(year.volume for year in years)
    terms.contract = past
    return terms


def contract_last_day(contract) -> datetime.date:
    """The contract's last day under its latest terms: its end date, or an earlier termination."""
    terms = terms_at(contract, datetime.datetime.max.replace(tzinfo=datetime.UTC))
    if contract.terminates_on is not None:
        return min(terms.ends_on, contract.terminates_on)
    return terms.ends_on


def contract_end_moment(contract) -> datetime.datetime:
    """The instant a contract ends: London midnight after its last day."""
    day = contract_last_day(contract) + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=LONDON)


class Process:
    """One competition and its sent bids, as loaded at `now`."""

    def __init__(self, competition: Competition, now: datetime.datetime):
        self.competition = competition
        self.now = now
        self.lots = list(competition.ocds_lots)
        self.closed = competition.is_bidding_closed(now=now)
        # Sealed until bidding has closed; then only sent bids (the selector loads nothing else,
        # and the rule is kept here too).
        bids = getattr(competition, "sent_bids", []) if self.closed else []
        self.bids = sorted((bid for bid in bids if bid.is_sent), key=lambda bid: (bid.submitted_at, bid.id))
        self.bids_by_id = {bid.id: bid for bid in self.bids}
        # Each sent bid's price for each of its lots (all years), summed once here rather than in
        # every release that shows it.
        self.bid_prices = {
            bid.id: {
                bid_lot.lot_id: sum((price.amount for price in bid_lot.ocds_prices), Decimal("0"))
                for bid_lot in bid.ocds_bid_lots
            }
            for bid in self.bids
        }
        self.bid_lots = {bid_id: set(prices) for bid_id, prices in self.bid_prices.items()}
        self.lot_areas = {lot.id: ", ".join(area.name for area in lot.ocds_areas) for lot in self.lots}
        # Each lot's years with their revisions, oldest first.
        self.years = {lot.id: [(lot_year, lot_year.ocds_revisions) for lot_year in lot.ocds_years] for lot in self.lots}
        self.co_commissioners = list(competition.ocds_co_commissioners)
        launched_at = competition.launched_at
        self.launched_at = launched_at if happened(launched_at, now) else None
        # Each lot's award, when it was published and its contract, worked out once.
        self.awards = {lot.id: live_award(lot) for lot in self.lots}
        self.published = {
            lot_id: published_at(award) if award is not None else None for lot_id, award in self.awards.items()
        }
        self.contracts = {lot.id: contract_of(lot) if self.awards[lot.id] is not None else None for lot in self.lots}

    def at(self, at: datetime.datetime) -> State:
        return State(self, at)

    # Events: one release per moment, with every tag that happened then ----------------------

    def moments(self) -> list[tuple[datetime.datetime, list[str]]]:
        by_moment: dict[datetime.datetime, list[str]] = {}
        events = [event for event in self._events() if happened(event[0], self.now)]
        for moment, tag in sorted(events, key=lambda event: event[0]):
            tags = by_moment.setdefault(moment, [])
            if tag not in tags:
                tags.append(tag)
        return sorted(by_moment.items())

    def _events(self) -> Iterator[tuple[datetime.datetime | None, str]]:
        yield self.competition.planned_at, "planning"
        if self.launched_at is not None:
            yield self.launched_at, "tender"
            yield from self._tender_events()
            for lot in self.lots:
                yield from self._award_events(lot)
        abandoned_at = self.competition.abandoned_at
        if abandoned_at is not None:
            yield abandoned_at, "tenderCancellation" if self.launched_at is not None else "planningUpdate"

    def _tender_events(self) -> Iterator[tuple[datetime.datetime | None, str]]:
        launched_at = self.launched_at
        for lot in self.lots:
            for _lot_year, revisions in self.years[lot.id]:
                for revision in revisions:
                    if revision.recorded_at > launched_at:
                        yield revision.recorded_at, "tenderAmendment"
            if lot.abandoned_at is not None and lot.abandoned_at > launched_at:
                yield lot.abandoned_at, "tenderUpdate"
        if self.closed:
            yield self.competition.closes_at, "tenderUpdate"

    def _award_events(self, lot: Lot) -> Iterator[tuple[datetime.datetime | None, str]]:
        award = self.awards[lot.id]
        if award is None:
            return
        published = self.published[lot.id]
        # An award of a bid stays sealed with the bids until bidding has closed.
        if published is None or (award.bid_id is not None and not self.closed):
            return
        yield published, "award"
        for moment in (award.standstill_ends_at, award.challenged_at, award.challenge_resolved_at):
            if moment is not None and moment > published:
                yield moment, "awardUpdate"
        if award.cancelled_at is not None:
            yield max(award.cancelled_at, published), "awardCancellation"
        contract = self.contracts[lot.id]
        if contract is not None and award.cancelled_at is None:
            made = max(contract.created_at, published)
            yield made, "contract"
            yield from self._contract_events(contract, made)

    def _contract_events(self, contract, made: datetime.datetime) -> Iterator[tuple[datetime.datetime | None, str]]:
        """After the contract: each change accepted (an amendment), a termination recorded, the
        end of the contract (early or at its end date) and each payment recorded."""
        for version in contract_versions(contract)[1:]:
            yield max(version.accepted_at, made), "contractAmendment"
        if contract.termination_recorded_at is not None:
            yield max(contract.termination_recorded_at, made), "contractUpdate"
        yield max(contract_end_moment(contract), made), "contractTermination"
        first = True
        for moment in sorted({payment_moment(claim) for claim in paid_claims(contract)}):
            yield max(moment, made), "implementation" if first else "implementationUpdate"
            first = False


class State:
    """What was true about the process at `at` (an instant up to the process's `now`)."""

    def __init__(self, process: Process, at: datetime.datetime):
        self.process = process
        self.at = at
        self.competition = as_at(process.competition, at)
        self.launched = self.competition.launched_at is not None
        self.abandoned = self.competition.abandoned_at is not None
        self.closed = self.competition.is_bidding_closed(now=at)
        self._award_statuses: dict[int, str | None] = {}

    def lot_abandoned(self, lot: Lot) -> bool:
        return happened(lot.abandoned_at, self.at)

    def award_status(self, lot: Lot) -> str | None:
        """OCDS award status at `at`; None while there was no public result."""
        if lot.id not in self._award_statuses:
            self._award_statuses[lot.id] = self._award_status(lot)
        return self._award_statuses[lot.id]

    def _award_status(self, lot: Lot) -> str | None:
        award = self.process.awards[lot.id]
        if award is None or (award.bid_id is not None and not self.closed):
            return None
        if not happened(self.process.published[lot.id], self.at):
            return None
        past = as_at(award, self.at)
        if past.cancelled_at is not None:
            return "cancelled"
        return "active" if past.is_final(now=self.at) else "pending"

    def lot_status(self, lot: Lot) -> str:
        if self.abandoned or self.lot_abandoned(lot):
            return "cancelled"
        if not self.launched:
            return "planned"
        return "complete" if self.award_status(lot) == "active" else "active"

    def tender_status(self) -> str:
        if self.abandoned:
            return "cancelled" if self.launched else "withdrawn"
        if not self.launched:
            return "planned"
        lots = self.process.lots
        live = [lot for lot in lots if not self.lot_abandoned(lot)]
        if lots and not live:
            return "unsuccessful"
        if live and all(self.award_status(lot) == "active" for lot in live):
            return "complete"
        return "active"
