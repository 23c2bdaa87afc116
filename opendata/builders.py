"""OCDS 1.1.5 releases, records and packages, built from competitions already loaded with
their related rows (see `opendata.selectors.ocds_competitions`). No queries here.

One contracting process for the framework itself, one for each call-off competition. Every
release is a full snapshot of what was public at its date: planning, tender, tender amendments
(estimated values revised after launch), the close of bidding (bid statistics, tenderers),
awards, contracts and cancellations. Sealed content — bids, bidders, counts — only appears in
releases dated at or after the closing date, and only once bidding has closed by the database
clock. Organisations only: never a person's name, e-mail address or phone number.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist

from accounts.models import Organisation, Size
from competitions.models import Award, Competition, Lot, LotYear
from competitions.permissions import bidding_closed
from core.bounds import MAX_ID, bounded_int
from core.clock import LONDON

OCDS_VERSION = "1.1"
CURRENCY = "GBP"
FRAMEWORK_TITLE = "Probation Services Dynamic Framework"
PUBLISHER = {"name": "Ministry of Justice"}
LICENSE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
# Identifiers of the extensions used, for data users; never fetched by this service.
EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_techniques_extension/master/extension.json",
]
# The buyer of every process: HM Prison and Probation Service, an agency of the Ministry of Justice
# (identified by the UK Government Organisation Register code of the Ministry).
BUYER = {
    "id": "GB-GOR-D18",
    "name": "Ministry of Justice (HM Prison and Probation Service)",
    "identifier": {"scheme": "GB-GOR", "id": "D18", "legalName": "Ministry of Justice"},
    "roles": ["buyer", "procuringEntity"],
}
BUYER_REFERENCE = {"id": BUYER["id"], "name": BUYER["name"]}
# Our own identifiers (internal ids, service type codes) use this private-use scheme.
SCHEME = "x_PSDF"
_SME_SIZES = {Size.MICRO, Size.SMALL, Size.MEDIUM}
_SCALE = {Size.MICRO: "micro", Size.SMALL: "sme", Size.MEDIUM: "sme", Size.LARGE: "large"}


# --- identifiers and formats ---------------------------------------------------------------


def ocid_prefix() -> str:
    return settings.OCDS_PREFIX


def framework_ocid() -> str:
    return f"{ocid_prefix()}-framework"


def competition_ocid(competition: Competition) -> str:
    return f"{ocid_prefix()}-{competition.id}"


def competition_id_from_ocid(ocid: str) -> int | None:
    """The competition id in an ocid of ours, or None."""
    prefix = f"{ocid_prefix()}-"
    if not ocid.startswith(prefix):
        return None
    rest = ocid[len(prefix) :]
    return None if rest.startswith("0") else bounded_int(rest, minimum=1, maximum=MAX_ID)


def iso(moment: datetime.datetime) -> str:
    """ISO 8601 with the London offset, e.g. 2027-04-01T09:00:00+01:00."""
    return moment.astimezone(LONDON).isoformat()


def _stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _day_start(day: datetime.date) -> str:
    return iso(datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=LONDON))


def _day_end(day: datetime.date) -> str:
    return iso(datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=LONDON))


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def money(amount: Decimal) -> dict:
    return {"amount": Decimal(amount).quantize(Decimal("0.01")), "currency": CURRENCY}


def lot_id(lot: Lot) -> str:
    return f"lot-{lot.number}"


# --- organisations -------------------------------------------------------------------------


def organisation_party(organisation: Organisation, roles: list[str]) -> dict:
    """An organisation as an OCDS party: name, identifiers, size. No addresses or contacts."""
    charity = organisation.charity_number.replace(" ", "")
    company = organisation.company_number.replace(" ", "").upper()
    identifiers = []
    if charity:
        identifiers.append({"scheme": "GB-CHC", "id": charity, "legalName": organisation.legal_name})
    if company:
        identifiers.append({"scheme": "GB-COH", "id": company, "legalName": organisation.legal_name})
    if not identifiers:
        identifiers.append({"scheme": SCHEME, "id": f"org-{organisation.id}", "legalName": organisation.legal_name})
    primary = identifiers[0]
    party = {
        "id": f"{primary['scheme']}-{primary['id']}",
        "name": organisation.display_name,
        "identifier": primary,
    }
    if len(identifiers) > 1:
        party["additionalIdentifiers"] = identifiers[1:]
    party["roles"] = roles
    party["details"] = {
        "scale": _SCALE.get(organisation.size, "large"),
        "organisationType": organisation.organisation_type,
        "isVCSE": organisation.is_vcse,
    }
    return party


def organisation_reference(organisation: Organisation) -> dict:
    party = organisation_party(organisation, [])
    return {"id": party["id"], "name": party["name"]}


# --- the framework -------------------------------------------------------------------------


def framework_releases(*, opened_at: datetime.datetime, service_types: Iterable) -> list[dict]:
    """The framework's own process: one tender release, active from the day it opened."""
    ocid = framework_ocid()
    items = [
        {
            "id": f"service-{service_type.code}",
            "description": service_type.name,
            "classification": {"scheme": SCHEME, "id": service_type.code, "description": service_type.name},
        }
        for service_type in service_types
    ]
    tender = {
        "id": "framework",
        "title": FRAMEWORK_TITLE,
        "description": (
            "A dynamic framework for rehabilitation services for people on probation in England and Wales. "
            "Any organisation may apply to join at any time; organisations that qualify can bid in call-off "
            "competitions for the types of support and areas they qualified for."
        ),
        "status": "active",
        "procuringEntity": BUYER_REFERENCE,
        "procurementMethod": "selective",
        "procurementMethodDetails": "Dynamic purchasing system, open to new members at any time",
        "mainProcurementCategory": "services",
        "tenderPeriod": {"startDate": iso(opened_at)},
        "techniques": {
            "hasFrameworkAgreement": True,
            "frameworkAgreement": {"method": "withReopeningCompetition"},
            "hasDynamicPurchasingSystem": True,
            "dynamicPurchasingSystem": {"type": "open", "status": "active"},
        },
    }
    if items:
        tender["items"] = items
    return [
        {
            "ocid": ocid,
            "id": f"{ocid}-tender-{_stamp(opened_at)}",
            "date": iso(opened_at),
            "tag": ["tender"],
            "initiationType": "tender",
            "language": "en",
            "parties": [dict(BUYER)],
            "buyer": BUYER_REFERENCE,
            "tender": tender,
        }
    ]


