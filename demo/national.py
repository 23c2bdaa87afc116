"""A synthetic national world for benchmarks and for seeing the service at scale.

`generate_national_data(scale=1, seed=...)` makes, at scale 1: about 2,400 organisations that
registered interest, each with every step of joining it reached recorded as the services record it
(the questionnaire started, answered section by section, sent, the assessor's decision), so the
public funnel narrows: some never send the questionnaire, a few are refused, and about 2,000
qualify over the whole geography. Then call-off competitions for every service type across the
regions (regional, PCC-area and, above scale 1, local-authority lots), from contracts in delivery
at least ten years ago (each with a claim for every month it delivered) to this financial year and
two years of plans ahead, with estimated values that ramp up and their revision history, funding
partners and their shares, invitations to every eligible organisation, bids for one or many lots
with prices per year and partners, independent and agreed (moderated) scores, approved awards whose
waiting period has ended, outcome letters, and contracts with partners (subcontracts) and yearly
values. Some competitions and lots are cancelled, and some service types are never bought in some
regions, so coverage has real gaps. The most recent competitions are still planned, open or being scored.

Reproducible: the same seed, scale and `today` give the same world (dates are laid out around
`today`, so that some competitions are open now). Names, references and values never depend on
database ids.

It asks the service's own rules rather than copies of them: who is invited comes from the
eligibility selector (`qualification.selectors.eligibility`, once per service type and area), who
wins from the scoring and ranking (`competitions.selectors.scoring`, on the rows still in memory),
and whether bidding has closed or a bid was sent from `competitions.rules`.

Written with bulk inserts, not through the services, because it makes hundreds of thousands of
rows; it therefore writes NO audit events (the services would write one per change, which would
make the audit trail the bulk of the data and its hash chain slow to build) and must never run
against a real database: the command refuses unless DEBUG is on or --force is given. Memory is
bounded: competitions are generated and inserted one batch at a time; only organisations and who
is eligible where stay in memory.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import reset_queries, transaction
from django.utils import timezone

from accounts.models import (
    Membership,
    Organisation,
    OrganisationType,
    Role,
    Size,
    StaffBand,
    StaffRole,
    TurnoverBand,
    User,
    size_from_bands,
)
from competitions.models import (
    Award,
    Bid,
    BidAnswer,
    BidLot,
    BidPartner,
    BidPrice,
    BidReceipt,
    CoCommissioner,
    Competition,
    CompetitionInvitation,
    CompetitionMember,
    ConflictDeclaration,
    Lot,
    LotFunding,
    LotYear,
    LotYearRevision,
    ModeratedScore,
    OutcomeLetter,
    PassFailResult,
    Question,
    QuestionKind,
    Score,
)
from competitions.selectors.answers import answer_lot, answered_per_lot
from competitions.selectors.bids import bid_contents, content_digest
from competitions.selectors.scoring import LotResults, rank_lots, scale_max, score_bid_lot
from contracts.models import (
    Contract,
    ContractFunding,
    ContractVersion,
    ContractVersionPartner,
    ContractVersionYear,
    ContractYear,
    PaymentClaim,
    Subcontract,
    VersionKind,
)
from core.clock import LONDON, add_working_days, financial_year_of
from demo.national_contracts import CLAIM_SENT_WITHIN_DAYS, after_award
from demo.national_referrals import generate_referrals
from demo.national_supply_chain import generate_supply_chain
from qualification.models import (
    Application,
    ApplicationDocument,
    ApplicationKind,
    ApplicationSection,
    DeclarationConfirmation,
    Interest,
    Qualification,
    RequestedCoverage,
    SectionKey,
)
from qualification.sections import SECTIONS, is_complete
from qualification.selectors.coverage import minimal_areas
from qualification.selectors.eligibility import eligible_organisations
from qualification.services.decisions import Grant, _decision_letter
from qualification.uploads import check_upload
from reference.models import Area, ServiceCategory, ServiceType

ORGANISATIONS_AT_SCALE_1 = 2400  # registered; about 2,000 of them qualify
# How far the world reaches: contracts in delivery, and a claim for each month of them, from at
# least CLAIM_YEARS whole years before today; then this financial year and YEARS_AHEAD of plans.
CLAIM_YEARS = 10
YEARS_AHEAD = 2
GENERATED_DOMAIN = "generated.example"
REFERENCE_PREFIX = "NAT"
NAME_WORDS = [
    "Bridge",
    "Harbour",
    "Compass",
    "Beacon",
    "Pathway",
    "Horizon",
    "Anchor",
    "Open Door",
    "New Leaf",
    "Second Chance",
    "Foundation",
    "Step Forward",
    "Lighthouse",
    "Turning Point",
    "Fresh Start",
    "Roots",
]
NAME_KINDS = ["Trust", "Project", "Partnership", "Network", "Services", "Support", "Community", "Futures"]

TYPE_WEIGHTS = [
    (OrganisationType.REGISTERED_CHARITY, 40),
    (OrganisationType.CIO, 15),
    (OrganisationType.CIC, 15),
    (OrganisationType.COMPANY_BY_GUARANTEE, 10),
    (OrganisationType.COMPANY_BY_SHARES, 15),
    (OrganisationType.PUBLIC_BODY, 5),
]
BAND_WEIGHTS = [
    ((StaffBand.UNDER_10, TurnoverBand.UP_TO_2M), 45),
    ((StaffBand.FROM_10_TO_49, TurnoverBand.UP_TO_2M), 25),
    ((StaffBand.FROM_10_TO_49, TurnoverBand.UP_TO_10M), 10),
    ((StaffBand.FROM_50_TO_249, TurnoverBand.UP_TO_50M), 12),
    ((StaffBand.OVER_250, TurnoverBand.OVER_50M), 8),
]
# Typical yearly value of a lot covering one PCC area, before ramp-up, by service type.
PCC_LOT_VALUE = {
    "accommodation": 900_000,
    "ete": 700_000,
    "finance-benefit-debt": 250_000,
    "dependency-recovery": 400_000,
    "personal-wellbeing": 800_000,
    "womens-services": 450_000,
    "young-adults-wales": 300_000,
}
# First year of a contract: mobilisation; second: building up; then the full value.
RAMP_UP = [Decimal("0.6"), Decimal("0.9")]
COST_PER_PERSON = Decimal("1500")
# What issue 13's volume flags (`volumes.flags`) look for, made to happen to a minority of lots, each
# lot's own draw (`_lot_plan`) so the rest of the world is the same:
# - A service bought again is planned from the last contract's lot (in real terms, a little more or
#   less), and in full from its first year: the provider and the people referred are already there.
#   RAMP_UP_AGAIN of them are planned as if new, with the first years' ramp-up, so their first years
#   pay for fewer people than the last contract was sent ("volume below known demand").
RAMP_UP_AGAIN = 0.25
REBOUGHT_DRIFT = (0.97, 1.06)
# - THIN_FUNDING of lots are bought on a squeezed budget: the same people for THIN_BUDGET of the
#   usual money ("thin funding": below the service type's median value per person by more than 20%).
THIN_FUNDING = 0.1
THIN_BUDGET = (0.5, 0.7)
# Nobody signs in as a generated person: an unusable password hash (Django treats "!" as unusable).
UNUSABLE_PASSWORD = "!"  # noqa: S105

# How far each organisation gets in joining, by weight: registered interest only (which opens the
# questionnaire), answered some of the questionnaire but never sent it, sent it and was refused,
# or qualified. Nobody is left waiting for the assessor: the demo's queue holds only its story.
JOURNEYS = [("interest", 5), ("unsent", 8), ("refused", 4), ("qualified", 83)]
REFUSED_REASON = "Your answers did not show how you keep the people you work with safe."
# Money coming in last year, by turnover band (each organisation's own figure is near it).
TURNOVER = {
    TurnoverBand.UP_TO_2M: 85_000,
    TurnoverBand.UP_TO_10M: 3_400_000,
    TurnoverBand.UP_TO_50M: 18_000_000,
    TurnoverBand.OVER_50M: 120_000_000,
}
# The questionnaire's other answers, as its forms save them.
SECTION_ANSWERS: dict[str, dict] = {
    SectionKey.EXCLUSION: {
        "mandatory": "no",
        "mandatory_details": "",
        "discretionary": "no",
        "discretionary_details": "",
    },
    SectionKey.INSURANCE: {
        "employers_liability": "yes",
        "employers_liability_amount": "5000000.00",
        "public_liability": "yes",
        "public_liability_amount": "2000000.00",
        "professional_indemnity": "yes",
        "professional_indemnity_amount": "1000000.00",
    },
    SectionKey.SAFEGUARDING: {"safeguarding_policy": "yes", "dbs_checks": "yes", "data_protection_policy": "yes"},
    SectionKey.SECURITY: {"all_true": "yes", "gaps": "", "cyber_essentials": ""},
    SectionKey.DECLARATION: {"confirmed": True},
}


@dataclass
class NationalWorld:
    organisations: int
    organisations_qualified: int
    qualifications: int
    competitions: int = 0
    lots: int = 0
    invitations: int = 0
    bids: int = 0
    awards: int = 0
    contracts: int = 0
    subcontracts: int = 0
    contract_changes: int = 0
    payment_claims: int = 0
    partner_payments: int = 0
    referrals: int = 0


def _weighted(rng: random.Random, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights, k=1)[0]


def _footprint(rng: random.Random, size: str, areas_by_level: dict[str, list[Area]]) -> list[Area]:
    """Where an organisation works: large ones nationally or regionally, small ones locally."""
    roll = rng.random()
    if size == "large" and roll < 0.4:
        return areas_by_level["country"]
    if size in ("large", "medium") or roll < 0.15:
        return rng.sample(areas_by_level["region"], rng.randint(1, 3))
    if roll < 0.7:
        return rng.sample(areas_by_level["pcc_area"], rng.randint(1, 3))
    return rng.sample(areas_by_level["local_authority"], rng.randint(1, 4))


def _areas_by_level() -> dict[str, list[Area]]:
    areas_by_level: dict[str, list[Area]] = {}
    for area in Area.objects.order_by("path"):
        areas_by_level.setdefault(area.level, []).append(area)
    return areas_by_level


def _person(email: str, name: str, role: str, area: Area | None) -> User:
    """A generated member of staff (nobody signs in as one) with one staff role."""
    user, _ = User.objects.get_or_create(email=email, defaults={"full_name": name, "password": UNUSABLE_PASSWORD})
    StaffRole.objects.get_or_create(user=user, role=role, area=area)
    return user


@dataclass
class _Organisations:
    """What the competitions need to know about the generated organisations (kept in memory)."""

    objects: list[Organisation]
    users: list[User]  # each organisation's administrator, who registered it
    qualifications: int
    qualified: int  # organisations


@dataclass
class _Joining:
    """How far one organisation got in joining the framework, and when; decided before writing."""

    journey: str
    categories: list[ServiceCategory]
    areas: list[Area]  # where it asks to work (no area inside another)
    registered_at: datetime.datetime
    saved_at: list[datetime.datetime] = field(default_factory=list)  # each section answered, in order
    submitted_at: datetime.datetime | None = None
    decided_at: datetime.datetime | None = None

    @property
    def accepted_at(self) -> datetime.datetime | None:
        """The assessor accepts every section shortly before deciding."""
        return self.decided_at - datetime.timedelta(hours=2) if self.decided_at else None


@dataclass
class _Window:
    """When organisations join: those that qualify, between the framework opening and `ready` (before
    the first competition launches, so eligibility never depends on when one was launched); those
    that stop on the way, at any time up to `now`."""

    opens: datetime.datetime
    ready: datetime.datetime
    now: datetime.datetime


def _make_organisations(*, scale: float, seed: int, window: _Window) -> _Organisations:
    """Organisations, their administrators and each step of joining they reached, written as the
    qualification services write them (interest, application, sections, documents, requested
    coverage, declaration, the assessor's decision and qualifications), without audit events."""
    rng = random.Random(seed)
    count = int(ORGANISATIONS_AT_SCALE_1 * scale)
    areas_by_level = _areas_by_level()
    organisations = [_new_organisation(rng, index, areas_by_level) for index in range(count)]
    wishes = _what_each_asks_for(rng, organisations, areas_by_level)
    journey_rng = random.Random(seed * 7919 + 7)
    joinings = [_plan_joining(journey_rng, categories, areas, window) for categories, areas in wishes]
    users = _register(organisations, joinings)
    assessor = _person(f"assessor@{GENERATED_DOMAIN}", "Framework assessor (generated)", Role.ASSESSOR, None)
    qualifications = _write_joining(organisations, users, joinings, assessor)
    return _Organisations(
        objects=organisations,
        users=users,
        qualifications=qualifications,
        qualified=sum(1 for joining in joinings if joining.journey == "qualified"),
    )


def _new_organisation(rng: random.Random, index: int, areas_by_level: dict[str, list[Area]]) -> Organisation:
    staff_band, turnover_band = _weighted(rng, BAND_WEIGHTS)
    organisation_type = _weighted(rng, TYPE_WEIGHTS)
    charity = organisation_type in (OrganisationType.REGISTERED_CHARITY, OrganisationType.CIO)
    company = organisation_type in (
        OrganisationType.CIC,
        OrganisationType.COMPANY_BY_GUARANTEE,
        OrganisationType.COMPANY_BY_SHARES,
    )
    return Organisation(
        legal_name=f"{rng.choice(NAME_WORDS)} {rng.choice(NAME_KINDS)} {index + 1}",
        organisation_type=organisation_type,
        charity_number=str(1_000_000 + index) if charity else "",
        company_number=f"{10_000_000 + index:08d}"[-8:] if company else "",
        staff_band=staff_band,
        turnover_band=turnover_band,
        size=size_from_bands(staff_band, turnover_band),
        address_line_1="1 Generated Street",
        town=rng.choice(areas_by_level["local_authority"]).name,
        postcode="AB1 2CD",
        contact_email=f"org{index + 1}@{GENERATED_DOMAIN}",
    )


def _what_each_asks_for(
    rng: random.Random, organisations: list[Organisation], areas_by_level: dict[str, list[Area]]
) -> list[tuple[list[ServiceCategory], list[Area]]]:
    """The types of support and places each organisation asks to be qualified for."""
    categories = list(ServiceCategory.objects.order_by("display_order"))
    by_code = {category.code: category for category in categories}
    # Organisations often ask for what one service buys (all four Personal Wellbeing categories,
    # say), so that every service type has organisations that can bid for it.
    bundles = [
        [by_code[code] for code in service_type.categories.values_list("code", flat=True) if code in by_code]
        for service_type in ServiceType.objects.order_by("display_order")
    ]
    wishes = []
    for organisation in organisations:
        if rng.random() < 0.55:
            chosen = {c.pk: c for bundle in rng.sample(bundles, rng.choice([1, 1, 2])) for c in bundle}
            chosen_categories = sorted(chosen.values(), key=lambda c: c.display_order)
        else:
            chosen_categories = rng.sample(categories, rng.choice([1, 1, 2, 3, 4, 8]))
        areas = minimal_areas(_footprint(rng, organisation.size, areas_by_level))
        wishes.append((sorted(chosen_categories, key=lambda c: c.display_order), areas))
    return wishes


def _plan_joining(
    rng: random.Random, categories: list[ServiceCategory], areas: list[Area], window: _Window
) -> _Joining:
    journey = _weighted(rng, JOURNEYS)
    if journey == "qualified":
        latest = window.ready - datetime.timedelta(days=60)
        registered_at = window.opens + (latest - window.opens) * rng.random()
    else:
        latest = window.now - datetime.timedelta(days=60)
        registered_at = window.opens + (latest - window.opens) * rng.random()
    joining = _Joining(journey=journey, categories=categories, areas=areas, registered_at=registered_at)
    answered = {"interest": 0, "unsent": rng.randint(1, len(SECTIONS))}.get(journey, len(SECTIONS))
    moment = registered_at
    for _ in range(answered):
        moment += datetime.timedelta(hours=rng.uniform(0.2, 60))
        joining.saved_at.append(moment)
    if journey in ("refused", "qualified"):
        joining.submitted_at = moment + datetime.timedelta(hours=rng.uniform(0.5, 48))
        joining.decided_at = joining.submitted_at + datetime.timedelta(days=rng.uniform(2, 20))
    return joining


def _register(organisations: list[Organisation], joinings: list[_Joining]) -> list[User]:
    """Each organisation registered by its administrator (the person who also sends its bids)."""
    users = [
        User(
            email=f"bids@org{index + 1}.{GENERATED_DOMAIN}",
            full_name=f"Bid writer {index + 1}",
            password=UNUSABLE_PASSWORD,
            date_joined=joining.registered_at,
        )
        for index, joining in enumerate(joinings)
    ]
    User.objects.bulk_create(users, batch_size=1000)
    for organisation, user, joining in zip(organisations, users, joinings, strict=True):
        organisation.created_at = joining.registered_at
        organisation.created_by = user
    Organisation.objects.bulk_create(organisations, batch_size=500)
    Membership.objects.bulk_create(
        [
            Membership(user=user, organisation=organisation, is_admin=True, joined_at=organisation.created_at)
            for user, organisation in zip(users, organisations, strict=True)
        ],
        batch_size=1000,
    )
    return users


class _JoiningRows:
    """The rows of joining for every organisation, inserted together in dependency order."""

    MODELS = {
        "interests": Interest,
        "applications": Application,
        "sections": ApplicationSection,
        "documents": ApplicationDocument,
        "requested": RequestedCoverage,
        "declarations": DeclarationConfirmation,
        "qualifications": Qualification,
    }

    def __init__(self):
        self.rows: dict[str, list] = {name: [] for name in self.MODELS}

    def add(self, name: str, obj):
        self.rows[name].append(obj)
        return obj

    def flush(self) -> None:
        for name, model in self.MODELS.items():
            model.objects.bulk_create(self.rows[name], batch_size=1000)


def _write_joining(
    organisations: list[Organisation], users: list[User], joinings: list[_Joining], assessor: User
) -> int:
    """Interest (which opens the questionnaire), the answers given, and for those that sent it the
    assessor's decision: what `interest_register`, `section_save`, `application_submit`,
    `section_accept` and `application_decide` write."""
    rows = _JoiningRows()
    accounts = _AccountsFile.stored()
    for index, (organisation, user, joining) in enumerate(zip(organisations, users, joinings, strict=True)):
        rows.add(
            "interests", Interest(organisation=organisation, registered_at=joining.registered_at, registered_by=user)
        )
        application = rows.add(
            "applications",
            Application(
                organisation=organisation,
                kind=ApplicationKind.JOIN,
                started_at=joining.registered_at,
                started_by=user,
                submitted_at=joining.submitted_at,
                submitted_by=user if joining.submitted_at else None,
            ),
        )
        _add_sections(rows, application, user, joining, accounts, assessor, number=index + 1)
        requested = _add_requested(rows, application, joining)
        if joining.submitted_at is not None:
            rows.add(
                "declarations",
                DeclarationConfirmation(
                    organisation=organisation, confirmed_at=joining.submitted_at, confirmed_by=user
                ),
            )
        if joining.decided_at is not None:
            _decide(rows, application, requested, joining, assessor)
    rows.flush()
    return len(rows.rows["qualifications"])


def _add_sections(
    rows: _JoiningRows,
    application: Application,
    user: User,
    joining: _Joining,
    accounts: _AccountsFile,
    assessor: User,
    *,
    number: int,
) -> None:
    organisation = application.organisation
    for spec, saved_at in zip(SECTIONS, joining.saved_at, strict=False):
        answers = _section_answers(spec.key, organisation, joining, number)
        has_document = spec.key == SectionKey.FINANCE and organisation.size != Size.MICRO
        complete = is_complete(spec.key, answers, application=application, has_document=has_document)
        section = rows.add(
            "sections",
            ApplicationSection(
                application=application,
                key=spec.key,
                answers=answers,
                updated_at=saved_at,
                updated_by=user,
                completed_at=saved_at if complete else None,
                accepted_at=joining.accepted_at,
                accepted_by=assessor if joining.accepted_at else None,
            ),
        )
        if has_document:
            rows.add("documents", accounts.document(section, uploaded_at=saved_at, uploaded_by=user))


def _section_answers(key: str, organisation: Organisation, joining: _Joining, number: int) -> dict:
    """Answers as the questionnaire's forms save them (`section_save` keeps them as JSON)."""
    if key == SectionKey.SERVICES:
        return _services_answers(joining)
    if key == SectionKey.FINANCE:
        return {"turnover": f"{TURNOVER[organisation.turnover_band] + number * 37}.00"}
    if key == SectionKey.ABOUT:
        names = ", ".join(category.name for category in joining.categories).lower()
        return {
            "what_you_do": f"We give people on probation help with {names}.",
            "probation_experience": "no" if number % 4 == 0 else "yes",
        }
    if key == SectionKey.SAFEGUARDING:
        return {**SECTION_ANSWERS[key], "ico_number": f"ZA{100_000 + number:06d}"}
    return dict(SECTION_ANSWERS[key])


def _services_answers(joining: _Joining) -> dict:
    """What the services pages save: types of support, then everywhere, some areas, or councils."""
    answers: dict = {"categories": [category.code for category in joining.categories]}
    levels = {area.level for area in joining.areas}
    if levels == {"country"}:
        answers["where"] = "all"
    elif levels == {"local_authority"}:
        answers.update({"where": "some", "councils": sorted(area.code for area in joining.areas), "areas": []})
    else:
        answers.update({"where": "some", "areas": [area.code for area in joining.areas]})
    return answers


def _add_requested(rows: _JoiningRows, application: Application, joining: _Joining) -> list[RequestedCoverage]:
    """Every type of support asked for in each place asked for (`section_save` does this once the
    services section is answered)."""
    if SectionKey.SERVICES not in [spec.key for spec in SECTIONS[: len(joining.saved_at)]]:
        return []
    return [
        rows.add("requested", RequestedCoverage(application=application, category=category, area=area))
        for category in joining.categories
        for area in joining.areas
    ]


def _decide(
    rows: _JoiningRows,
    application: Application,
    requested: list[RequestedCoverage],
    joining: _Joining,
    assessor: User,
) -> None:
    """Everything asked for granted, or nothing (with the reason), and the decision letter."""
    granted = [Grant(requested=wish, area=wish.area) for wish in requested] if joining.journey == "qualified" else []
    refused = [] if granted else [(wish, None) for wish in requested]
    application.decided_at = joining.decided_at
    application.decided_by = assessor
    application.decision_letter = _decision_letter(
        application=application,
        granted=granted,
        not_granted=refused,
        reason=REFUSED_REASON if refused else "",
        existing=[],
    )
    for grant in granted:
        rows.add(
            "qualifications",
            Qualification(
                organisation=application.organisation,
                category=grant.category,
                area=grant.area,
                area_path=grant.area.path,
                application=application,
                granted_at=joining.decided_at,
                granted_by=assessor,
            ),
        )


class _AccountsFile:
    """The latest accounts that organisations other than micro ones upload: one small PDF, stored
    once and checked as an upload is, shared by every generated document row."""

    def __init__(self, name: str, checked):
        self.name = name
        self.checked = checked

    @classmethod
    def stored(cls) -> _AccountsFile:
        content = _accounts_pdf()
        checked = check_upload(SimpleUploadedFile("accounts.pdf", content))
        field_ = ApplicationDocument._meta.get_field("file")
        name = field_.generate_filename(None, f"{checked.sha256[:16]}")
        if not field_.storage.exists(name):
            name = field_.storage.save(name, ContentFile(content))
        return cls(name, checked)

    def document(self, section: ApplicationSection, *, uploaded_at, uploaded_by: User) -> ApplicationDocument:
        return ApplicationDocument(
            section=section,
            file=self.name,
            original_name="latest-accounts.pdf",
            content_type=self.checked.content_type,
            size=self.checked.size,
            sha256=self.checked.sha256,
            uploaded_at=uploaded_at,
            uploaded_by=uploaded_by,
        )


def _accounts_pdf() -> bytes:
    """A one-page PDF that says it is generated example accounts."""
    text = b"BT /F1 16 Tf 72 760 Td (Annual accounts: generated example data) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --- Competitions, bids, awards and contracts ---------------------------------------------------


def _london(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=LONDON).astimezone(datetime.UTC)


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _money(value: float | Decimal) -> Decimal:
    """Rounded to the nearest £1,000, as commissioners publish them."""
    return (Decimal(value) / 1000).quantize(Decimal("1")) * 1000


@dataclass
class _Staff:
    commissioners: dict[str, User]  # region code -> commissioner who runs and recommends
    approvers: dict[str, User]  # region code -> a second commissioner who approves (four eyes)
    evaluators: list[User]


def _staff(regions: list[Area]) -> _Staff:
    commissioners, approvers = {}, {}
    for region in regions:
        code = region.code.lower()
        commissioners[region.code] = _person(
            f"commissioner.{code}@{GENERATED_DOMAIN}", f"Commissioner {region.code}", Role.COMMISSIONER, region
        )
        approvers[region.code] = _person(
            f"director.{code}@{GENERATED_DOMAIN}", f"Probation director {region.code}", Role.COMMISSIONER, region
        )
    evaluators = [
        _person(f"evaluator{n}@{GENERATED_DOMAIN}", f"Evaluator {n}", Role.EVALUATOR, None) for n in range(1, 7)
    ]
    return _Staff(commissioners=commissioners, approvers=approvers, evaluators=evaluators)


@dataclass
class _Series:
    """One service bought again and again for the same place: each contract follows the last."""

    service_type: ServiceType
    owner: Area
    lot_areas: list[list[Area]]  # the areas of each lot
    lot_names: list[str]
    contract_years: int
    extension_years: int
    first_start: datetime.date
    # The contract start whose competition is open for bids today (or planned today), if any.
    anchor_start: datetime.date | None = None
    anchor_kind: str = ""
    # Lot number -> the last competition's yearly value for it before ramp-up, in 2020 pounds.
    planned: dict[int, Decimal] = field(default_factory=dict)


def _plan_series(
    rng: random.Random,
    *,
    scale: float,
    regions: list[Area],
    children: dict[int, list[Area]],
    first_fy: int,
    today: datetime.date,
) -> list[_Series]:
    service_types = list(ServiceType.objects.select_related("restricted_to").order_by("display_order"))
    pairs = [
        (service_type, region)
        for service_type in service_types
        for region in regions
        if service_type.restricted_to is None or region.path.startswith(service_type.restricted_to.path)
    ]
    rng.shuffle(pairs)
    # About one pair in twelve is never bought: a gap in provision.
    count = max(1, round(len(pairs) * scale * 11 / 12))
    series = []
    for number in range(count):
        service_type, region = pairs[number % len(pairs)]
        pcc_areas = children[region.pk]
        if number >= len(pairs):
            # Above scale 1: more, smaller purchases for single local authorities.
            authorities = [la for pcc in pcc_areas for la in children.get(pcc.pk, [])]
            chosen = rng.sample(authorities, min(len(authorities), rng.randint(1, 3)))
            lot_areas = [[area] for area in chosen]
        elif rng.random() < 0.7 and len(pcc_areas) > 1:
            lot_areas = [[area] for area in pcc_areas]
        else:
            lot_areas = [[region]]
        month = rng.choice([4, 7, 10])
        contract_years = rng.choice([2, 3, 3, 4])
        first_start = datetime.date(first_fy + rng.randint(0, 1), month, 1)
        if number == 0:
            # The first series begins with the world, so that at any scale claims reach back as far
            # as the world does.
            first_start = datetime.date(first_fy, 4, 1)
        anchor_start, anchor_kind = None, ""
        if number % 8 in (1, 2):
            # One series in eight has a competition open for bids today, and one in eight a
            # competition planned today: its contract starts some months from now, and the
            # earlier contracts of the series follow back from it.
            anchor_kind = "open" if number % 8 == 1 else "planned"
            days = rng.randint(190, 230) if anchor_kind == "open" else rng.randint(260, 330)
            anchor_start = (today.replace(day=1) + datetime.timedelta(days=days)).replace(day=1)
            first_start = anchor_start
            while financial_year_of(_add_years(first_start, -contract_years)) >= first_fy:
                first_start = _add_years(first_start, -contract_years)
        series.append(
            _Series(
                service_type=service_type,
                owner=region,
                lot_areas=lot_areas,
                lot_names=[", ".join(area.name for area in areas) for areas in lot_areas],
                contract_years=contract_years,
                extension_years=rng.choice([0, 1, 1, 2]),
                first_start=first_start,
                anchor_start=anchor_start,
                anchor_kind=anchor_kind,
            )
        )
    return series


class _Batch:
    """Rows for a few competitions, inserted together in dependency order, then forgotten."""

    ORDER = [
        "competitions",
        "members",
        "lots",
        "lot_years",
        "revisions",
        "co_commissioners",
        "funding",
        "questions",
        "invitations",
        "bids",
        "receipts",
        "bid_lots",
        "prices",
        "partners",
        "answers",
        "conflicts",
        "scores",
        "moderated",
        "pass_fail",
        "awards",
        "letters",
        "contracts",
        "contract_years",
        "subcontracts",
        "contract_funding",
        "contract_versions",
        "contract_version_years",
        "contract_version_partners",
        "payment_claims",
    ]
    MODELS = {
        "competitions": Competition,
        "members": CompetitionMember,
        "lots": Lot,
        "lot_years": LotYear,
        "revisions": LotYearRevision,
        "co_commissioners": CoCommissioner,
        "funding": LotFunding,
        "questions": Question,
        "invitations": CompetitionInvitation,
        "bids": Bid,
        "receipts": BidReceipt,
        "bid_lots": BidLot,
        "prices": BidPrice,
        "partners": BidPartner,
        "answers": BidAnswer,
        "conflicts": ConflictDeclaration,
        "scores": Score,
        "moderated": ModeratedScore,
        "pass_fail": PassFailResult,
        "awards": Award,
        "letters": OutcomeLetter,
        "contracts": Contract,
        "contract_years": ContractYear,
        "subcontracts": Subcontract,
        "contract_funding": ContractFunding,
        "contract_versions": ContractVersion,
        "contract_version_years": ContractVersionYear,
        "contract_version_partners": ContractVersionPartner,
        "payment_claims": PaymentClaim,
    }

    def __init__(self):
        self.rows: dict[str, list] = {name: [] for name in self.ORDER}
        # Many-to-many rows as (owner object, other id), written once the owners have ids.
        self.lot_areas: list[tuple[Lot, int]] = []
        self.invitation_lots: list[tuple[CompetitionInvitation, Lot]] = []
        self.partner_lots: list[tuple[BidPartner, Lot]] = []
        self.contract_areas: list[tuple[Contract, int]] = []
        self.version_areas: list[tuple[ContractVersion, int]] = []

    def add(self, name: str, obj):
        self.rows[name].append(obj)
        return obj

    def flush(self) -> None:
        for name in self.ORDER:
            if self.rows[name]:
                self.MODELS[name].objects.bulk_create(self.rows[name], batch_size=1000)
        Lot.areas.through.objects.bulk_create(
            [Lot.areas.through(lot_id=lot.pk, area_id=area_id) for lot, area_id in self.lot_areas], batch_size=2000
        )
        CompetitionInvitation.lots.through.objects.bulk_create(
            [
                CompetitionInvitation.lots.through(competitioninvitation_id=invitation.pk, lot_id=lot.pk)
                for invitation, lot in self.invitation_lots
            ],
            batch_size=2000,
        )
        BidPartner.lots.through.objects.bulk_create(
            [BidPartner.lots.through(bidpartner_id=partner.pk, lot_id=lot.pk) for partner, lot in self.partner_lots],
            batch_size=2000,
        )
        Contract.areas.through.objects.bulk_create(
            [Contract.areas.through(contract_id=c.pk, area_id=area_id) for c, area_id in self.contract_areas],
            batch_size=2000,
        )
        ContractVersion.areas.through.objects.bulk_create(
            [
                ContractVersion.areas.through(contractversion_id=v.pk, area_id=area_id)
                for v, area_id in self.version_areas
            ],
            batch_size=2000,
        )
        self._record_what_was_sent()
        self.__init__()

    def _record_what_was_sent(self) -> None:
        """Each sent bid's content and digest, as `bid_submit` stores them (by the same selector),
        now that its answers, prices and partners are written: reads check them (ADR 7)."""
        sent = [bid for bid in self.rows["bids"] if bid.submitted_at is not None]
        for start in range(0, len(sent), 500):
            chunk = sent[start : start + 500]
            contents = bid_contents(chunk)
            for bid in chunk:
                bid.submitted_content = contents[bid.pk]
                bid.submitted_digest = content_digest(contents[bid.pk])
            Bid.objects.bulk_update(chunk, ["submitted_content", "submitted_digest"], batch_size=500)
        receipts = self.rows["receipts"]
        for receipt in receipts:
            receipt.digest = receipt.bid.submitted_digest
        BidReceipt.objects.bulk_update(receipts, ["digest"], batch_size=1000)


@dataclass
class _Counts:
    competitions: int = 0
    lots: int = 0
    invitations: int = 0
    bids: int = 0
    awards: int = 0
    contracts: int = 0
    subcontracts: int = 0
    contract_changes: int = 0
    payment_claims: int = 0


@dataclass
class _Context:
    rng: random.Random
    now: datetime.datetime
    organisations: _Organisations
    users: list[User]
    staff: _Staff
    batch: _Batch
    counts: _Counts
    # Latent quality of each organisation's bids (0 to 4), so rankings are not random.
    quality: list[float]
    eligible_cache: dict[tuple[int, int], frozenset[int]] = field(default_factory=dict)
    sequence: int = 0
    seed: int = 0  # the world's, for the draws made from names (`_lot_plan`)

    def __post_init__(self):
        self.index_of = {organisation.pk: index for index, organisation in enumerate(self.organisations.objects)}


def _eligible(context: _Context, service_type: ServiceType, area: Area) -> frozenset[int]:
    """Indexes of the organisations that can bid for a lot in `area`, by the eligibility selector
    itself (one query per service type and area; the qualifications never change while competitions
    are generated)."""
    key = (service_type.pk, area.pk)
    if key not in context.eligible_cache:
        ids = eligible_organisations(service_type=service_type, area=area).values_list("pk", flat=True)
        context.eligible_cache[key] = frozenset(context.index_of[pk] for pk in ids if pk in context.index_of)
    return context.eligible_cache[key]


QUESTIONS = [
    (QuestionKind.QUALITY, Decimal("30"), False, "How will you help people on probation with this?"),
    (QuestionKind.QUALITY, Decimal("30"), True, "How will you work with local services in this area?"),
    (QuestionKind.SOCIAL_VALUE, Decimal("10"), False, "What social value will you add?"),
    (QuestionKind.PASS_FAIL, Decimal("0"), False, "Do you hold the insurance the contract needs?"),
]


@dataclass
class _Lot:
    lot: Lot
    areas: list[Area]
    years: list[LotYear]


@dataclass
class _SentBid:
    """A sent bid and what its evaluation and contract need."""

    bid: Bid
    lots: list[Lot]
    index: int  # of the organisation
    prices: dict[tuple[int, int], Decimal]  # (lot number, financial year) -> price
    partners: list[tuple[BidPartner, list[Lot]]]
    answers: list[tuple[BidAnswer, Question, Lot | None]]


@dataclass
class _Call:
    """One competition while it is generated."""

    competition: Competition
    series: _Series
    commissioner: User
    approver: User
    evaluators: list[User] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    lots: list[_Lot] = field(default_factory=list)
    funding_by_lot: dict[int, list[LotFunding]] = field(default_factory=lambda: defaultdict(list))
    contract_end: datetime.date | None = None
    sent: list[_SentBid] = field(default_factory=list)
    # id() of an (unsaved) answer -> its agreed score and its pass/fail result.
    moderated: dict[int, ModeratedScore] = field(default_factory=dict)
    pass_fail: dict[int, PassFailResult] = field(default_factory=dict)


def _timetable(context: _Context, series: _Series, contract_start: datetime.date) -> dict[str, datetime.datetime]:
    """When the competition closes, was launched, planned and created."""
    rng, now = context.rng, context.now
    anchored = contract_start == series.anchor_start
    if anchored and series.anchor_kind == "open":
        closes_at = _london(now.astimezone(LONDON).date() + datetime.timedelta(days=rng.randint(5, 40)))
    elif anchored:
        closes_at = _london(now.astimezone(LONDON).date() + datetime.timedelta(days=rng.randint(80, 130)))
    else:
        closes_at = _london(contract_start - datetime.timedelta(days=rng.randint(120, 200)))
    launched_at = closes_at - datetime.timedelta(days=rng.randint(45, 60), hours=3)
    planned_at = launched_at - datetime.timedelta(days=rng.randint(30, 120))
    if anchored and series.anchor_kind == "planned":
        planned_at = now - datetime.timedelta(days=rng.randint(5, 40))
    return {
        "closes_at": closes_at,
        "launched_at": launched_at,
        "planned_at": planned_at,
        "created_at": planned_at - datetime.timedelta(days=14),
    }


def _competition(context: _Context, series: _Series, contract_start: datetime.date) -> None:
    rng, now = context.rng, context.now
    times = _timetable(context, series, contract_start)
    if times["created_at"] > now:
        return
    context.sequence += 1
    launched = times["launched_at"] <= now
    abandoned_at = None
    if launched and contract_start != series.anchor_start and rng.random() < 0.04:
        candidate = times["launched_at"] + datetime.timedelta(days=rng.randint(3, 20))
        abandoned_at = candidate if candidate <= now else None
    call = _Call(
        competition=_new_competition(context, series, contract_start, times, launched, abandoned_at),
        series=series,
        commissioner=context.staff.commissioners[series.owner.code],
        approver=context.staff.approvers[series.owner.code],
        contract_end=_add_years(contract_start, series.contract_years) - datetime.timedelta(days=1),
    )
    context.counts.competitions += 1
    _add_team(context, call)
    _add_questions(context, call)
    _add_lots(context, call, launched)
    _add_funding(context, call)
    if not launched:
        return
    eligible_lots = _invite(context, call)
    _bid(context, call, _choose_bidders(context, call, eligible_lots))
    competition = call.competition
    if competition.abandoned_at is not None or not competition.is_bidding_closed(now=now):
        return
    _evaluate(context, call)
    _award(context, call)


def _new_competition(
    context: _Context,
    series: _Series,
    contract_start: datetime.date,
    times: dict[str, datetime.datetime],
    launched: bool,
    abandoned_at: datetime.datetime | None,
) -> Competition:
    commissioner = context.staff.commissioners[series.owner.code]
    start_fy = financial_year_of(contract_start)
    closes_at = times["closes_at"]
    return context.batch.add(
        "competitions",
        Competition(
            title=f"{series.service_type.name} in {series.owner.name} from {start_fy}",
            reference=f"{REFERENCE_PREFIX}-{start_fy}-{context.sequence:05d}",
            service_type=series.service_type,
            owner_area=series.owner,
            summary=f"{series.service_type.name} for people on probation in {series.owner.name}.",
            specification="The service the providers will deliver, the outcomes and how they will be measured.",
            contract_start=contract_start,
            contract_years=series.contract_years,
            extension_years=series.extension_years,
            clarification_deadline=closes_at - datetime.timedelta(days=7),
            closes_at=closes_at,
            evaluation_ends_at=closes_at + datetime.timedelta(days=21),
            intended_award_at=closes_at + datetime.timedelta(days=35),
            created_at=times["created_at"],
            created_by=commissioner,
            planned_at=times["planned_at"],
            planned_by=commissioner,
            launched_at=times["launched_at"] if launched else None,
            launched_by=commissioner if launched else None,
            abandoned_at=abandoned_at,
            abandoned_by=commissioner if abandoned_at else None,
            abandoned_reason="The budget for this service changed." if abandoned_at else "",
        ),
    )


def _add_team(context: _Context, call: _Call) -> None:
    competition, commissioner = call.competition, call.commissioner

    def member(user: User, role: str) -> None:
        context.batch.add(
            "members",
            CompetitionMember(
                competition=competition,
                user=user,
                role=role,
                added_at=competition.created_at,
                added_by=commissioner,
            ),
        )

    member(commissioner, "commissioner")
    call.evaluators = context.rng.sample(context.staff.evaluators, 2)
    for evaluator in call.evaluators:
        member(evaluator, "evaluator")


def _add_questions(context: _Context, call: _Call) -> None:
    call.questions = [
        context.batch.add(
            "questions",
            Question(
                competition=call.competition,
                number=number,
                kind=kind,
                weight=weight,
                lot_specific=lot_specific,
                text=text,
                word_limit=None if kind == QuestionKind.PASS_FAIL else 500,
            ),
        )
        for number, (kind, weight, lot_specific, text) in enumerate(QUESTIONS, start=1)
    ]


def _add_lots(context: _Context, call: _Call, launched: bool) -> None:
    """Lots with their estimated values, which ramp up in a service's first contract; some revised
    just before launch."""
    rng, batch, competition = context.rng, context.batch, call.competition
    financial_years = list(
        range(financial_year_of(competition.contract_start), financial_year_of(call.contract_end) + 1)
    )
    inflation = Decimal("1.03") ** max(0, financial_years[0] - 2020)
    base = PCC_LOT_VALUE.get(call.series.service_type.code, 400_000)
    for number, (areas, name) in enumerate(zip(call.series.lot_areas, call.series.lot_names, strict=True), start=1):
        size = {"region": 3.2, "pcc_area": 1.0, "local_authority": 0.25}.get(areas[0].level, 1.0)
        real = Decimal(base * size * rng.uniform(0.7, 1.3))
        plan = _lot_plan(context, call, number)
        ramps = plan.before is None or plan.ramp_up_again
        if plan.before is not None:
            real = plan.before * plan.drift
        call.series.planned[number] = real
        annual = real * inflation
        lot = batch.add("lots", Lot(competition=competition, number=number, name=name))
        for area in areas:
            batch.lot_areas.append((lot, area.pk))
        changed = launched and rng.random() < 0.4
        years = [
            _add_lot_year(
                context,
                call,
                lot,
                year,
                _money(annual * (_ramp_up(offset) if ramps else 1) * plan.budget),
                changed=changed,
                cost_per_person=COST_PER_PERSON * plan.budget,
            )
            for offset, year in enumerate(financial_years)
        ]
        call.lots.append(_Lot(lot=lot, areas=areas, years=years))
        context.counts.lots += 1


@dataclass
class _LotPlan:
    before: Decimal | None  # the last competition's yearly value for the lot (2020 pounds), if bought before
    drift: Decimal  # this one's against it
    ramp_up_again: bool
    budget: Decimal  # the share of the usual money for the same people: 1, or less when squeezed


def _lot_plan(context: _Context, call: _Call, number: int) -> _LotPlan:
    """How a lot is planned against the last one for the same place (RAMP_UP_AGAIN, THIN_FUNDING):
    its own random sequence, from the world's seed and the competition's reference, so the rest of
    the world draws as it did."""
    rng = random.Random(f"lot-plan:{context.seed}:{call.competition.reference}:{number}")
    drift = Decimal(rng.uniform(*REBOUGHT_DRIFT))
    ramp_up_again = rng.random() < RAMP_UP_AGAIN
    budget = Decimal(rng.uniform(*THIN_BUDGET)) if rng.random() < THIN_FUNDING else Decimal(1)
    return _LotPlan(call.series.planned.get(number), drift, ramp_up_again, budget)


def _ramp_up(offset: int) -> Decimal:
    return RAMP_UP[offset] if offset < len(RAMP_UP) else Decimal("1")


def _add_lot_year(
    context: _Context,
    call: _Call,
    lot: Lot,
    year: int,
    value: Decimal,
    *,
    changed: bool,
    cost_per_person: Decimal = COST_PER_PERSON,
) -> LotYear:
    """A year's value, published when planned and, if `changed`, revised two days before launch; the
    people it is for, at `cost_per_person`."""
    batch, competition = context.batch, call.competition
    first_value = _money(value * Decimal(context.rng.uniform(0.85, 1.1))) if changed else value
    lot_year = batch.add(
        "lot_years", LotYear(lot=lot, financial_year=year, value=value, volume=int(value / cost_per_person))
    )
    revisions = [(first_value, competition.planned_at)]
    if changed:
        revisions.append((value, competition.launched_at - datetime.timedelta(days=2)))
    for revised, recorded_at in revisions:
        batch.add(
            "revisions",
            LotYearRevision(
                lot_year=lot_year,
                value=revised,
                volume=int(revised / cost_per_person),
                recorded_at=recorded_at,
                recorded_by=call.commissioner,
            ),
        )
    return lot_year


def _add_funding(context: _Context, call: _Call) -> None:
    """Funding partners: a police and crime commissioner or a local authority pays part of a lot."""
    rng, batch = context.rng, context.batch
    if rng.random() >= 0.3:
        return
    chosen = rng.choice(call.lots)
    area = chosen.areas[0]
    if area.level == "pcc_area":
        partner_name, party_type = f"Police and Crime Commissioner for {area.name}", CoCommissioner.PartyType.PCC
    else:
        partner_name, party_type = f"{area.name} Council", CoCommissioner.PartyType.LOCAL_AUTHORITY
    partner = batch.add(
        "co_commissioners", CoCommissioner(competition=call.competition, name=partner_name, party_type=party_type)
    )
    share = Decimal(rng.choice([10, 15, 20, 25, 30]))
    call.funding_by_lot[chosen.lot.number].append(
        batch.add("funding", LotFunding(lot=chosen.lot, co_commissioner=partner, share_percent=share))
    )


def _invite(context: _Context, call: _Call) -> dict[int, list[Lot]]:
    """Invite every organisation eligible for a lot (for every area of it), as launching does."""
    eligible_lots: dict[int, list[Lot]] = defaultdict(list)
    for entry in call.lots:
        eligible: frozenset[int] | None = None
        for area in entry.areas:
            here = _eligible(context, call.series.service_type, area)
            eligible = here if eligible is None else eligible & here
        for index in sorted(eligible or ()):
            eligible_lots[index].append(entry.lot)
    for index in sorted(eligible_lots):
        invitation = context.batch.add(
            "invitations",
            CompetitionInvitation(
                competition=call.competition,
                organisation=context.organisations.objects[index],
                kind=CompetitionInvitation.Kind.ELIGIBLE,
                invited_at=call.competition.launched_at,
            ),
        )
        for lot in eligible_lots[index]:
            context.batch.invitation_lots.append((invitation, lot))
        context.counts.invitations += 1
    return eligible_lots


def _choose_bidders(context: _Context, call: _Call, eligible_lots: dict[int, list[Lot]]) -> dict[int, list[Lot]]:
    """For each lot, a few of the organisations invited for it."""
    rng = context.rng
    bid_lots_of: dict[int, list[Lot]] = defaultdict(list)
    for entry in call.lots:
        candidates = sorted(index for index, lots_for in eligible_lots.items() if entry.lot in lots_for)
        wanted = 0 if rng.random() < 0.04 else rng.choice([1, 2, 2, 3, 3, 4, 4, 5, 6, 8])
        for index in rng.sample(candidates, min(wanted, len(candidates))):
            bid_lots_of[index].append(entry.lot)
    return bid_lots_of


def _bid(context: _Context, call: _Call, bid_lots_of: dict[int, list[Lot]]) -> None:
    """Each chosen organisation starts a bid; most send it before the closing date, a few withdraw."""
    competition = call.competition
    end_of_bidding = min(competition.closes_at, competition.abandoned_at or competition.closes_at)
    window = (end_of_bidding - competition.launched_at).total_seconds()
    for index in sorted(bid_lots_of):
        bid = _new_bid(context, call, index, window, end_of_bidding)
        if bid is None:
            continue
        chosen_lots = sorted(bid_lots_of[index], key=lambda lot: lot.number)
        sent = _SentBid(
            bid=bid,
            lots=chosen_lots,
            index=index,
            prices=_add_prices(context, call, bid, chosen_lots),
            partners=_add_partners(context, bid, index, chosen_lots),
            answers=_add_answers(context, call, bid, chosen_lots),
        )
        if bid.is_sent:
            call.sent.append(sent)


def _new_bid(
    context: _Context, call: _Call, index: int, window: float, end_of_bidding: datetime.datetime
) -> Bid | None:
    rng, now, batch, competition = context.rng, context.now, context.batch, call.competition
    user = context.users[index]
    started_at = competition.launched_at + datetime.timedelta(seconds=window * rng.uniform(0.05, 0.6))
    if started_at > now:
        return None
    submitted_at = started_at + datetime.timedelta(seconds=window * rng.uniform(0.05, 0.35))
    dropped_out = rng.random() < 0.08
    submitted = not dropped_out and submitted_at < end_of_bidding and submitted_at <= now
    withdrawn_at = None
    if submitted and rng.random() < 0.02:
        withdrawn_at = submitted_at + datetime.timedelta(hours=2)
        if withdrawn_at >= end_of_bidding or withdrawn_at > now:
            withdrawn_at = None
    bid = batch.add(
        "bids",
        Bid(
            competition=competition,
            organisation=context.organisations.objects[index],
            started_at=started_at,
            started_by=user,
            updated_at=submitted_at if submitted else started_at,
            submitted_at=submitted_at if submitted else None,
            submitted_by=user if submitted else None,
            # What was sent and its digest are recorded once the bid's rows are written (flush).
            withdrawn_at=withdrawn_at,
            withdrawn_by=user if withdrawn_at else None,
            declarations_confirmed_at=submitted_at if submitted else None,
        ),
    )
    context.counts.bids += 1
    if submitted:
        batch.add("receipts", BidReceipt(bid=bid, kind="submitted", at=submitted_at, by=user))
    if withdrawn_at:
        batch.add("receipts", BidReceipt(bid=bid, kind="withdrawn", at=withdrawn_at, by=user))
    return bid


def _add_prices(context: _Context, call: _Call, bid: Bid, chosen_lots: list[Lot]) -> dict[tuple[int, int], Decimal]:
    """A price for every year of every lot bid for, a little under or over the estimate."""
    prices: dict[tuple[int, int], Decimal] = {}
    years_of = {entry.lot.number: entry.years for entry in call.lots}
    for lot in chosen_lots:
        bid_lot = context.batch.add("bid_lots", BidLot(bid=bid, lot=lot))
        discount = Decimal(context.rng.uniform(0.82, 1.02))
        for lot_year in years_of[lot.number]:
            amount = (lot_year.value * discount).quantize(Decimal("1"))
            prices[(lot.number, lot_year.financial_year)] = amount
            context.batch.add(
                "prices", BidPrice(bid_lot=bid_lot, financial_year=lot_year.financial_year, amount=amount)
            )
    return prices


def _add_partners(
    context: _Context, bid: Bid, index: int, chosen_lots: list[Lot]
) -> list[tuple[BidPartner, list[Lot]]]:
    """Subcontractors and consortium members for about a third of bids, some for only some lots."""
    rng = context.rng
    partners: list[tuple[BidPartner, list[Lot]]] = []
    if rng.random() >= 0.3:
        return partners
    remaining = Decimal("60")
    for _ in range(rng.randint(1, 2)):
        share = Decimal(rng.choice([5, 10, 15, 20, 25, 30]))
        if share > remaining:
            break
        remaining -= share
        partner = context.batch.add("partners", _new_partner(context, bid, index, share))
        partner_lots = rng.sample(chosen_lots, rng.randint(1, len(chosen_lots))) if rng.random() < 0.5 else []
        for lot in partner_lots:
            context.batch.partner_lots.append((partner, lot))
        partners.append((partner, partner_lots))
    return partners


def _new_partner(context: _Context, bid: Bid, index: int, share: Decimal) -> BidPartner:
    rng = context.rng
    if rng.random() < 0.6:
        other = rng.randrange(len(context.organisations.objects))
        partner_org = context.organisations.objects[other] if other != index else None
    else:
        partner_org = None
    name = partner_org.legal_name if partner_org else f"Local Partner {rng.randint(1, 999)} CIC"
    return BidPartner(
        bid=bid,
        organisation=partner_org,
        name=name,
        role=rng.choice([BidPartner.PartnerRole.SUBCONTRACTOR] * 3 + [BidPartner.PartnerRole.CONSORTIUM]),
        share_percent=share,
        work_description="Specialist local support.",
    )


def _add_answers(
    context: _Context, call: _Call, bid: Bid, chosen_lots: list[Lot]
) -> list[tuple[BidAnswer, Question, Lot | None]]:
    """An answer to every question: the pass/fail one confirmed, a lot-specific one for each lot."""
    answers: list[tuple[BidAnswer, Question, Lot | None]] = []
    started_at, user = bid.started_at, bid.started_by
    for question in call.questions:
        content = {"confirmed": True} if question.kind == QuestionKind.PASS_FAIL else None
        if answered_per_lot(question):
            rows = [(lot, content or {"text": f"Our plan for {lot.name}."}) for lot in chosen_lots]
        else:
            rows = [(None, content or {"text": "Our answer."})]
        for lot, content in rows:
            answer = BidAnswer(bid=bid, question=question, lot=lot, updated_at=started_at, updated_by=user, **content)
            answers.append((context.batch.add("answers", answer), question, lot))
    return answers


def _evaluate(context: _Context, call: _Call) -> None:
    """Conflicts declared, independent scores, then pass/fail checks and agreed scores, each as far
    as the evaluation had gone by now."""
    now, competition = context.now, call.competition
    scoring_starts = competition.closes_at + datetime.timedelta(days=3)
    if now < scoring_starts:
        return
    for sent in call.sent:
        for evaluator in call.evaluators:
            context.batch.add(
                "conflicts",
                ConflictDeclaration(
                    competition=competition,
                    evaluator=evaluator,
                    bid=sent.bid,
                    has_conflict=False,
                    declared_at=scoring_starts,
                ),
            )
    if now < scoring_starts + datetime.timedelta(days=7):
        return
    moderated = now >= competition.evaluation_ends_at
    for sent in call.sent:
        for answer, question, _lot in sent.answers:
            if question.kind == QuestionKind.PASS_FAIL:
                if moderated:
                    call.pass_fail[id(answer)] = context.batch.add(
                        "pass_fail",
                        PassFailResult(
                            answer=answer, passed=True, decided_at=scoring_starts, decided_by=call.evaluators[0]
                        ),
                    )
                continue
            final = _score_answer(context, call, answer, context.quality[sent.index], scoring_starts)
            if moderated:
                call.moderated[id(answer)] = context.batch.add(
                    "moderated",
                    ModeratedScore(
                        answer=answer,
                        score=final,
                        rationale="Agreed at moderation.",
                        moderated_at=competition.evaluation_ends_at,
                        moderated_by=competition.created_by,
                    ),
                )


def _score_answer(
    context: _Context, call: _Call, answer: BidAnswer, quality: float, scoring_starts: datetime.datetime
) -> int:
    """Each evaluator's score near the organisation's latent quality; returns the agreed score."""
    marks = [max(0, min(4, round(quality + context.rng.gauss(0, 0.7)))) for _ in call.evaluators]
    for evaluator, mark in zip(call.evaluators, marks, strict=True):
        context.batch.add(
            "scores",
            Score(
                evaluator=evaluator,
                answer=answer,
                score=mark,
                justification="Meets the requirement.",
                updated_at=scoring_starts,
                submitted_at=scoring_starts + datetime.timedelta(days=5),
            ),
        )
    return round(sum(marks) / len(marks) + 0.01)


def _award(context: _Context, call: _Call) -> None:
    """Once moderated: lots without bids are cancelled; the rest are awarded to the winner of the
    real scoring and ranking (competitions.selectors.scoring), approved, and contracted."""
    rng, now, competition = context.rng, context.now, call.competition
    if now < competition.evaluation_ends_at:
        return
    recommended_at = competition.intended_award_at + datetime.timedelta(days=rng.randint(0, 7))
    live = []
    for entry in call.lots:
        has_bids = any(entry.lot in sent.lots for sent in call.sent)
        if not has_bids or rng.random() < 0.03:
            entry.lot.abandoned_at = competition.evaluation_ends_at
            entry.lot.abandoned_by = competition.created_by
            entry.lot.abandoned_reason = "No bids were received." if not has_bids else "No bid met the requirements."
        else:
            live.append(entry)
    if recommended_at > now or not live:
        return
    results = _rank(call, live)
    for entry, lot_results in zip(live, results, strict=True):
        _award_lot(context, call, entry, lot_results, recommended_at)


def _rank(call: _Call, live: list[_Lot]) -> list[LotResults]:
    """Every live lot's bids scored and ranked by competitions.selectors.scoring, from the rows in memory."""
    competition = call.competition
    maximum = scale_max(competition)
    results = []
    for entry in live:
        lot_results = LotResults(entry.lot)
        years = [lot_year.financial_year for lot_year in entry.years]
        for sent in sorted(call.sent, key=lambda sent: sent.bid.submitted_at):
            if entry.lot not in sent.lots:
                continue
            lot_results.bids.append(
                score_bid_lot(
                    bid=sent.bid,
                    lot=entry.lot,
                    questions=call.questions,
                    maximum=maximum,
                    years=years,
                    answer_for=_answer_lookup(call, sent, entry.lot),
                    prices={year: sent.prices[(entry.lot.number, year)] for year in years},
                )
            )
        results.append(lot_results)
    rank_lots(results, competition)
    return results


def _answer_lookup(call: _Call, sent: _SentBid, lot: Lot):
    answers = {
        (id(question), id(answer_lot) if answer_lot else None): answer for answer, question, answer_lot in sent.answers
    }

    def answer_for(question: Question):
        stored_with = answer_lot(question, lot)
        answer = answers.get((id(question), id(stored_with) if stored_with else None))
        if answer is None:
            return None, None, None
        return answer, call.moderated.get(id(answer)), call.pass_fail.get(id(answer))

    return answer_for


def _award_lot(
    context: _Context, call: _Call, entry: _Lot, lot_results: LotResults, recommended_at: datetime.datetime
) -> None:
    now = context.now
    winner = lot_results.winner
    if winner is None:
        return
    approved_at = recommended_at + datetime.timedelta(days=2)
    standstill_ends_at = add_working_days(approved_at, call.competition.standstill_days)
    approved = approved_at <= now
    award = context.batch.add(
        "awards",
        Award(
            lot=entry.lot,
            bid=winner.bid,
            recommended_at=recommended_at,
            recommended_by=call.commissioner,
            approved_at=approved_at if approved else None,
            approved_by=call.approver if approved else None,
            standstill_ends_at=standstill_ends_at if approved else None,
        ),
    )
    context.counts.awards += 1
    if not approved:
        return
    # Every bidder for the lot is told where it came (compliant bids first, in rank order).
    ranked = lot_results.bids
    for position, result in enumerate(ranked, start=1):
        context.batch.add(
            "letters",
            OutcomeLetter(
                bid=result.bid,
                lot=entry.lot,
                successful=result is winner,
                body=f"Your bid for {entry.lot.name} came {position} of {len(ranked)}.",
                sent_at=approved_at,
            ),
        )
    # A contract follows once the award is final (its waiting period over), as contracts makes it.
    if award.is_final(now=now):
        sent = next(sent for sent in call.sent if sent.bid is winner.bid)
        _contract(context, call, entry, award, sent, standstill_ends_at)


def _contract(
    context: _Context, call: _Call, entry: _Lot, award: Award, winner: _SentBid, created_at: datetime.datetime
) -> None:
    """The contract the waiting period's end makes, with its years, partners and funding."""
    batch, competition, lot = context.batch, call.competition, entry.lot
    contract = batch.add(
        "contracts",
        Contract(
            lot=lot,
            award=award,
            title=f"{competition.title}: {lot.name}",
            service_type=competition.service_type,
            supplier=winner.bid.organisation,
            starts_on=competition.contract_start,
            ends_on=call.contract_end,
            extension_years=competition.extension_years,
            payment_frequency=competition.payment_frequency,
            payment_days=competition.payment_days,
            created_at=created_at,
        ),
    )
    context.counts.contracts += 1
    # Version 1: the terms as made, in force from the start (ADR 9), as `contract_create_for_award` makes it.
    version = batch.add(
        "contract_versions",
        ContractVersion(
            contract=contract,
            number=1,
            kind=VersionKind.AS_MADE,
            ends_on=contract.ends_on,
            payment_frequency=contract.payment_frequency,
            payment_days=contract.payment_days,
            created_at=created_at,
            proposed_at=created_at,
            approved_at=created_at,
            accepted_at=created_at,
        ),
    )
    for area in entry.areas:
        batch.contract_areas.append((contract, area.pk))
        batch.version_areas.append((version, area.pk))
    as_made_years = []
    for lot_year in entry.years:
        value = winner.prices[(lot.number, lot_year.financial_year)]
        batch.add(
            "contract_years",
            ContractYear(
                contract=contract, financial_year=lot_year.financial_year, value=value, volume=lot_year.volume
            ),
        )
        as_made_years.append(
            batch.add(
                "contract_version_years",
                ContractVersionYear(
                    version=version, financial_year=lot_year.financial_year, value=value, volume=lot_year.volume
                ),
            )
        )
    for partner, partner_lots in winner.partners:
        if partner_lots and lot not in partner_lots:
            continue
        batch.add(
            "subcontracts",
            Subcontract(
                contract=contract,
                organisation=partner.organisation,
                name=partner.name,
                role=partner.role,
                share_percent=partner.share_percent,
            ),
        )
        if partner.share_percent > 0:
            batch.add(
                "contract_version_partners",
                ContractVersionPartner(
                    version=version,
                    organisation=partner.organisation,
                    name=partner.name,
                    role=partner.role,
                    share_percent=partner.share_percent,
                ),
            )
        context.counts.subcontracts += 1
    for share in call.funding_by_lot.get(lot.number, []):
        batch.add(
            "contract_funding",
            ContractFunding(
                contract=contract,
                name=share.co_commissioner.name,
                party_type=share.co_commissioner.party_type,
                share_percent=share.share_percent,
            ),
        )
    _after_award(context, call, entry, contract, version, as_made_years, winner)


def _after_award(context, call, entry, contract, version, as_made_years, winner) -> None:
    """Changes, an early end and payment claims by now (`demo.national_contracts`). Its own random
    sequence, from names, so the rest of the world is the same with or without it."""
    organisation = winner.bid.organisation
    life = after_award(
        rng=random.Random(f"after-award:{contract.title}:{contract.starts_on}:{organisation.legal_name}"),
        now=context.now,
        contract=contract,
        as_made=version,
        years=as_made_years,
        area_ids=[area.pk for area in entry.areas],
        partners=[p for p in context.batch.rows["contract_version_partners"] if p.version is version],
        commissioner=call.commissioner,
        approver=call.approver,
        provider=context.users[context.index_of[organisation.pk]],
    )
    for name, rows in (
        ("contract_versions", life.versions),
        ("contract_version_years", life.version_years),
        ("contract_version_partners", life.version_partners),
        ("payment_claims", life.claims),
    ):
        context.batch.rows[name].extend(rows)
    context.batch.version_areas.extend(life.version_areas)
    context.counts.contract_changes += len(life.versions)
    context.counts.payment_claims += len(life.claims)


def first_financial_year(today: datetime.date) -> int:
    """The financial year the world's first contracts start in (in its April, at the earliest).

    Early enough that the months from that April to the last one whose claim has been sent by
    `today` number at least CLAIM_YEARS × 12, whatever the day: a month's claim is sent at most
    CLAIM_SENT_WITHIN_DAYS after the month ends (`demo.national_contracts`)."""
    return financial_year_of(_add_years(today, -CLAIM_YEARS) - datetime.timedelta(days=CLAIM_SENT_WITHIN_DAYS))


def generate_national_data(
    *,
    scale: float = 1,
    seed: int = 2026,
    today: datetime.date | None = None,
    batch_size: int = 20,
    progress=None,
) -> NationalWorld:
    """Organisations and qualifications, then competitions around `today`: contracts from at least
    CLAIM_YEARS back, this financial year and YEARS_AHEAD of plans."""
    today = today or timezone.now().astimezone(LONDON).date()
    now = _london(today, 12)
    current_fy = financial_year_of(today)
    first_fy = first_financial_year(today)
    last_fy = current_fy + YEARS_AHEAD
    # The framework opens in the January before the first competitions; organisations that qualify
    # have done so by July, before any competition launches.
    window = _Window(
        opens=_london(datetime.date(first_fy - 1, 1, 6), 9),
        ready=_london(datetime.date(first_fy - 1, 7, 1), 9),
        now=now,
    )
    with transaction.atomic():
        organisations = _make_organisations(scale=scale, seed=seed, window=window)
        areas_by_level = _areas_by_level()
        regions = areas_by_level["region"]
        staff = _staff(regions)
    reset_queries()  # as after each batch below
    children: dict[int, list[Area]] = defaultdict(list)
    for level in ("pcc_area", "local_authority"):
        for area in areas_by_level.get(level, []):
            children[area.parent_id].append(area)
    rng = random.Random(seed * 7919 + 1)
    context = _Context(
        rng=rng,
        now=now,
        organisations=organisations,
        users=organisations.users,
        staff=staff,
        batch=_Batch(),
        counts=_Counts(),
        quality=[min(4.0, max(0.0, rng.gauss(2.4, 0.8))) for _ in organisations.objects],
        seed=seed,
    )
    plan = _plan_series(rng, scale=scale, regions=regions, children=children, first_fy=first_fy, today=today)
    pending = 0
    for number, series in enumerate(plan, start=1):
        contract_start = series.first_start
        while financial_year_of(contract_start) <= last_fy:
            _competition(context, series, contract_start)
            pending += 1
            contract_start = _add_years(contract_start, series.contract_years)
        if pending >= batch_size or number == len(plan):
            with transaction.atomic():
                context.batch.flush()
            # With DEBUG on (as the command runs) Django keeps the last 9,000 queries with their
            # values, and a bulk insert's text is large: forget them, so memory stays bounded.
            reset_queries()
            pending = 0
            if progress:
                progress(f"{number} of {len(plan)} series: {context.counts.competitions} competitions")
    # The supply chain: the primes' paid claims and their payments to partners (demo/national_supply_chain.py).
    with transaction.atomic():
        supply_chain = generate_supply_chain(
            rng=random.Random(seed * 7919 + 13), today=today, commissioner=next(iter(staff.commissioners.values()))
        )
    reset_queries()  # as after each batch above
    # Referrals to the contracts, month by month (demo/national_referrals.py).
    referrals = generate_referrals(seed=seed, scale=scale, today=today, now=now)
    reset_queries()
    counts = context.counts
    counts.payment_claims += supply_chain.claims
    return NationalWorld(
        referrals=referrals.referrals,
        organisations=len(organisations.objects),
        organisations_qualified=organisations.qualified,
        qualifications=organisations.qualifications,
        partner_payments=supply_chain.partner_payments,
        **{f.name: getattr(counts, f.name) for f in fields(counts)},
    )
