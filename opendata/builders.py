"""OCDS 1.1.5 releases, records and packages, built from competitions already loaded with
their related rows (see `opendata.selectors.ocds_competitions`). No queries here.

One contracting process for the framework itself, one for each call-off competition. Every
release is a full snapshot of what was public at its date: planning, tender, tender amendments
(estimated values revised after launch), the close of bidding (bid statistics, tenderers),
awards, contracts and cancellations; after award, each change the provider accepted (a contract
amendment, ADR 9), a termination recorded, the contract's end, and its payments (implementation
transactions: each payment in the release of the moment it was recorded, the compiled release
holding them all, so a release does not repeat every earlier payment). Sealed content — bids, bidders, counts — only appears in
releases dated at or after the closing date, and only once bidding has closed by the database
clock. Organisations only: never a person's name, e-mail address or phone number.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings

from accounts.models import Organisation, Size
from competitions.models import Award, Competition, Lot, LotYear
from contracts import rules as contract_rules
from contracts.models import VersionKind
from core.bounds import MAX_ID, bounded_int
from core.clock import LONDON
from opendata import history

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


# --- call-off competitions: one builder per OCDS block ------------------------------------


def _year_value(lot_year: LotYear, revisions: list, at: datetime.datetime) -> tuple[Decimal, int]:
    """The estimated value and people for a year as published at `at`: the latest revision
    recorded by then, else the value as it stands."""
    latest = None
    for revision in revisions:
        if revision.recorded_at <= at:
            latest = revision
    if latest is None:
        return lot_year.value, lot_year.volume
    return latest.value, latest.volume


def _lot_totals(years: list, at: datetime.datetime) -> tuple[Decimal, int]:
    value, volume = Decimal("0"), 0
    for lot_year, revisions in years:
        year_value, year_volume = _year_value(lot_year, revisions, at)
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


def _bid_total(process: history.Process, bid, lot: Lot | None = None) -> Decimal:
    """A sent bid's price: for every lot it covers, or for `lot` only."""
    prices = process.bid_prices[bid.id]
    if lot is None:
        return sum(prices.values(), Decimal("0"))
    return prices.get(lot.id, Decimal("0"))


def _service_classification(competition: Competition) -> dict:
    service_type = competition.service_type
    return {"scheme": SCHEME, "id": service_type.code, "description": service_type.name}