# --- call-off competitions: state at a moment ---------------------------------------------


def _live_award(lot: Lot) -> Award | None:
    try:
        return lot.award
    except ObjectDoesNotExist:
        return None


def _award_published_at(award: Award) -> datetime.datetime | None:
    """When the result became public: on approval, or at once for a direct award."""
    if award.approved_at is not None:
        return award.approved_at
    if award.bid_id is None and award.direct_organisation_id is not None:
        return award.recommended_at
    return None


def _award_status(award: Award, at: datetime.datetime) -> str | None:
    published = _award_published_at(award)
    if published is None or published > at:
        return None
    if award.cancelled_at is not None and award.cancelled_at <= at:
        return "cancelled"
    challenged = award.challenged_at is not None and award.challenged_at <= at
    resolved = award.challenge_resolved_at is not None and award.challenge_resolved_at <= at
    if challenged and not resolved:
        return "pending"
    if award.standstill_ends_at is not None and at < award.standstill_ends_at:
        return "pending"
    return "active"


def _year_value(lot_year: LotYear, at: datetime.datetime) -> tuple[Decimal, int]:
    """The estimated value and people for a year as published at `at`: the latest revision
    recorded by then, else the value as it stands."""
    latest = None
    for revision in lot_year.revisions.all():
        if revision.recorded_at <= at:
            latest = revision
    if latest is None:
        return lot_year.value, lot_year.volume
    return latest.value, latest.volume


