"""The national world's referrals (issue 12, "Demo and scale"): probation practitioners refer people
to the contracts in delivery, month by month, from the first contract ten years back to today (in
two regions up to scale 1, in every region above it: `referring_regions`).

Which terms: those in force on the day (ADR 9: the latest version the provider had accepted,
`contracts.selectors.terms_at`), never the terms as made, so a variation's volumes count from the day
after it was accepted and an extension's years take referrals; each referral is sent (or a draft
started) only at a moment those terms make the contract live (`contracts.rules.CONTRACT_LIVE`: started,
not past their end, not terminated).

How many: the yearly volume those terms contract for (`ContractVersionYear.volume`, the last year's
for any year after them), a twelfth a month, times the contract's own demand (most within 10% of
what was contracted; about one in seven well above it and one in seven well below, so the volume
analysis of issue 13 has something to flag: DEMAND_ABOVE, DEMAND_BELOW), times the month of the year
(fewer in August and December, more in January), a slow start in a contract's first three months,
and chance (Poisson). Scale 1 makes about 119,000 (two regions); scale 10, every region, well over
a million.

What each became: its timestamps are laid out step by step as the services would set them (sent,
assigned to a caseworker, an initial assessment, an action plan submitted and approved, sessions
attended, late or missed, a missed one told to the practitioner, ended early or cancelled, the
end-of-service report sent), cut off at `now`, so the recent ones are still on the way. Each
referral's status is then what `referrals.rules` says of those timestamps: nothing here names a
status. Personal data is erased where `rules.RETENTION_DUE` says it is due, by that rule's own filter.

Personal data is really sealed under `PERSONAL_DATA_KEYS` (`referrals.sealing`), but sealing every
value of a million rows one by one would take minutes, so a pool of synthetic people (clearly
invented: made-up surnames, case reference numbers starting with Z) and a few synthetic texts are
sealed once, and their tokens are reused: the same person may be referred several times, as people
are. A keyed hash of each CRN is stored as `referral_update` stores it. A reused token is an equal
value in a database dump, which real data would not show; this is synthetic data.

Written in bulk (plain INSERTs with the ids chosen here, a few thousand rows a statement) without
audit events, like the rest of the national world; the database's constraints check every row.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import math
import operator
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max

from accounts.models import Membership, Role, StaffRole, User
from contracts.models import Contract, ContractVersion, ContractVersionYear, OrderType, PersonSex
from contracts.rules import CONTRACT_LIVE, VERSION_IN_FORCE, order_taken, person_admitted
from contracts.selectors import terms_at
from core.clock import LONDON, financial_year_of
from reference.models import Area, ServiceType
from referrals import rules
from referrals.eligibility import age_on, contract_age_range
from referrals.models import (
    ORDER_KIND,
    Achievement,
    ActionPlan,
    Appointment,
    AppointmentMethod,
    Assignment,
    Attendance,
    CancelReason,
    ComplexityLevel,
    DeliverySession,
    DesiredOutcome,
    EndOfServiceReport,
    EndReason,
    Engagement,
    PlanActivity,
    Referral,
    ReferralCategory,
    ReferralOutcome,
    ReportOutcome,
    SupervisionOrder,
)
from referrals.sealing import crn_digest
from referrals.services import REFERENCE_LETTERS, erase_personal_data_in_bulk

# The probation regions whose practitioners refer through this service. Up to scale 1 (the tests, the
# demo's backdrop, `make bench`'s scale 1): Kent, Surrey and Sussex (the demo's) and Wales, about 15%
# of the contracted volumes, so those worlds stay quick to build (all regions would make about a
# million referrals at scale 1); the other regions' contracts show none here (their practitioners
# refer through another system). Above scale 1 (`make bench`'s scale 10, which must carry over a
# million referrals): every region.
REFERRING_REGIONS = ("K", "D")


def referring_regions(scale: float) -> list[Area]:
    regions = Area.objects.filter(level="region").order_by("code")
    return list(regions if scale > 1 else regions.filter(code__in=REFERRING_REGIONS))


PRACTITIONERS_PER_REGION = 8  # at scale 1
PEOPLE_AT_SCALE_1 = 2000  # synthetic people in the sealed pool
FLUSH_EVERY = 20000  # referrals written per batch
PERSON_DRAWS = 50  # draws from the pool for someone a contract admits (women's services: about 1 in 5)

# Referrals by month of the year (January = 1), around 1: fewer over summer holidays and Christmas.
_SEASON = {1: 1.14, 2: 1.06, 3: 1.08, 4: 1.0, 5: 1.02, 6: 0.99, 7: 0.95, 8: 0.84, 9: 1.01, 10: 1.06, 11: 1.03, 12: 0.82}
SEASON = {month: value * 12 / sum(_SEASON.values()) for month, value in _SEASON.items()}
RAMP_UP = [0.5, 0.75, 0.9]  # a contract's first three months: practitioners learn it exists
# Each contract's own demand, against the volume contracted, so issue 13's demand flags
# (`volumes.flags`, above 110% or below 70% pro rata) have a minority to find: (share of contracts,
# lowest, highest) well above it and well below it; the rest within DEMAND_NEAR of it.
DEMAND_ABOVE = (0.15, 1.25, 1.6)
DEMAND_BELOW = (0.15, 0.4, 0.65)
DEMAND_NEAR = 0.1

# What becomes of a referral, given time: cancelled early, cancelled later, ended early, completed.
CANCELLED_EARLY, CANCELLED_LATER, ENDED_EARLY = 0.04, 0.05, 0.14
DRAFTS_LAST_DAYS = 30  # drafts are the last month's unfinished referrals (older ones were sent)
DRAFT_SHARE = 0.03

FIRST_NAMES = [
    "Ash", "Billie", "Cass", "Dale", "Eden", "Frankie", "Glen", "Harper", "Indy", "Jules", "Kit", "Lou",
    "Morgan", "Nico", "Oakley", "Parker", "Quinn", "Remy", "Sasha", "Tate", "Umi", "Vic", "Wren", "Yael",
]  # fmt: skip
SURNAME_PARTS = (
    ["Quist", "Brindle", "Fen", "Marrow", "Tumble", "Wick", "Nettle", "Pim", "Sorrel", "Gorse", "Bram", "Tansy"],
    ["whistle", "combe", "worth", "ridge", "bottom", "wold", "hollow", "stead", "brook", "mere", "dyke", "thorpe"],
)
# Each person's sex (as probation records it, on the referral: what a contract's eligibility asks,
# `contracts.rules.person_admitted`) and the gender they give (free text): most people on probation
# are men.
FEMALE_SHARE = 0.2
GENDERS = {
    PersonSex.FEMALE: ["Female"] * 8 + ["Non-binary", "Prefers not to say"],
    PersonSex.MALE: ["Male"] * 8 + ["Non-binary", "Prefers not to say"],
}
OLDEST_REFERRED = 70  # the pool's oldest, on the day of the first contract's start or today
LANGUAGES = ["English"] * 12 + ["Welsh", "Polish", "Romanian", "Punjabi", "Urdu", "Arabic"]
# Synthetic texts, each 30 bytes or fewer: sealed, such a value takes the smallest token (core.sealing
# pads values to 32 bytes, then to multiples of 256), which keeps the scale 10 database smaller.
RISKS = [
    "Synthetic: low risk to staff",
    "Synthetic: medium risk",
    "Synthetic: low risk, reminders",
    "Synthetic: meet in public only",
    "Synthetic: high risk, 2 staff",
]
NOTES = [
    "Synthetic: went through plan",
    "Synthetic: agreed next steps",
    "Synthetic: good progress",
    "Synthetic: found it hard today",
]
ACTIVITIES = ["Synthetic: weekly one-to-ones", "Synthetic: group course", "Synthetic: go with them to GP"]
PLACES = ["Synthetic: provider's office", "Synthetic: probation office"]

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@dataclass
class ReferralCounts:
    referrals: int = 0
    drafts: int = 0
    sessions: int = 0
    erased: int = 0


# --- The sealed pool ---------------------------------------------------------------------------------


class _Sealer:
    """Seals each distinct value once per field (by the field's own sealing, so its keys and padding),
    and reuses the token."""

    def __init__(self):
        self.tokens: dict[tuple[str, str, object], str | None] = {}

    def __call__(self, model, name: str, value) -> str | None:
        key = (model.__name__, name, value)
        token = self.tokens.get(key)
        if token is None and value is not None:
            token = model._meta.get_field(name).get_prep_value(value)
            self.tokens[key] = token
        return token


@dataclass
class _Person:
    crn_digest: str
    sealed: dict[str, str | None]  # Referral column -> token
    born: datetime.date
    sex: str  # PersonSex


def _people(
    rng: random.Random, count: int, seal: _Sealer, today: datetime.date, earliest: datetime.date
) -> list[_Person]:
    """The pool, oldest first: born so that on any day from `earliest` (the first contract's start) to
    `today` some are of every age from 18 to OLDEST_REFERRED."""
    numbers = rng.sample(range(1_000_000), count)
    people = []
    youngest, oldest = 18 * 366, OLDEST_REFERRED * 365 + (today - earliest).days
    for number in numbers:
        crn = f"Z{number:06d}"  # the Z series: never a real case reference number
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(SURNAME_PARTS[0]) + rng.choice(SURNAME_PARTS[1])
        born = today - datetime.timedelta(days=rng.randint(youngest, oldest))
        sex = PersonSex.FEMALE if rng.random() < FEMALE_SHARE else PersonSex.MALE
        language = rng.choice(LANGUAGES)
        interpreter = language != "English" and rng.random() < 0.5
        values = {
            "crn": crn,
            "first_name": first,
            "last_name": last,
            "date_of_birth": born,
            "sex": sex.value,  # the sex `_Contract.admits` draws people by, so every referral follows it
            "gender": rng.choice(GENDERS[sex]),
            "preferred_language": language,
            "needs_interpreter": interpreter,
            "interpreter_language": language if interpreter else None,
            # Optional answers, left empty as practitioners often leave them.
            "phone": f"07700 9{number % 100000:05d}" if rng.random() < 0.5 else None,  # Ofcom's drama range
            "email": None,
            "address": None,
            "accessibility_needs": "Synthetic: step-free access" if rng.random() < 0.2 else None,
        }
        people.append(
            _Person(
                crn_digest=crn_digest(crn),
                sealed={name: seal(Referral, name, value) for name, value in values.items()},
                born=born,
                sex=sex,
            )
        )
    return people


class _Pool:
    """The people, oldest first, to draw someone a contract admits on a day."""

    def __init__(self, people: list[_Person]):
        self.people = sorted(people, key=operator.attrgetter("born"))
        self.births = [person.born for person in self.people]

    def draw(self, chance: _Chance, contract: _Contract, day: datetime.date, kind: str) -> _Person | None:
        """Someone the contract admits on `day` under an order of this kind (`_Contract.admits`), or
        None: drawn among those born within a year either side of its age range, the rule asked of
        each draw."""
        youngest, oldest = contract_age_range(contract.row)
        lo = bisect.bisect_left(self.births, day - datetime.timedelta(days=366 * (oldest + 2)))
        hi = bisect.bisect_right(self.births, day - datetime.timedelta(days=365 * (youngest - 1)))
        if lo >= hi:
            return None
        for _ in range(PERSON_DRAWS):
            person = self.people[lo + int(chance.random() * (hi - lo))]
            if contract.admits(person, day, kind):
                return person
        return None


# --- Who refers and who delivers -----------------------------------------------------------------------


def _practitioners(regions: list[Area], per_region: int, joined: datetime.datetime) -> dict[int, list[int]]:
    """Generated practitioners (nobody signs in as one), each with a practitioner role in one region."""
    from demo.national import GENERATED_DOMAIN  # demo.national calls this module

    wanted = [
        (f"practitioner.{region.code.lower()}.{n}@{GENERATED_DOMAIN}", region, n)
        for region in regions
        for n in range(1, per_region + 1)
    ]
    emails = [email for email, _, _ in wanted]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    User.objects.bulk_create(
        [
            # An unusable password: generated people never sign in.
            User(email=email, full_name=f"Practitioner {region.code} {n}", password="!", date_joined=joined)  # noqa: S106
            for email, region, n in wanted
            if email not in existing
        ],
        batch_size=1000,
    )
    ids = dict(User.objects.filter(email__in=emails).values_list("email", "id"))
    with_role = set(
        StaffRole.objects.filter(user_id__in=ids.values(), role=Role.PRACTITIONER).values_list("user_id", flat=True)
    )
    StaffRole.objects.bulk_create(
        [
            StaffRole(user_id=ids[email], role=Role.PRACTITIONER, area=region, granted_at=joined)
            for email, region, _ in wanted
            if ids[email] not in with_role
        ]
    )
    by_region: dict[int, list[int]] = defaultdict(list)
    for email, region, _ in wanted:
        by_region[region.pk].append(ids[email])
    return by_region


@dataclass
class _Terms:
    """One version of a contract's terms in force (ADR 9) and the whole days it governs: from the day
    after the provider accepted it (version 1: from the start) to the day before the next version's
    days, and never past its own end, the termination or today."""

    version: ContractVersion  # what the contracts rules ask (its end, its contract's start and termination)
    volumes: dict[int, int]  # financial year -> contracted referrals
    region_ids: list[int]  # the referring regions its areas reach
    first_day: datetime.date
    last_day: datetime.date

    def volume(self, year: int) -> int:
        if year in self.volumes:
            return self.volumes[year]
        earlier = [y for y in self.volumes if y <= year]  # past its years: the last year's volume
        return self.volumes[max(earlier) if earlier else min(self.volumes)]


@dataclass
class _Contract:
    id: int
    supplier_id: int
    caseworker_id: int
    starts_on: datetime.date
    terms: list[_Terms]  # oldest first, each with days to govern
    in_force: list[ContractVersion]  # every version in force, oldest first, for `terms_at`
    categories: list[int]
    demand: float
    kinds: frozenset  # the kinds of order it takes (contracts.models.OrderType)
    row: Contract  # the contract as loaded: who it is for (ages, sex, orders), its start and termination
    live: dict = field(default_factory=dict)  # (version id, day) -> live that day, as CONTRACT_LIVE says
    admitted: dict = field(default_factory=dict)  # (age, sex, order kind) -> as `person_admitted` says

    def admits(self, person: _Person, day: datetime.date, kind: str) -> bool:
        """Whether the contract's eligibility admits `person` on `day` under an order of this kind, by
        `contracts.rules.person_admitted` (age in whole years by `referrals.eligibility.age_on`, the
        age a referral's date of birth is checked at)."""
        key = (age_on(person.born, day), person.sex, kind)
        admitted = self.admitted.get(key)
        if admitted is None:
            rule = person_admitted(age=key[0], sex=person.sex, order_type=kind, pre_release=False)
            admitted = self.admitted[key] = rule.holds(self.row)
        return admitted

    @property
    def ends_on(self) -> datetime.date:
        """The last day any of its terms takes referrals."""
        return max(terms.last_day for terms in self.terms)

    def terms_on(self, moment: datetime.datetime) -> ContractVersion | None:
        """The terms in force at `moment` (naive UTC, as every moment here), by `contracts.selectors.
        terms_at`, if they make the contract live that day (`contracts.rules.CONTRACT_LIVE`); else None."""
        aware = moment.replace(tzinfo=datetime.UTC)
        version = terms_at(self.row, aware, in_force=self.in_force)
        key = (version.pk, aware.astimezone(LONDON).date())
        live = self.live.get(key)
        if live is None:
            live = self.live[key] = CONTRACT_LIVE.holds(version, now=aware)
        return version if live else None


def _regions_of(paths: list[str], region_of_code: dict[str, int]) -> list[int]:
    parts = [path.strip("/").split("/") for path in paths]
    if any(len(p) == 1 for p in parts):
        return sorted(region_of_code.values())  # a national contract: practitioners everywhere
    return sorted({region_of_code[p[1]] for p in parts if p[1] in region_of_code})


def _days_governed(contract: Contract, in_force: list[ContractVersion], today: datetime.date):
    """(version, first day, last day) of each version in force: see `_Terms`. Left out if it
    governed no whole day (a later version accepted the next day)."""
    for number, version in enumerate(in_force):
        last_day = min(version.ends_on, contract.terminates_on or version.ends_on, today)
        if number + 1 < len(in_force):
            last_day = min(last_day, in_force[number + 1].accepted_at.astimezone(LONDON).date())
        first_day = contract.starts_on
        if number:
            first_day = max(first_day, version.accepted_at.astimezone(LONDON).date() + DAY)
        if first_day <= last_day:
            yield version, first_day, last_day


def _demand(rng: random.Random) -> float:
    """A contract's own demand against what was contracted (DEMAND_ABOVE, DEMAND_BELOW, DEMAND_NEAR)."""
    roll = rng.random()
    above, below = DEMAND_ABOVE[0], DEMAND_BELOW[0]
    if roll < above:
        return rng.uniform(*DEMAND_ABOVE[1:])
    if roll < above + below:
        return rng.uniform(*DEMAND_BELOW[1:])
    return min(1 + DEMAND_NEAR, max(1 - DEMAND_NEAR, rng.gauss(1.0, DEMAND_NEAR / 2)))


def _contracts(rng: random.Random, today: datetime.date, regions: list[Area]) -> list[_Contract]:
    contracts = {
        contract.pk: contract
        for contract in Contract.objects.filter(starts_on__lte=today)
        .order_by("id")
        .only(
            "id",
            "supplier_id",
            "starts_on",
            "terminates_on",
            "service_type_id",
            "for_community_orders",
            "for_licences",
            "min_age",
            "max_age",
            "eligible_sex",
        )
    }
    # The versions in force (`VERSION_IN_FORCE`), with their volumes and areas: the terms in force
    # on any day are one of these (`terms_at`), never the contract's terms as made.
    versions: dict[int, list[ContractVersion]] = defaultdict(list)
    for version in (
        ContractVersion.objects.filter(VERSION_IN_FORCE.q(), contract_id__in=list(contracts))
        .order_by("contract_id", "number")
        .only("id", "contract_id", "number", "ends_on", "accepted_at")
    ):
        version.contract = contracts[version.contract_id]  # CONTRACT_LIVE asks its start and termination
        versions[version.contract_id].append(version)
    version_ids = [version.pk for listed in versions.values() for version in listed]
    volumes: dict[int, dict[int, int]] = defaultdict(dict)
    for version_id, year, volume in ContractVersionYear.objects.filter(version_id__in=version_ids).values_list(
        "version_id", "financial_year", "volume"
    ):
        volumes[version_id][year] = volume
    areas: dict[int, list[str]] = defaultdict(list)
    for version_id, path in ContractVersion.areas.through.objects.filter(
        contractversion_id__in=version_ids
    ).values_list("contractversion_id", "area__path"):
        areas[version_id].append(path)
    region_of_code = {region.code: region.pk for region in regions}
    categories: dict[int, list[int]] = defaultdict(list)
    for type_id, category_id in ServiceType.categories.through.objects.order_by("servicecategory_id").values_list(
        "servicetype_id", "servicecategory_id"
    ):
        categories[type_id].append(category_id)
    caseworker = dict(
        Membership.objects.filter(organisation_id__in={c.supplier_id for c in contracts.values()})
        .order_by("-organisation_id", "-pk")  # the first member of each (the last value wins)
        .values_list("organisation_id", "user_id")
    )
    out = []
    for contract in contracts.values():
        in_force = versions[contract.pk]
        if contract.supplier_id not in caseworker or not in_force or not categories[contract.service_type_id]:
            continue
        terms = [
            _Terms(version, volumes[version.pk], region_ids, first_day, last_day)
            for version, first_day, last_day in _days_governed(contract, in_force, today)
            if volumes[version.pk] and (region_ids := _regions_of(areas[version.pk], region_of_code))
        ]
        if not terms:
            continue
        out.append(
            _Contract(
                id=contract.pk,
                supplier_id=contract.supplier_id,
                caseworker_id=caseworker[contract.supplier_id],
                starts_on=contract.starts_on,
                terms=terms,
                in_force=in_force,
                categories=categories[contract.service_type_id],
                demand=_demand(rng),
                kinds=frozenset(kind for kind in OrderType if order_taken(kind).holds(contract)),
                row=contract,
            )
        )
    return out


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _months(first: datetime.date, last: datetime.date):
    day = first.replace(day=1)
    while day <= last:
        following = (day + datetime.timedelta(days=32)).replace(day=1)
        yield day, following - DAY
        day = following


def month_pieces(contract: _Contract, month: datetime.date, month_end: datetime.date):
    """The days of a month the contract takes referrals, cut where a new version of its terms came
    into force: (terms, first day, last day), in order."""
    for terms in contract.terms:
        first, last = max(month, terms.first_day), min(month_end, terms.last_day)
        if first <= last:
            yield terms, first, last


def monthly_demand(
    contract: _Contract,
    terms: _Terms,
    month: datetime.date,
    month_end: datetime.date,
    first: datetime.date,
    last: datetime.date,
    index: int,
) -> float:
    """The expected number of referrals sent to `contract` from `first` to `last` in the month starting
    `month` (its `index`th), under `terms`: the volume they contract for that financial year."""
    volume = terms.volume(financial_year_of(month))
    share = ((last - first).days + 1) / ((month_end - month).days + 1)
    ramp = RAMP_UP[index] if index < len(RAMP_UP) else 1.0
    return volume / 12 * contract.demand * SEASON[month.month] * ramp * share


# --- Writing ---------------------------------------------------------------------------------------------


class _Table:
    """Rows of one model, with ids chosen here, written by plain INSERTs."""

    def __init__(self, model):
        self.model = model
        self.columns = [f.column for f in model._meta.concrete_fields]
        self.names = [f.attname for f in model._meta.concrete_fields]
        self.next_id = (model.objects.aggregate(last=Max("id"))["last"] or 0) + 1
        self.rows: list[tuple] = []
        self.written = 0
        self.defaults = dict.fromkeys(self.names)
        self.row_of = operator.itemgetter(*self.names)

    def reserve(self) -> int:
        pk = self.next_id
        self.next_id += 1
        return pk

    def add(self, pk: int | None = None, **values) -> int:
        row = {**self.defaults, **values}
        row["id"] = pk = pk or self.reserve()
        self.rows.append(self.row_of(row))
        return pk

    def flush(self, cursor) -> None:
        if not self.rows:
            return
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - names from the models
        for start in range(0, len(self.rows), 5000):
            cursor.executemany(sql, self.rows[start : start + 5000])
        self.written += len(self.rows)
        self.rows = []


def _stamp():
    """How a moment (naive, in UTC, as the generator works) is written: as Django writes it for this
    database (SQLite: UTC text; PostgreSQL: an aware datetime)."""
    if connection.vendor == "sqlite":
        return lambda moment: None if moment is None else str(moment)
    return lambda moment: None if moment is None else moment.replace(tzinfo=datetime.UTC)


def _day():
    if connection.vendor == "sqlite":
        return lambda day: None if day is None else str(day)
    return lambda day: day


class _Writer:
    def __init__(self):
        self.tables = {
            model: _Table(model)
            for model in (
                Referral,
                ReferralCategory,
                ReferralOutcome,
                Assignment,
                Appointment,
                ActionPlan,
                PlanActivity,
                DeliverySession,
                EndOfServiceReport,
                ReportOutcome,
            )
        }
        self.at = _stamp()
        self.on = _day()

    def __getitem__(self, model) -> _Table:
        return self.tables[model]

    def pending(self) -> int:
        return len(self.tables[Referral].rows)

    def flush(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for table in self.tables.values():  # in dependency order
                table.flush(cursor)

    def finish(self) -> None:
        self.flush()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(self.tables)):
                    cursor.execute(sql)


# --- One referral's life -----------------------------------------------------------------------------------


class _Chance:
    """Quick draws from one seeded `random.Random` (the generator makes tens of millions)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.random = rng.random

    def hours(self, low: int, high: int) -> datetime.timedelta:
        return datetime.timedelta(hours=low + int(self.random() * (high - low + 1)))

    def whole(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def one_of(self, items: list):
        return items[int(self.random() * len(items))]

    def weighted(self, pairs):
        """A function that draws one of `pairs`' items by its weight."""
        items = [item for item, _ in pairs]
        cumulative = list(itertools.accumulate(weight for _, weight in pairs))
        total, random_ = cumulative[-1], self.random
        return lambda: items[bisect.bisect(cumulative, random_() * total)]


ORDER_TYPES = [
    (SupervisionOrder.COMMUNITY_ORDER, 45),
    (SupervisionOrder.SUSPENDED_SENTENCE, 15),
    (SupervisionOrder.LICENCE, 35),
    (SupervisionOrder.POST_SENTENCE_SUPERVISION, 5),
]
METHODS = [(AppointmentMethod.IN_PERSON, 70), (AppointmentMethod.PHONE, 15), (AppointmentMethod.VIDEO, 15)]
ATTENDANCE = [(Attendance.ATTENDED, 78), (Attendance.LATE, 9), (Attendance.DID_NOT_ATTEND, 13)]
ENGAGEMENT = [(Engagement.GOOD, 60), (Engagement.SOME, 30), (Engagement.POOR, 10)]
CANCEL_REASONS = [
    (CancelReason.SENT_BY_MISTAKE, 10),
    (CancelReason.NO_LONGER_NEEDED, 40),
    (CancelReason.CIRCUMSTANCES, 40),
    (CancelReason.OTHER, 10),
]
END_REASONS = [
    (EndReason.RECALLED, 20),
    (EndReason.NOT_ENGAGING, 35),
    (EndReason.MOVED, 15),
    (EndReason.NEEDS_MET, 10),
    (EndReason.ORDER_ENDED, 10),
    (EndReason.OTHER, 10),
]
ACHIEVED_COMPLETED = [(Achievement.ACHIEVED, 55), (Achievement.PARTLY, 30), (Achievement.NOT_ACHIEVED, 15)]
ACHIEVED_ENDED = [(Achievement.ACHIEVED, 15), (Achievement.PARTLY, 35), (Achievement.NOT_ACHIEVED, 50)]


class _Generator:
    def __init__(self, *, rng, now, people, practitioners, outcomes, levels, seal, writer, references):
        self.rng = rng
        self.c = chance = _Chance(rng)
        self.now = now.astimezone(datetime.UTC).replace(tzinfo=None)  # naive UTC, as every moment here
        self.pool = _Pool(people)
        self.practitioners = practitioners
        self.outcomes = outcomes  # category id -> [desired outcome ids]
        self.levels = levels  # category id -> [complexity level ids]
        self.seal = seal
        self.w = writer
        self.references = references
        self.counts = ReferralCounts()
        self.risks = [seal(Referral, "risk_summary", text) for text in RISKS]
        self.notes = [seal(DeliverySession, "notes", text) for text in NOTES]
        self.outcome_notes = [seal(ReportOutcome, "notes", text) for text in NOTES]
        self.activities = [seal(PlanActivity, "description", text) for text in ACTIVITIES]
        self.places = [seal(Appointment, "location", text) for text in PLACES]
        self.further = [seal(EndOfServiceReport, "further_notes", text) for text in ("", *NOTES[:2])]
        self.order_type = chance.weighted(ORDER_TYPES)
        self.method = chance.weighted(METHODS)
        self.attendance = chance.weighted(ATTENDANCE)
        self.engagement = chance.weighted(ENGAGEMENT)
        self.cancel_reason = chance.weighted(CANCEL_REASONS)
        self.end_reason = chance.weighted(END_REASONS)
        self.achieved = {False: chance.weighted(ACHIEVED_COMPLETED), True: chance.weighted(ACHIEVED_ENDED)}

    def reference(self) -> str:
        one_of, letters = self.c.one_of, REFERENCE_LETTERS
        while True:
            reference = (
                f"{one_of(letters)}{one_of(letters)}{self.c.whole(0, 9999):04d}{one_of(letters)}{one_of(letters)}"
            )
            if reference not in self.references:
                self.references.add(reference)
                return reference

    def sent_moment(self, first: datetime.date, last: datetime.date) -> datetime.datetime:
        """A weekday in working hours (naive UTC), between `first` and `last`."""
        day = first + datetime.timedelta(days=self.c.whole(0, (last - first).days))
        if day.weekday() >= 5 and (day - datetime.timedelta(days=day.weekday() - 4)) >= first:
            day -= datetime.timedelta(days=day.weekday() - 4)
        return datetime.datetime(day.year, day.month, day.day, self.c.whole(8, 16), self.c.whole(0, 59))

    def order_for(self, contract: _Contract) -> str:
        """An order the contract takes (referrals.models.ORDER_KIND, as referral_update asks): the
        draw is kept, so the random sequence is the same; one the contract does not take becomes
        the commonest order of the kind it does."""
        order = self.order_type()
        if ORDER_KIND[order] in contract.kinds:
            return order
        if OrderType.LICENCE in contract.kinds:
            return SupervisionOrder.LICENCE
        return SupervisionOrder.COMMUNITY_ORDER

    def fate(self, sent_at: datetime.datetime) -> tuple[datetime.datetime | None, bool]:
        """When it will be cancelled (if it will), and whether it will end early."""
        c = self.c
        fate = c.random()
        cancel_at = None
        if fate < CANCELLED_EARLY:
            cancel_at = sent_at + c.hours(4, 5 * 24)
        elif fate < CANCELLED_EARLY + CANCELLED_LATER:
            cancel_at = sent_at + c.hours(5 * 24, 30 * 24)
        ends_early = CANCELLED_EARLY + CANCELLED_LATER <= fate < CANCELLED_EARLY + CANCELLED_LATER + ENDED_EARLY
        return cancel_at, ends_early

    def referral(self, contract: _Contract, terms: _Terms, sent_at: datetime.datetime, *, draft: bool = False) -> None:
        c, w, at, on, now = self.c, self.w, self.w.at, self.w.on, self.now
        order = self.order_for(contract)
        person = self.pool.draw(c, contract, sent_at.date(), ORDER_KIND[order])
        if person is None:
            return  # nobody in the pool the contract admits that day
        region = c.one_of(terms.region_ids)
        practitioner = c.one_of(self.practitioners[region])
        created_at = sent_at - datetime.timedelta(minutes=c.whole(10, 3 * 24 * 60))
        if contract.terms_on(created_at) is None:  # not live yet then: started the day it was sent
            created_at = sent_at - datetime.timedelta(minutes=10)
        sent_day = sent_at.date()
        values = {
            "contract_id": contract.id,
            "prime_id": contract.supplier_id,
            "created_by_id": practitioner,
            "area_id": region,
            "crn_digest": person.crn_digest,
            **person.sealed,
            "risk_summary": c.one_of(self.risks),
            "order_end_on": self.seal(Referral, "order_end_on", sent_day + datetime.timedelta(days=c.whole(120, 720))),
            "order_type": order,
            "max_rar_days": c.one_of([5, 10, 10, 15, 20, 20, 30]),
            "complete_by": on(sent_day + datetime.timedelta(days=c.whole(60, 180))),
            "created_at": at(created_at),
            "cancel_reason": "",
            "end_reason": "",
        }
        referrals = w[Referral]
        pk = referrals.reserve()
        if draft:
            # Started and saved as it goes; not sent yet (some pages not filled in).
            values["updated_at"] = at(created_at + datetime.timedelta(minutes=c.whole(5, 90)))
            if c.random() < 0.5:
                values.update(risk_summary=None, order_end_on=None, order_type="", max_rar_days=None, complete_by=None)
            referrals.add(pk, **values)
            self.categories(pk, contract)
            self.counts.drafts += 1
            return
        changed = sent_at
        caseworker = contract.caseworker_id
        values.update(reference=self.reference(), sent_at=at(sent_at), provider_id=contract.supplier_id)
        cancel_at, ends_early = self.fate(sent_at)

        def happens(moment) -> bool:
            return moment <= now and (cancel_at is None or moment < cancel_at)

        outcome_ids = self.categories(pk, contract)
        assigned_at = sent_at + c.hours(4, 10 * 24)
        plan_approved_at = started_at = ended_at = concluded_at = None
        if happens(assigned_at):
            w[Assignment].add(
                referral_id=pk,
                number=1,
                organisation_id=contract.supplier_id,
                caseworker_id=caseworker,
                assigned_at=at(assigned_at),
                assigned_by_id=caseworker,
            )
            values.update(caseworker_id=caseworker, assigned_at=at(assigned_at))
            changed = assigned_at
            booked = assigned_at + c.hours(1, 48)
            if happens(booked):
                starts = booked + c.hours(2 * 24, 10 * 24)
                method = self.method()
                recorded = starts + c.hours(1, 30)
                came = happens(recorded)
                w[Appointment].add(
                    referral_id=pk,
                    starts_at=at(starts),
                    duration_minutes=c.one_of([30, 45, 60, 60, 90]),
                    method=method,
                    location=c.one_of(self.places) if method == AppointmentMethod.IN_PERSON else None,
                    booked_at=at(booked),
                    booked_by_id=caseworker,
                    attendance=(Attendance.ATTENDED if c.random() < 0.9 else Attendance.DID_NOT_ATTEND) if came else "",
                    attendance_recorded_at=at(recorded) if came else None,
                )
                drafted = starts + c.hours(2, 72)
                if happens(drafted):
                    submitted = drafted + c.hours(4, 7 * 24)
                    approved = submitted + c.hours(4, 5 * 24)
                    sessions = c.whole(2, 8)
                    is_submitted, is_approved = happens(submitted), happens(approved) and cancel_at is None
                    plan = w[ActionPlan].add(
                        referral_id=pk,
                        version=1,
                        number_of_sessions=sessions,
                        created_at=at(drafted),
                        created_by_id=caseworker,
                        submitted_at=at(submitted) if is_submitted else None,
                        submitted_by_id=caseworker if is_submitted else None,
                        approved_at=at(approved) if is_approved else None,
                        approved_by_id=practitioner if is_approved else None,
                    )
                    for outcome_id in outcome_ids:
                        w[PlanActivity].add(plan_id=plan, outcome_id=outcome_id, description=c.one_of(self.activities))
                    if is_approved:
                        plan_approved_at = changed = approved
                        started_at, ended_at, concluded_at, changed = self.delivery(
                            pk, plan, sessions, approved, practitioner, caseworker, outcome_ids, ends_early, values
                        )
        if cancel_at is not None and cancel_at <= now:
            values.update(cancelled_at=at(cancel_at), cancelled_by_id=practitioner, cancel_reason=self.cancel_reason())
            changed = cancel_at
        values.update(
            plan_approved_at=at(plan_approved_at),
            started_at=at(started_at),
            ended_at=at(ended_at),
            concluded_at=at(concluded_at),
            updated_at=at(max(changed, sent_at)),
        )
        referrals.add(pk, **values)
        self.counts.referrals += 1

    def categories(self, pk: int, contract: _Contract) -> list[int]:
        c, w = self.c, self.w
        chosen = [c.one_of(contract.categories)]
        if len(contract.categories) > 1 and c.random() < 0.25:
            chosen = self.rng.sample(contract.categories, 2)
        outcome_ids = []
        for category_id in chosen:
            row = w[ReferralCategory].add(
                referral_id=pk, category_id=category_id, complexity_id=c.one_of(self.levels[category_id])
            )
            options = self.outcomes[category_id]
            how_many = min(len(options), c.one_of([1, 1, 2, 2, 3]))
            for outcome in options[:how_many] if how_many == len(options) else self.rng.sample(options, how_many):
                outcome_ids.append(w[ReferralOutcome].add(referral_category_id=row, outcome_id=outcome))
        return outcome_ids

    def delivery(self, pk, plan, sessions, approved, practitioner, caseworker, outcome_ids, ends_early, values):
        """Sessions under the approved plan, then ended early or the report sent, as far as `now`."""
        c, w, at, now = self.c, self.w, self.w.at, self.now
        stop_after = c.whole(0, sessions - 1) if ends_early else sessions
        moment = approved + c.hours(2 * 24, 7 * 24)
        started_at = ended_at = concluded_at = None
        changed = last = approved
        add_session = w[DeliverySession].add
        for number in range(1, stop_after + 1):
            recorded = moment + c.hours(1, 48)
            if recorded > now:
                return started_at, ended_at, concluded_at, changed
            attendance = self.attendance()
            missed = attendance == Attendance.DID_NOT_ATTEND
            engagement = "" if missed else self.engagement()
            add_session(
                referral_id=pk,
                number=number,
                plan_id=plan,
                happened_at=at(moment),
                attendance=attendance,
                engagement=engagement,
                notes=c.one_of(self.notes),
                # The caseworker tells the practitioner of most missed sessions and some poor engagement.
                tell_practitioner=(missed and c.random() < 0.8) or (engagement == Engagement.POOR and c.random() < 0.3),
                recorded_at=at(recorded),
                recorded_by_id=caseworker,
            )
            self.counts.sessions += 1
            if not missed and started_at is None:
                started_at = moment
            last = recorded
            moment += c.hours(5 * 24 - 2, 10 * 24 + 2)
        if ends_early:
            ended = last + c.hours(24, 14 * 24)
            if ended > now:
                return started_at, ended_at, concluded_at, changed
            ended_at = changed = ended
            values.update(ended_by_id=practitioner, end_reason=self.end_reason())
            if c.random() < 0.25:
                return started_at, ended_at, concluded_at, changed  # the provider has not reported yet
            last = ended
        written = last + c.hours(24, 5 * 24)
        sent = written + c.hours(1, 7 * 24)
        if written > now:
            return started_at, ended_at, concluded_at, changed
        is_sent = sent <= now
        report = w[EndOfServiceReport].add(
            referral_id=pk,
            further_notes=c.one_of(self.further),
            created_at=at(written),
            created_by_id=caseworker,
            sent_at=at(sent) if is_sent else None,
            sent_by_id=caseworker if is_sent else None,
        )
        achieved = self.achieved[ends_early]
        for outcome_id in outcome_ids:
            w[ReportOutcome].add(
                report_id=report, outcome_id=outcome_id, achievement=achieved(), notes=c.one_of(self.outcome_notes)
            )
        if is_sent:
            concluded_at = changed = sent
        return started_at, ended_at, concluded_at, changed


# --- The whole world ------------------------------------------------------------------------------------------


def generate_referrals(*, seed: int, scale: float, today: datetime.date, now: datetime.datetime) -> ReferralCounts:
    """Referrals for every contract month up to `now` (see the module's docstring)."""
    rng = random.Random(seed * 7919 + 17)
    seal = _Sealer()
    regions = referring_regions(scale)
    joined = datetime.datetime(today.year - 11, 1, 6, 9, tzinfo=datetime.UTC)
    practitioners = _practitioners(regions, max(2, round(PRACTITIONERS_PER_REGION * scale)), joined)
    outcomes: dict[int, list[int]] = defaultdict(list)
    for category_id, pk in DesiredOutcome.objects.filter(active=True).order_by("id").values_list("category_id", "id"):
        outcomes[category_id].append(pk)
    levels: dict[int, list[int]] = defaultdict(list)
    for category_id, pk in ComplexityLevel.objects.filter(active=True).order_by("id").values_list("category_id", "id"):
        levels[category_id].append(pk)
    contracts = [
        c for c in _contracts(rng, today, regions) if all(outcomes[cat] and levels[cat] for cat in c.categories)
    ]
    earliest = min((contract.starts_on for contract in contracts), default=today)
    people = _people(rng, max(300, round(PEOPLE_AT_SCALE_1 * scale)), seal, today, earliest)
    writer = _Writer()
    generator = _Generator(
        rng=rng,
        now=now,
        people=people,
        practitioners=practitioners,
        outcomes=outcomes,
        levels=levels,
        seal=seal,
        writer=writer,
        references=set(Referral.objects.exclude(reference=None).values_list("reference", flat=True)),
    )
    drafts_from = today - datetime.timedelta(days=DRAFTS_LAST_DAYS)
    naive_now = generator.now
    for contract in contracts:
        ends_on = contract.ends_on
        for index, (month, month_end) in enumerate(_months(contract.starts_on, ends_on)):
            # Each part of the month at the volume of the terms then in force; each referral sent (or
            # started) only while the terms in force at that moment make the contract live.
            for terms, first, last in month_pieces(contract, month, month_end):
                count = _poisson(rng, monthly_demand(contract, terms, month, month_end, first, last, index))
                for _ in range(count):
                    sent_at = generator.sent_moment(first, last)
                    if sent_at <= naive_now and contract.terms_on(sent_at) is not None:
                        generator.referral(contract, terms, sent_at)
                if last >= drafts_from and ends_on >= today:
                    for _ in range(_poisson(rng, count * DRAFT_SHARE + 0.2)):
                        started = generator.sent_moment(max(first, drafts_from), min(last, today))
                        if started <= naive_now and contract.terms_on(started) is not None:
                            generator.referral(contract, terms, started, draft=True)
        if writer.pending() >= FLUSH_EVERY:
            writer.flush()
    writer.finish()
    # Personal data past its retention period, erased as the periodic task erases it
    # (`referrals_erase_expired`): chosen by the same rule, blanking what the service blanks.
    counts = generator.counts
    due = Referral.objects.filter(rules.RETENTION_DUE.q(now=now))
    with transaction.atomic():
        counts.erased = erase_personal_data_in_bulk(referrals=due, now=now)
    return counts