class _Release:
    """One release of a competition: its date, tags and what was public then (`history.State`)."""

    def __init__(self, process: history.Process, at: datetime.datetime, tags: list[str], known_parties: dict):
        self.state = process.at(at)
        # Organisations as parties, built once for all the releases of the process (by id).
        self.known_parties = known_parties
        self.process = process
        self.competition = process.competition
        self.at = at
        self.tags = tags
        self.lot_values = {lot.id: _lot_totals(process.years[lot.id], at) for lot in process.lots}
        self.contract_period = _contract_period(self.competition)
        # Parties by id, in the order they first appear: buyer, funders, tenderers, suppliers.
        self.parties: dict[str, dict] = {BUYER["id"]: dict(BUYER)}

    def build(self) -> dict:
        ocid = competition_ocid(self.competition)
        release: dict = {
            "ocid": ocid,
            "id": f"{ocid}-{self.tags[0]}-{_stamp(self.at)}",
            "date": iso(self.at),
            "tag": self.tags,
            "initiationType": "tender",
            "language": "en",
        }
        for party in self._funders():
            self.parties[party["id"]] = party
        tender = self._tender()
        bids: dict = {}
        if self.state.closed:
            self._add_tenderers(tender)
            bids["statistics"] = self._bid_statistics()
        awards = self._awards()
        contracts = self._contracts(awards)
        if self.state.closed and any(entry["status"] != "cancelled" for entry, _bid in awards):
            bids["details"] = self._bid_details()
            detail_ids = {detail["id"] for detail in bids["details"]}
            for entry, bid in awards:
                if bid is not None and f"bid-{bid.id}" in detail_ids:
                    entry["relatedBid"] = f"bid-{bid.id}"
        release["parties"] = list(self.parties.values())
        release["buyer"] = BUYER_REFERENCE
        release["tender"] = tender
        if bids:
            release["bids"] = bids
        if awards:
            release["awards"] = [entry for entry, _bid in awards]
        if contracts:
            release["contracts"] = contracts
        release["relatedProcesses"] = [_framework_relation()]
        return release

    # parties ------------------------------------------------------------------------------

    def _funders(self) -> list[dict]:
        """Funding partners, with the share of each lot they pay."""
        return [_funder_party(co_commissioner, self.process.lots) for co_commissioner in self.process.co_commissioners]

    def _organisation(self, organisation: Organisation) -> dict:
        party = self.known_parties.get(organisation.id)
        if party is None:
            party = self.known_parties[organisation.id] = organisation_party(organisation, [])
        return party

    def _reference(self, organisation: Organisation) -> dict:
        party = self._organisation(organisation)
        return {"id": party["id"], "name": party["name"]}

    def _add_party(self, organisation: Organisation, role: str) -> dict:
        party = dict(self._organisation(organisation))
        party["roles"] = [role]
        existing = self.parties.get(party["id"])
        if existing is None:
            self.parties[party["id"]] = party
        elif role not in existing["roles"]:
            existing["roles"] = [*existing["roles"], role]
        return party

    # tender -------------------------------------------------------------------------------

    def _tender(self) -> dict:
        competition = self.competition
        tender: dict = {"id": competition.reference or str(competition.id), "title": competition.title}
        if competition.summary:
            tender["description"] = competition.summary
        tender["status"] = self.state.tender_status()
        tender["procuringEntity"] = BUYER_REFERENCE
        items = self._items()
        if items:
            tender["items"] = items
        tender["value"] = money(sum((value for value, _ in self.lot_values.values()), Decimal("0")))
        tender.update(_call_off_method(competition))
        tender.update(self._periods())
        lots = self._lots()
        if lots:
            tender["lots"] = lots
        if competition.max_lots_per_provider:
            tender["lotDetails"] = {"maximumLotsAwardedPerSupplier": competition.max_lots_per_provider}
        amendments = self._amendments()
        if amendments:
            tender["amendments"] = amendments
        return tender

    def _items(self) -> list[dict]:
        """One item per lot: the service and the number of people it is for."""
        competition = self.competition
        return [
            {
                "id": f"{lot_id(lot)}-service",
                "description": f"{competition.service_type.name} in {lot.name}",
                "classification": _service_classification(competition),
                "quantity": self.lot_values[lot.id][1],
                "unit": {"name": "people referred"},
                "relatedLot": lot_id(lot),
            }
            for lot in self.process.lots
        ]

    def _lots(self) -> list[dict]:
        lots = []
        for lot in self.process.lots:
            entry = {"id": lot_id(lot), "title": lot.name}
            areas = self.process.lot_areas[lot.id]
            if areas:
                entry["description"] = f"Delivered in: {areas}"
            entry["status"] = self.state.lot_status(lot)
            entry["value"] = money(self.lot_values[lot.id][0])
            if self.contract_period:
                entry["contractPeriod"] = self.contract_period
            lots.append(entry)
        return lots

    def _periods(self) -> dict:
        """Bidding, questions, evaluation and contract periods; start dates once launched."""
        competition = self.competition
        start = {"startDate": iso(competition.launched_at)} if self.state.launched else {}
        periods: dict = {}
        if competition.closes_at:
            periods["tenderPeriod"] = {**start, "endDate": iso(competition.closes_at)}
        if competition.clarification_deadline:
            periods["enquiryPeriod"] = {**start, "endDate": iso(competition.clarification_deadline)}
        if competition.closes_at and competition.intended_award_at:
            periods["awardPeriod"] = {
                "startDate": iso(competition.closes_at),
                "endDate": iso(competition.intended_award_at),
            }
        if self.contract_period:
            periods["contractPeriod"] = self.contract_period
        return periods

    def _amendments(self) -> list[dict]:
        """Each change to estimated values after launch, up to `at`, naming the lots changed."""
        launched_at = self.competition.launched_at
        if launched_at is None:
            return []
        changed: dict[datetime.datetime, list[str]] = {}
        for lot in self.process.lots:
            for _lot_year, revisions in self.process.years[lot.id]:
                for revision in revisions:
                    if launched_at < revision.recorded_at <= self.at:
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

    # bids (only once bidding has closed) --------------------------------------------------

    def _add_tenderers(self, tender: dict) -> None:
        tender["numberOfTenderers"] = len(self.process.bids)
        tenderers = []
        for bid in self.process.bids:
            party = self._add_party(bid.organisation, "tenderer")
            tenderers.append({"id": party["id"], "name": party["name"]})
        if tenderers:
            tender["tenderers"] = tenderers

    def _bid_statistics(self) -> list[dict]:
        date = iso(self.competition.closes_at)
        bids = self.process.bids
        statistics = [
            {"id": "bids", "measure": "bids", "value": len(bids), "date": date},
            {"id": "bidders", "measure": "bidders", "value": len(bids), "date": date},
            {"id": "smeBids", "measure": "smeBids", "value": _sme_bids(bids), "date": date},
        ]
        for lot in self.process.lots:
            lot_bids = [bid for bid in bids if lot.id in self.process.bid_lots[bid.id]]
            related = {"date": date, "relatedLot": lot_id(lot)}
            statistics.append({"id": f"bids-{lot_id(lot)}", "measure": "bids", "value": len(lot_bids), **related})
            statistics.append(
                {"id": f"smeBids-{lot_id(lot)}", "measure": "smeBids", "value": _sme_bids(lot_bids), **related}
            )
        return statistics

    def _bid_details(self) -> list[dict]:
        lot_ids = {lot.id: lot_id(lot) for lot in self.process.lots}
        return [
            {
                "id": f"bid-{bid.id}",
                "date": iso(bid.submitted_at),
                "status": "disqualified" if getattr(bid, "failed_pass_fail", False) else "valid",
                "tenderers": [self._reference(bid.organisation)],
                "relatedLots": sorted(
                    (lot_ids[i] for i in self.process.bid_lots[bid.id] if i in lot_ids),
                    key=lambda text: int(text.split("-")[1]),
                ),
                "value": money(_bid_total(self.process, bid)),
            }
            for bid in self.process.bids
        ]

    # awards and contracts -----------------------------------------------------------------

    def _awards(self) -> list[tuple[dict, object]]:
        """(award entry, winning bid or None) for each lot with a public result at `at`."""
        awards = []
        for lot in self.process.lots:
            award = self.process.awards[lot.id]
            status = self.state.award_status(lot)
            if award is None or status is None:
                continue
            awards.append(self._award(lot, award, status))
        return awards

    def _award(self, lot: Lot, award: Award, status: str) -> tuple[dict, object]:
        entry: dict = {"id": f"award-{award.id}", "title": f"{self.competition.title}: {lot.name}"}
        entry["status"] = status
        entry["date"] = iso(self.process.published[lot.id])
        bid = self.process.bids_by_id.get(award.bid_id) if award.bid_id else None
        contract = self.process.contracts[lot.id]
        if bid is not None:
            entry["value"] = money(_bid_total(self.process, bid, lot))
        elif contract is not None:
            entry["value"] = money(_contract_total(contract))
        winner = self._winner(award, bid)
        if winner is not None:
            if status != "cancelled":
                self._add_party(winner, "supplier")
            entry["suppliers"] = [self._reference(winner)]
        entry["relatedLots"] = [lot_id(lot)]
        if self.contract_period:
            entry["contractPeriod"] = self.contract_period
        return entry, bid

    @staticmethod
    def _winner(award: Award, bid) -> Organisation | None:
        if award.bid_id is not None:
            return bid.organisation if bid is not None else award.bid.organisation
        return award.direct_organisation

    def _contracts(self, awards: list[tuple[dict, object]]) -> list[dict]:
        """The contract of each award that stood at `at`, once signed, with its terms then."""
        by_award = {entry["id"]: entry for entry, _bid in awards}
        contracts = []
        for lot in self.process.lots:
            award = self.process.awards[lot.id]
            contract = self.process.contracts[lot.id]
            entry = by_award.get(f"award-{award.id}") if award is not None else None
            if entry is None or contract is None or entry["status"] == "cancelled" or contract.created_at > self.at:
                continue
            supplier = self._winner(award, self.process.bids_by_id.get(award.bid_id) if award.bid_id else None)
            contracts.append(self._contract(contract, award_id=entry["id"], supplier=supplier))
        return contracts

    def _contract(self, contract, *, award_id: str, supplier: Organisation | None) -> dict:
        """A contract as it stood at `at`: the terms in force then (ADR 9), its status from the
        contract rules asked at `at`, each change accepted by then as an amendment, and the
        payments recorded at `at` as transactions (each payment appears in the release of the
        moment it was recorded; the compiled release holds them all)."""
        terms = history.terms_at(contract, self.at)
        known_termination = terms.contract.terminates_on
        last_day = min(terms.ends_on, known_termination) if known_termination else terms.ends_on
        period = {"startDate": _day_start(contract.starts_on), "endDate": _day_end(last_day)}
        if known_termination is not None:  # ending early: no option to extend will be used
            period["maxExtentDate"] = period["endDate"]
        elif contract.extension_years:
            period["maxExtentDate"] = _day_end(_add_years(contract.ends_on, contract.extension_years))
        entry: dict = {
            "id": f"contract-{contract.id}",
            "awardID": award_id,
            "title": contract.title,
            "status": _contract_status(terms, self.at),
            "period": period,
            "value": money(terms.ocds_value),
            "dateSigned": iso(contract.created_at),
        }
        amendments = _contract_amendments(contract, self.at)
        if amendments:
            entry["amendments"] = amendments
        paid = history.paid_claims(contract)
        if supplier is not None and any(history.happened(history.payment_moment(c), self.at) for c in paid):
            # The buyer pays and the provider is paid: roles held from the first payment on.
            self.parties[BUYER["id"]]["roles"] = [*BUYER["roles"], "payer"]
            self._add_party(supplier, "payee")
            if any(claim.amount < 0 for claim in paid):  # a correction paid back
                self._add_party(supplier, "payer")
            transactions = [
                _transaction(claim, supplier=self._reference(supplier))
                for claim in paid
                if history.payment_moment(claim) == self.at
            ]
            if transactions:
                entry["implementation"] = {"transactions": transactions}
        return entry