def _lot_totals(lot: Lot, at: datetime.datetime) -> tuple[Decimal, int]:
    value, volume = Decimal("0"), 0
    for lot_year in lot.years.all():
        year_value, year_volume = _year_value(lot_year, at)
        value += year_value
        volume += year_volume
    return value, volume


def _contract_period(competition: Competition) -> dict | None:
    if competition.contract_start is None:
        return None
    end = _add_years(competition.contract_start, competition.contract_years) - datetime.timedelta(days=1)
    period = {"startDate": _day_start(competition.contract_start), "endDate": _day_end(end)}
    if competition.extension_years:
        period["maxExtentDate"] = _day_end(_add_years(end, competition.extension_years))
    return period


def _bid_total(bid, lot: Lot | None = None) -> Decimal:
    total = Decimal("0")
    for bid_lot in bid.bid_lots.all():
        if lot is None or bid_lot.lot_id == lot.id:
            total += sum((price.amount for price in bid_lot.prices.all()), Decimal("0"))
    return total


def _bid_lot_ids(bid) -> set[int]:
    return {bid_lot.lot_id for bid_lot in bid.bid_lots.all()}


class _Process:
    """One competition and what is public about it at any moment up to `now`."""

    def __init__(self, competition: Competition, now: datetime.datetime):
        self.competition = competition
        self.now = now
        self.ocid = competition_ocid(competition)
        self.lots = list(competition.lots.all())
        self.closed = bidding_closed(competition, now=now)
        # Only sent, not withdrawn bids, and only once bidding has closed (the selector already
        # loads nothing else; this keeps the rule here too).
        self.bids = list(getattr(competition, "sent_bids", [])) if self.closed else []
        self.bids = [bid for bid in self.bids if bid.submitted_at is not None and bid.withdrawn_at is None]
        self.bids.sort(key=lambda bid: (bid.submitted_at, bid.id))
        self.bids_by_id = {bid.id: bid for bid in self.bids}
        self.co_commissioners = list(competition.co_commissioners.all())

    # Events -------------------------------------------------------------------------------

    def events(self) -> list[tuple[datetime.datetime, str]]:
        competition, now = self.competition, self.now
        events: list[tuple[datetime.datetime, str]] = []

        def add(moment, tag):
            if moment is not None and moment <= now:
                events.append((moment, tag))

        launched = competition.launched_at if competition.launched_at and competition.launched_at <= now else None
        add(competition.planned_at, "planning")
        add(launched, "tender")
        if launched is not None:
            for lot in self.lots:
                for lot_year in lot.years.all():
                    for revision in lot_year.revisions.all():
                        if revision.recorded_at > launched:
                            add(revision.recorded_at, "tenderAmendment")
                if lot.abandoned_at is not None and lot.abandoned_at > launched:
                    add(lot.abandoned_at, "tenderUpdate")
            if self.closed:
                add(competition.closes_at, "tenderUpdate")
        if self.closed or launched is not None:
            for lot in self.lots:
                award = _live_award(lot)
                if award is None:
                    continue
                published = _award_published_at(award)
                if published is None or (award.bid_id is not None and not self.closed):
                    continue
                add(published, "award")
                for moment in (award.standstill_ends_at, award.challenged_at, award.challenge_resolved_at):
                    if moment is not None and moment > published:
                        add(moment, "awardUpdate")
                if award.cancelled_at is not None:
                    add(max(award.cancelled_at, published), "awardCancellation")
                contract = self._contract(lot)
                if contract is not None and award.cancelled_at is None:
                    add(max(contract.created_at, published), "contract")
        if competition.abandoned_at is not None:
            add(competition.abandoned_at, "tenderCancellation" if launched is not None else "planningUpdate")
        # One release per moment, with every tag that happened then.
        by_moment: dict[datetime.datetime, list[str]] = {}
        for moment, tag in sorted(events, key=lambda event: event[0]):
            tags = by_moment.setdefault(moment, [])
            if tag not in tags:
                tags.append(tag)
        return sorted(by_moment.items())

    @staticmethod
    def _contract(lot: Lot):
        award = _live_award(lot)
        if award is None:
            return None
        try:
            return award.contract
        except ObjectDoesNotExist:
            return None

    # Snapshot -----------------------------------------------------------------------------

    def _launched(self, at) -> bool:
        launched_at = self.competition.launched_at
        return launched_at is not None and launched_at <= at

    def _abandoned(self, at) -> bool:
        abandoned_at = self.competition.abandoned_at
        return abandoned_at is not None and abandoned_at <= at

    def _closed(self, at) -> bool:
        return self.closed and self.competition.closes_at <= at

    def _lot_abandoned(self, lot, at) -> bool:
        return lot.abandoned_at is not None and lot.abandoned_at <= at

    def _award_status(self, lot, at) -> str | None:
        award = _live_award(lot)
        if award is None:
            return None
        if award.bid_id is not None and not self._closed(at):
            return None
        return _award_status(award, at)

    def _lot_status(self, lot, at) -> str:
        if self._abandoned(at) or self._lot_abandoned(lot, at):
            return "cancelled"
        if not self._launched(at):
            return "planned"
        return "complete" if self._award_status(lot, at) == "active" else "active"

    def _tender_status(self, at) -> str:
        if self._abandoned(at):
            return "cancelled" if self._launched(at) else "withdrawn"
        if not self._launched(at):
            return "planned"
        live = [lot for lot in self.lots if not self._lot_abandoned(lot, at)]
        if self.lots and not live:
            return "unsuccessful"
        if live and all(self._award_status(lot, at) == "active" for lot in live):
            return "complete"
        return "active"

    def _winner(self, award: Award) -> Organisation | None:
        if award.bid_id is not None:
            bid = self.bids_by_id.get(award.bid_id)
            return bid.organisation if bid is not None else award.bid.organisation
        return award.direct_organisation

    def release(self, at: datetime.datetime, tags: list[str]) -> dict:
        competition = self.competition
        closed = self._closed(at)
        lot_values = {lot.id: _lot_totals(lot, at) for lot in self.lots}
        contract_period = _contract_period(competition)

        lots, items = [], []
        for lot in self.lots:
            value, volume = lot_values[lot.id]
            areas = ", ".join(area.name for area in lot.areas.all())
            entry = {"id": lot_id(lot), "title": lot.name}
            if areas:
                entry["description"] = f"Delivered in: {areas}"
            entry["status"] = self._lot_status(lot, at)
            entry["value"] = money(value)
            if contract_period:
                entry["contractPeriod"] = contract_period
            lots.append(entry)
            item = {
                "id": f"{lot_id(lot)}-service",
                "description": f"{competition.service_type.name} in {lot.name}",
                "classification": {
                    "scheme": SCHEME,
                    "id": competition.service_type.code,
                    "description": competition.service_type.name,
                },
                "quantity": volume,
                "unit": {"name": "people referred"},
                "relatedLot": lot_id(lot),
            }
            items.append(item)

        tender: dict = {
            "id": competition.reference or str(competition.id),
            "title": competition.title,
        }
        if competition.summary:
            tender["description"] = competition.summary
        tender["status"] = self._tender_status(at)
        tender["procuringEntity"] = BUYER_REFERENCE
        if items:
            tender["items"] = items
        tender["value"] = money(sum((value for value, _ in lot_values.values()), Decimal("0")))
        tender["procurementMethod"] = "selective"
        tender["procurementMethodDetails"] = f"Call-off competition under the {FRAMEWORK_TITLE}"
        tender["mainProcurementCategory"] = "services"
        tender["awardCriteria"] = "ratedCriteria"
        quality = Decimal("100") - competition.price_weight - competition.social_value_weight
        tender["awardCriteriaDetails"] = (
            f"Quality {quality.normalize():f}%, price {competition.price_weight.normalize():f}%, "
            f"social value {competition.social_value_weight.normalize():f}%"
        )
        tender["submissionMethod"] = ["electronicSubmission"]
        tender["techniques"] = {"hasFrameworkAgreement": True, "hasDynamicPurchasingSystem": True}
        tender["competitive"] = True
        if competition.closes_at:
            period = {"endDate": iso(competition.closes_at)}
            if competition.launched_at and self._launched(at):
                period = {"startDate": iso(competition.launched_at), **period}
            tender["tenderPeriod"] = period
        if competition.clarification_deadline:
            period = {"endDate": iso(competition.clarification_deadline)}
            if competition.launched_at and self._launched(at):
                period = {"startDate": iso(competition.launched_at), **period}
            tender["enquiryPeriod"] = period
        if competition.closes_at and competition.intended_award_at:
            tender["awardPeriod"] = {
                "startDate": iso(competition.closes_at),
                "endDate": iso(competition.intended_award_at),
            }
        if contract_period:
            tender["contractPeriod"] = contract_period
        if lots:
            tender["lots"] = lots
        if competition.max_lots_per_provider:
            tender["lotDetails"] = {"maximumLotsAwardedPerSupplier": competition.max_lots_per_provider}

        amendments = self._amendments(at)
        if amendments:
            tender["amendments"] = amendments

        # Parties: the buyer, funding partners, and (after closing) the organisations that bid.
        parties: dict[str, dict] = {BUYER["id"]: dict(BUYER)}
        for co_commissioner in self.co_commissioners:
            shares = [
                {"relatedLot": lot_id(lot), "sharePercent": funding.share_percent}
                for lot in self.lots
                for funding in lot.funding.all()
                if funding.co_commissioner_id == co_commissioner.id
            ]
            party = {
                "id": f"{SCHEME}-funder-{co_commissioner.id}",
                "name": co_commissioner.name,
                "identifier": {
                    "scheme": SCHEME,
                    "id": f"funder-{co_commissioner.id}",
                    "legalName": co_commissioner.name,
                },
                "roles": ["funder"],
                "details": {"partyType": co_commissioner.party_type, "shares": shares},
            }
            parties[party["id"]] = party

        release: dict = {
            "ocid": self.ocid,
            "id": f"{self.ocid}-{tags[0]}-{_stamp(at)}",
            "date": iso(at),
            "tag": tags,
            "initiationType": "tender",
            "language": "en",
        }

        awards, contracts = [], []
        bids_block: dict = {}
        if closed:
            self._add_bids(at, tender, parties, bids_block)
            awards, contracts = self._awards_and_contracts(at, parties, contract_period)
            if awards and any(award.get("status") != "cancelled" for award in awards):
                bids_block["details"] = self._bid_details()
                for award in awards:
                    if award.get("x_bidId") in {detail["id"] for detail in bids_block["details"]}:
                        award["relatedBid"] = award["x_bidId"]
        else:
            # Direct awards (no bids to keep sealed) may be published before any closing date.
            awards, contracts = self._awards_and_contracts(at, parties, contract_period)
        for award in awards:
            award.pop("x_bidId", None)

        release["parties"] = list(parties.values())
        release["buyer"] = BUYER_REFERENCE
        release["tender"] = tender
        if bids_block:
            release["bids"] = bids_block
        if awards:
            release["awards"] = awards
        if contracts:
            release["contracts"] = contracts
        release["relatedProcesses"] = [
            {
                "id": "framework",
                "relationship": ["framework"],
                "title": FRAMEWORK_TITLE,
                "scheme": "ocid",
                "identifier": framework_ocid(),
            }
        ]
        return release

    def _amendments(self, at) -> list[dict]:
        """Each change to estimated values after launch, up to `at`, naming the lots changed."""
        launched_at = self.competition.launched_at
        if launched_at is None or launched_at > at:
            return []
        changed: dict[datetime.datetime, list[str]] = {}
        for lot in self.lots:
            for lot_year in lot.years.all():
                for revision in lot_year.revisions.all():
                    if launched_at < revision.recorded_at <= min(at, self.now):
                        names = changed.setdefault(revision.recorded_at, [])
                        if lot.name not in names:
                            names.append(lot.name)
        return [
            {
                "id": f"amendment-{_stamp(moment)}",
                "date": iso(moment),
                "rationale": "The estimated values or numbers of people changed.",
                "description": f"Changed for: {', '.join(names)}",
            }
            for moment, names in sorted(changed.items())
        ]

    def _add_bids(self, at, tender: dict, parties: dict, bids_block: dict) -> None:
        closes_at = self.competition.closes_at
        tender["numberOfTenderers"] = len(self.bids)
        tenderers = []
        for bid in self.bids:
            party = organisation_party(bid.organisation, ["tenderer"])
            parties.setdefault(party["id"], party)
            tenderers.append({"id": party["id"], "name": party["name"]})
        if tenderers:
            tender["tenderers"] = tenderers
        date = iso(closes_at)
        statistics = [
            {"id": "bids", "measure": "bids", "value": len(self.bids), "date": date},
            {"id": "bidders", "measure": "bidders", "value": len(self.bids), "date": date},
            {
                "id": "smeBids",
                "measure": "smeBids",
                "value": sum(1 for bid in self.bids if bid.organisation.size in _SME_SIZES),
                "date": date,
            },
        ]
        for lot in self.lots:
            lot_bids = [bid for bid in self.bids if lot.id in _bid_lot_ids(bid)]
            statistics.append(
                {
                    "id": f"bids-{lot_id(lot)}",
                    "measure": "bids",
                    "value": len(lot_bids),
                    "date": date,
                    "relatedLot": lot_id(lot),
                }
            )
            statistics.append(
                {
                    "id": f"smeBids-{lot_id(lot)}",
                    "measure": "smeBids",
                    "value": sum(1 for bid in lot_bids if bid.organisation.size in _SME_SIZES),
                    "date": date,
                    "relatedLot": lot_id(lot),
                }
            )
        bids_block["statistics"] = statistics

    def _bid_details(self) -> list[dict]:
        lot_ids = {lot.id: lot_id(lot) for lot in self.lots}
        details = []
        for bid in self.bids:
            details.append(
                {
                    "id": f"bid-{bid.id}",
                    "date": iso(bid.submitted_at),
                    "status": "disqualified" if getattr(bid, "failed_pass_fail", False) else "valid",
                    "tenderers": [organisation_reference(bid.organisation)],
                    "relatedLots": sorted(
                        (lot_ids[i] for i in _bid_lot_ids(bid) if i in lot_ids),
                        key=lambda text: int(text.split("-")[1]),
                    ),
                    "value": money(_bid_total(bid)),
                }
            )
        return details

    def _awards_and_contracts(self, at, parties: dict, contract_period) -> tuple[list[dict], list[dict]]:
        awards, contracts = [], []
        for lot in self.lots:
            award = _live_award(lot)
            status = self._award_status(lot, at)
            if award is None or status is None:
                continue
            winner = self._winner(award)
            entry: dict = {"id": f"award-{award.id}", "title": f"{self.competition.title}: {lot.name}"}
            entry["status"] = status
            entry["date"] = iso(_award_published_at(award))
            bid = self.bids_by_id.get(award.bid_id) if award.bid_id else None
            contract = self._contract(lot)
            if bid is not None:
                entry["value"] = money(_bid_total(bid, lot))
                entry["x_bidId"] = f"bid-{bid.id}"
            elif contract is not None:
                entry["value"] = money(sum((year.value for year in contract.years.all()), Decimal("0")))
            if winner is not None:
                if status != "cancelled":
                    party = organisation_party(winner, ["supplier"])
                    existing = parties.get(party["id"])
                    if existing is None:
                        parties[party["id"]] = party
                    elif "supplier" not in existing["roles"]:
                        existing["roles"] = [*existing["roles"], "supplier"]
                entry["suppliers"] = [organisation_reference(winner)]
            entry["relatedLots"] = [lot_id(lot)]
            if contract_period:
                entry["contractPeriod"] = contract_period
            awards.append(entry)
            if contract is not None and status != "cancelled" and contract.created_at <= at:
                period = {"startDate": _day_start(contract.starts_on), "endDate": _day_end(contract.ends_on)}
                if contract.extension_years:
                    period["maxExtentDate"] = _day_end(_add_years(contract.ends_on, contract.extension_years))
                contracts.append(
                    {
                        "id": f"contract-{contract.id}",
                        "awardID": entry["id"],
                        "title": contract.title,
                        "status": "active",
                        "period": period,
                        "value": money(sum((year.value for year in contract.years.all()), Decimal("0"))),
                        "dateSigned": iso(contract.created_at),
                    }
                )
        return awards, contracts