def _sme_bids(bids) -> int:
    return sum(1 for bid in bids if bid.organisation.size in _SME_SIZES)


def _contract_total(contract) -> Decimal:
    return sum((year.value for year in contract.ocds_years), Decimal("0"))


def _contract_status(terms, at: datetime.datetime) -> str:
    """OCDS contract status at `at`, from the contract rules (`contracts.rules`) asked of the terms
    in force then: active until its last day is over (signed contracts not yet started included),
    then terminated, whether it ended early or ran its course."""
    if contract_rules.CONTRACT_LIVE.holds(terms, now=at) or contract_rules.CONTRACT_NOT_STARTED.holds(terms, now=at):
        return "active"
    return "terminated"


def _contract_amendments(contract, at: datetime.datetime) -> list[dict]:
    """Each change the provider had accepted by `at`: when, on what permitted ground and why, and
    what it changed from the terms before it."""
    versions = [version for version in history.contract_versions(contract) if history.happened(version.accepted_at, at)]
    amendments = []
    for before, after in zip(versions, versions[1:], strict=False):
        rationale = after.get_ground_display()
        if after.explanation.strip():
            rationale = f"{rationale}. {after.explanation.strip()}"
        amendments.append(
            {
                "id": f"contract-{contract.id}-version-{after.number}",
                "date": iso(after.accepted_at),
                "rationale": rationale,
                "description": _changes(before, after),
            }
        )
    return amendments


def _changes(before, after) -> str:
    """What one version changed from the one before, in words."""
    changes = []
    if after.kind == VersionKind.EXTENSION:
        years = after.extension_years
        changes.append(f"An option to extend used: {years} year{'s' if years != 1 else ''} added")
    if after.ends_on != before.ends_on:
        changes.append(f"End date changed from {before.ends_on.isoformat()} to {after.ends_on.isoformat()}")
    if after.ocds_value != before.ocds_value:
        changes.append(f"Total value changed from GBP {before.ocds_value:.2f} to GBP {after.ocds_value:.2f}")
    if after.ocds_volume != before.ocds_volume:
        changes.append(f"People to be served changed from {before.ocds_volume} to {after.ocds_volume}")
    payment = ("payment_frequency", "payment_days", "payment_working_days", "payment_model")
    if any(getattr(before, name) != getattr(after, name) for name in payment):
        changes.append("Payment terms changed")
    if not changes:
        changes.append("Areas, partners' shares or the values of single years changed")
    return "; ".join(changes) + "."


def _transaction(claim, *, supplier: dict) -> dict:
    """A payment: the buyer pays the provider; a negative correction is money paid back."""
    payer, payee = BUYER_REFERENCE, supplier
    if claim.amount < 0:
        payer, payee = supplier, BUYER_REFERENCE
    return {
        "id": f"payment-{claim.id}",
        "date": _day_start(claim.paid_on),
        "value": money(abs(claim.amount)),
        "payer": dict(payer),
        "payee": dict(payee),
    }