def competition_releases(competition: Competition, *, now: datetime.datetime) -> list[dict]:
    """Every public release of one competition, oldest first (none for a draft)."""
    process = _Process(competition, now)
    return [process.release(moment, tags) for moment, tags in process.events()]


# --- records and packages -------------------------------------------------------------------

_OMIT_WHEN_MERGED = {"id", "date", "tag"}


def _merge(target: dict, source: dict) -> None:
    """OCDS merge: objects merge field by field; arrays of objects with ids merge by id;
    any other value (arrays included) is replaced by the newer one."""
    for key, value in source.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            current = target.get(key)
            if not isinstance(current, dict):
                current = target[key] = {}
            _merge(current, value)
        elif isinstance(value, list) and value and all(isinstance(v, dict) and "id" in v for v in value):
            current = target.get(key)
            existing = {item["id"]: item for item in current} if isinstance(current, list) else {}
            merged = list(existing.values())
            for item in value:
                if item["id"] in existing:
                    _merge(existing[item["id"]], item)
                else:
                    copy: dict = {}
                    _merge(copy, item)
                    existing[item["id"]] = copy
                    merged.append(copy)
            target[key] = merged
        else:
            target[key] = list(value) if isinstance(value, list) else value


def compile_releases(releases: list[dict]) -> dict:
    """The compiled release: the latest state of every field, merged in date order."""
    ordered = sorted(releases, key=lambda release: datetime.datetime.fromisoformat(release["date"]))
    compiled: dict = {}
    for release in ordered:
        _merge(compiled, {key: value for key, value in release.items() if key not in _OMIT_WHEN_MERGED})
    latest = ordered[-1]
    result = {
        "ocid": latest["ocid"],
        "id": f"{latest['ocid']}-compiled-{latest['id'].rsplit('-', 1)[-1]}",
        "date": latest["date"],
        "tag": ["compiled"],
    }
    result.update(compiled)
    return result


def package_metadata(*, uri: str, published: datetime.datetime) -> dict:
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": list(EXTENSIONS),
        "publishedDate": iso(published),
        "publisher": dict(PUBLISHER),
        "license": LICENSE,
    }


def release_package(*, uri: str, published: datetime.datetime, releases: list[dict], next_url: str | None) -> dict:
    package = package_metadata(uri=uri, published=published)
    package["releases"] = releases
    if next_url:
        package["links"] = {"next": next_url}
    return package


def record_package(*, uri: str, published: datetime.datetime, releases: list[dict]) -> dict:
    package = package_metadata(uri=uri, published=published)
    package["records"] = [
        {"ocid": releases[-1]["ocid"], "releases": releases, "compiledRelease": compile_releases(releases)}
    ]
    return package