def _funder_party(co_commissioner, lots: list[Lot]) -> dict:
    shares = [
        {"relatedLot": lot_id(lot), "sharePercent": funding.share_percent}
        for lot in lots
        for funding in lot.ocds_funding
        if funding.co_commissioner_id == co_commissioner.id
    ]
    return {
        "id": f"{SCHEME}-funder-{co_commissioner.id}",
        "name": co_commissioner.name,
        "identifier": {"scheme": SCHEME, "id": f"funder-{co_commissioner.id}", "legalName": co_commissioner.name},
        "roles": ["funder"],
        "details": {"partyType": co_commissioner.party_type, "shares": shares},
    }


def _call_off_method(competition: Competition) -> dict:
    """How the call-off is run and judged."""
    quality = Decimal("100") - competition.price_weight - competition.social_value_weight
    return {
        "procurementMethod": "selective",
        "procurementMethodDetails": f"Call-off competition under the {FRAMEWORK_TITLE}",
        "mainProcurementCategory": "services",
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": (
            f"Quality {quality.normalize():f}%, price {competition.price_weight.normalize():f}%, "
            f"social value {competition.social_value_weight.normalize():f}%"
        ),
        "submissionMethod": ["electronicSubmission"],
        "techniques": {"hasFrameworkAgreement": True, "hasDynamicPurchasingSystem": True},
        "competitive": True,
    }


def _framework_relation() -> dict:
    return {
        "id": "framework",
        "relationship": ["framework"],
        "title": FRAMEWORK_TITLE,
        "scheme": "ocid",
        "identifier": framework_ocid(),
    }


_PAYMENT_TAGS = {"implementation", "implementationUpdate"}


def competition_releases(competition: Competition, *, now: datetime.datetime) -> list[dict]:
    """Every public release of one competition, oldest first (none for a draft). A release for
    payments alone is not a full snapshot (a contract is paid every month for years): it holds the
    payments recorded at its moment and the parties they name (`_payments_release`)."""
    process = history.Process(competition, now)
    known_parties: dict[int, dict] = {}
    releases = []
    parties: dict[str, dict] | None = None  # as the latest release left them
    for moment, tags in process.moments():
        if parties is not None and set(tags) <= _PAYMENT_TAGS:
            releases.append(_payments_release(process, moment, tags, parties))
        else:
            release = _Release(process, moment, tags, known_parties).build()
            parties = {party["id"]: party for party in release["parties"]}
            releases.append(release)
    return releases


def _with_role(parties: dict[str, dict], party_id: str, role: str) -> dict:
    party = parties[party_id]
    if role not in party["roles"]:
        party = parties[party_id] = {**party, "roles": [*party["roles"], role]}
    return party


def _payments_release(process: history.Process, at: datetime.datetime, tags: list[str], parties: dict) -> dict:
    """A release of the payments recorded at `at` alone: for each contract paid then, its id, its
    award and the transactions; the buyer and each provider paid, with their roles (payer, payee)
    in full. Merged with the releases before it (OCDS merges contracts, transactions and parties by
    id), it gives the same compiled release as a full snapshot would."""
    ocid = competition_ocid(process.competition)
    contracts, named = [], {BUYER["id"]}
    for lot in process.lots:
        award, contract = process.awards[lot.id], process.contracts[lot.id]
        if award is None or contract is None:
            continue
        paid = [claim for claim in history.paid_claims(contract) if history.payment_moment(claim) == at]
        if not paid:
            continue
        bid = process.bids_by_id.get(award.bid_id) if award.bid_id else None
        winner = _Release._winner(award, bid)
        supplier = organisation_reference(winner)
        parties.setdefault(supplier["id"], organisation_party(winner, ["supplier"]))
        _with_role(parties, BUYER["id"], "payer")
        _with_role(parties, supplier["id"], "payee")
        if any(claim.amount < 0 for claim in history.paid_claims(contract) if history.payment_moment(claim) <= at):
            _with_role(parties, supplier["id"], "payer")
        named.add(supplier["id"])
        contracts.append(
            {
                "id": f"contract-{contract.id}",
                "awardID": f"award-{award.id}",
                "implementation": {"transactions": [_transaction(claim, supplier=supplier) for claim in paid]},
            }
        )
    return {
        "ocid": ocid,
        "id": f"{ocid}-{tags[0]}-{_stamp(at)}",
        "date": iso(at),
        "tag": tags,
        "initiationType": "tender",
        "language": "en",
        "parties": [party for party_id, party in parties.items() if party_id in named],
        "contracts": contracts,
    }


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
