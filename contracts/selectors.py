"""Reads for the contracts register, a contract's terms in force and its status."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Case, CharField, Count, Prefetch, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, ExtractYear, Substr

from accounts.permissions import is_staff_member, membership_of
from competitions.models import Award, CompetitionMember
from competitions.selectors.award import contract_refusal
from contracts import rules
from contracts.models import Contract, ContractDocument, ContractVersion, VersionKind
from core.clock import LONDON, db_now, financial_year_of
from qualification.uploads import FILE_TYPES, attachment_name, label_for


def contracts_visible_to(user) -> QuerySet[Contract]:
    """Every contract for staff; an organisation's own contracts for its members; nothing otherwise."""
    queryset = Contract.objects.select_related("supplier", "service_type", "lot__competition").prefetch_related(
        "areas", "years"
    )
    if is_staff_member(user):
        return queryset
    membership = membership_of(user)
    if membership is None:
        return queryset.none()
    return queryset.filter(supplier_id=membership.organisation_id)


def contract_detail(*, user, pk: int) -> Contract:
    """Raises Contract.DoesNotExist for a contract this person may not see."""
    return (
        contracts_visible_to(user)
        .select_related("commissioner_manager", "provider_manager", "lot__competition__owner_area")
        .prefetch_related("subcontracts", "funding")
        .get(pk=pk)
    )


def awards_due_for_contract() -> list[Award]:
    """Final awards (`rules.AWARD_FINAL`) of lots still wanted that have no contract yet."""
    now = db_now()
    candidates = (
        Award.objects.final(now=now)
        .filter(contract__isnull=True, lot__abandoned_at__isnull=True)
        .select_related("lot")
        .order_by("standstill_ends_at")
    )
    return [award for award in candidates if not contract_refusal(award, now=now)]


# --- Terms and status (ADR 9) ----------------------------------------------------------------


def terms_in_force(contract: Contract) -> ContractVersion:
    """The terms in force: the latest version the provider accepted (version 1 is the contract as
    made). Nothing is overwritten, so every earlier version is still there to read."""
    return (
        contract.versions.filter(rules.VERSION_IN_FORCE.q())
        .prefetch_related("areas", "years", "partners")
        .order_by("-number")
        .first()
    )


def open_version(contract: Contract) -> ContractVersion | None:
    """The change still open (a draft or a proposal waiting), if any: there is at most one."""
    return contract.versions.filter(rules.VERSION_OPEN.q()).first()


def extension_years_used(contract: Contract) -> int:
    """Years of extension already in force, out of the `extension_years` the opportunity offered."""
    used = contract.versions.filter(rules.VERSION_IN_FORCE.q(), kind=VersionKind.EXTENSION).aggregate(
        total=Sum("extension_years")
    )["total"]
    return used or 0


def term_financial_years(starts_on: datetime.date, ends_on: datetime.date) -> list[int]:
    """The financial years (April to March) a term from `starts_on` to `ends_on` touches."""
    return list(range(financial_year_of(starts_on), financial_year_of(ends_on) + 1))


def contract_status(contract: Contract, terms: ContractVersion, *, now: datetime.datetime | None = None) -> str:
    """Plain words for where a contract stands, from its dates and records (`contracts.rules`)."""
    now = now or db_now()
    if rules.CONTRACT_TERMINATED.holds(terms, now=now):
        return "Terminated"
    if rules.CONTRACT_NOT_STARTED.holds(terms, now=now):
        return "Not started"
    if rules.CONTRACT_LIVE.holds(terms, now=now):
        return "Live, ending early" if contract.terminates_on else "Live"
    return "Ended"


def versions_visible_to(user, contract: Contract) -> list[ContractVersion]:
    """Every version for the contract's commissioners and other staff; for the provider, the
    versions a second commissioner has approved (drafts and proposals are the commissioners' own)."""
    versions = contract.versions.select_related("proposed_by", "approved_by", "accepted_by", "declined_by").order_by(
        "number"
    )
    if is_staff_member(user):
        return list(versions)
    return [version for version in versions if version.approved_at is not None]


def version_detail(*, user, contract: Contract, number: int) -> ContractVersion:
    """Raises ContractVersion.DoesNotExist for a version this person may not see."""
    for version in versions_visible_to(user, contract):
        if version.number == number:
            return version
    raise ContractVersion.DoesNotExist


def year_shares(terms: ContractVersion, contract: Contract) -> list[dict]:
    """Each funding partner's share of each year's value under the terms in force."""
    rows = []
    for share in contract.funding.all():
        years = [
            (year.financial_year, (year.value * share.share_percent / Decimal(100)).quantize(Decimal("0.01")))
            for year in terms.years.all()
        ]
        rows.append({"name": share.name, "share_percent": share.share_percent, "years": years})
    return rows


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def terms_summary(version: ContractVersion) -> list[tuple[str, str, str]]:
    """A version's terms as (key, label, words) rows, to set one version beside another."""
    from core.formatting import london_date, money

    payment = (
        f"{version.get_payment_frequency_display()}; {version.get_payment_model_display().lower()}; paid within "
        f"{version.payment_days} {'working ' if version.payment_working_days else ''}days of a valid claim"
    )
    years = "; ".join(
        f"{y.financial_year} to {y.financial_year + 1}: {money(y.value)}, {y.volume:,} people"
        for y in version.years.all()
    )
    partners = "; ".join(f"{p.name}: {_percent(p.share_percent)} of the work" for p in version.partners.all())
    return [
        ("end-date", "End date", london_date(version.ends_on)),
        ("years", "Value and people each year", years or "None"),
        ("areas", "Areas", ", ".join(sorted(area.name for area in version.areas.all()))),
        ("partners", "Partners", partners or "No partners"),
        ("payment", "Payment terms", payment),
    ]


# --- Payments ------------------------------------------------------------------------------------

# Fewer paid claims than this for a commissioner and its figures are not shown: a handful of
# claims could point at one provider's cash flow.
SMALL_NUMBER = 5
PAYMENT_RULE_DAYS = 30  # the 30-day rule: a valid undisputed invoice paid within 30 days


def terms_at(
    contract: Contract, instant: datetime.datetime, *, in_force: list[ContractVersion] | None = None
) -> ContractVersion:
    """The terms in force at an instant: the latest version accepted by then (version 1 at least).
    `in_force`: the contract's versions in force already loaded (`in_force_versions`), oldest
    first, to ask without a query."""
    if in_force is not None:
        accepted = [version for version in in_force if version.accepted_at <= instant]
        return accepted[-1] if accepted else in_force[0]
    versions = contract.versions.filter(rules.VERSION_IN_FORCE.q()).order_by("-number")
    return versions.filter(accepted_at__lte=instant).first() or versions.last()


def in_force_versions(prefix: str = "") -> Prefetch:
    """A prefetch of each contract's versions in force, oldest first, for `terms_at(in_force=...)`
    (`prefix`: the path to the contract, e.g. "contract__")."""
    return Prefetch(
        f"{prefix}versions",
        queryset=ContractVersion.objects.filter(rules.VERSION_IN_FORCE.q()).order_by("number"),
        to_attr="in_force",
    )


def _month_start(day: datetime.date, months: int) -> datetime.date:
    """The first day of the period of `months` months containing `day`, periods lined up with
    the financial year (quarters start in April, July, October and January)."""
    offset = (day.month - 4) % months
    month = day.month - offset
    year = day.year
    if month < 1:
        month += 12
        year -= 1
    return datetime.date(year, month, 1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return datetime.date(day.year + month // 12, month % 12 + 1, 1)


def payment_periods(contract: Contract, terms: ContractVersion) -> list[tuple[datetime.date, datetime.date]]:
    """The periods the payment terms set (monthly or quarterly), from the start to the last day."""
    from competitions.models import PaymentFrequency

    months = 3 if terms.payment_frequency == PaymentFrequency.QUARTERLY_IN_ARREARS else 1
    last = min(terms.ends_on, contract.terminates_on or terms.ends_on)
    periods = []
    boundary = _month_start(contract.starts_on, months)
    while boundary <= last:
        following = _add_months(boundary, months)
        periods.append((max(boundary, contract.starts_on), min(following - datetime.timedelta(days=1), last)))
        boundary = following
    return periods


def claimable_periods(contract: Contract, terms: ContractVersion, *, today: datetime.date) -> list:
    """Periods the provider may claim for now: ended (in arrears) or begun (in advance), with no
    claim standing for them."""
    from competitions.models import PaymentFrequency

    in_advance = terms.payment_frequency == PaymentFrequency.MONTHLY_IN_ADVANCE
    taken = set(
        contract.claims.filter(queried_at__isnull=True, corrects__isnull=True).values_list("period_start", flat=True)
    )
    return [
        (start, end)
        for start, end in payment_periods(contract, terms)
        if start not in taken and (start <= today if in_advance else end < today)
    ]


def claim_due_on(claim, terms: ContractVersion) -> datetime.date:
    """The day a claim should be paid by: the payment terms' days after it was sent (working days
    where the terms say so)."""
    from core.clock import add_working_days

    if terms.payment_working_days:
        # add_working_days gives midnight at the end of the last working day.
        return (
            (add_working_days(claim.sent_at, terms.payment_days) - datetime.timedelta(minutes=1))
            .astimezone(LONDON)
            .date()
        )
    return claim.sent_at.astimezone(LONDON).date() + datetime.timedelta(days=terms.payment_days)


def claim_pay_by(claim, terms: ContractVersion) -> datetime.date:
    """The day a claim must be paid by: its due day under the payment terms, or 30 days after it
    was sent (the 30-day rule), whichever comes first."""
    rule_day = claim.sent_at.astimezone(LONDON).date() + datetime.timedelta(days=PAYMENT_RULE_DAYS)
    return min(claim_due_on(claim, terms), rule_day)


def claim_is_late(claim, terms: ContractVersion, *, today: datetime.date) -> bool:
    """Paid (or, unpaid, still not paid today) after the day it must be paid by (`claim_pay_by`).
    A queried claim is never late: it was not valid."""
    if claim.queried_at is not None:
        return False
    return (claim.paid_on or today) > claim_pay_by(claim, terms)


def days_to_pay(claim) -> int:
    """Calendar days from the valid claim (the one approved) to its payment."""
    return (claim.paid_on - claim.sent_at.astimezone(LONDON).date()).days


def claim_status(claim) -> str:
    if claim.corrects_id and claim.paid_on:
        return "Correction settled"
    if claim.paid_on:
        return "Paid"
    if claim.approved_at:
        return "Approved, waiting for payment"
    if claim.queried_at:
        return "Queried"
    return "Waiting for approval"


def contract_claims(contract: Contract, *, today: datetime.date) -> list[dict]:
    """Each claim with its status, its due date under the terms in force when it was sent, and
    whether it is late."""
    rows = []
    for claim in contract.claims.select_related("sent_by", "queried_by", "approved_by").order_by(
        "period_start", "sent_at"
    ):
        terms = terms_at(contract, claim.sent_at)
        due = claim_due_on(claim, terms)
        rows.append(
            {
                "claim": claim,
                "status": claim_status(claim),
                "due_on": None if claim.queried_at else due,
                "late": claim_is_late(claim, terms, today=today),
                "days": days_to_pay(claim) if claim.paid_on else None,
            }
        )
    return rows


# --- Claims across contracts: the commissioner's and the provider's lists ------------------------


def contracts_commissioned_by(user) -> QuerySet[Contract]:
    """The contracts of the commissioner's organisation: those of opportunities run for an area
    their commissioner roles cover (`owner_area_choices`), and those of any opportunity whose team
    they are on. Nothing for anyone who is not a commissioner."""
    from accounts.permissions import is_commissioner
    from competitions.selectors.competitions import owner_area_choices

    if not is_commissioner(user):
        return Contract.objects.none()
    on_team = CompetitionMember.objects.filter(user=user, role=CompetitionMember.MemberRole.COMMISSIONER)
    return Contract.objects.filter(
        Q(lot__competition__owner_area__in=owner_area_choices(user=user))
        | Q(lot__competition_id__in=on_team.values("competition_id"))
    )


def _outstanding_rows(claims: QuerySet, *, today: datetime.date) -> list[dict]:
    """Each claim still to be paid (`rules.CLAIM_OUTSTANDING`) with the day it must be paid by and
    whether that has passed; the longest overdue first. Three queries, whatever the number of claims
    and contracts: the claims with their contracts, and the contracts' versions in force."""
    loaded = (
        claims.filter(rules.CLAIM_OUTSTANDING.q())
        .select_related("contract__supplier", "contract__lot__competition__owner_area")
        .prefetch_related(in_force_versions("contract__"))
    )
    rows = []
    for claim in loaded:
        terms = terms_at(claim.contract, claim.sent_at, in_force=claim.contract.in_force)
        rows.append(
            {
                "claim": claim,
                "contract": claim.contract,
                "status": claim_status(claim),
                "waiting": rules.CLAIM_WAITING.holds(claim),
                "pay_by": claim_pay_by(claim, terms),
                "late": claim_is_late(claim, terms, today=today),
            }
        )
    rows.sort(key=lambda row: (row["pay_by"], row["contract"].title, row["claim"].period_start, row["claim"].pk))
    return rows


def commissioner_claims(user, *, today: datetime.date) -> dict:
    """For a commissioner: the claims waiting for a decision and the claims late, across every
    contract of their organisation (`contracts_commissioned_by`)."""
    from contracts.models import PaymentClaim

    rows = _outstanding_rows(PaymentClaim.objects.filter(contract__in=contracts_commissioned_by(user)), today=today)
    return {"waiting": [row for row in rows if row["waiting"]], "late": [row for row in rows if row["late"]]}


def provider_claims(user, *, today: datetime.date) -> dict:
    """For a provider's member: what its organisation is owed and when, across all its contracts —
    approved claims waiting for payment and claims waiting for approval, each with the day it must
    be paid by, and the totals."""
    from contracts.models import PaymentClaim

    membership = membership_of(user)
    if membership is None:
        return {"rows": [], "approved_total": Decimal(0), "waiting_total": Decimal(0), "late": 0}
    rows = _outstanding_rows(PaymentClaim.objects.filter(contract__supplier_id=membership.organisation_id), today=today)
    return {
        "rows": rows,
        "approved_total": sum((row["claim"].amount for row in rows if not row["waiting"]), Decimal(0)),
        "waiting_total": sum((row["claim"].amount for row in rows if row["waiting"]), Decimal(0)),
        "late": sum(1 for row in rows if row["late"]),
    }


def year_claimed(contract: Contract, financial_year: int) -> Decimal:
    """What the claims standing (not queried) for periods starting in a financial year add up to."""
    start = datetime.date(financial_year, 4, 1)
    end = datetime.date(financial_year + 1, 3, 31)
    total = contract.claims.filter(rules.CLAIM_STANDING.q(), period_start__gte=start, period_start__lte=end).aggregate(
        total=Sum("amount")
    )["total"]
    return total or Decimal(0)


def _financial_year(field: str):
    """The financial year (April to March) a date column falls in, in SQL (`financial_year_of`)."""
    return ExtractYear(field) - Case(When(**{f"{field}__month__lt": 4}, then=Value(1)), default=Value(0))


def _periods_in(financial_years: set[int] | None) -> Q:
    """Claims for periods starting in these financial years (every claim when None): date ranges on
    `period_start`, which an index can serve, not the financial year worked out per row."""
    if financial_years is None:
        return Q()
    if not financial_years:
        return Q(pk__in=[])
    ranges = Q()
    for year in financial_years:
        ranges |= Q(period_start__gte=datetime.date(year, 4, 1), period_start__lte=datetime.date(year + 1, 3, 31))
    return ranges


def claims_by_financial_year(
    contract_ids: list[int], *, financial_years: set[int] | None = None
) -> dict[tuple[int, int], dict[str, Decimal]]:
    """{(contract id, financial year): {"claimed": …, "paid": …}}: what the standing claims for
    periods starting in each financial year add up to (as `year_claimed` counts them), and the part
    of it paid; only those years when `financial_years` is given. One query, whatever the number of
    contracts."""
    from contracts.models import PaymentClaim

    rows = (
        PaymentClaim.objects.filter(
            rules.CLAIM_STANDING.q(), _periods_in(financial_years), contract_id__in=contract_ids
        )
        .annotate(financial_year=_financial_year("period_start"))
        .order_by()
        .values("contract_id", "financial_year")
        .annotate(claimed=Sum("amount"), paid=Sum("amount", filter=Q(paid_on__isnull=False)))
    )
    return {
        (row["contract_id"], row["financial_year"]): {
            "claimed": row["claimed"] or Decimal(0),
            "paid": row["paid"] or Decimal(0),
        }
        for row in rows
    }


def late_claims_by_financial_year(
    contract_ids: list[int], *, financial_years: set[int] | None = None
) -> dict[tuple[int, int], tuple[int, int]]:
    """{(contract id, financial year of the period): (claims paid late, claims paid)}: each paid
    claim (a correction is not a claim paid on its own, as in `_paid_claim_days`) asked
    `claim_is_late` under the terms in force when it was sent; only claims for periods in
    `financial_years` when given (each claim is made into a model, so a page that needs a year or two
    must not read every claim in history). Two queries, whatever the number of contracts: the claims
    with their contracts, and the contracts' versions in force."""
    from contracts.models import PaymentClaim

    claims = (
        PaymentClaim.objects.filter(
            rules.CLAIM_STANDING.q(),
            _periods_in(financial_years),
            contract_id__in=contract_ids,
            paid_on__isnull=False,
            corrects__isnull=True,
        )
        .select_related("contract")
        .only("contract__starts_on", "period_start", "sent_at", "queried_at", "paid_on")
        .prefetch_related(in_force_versions("contract__"))
        .order_by()
    )
    table: dict[tuple[int, int], tuple[int, int]] = {}
    for claim in claims:
        terms = terms_at(claim.contract, claim.sent_at, in_force=claim.contract.in_force)
        key = (claim.contract_id, financial_year_of(claim.period_start))
        late, paid = table.get(key, (0, 0))
        table[key] = (late + claim_is_late(claim, terms, today=claim.paid_on), paid + 1)
    return table


def _timeliness(days: list[int]) -> dict:
    """Claims paid, the share within 30 days and the median days; withheld below SMALL_NUMBER."""
    from statistics import median

    shown = len(days) >= SMALL_NUMBER
    return {
        "claims_paid": len(days) if shown else None,
        "within_30_days_percent": (
            round(Decimal(100) * sum(1 for d in days if d <= PAYMENT_RULE_DAYS) / len(days), 1) if shown else None
        ),
        "median_days": Decimal(str(median(days))) if shown else None,
        "suppressed": not shown,
    }


def _paid_claim_days(*fields: str) -> dict[tuple, list[int]]:
    """Days from sending to payment (`days_to_pay`) of every paid claim, grouped by `fields`, each
    list sorted. One query, which counts the claims by (fields, the hour sent in UTC, the day paid),
    so no row is made into a model or a timezone-aware datetime: the London day of each hour sent
    and each day paid is worked out once. Corrections are left out: they are not claims paid on
    their own and would count a period twice."""
    from functools import cache

    from contracts.models import PaymentClaim

    @cache
    def london_day(utc_hour: str) -> datetime.date:  # "YYYY-MM-DD HH", in UTC
        return datetime.datetime.fromisoformat(f"{utc_hour}:00+00:00").astimezone(LONDON).date()

    @cache
    def day(text: str) -> datetime.date:
        return datetime.date.fromisoformat(text)

    grouped: dict[tuple, list[int]] = {}
    paid = (
        PaymentClaim.objects.filter(paid_on__isnull=False, queried_at__isnull=True, corrects__isnull=True)
        .annotate(
            # Text as the database writes it in UTC (Django's connections use UTC): the first 13
            # characters are the day and hour.
            sent_hour=Substr(Cast("sent_at", CharField()), 1, 13),
            paid_day=Cast("paid_on", CharField()),
        )
        .order_by()
        .values_list(*fields, "sent_hour", "paid_day")
        .annotate(claims=Count("id"))
    )
    for *key, sent_hour, paid_day, claims in paid:
        days = (day(paid_day) - london_day(sent_hour)).days
        grouped.setdefault(tuple(key), []).extend([days] * claims)
    for days in grouped.values():
        days.sort()
    return grouped


def payment_times() -> list[dict]:
    """How quickly each commissioner pays: paid claims, the share paid within 30 days of a valid
    claim and the median days. Fewer than SMALL_NUMBER paid claims: the figures are withheld. One
    query, whatever the number of contracts."""
    grouped = _paid_claim_days("contract__lot__competition__owner_area__name")
    return [{"commissioner": key[0], **_timeliness(grouped[key])} for key in sorted(grouped)]


def payment_times_by_contract() -> list[dict]:
    """The same figures for each contract (its id, title and commissioner), small numbers withheld."""
    grouped = _paid_claim_days("contract_id", "contract__title", "contract__lot__competition__owner_area__name")
    return [
        {"contract_id": key[0], "contract": key[1], "commissioner": key[2], **_timeliness(grouped[key])}
        for key in sorted(grouped, key=lambda k: (k[2], k[1], k[0]))
    ]


CSV_HEADER = ["Commissioner", "Contract ID", "Contract", "Claims paid", "Paid within 30 days (%)", "Median days"]


def payment_times_csv_rows() -> list[list[str]]:
    """Payment times by commissioner (Contract ID blank), then by contract, for the CSV download."""
    withheld = "fewer than 5"

    def figures(row: dict) -> list[str]:
        if row["suppressed"]:
            return [withheld, "", ""]
        return [str(row["claims_paid"]), str(row["within_30_days_percent"]), str(row["median_days"])]

    rows = [[row["commissioner"], "", "All contracts", *figures(row)] for row in payment_times()]
    rows += [
        [row["commissioner"], str(row["contract_id"]), row["contract"], *figures(row)]
        for row in payment_times_by_contract()
    ]
    return rows


def funding_shares_of_payments(contract: Contract) -> list[dict]:
    """Each funding partner's share of what has been paid and of what is approved but not yet paid."""
    from contracts.models import PaymentClaim

    standing = PaymentClaim.objects.filter(contract=contract, queried_at__isnull=True, approved_at__isnull=False)
    paid = standing.filter(paid_on__isnull=False).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    owed = standing.filter(paid_on__isnull=True).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    cent = Decimal("0.01")
    return [
        {
            "name": share.name,
            "share_percent": share.share_percent,
            "paid": (paid * share.share_percent / 100).quantize(cent),
            "owed": (owed * share.share_percent / 100).quantize(cent),
        }
        for share in contract.funding.all()
    ]


def manager_candidates(contract: Contract, side: str) -> QuerySet:
    """Who may be named contract manager on one side: one of the opportunity's commissioners, or a
    member of the provider. The page offers these and the service accepts only these."""
    users = get_user_model().objects.all()
    if side == "commissioner":
        return users.filter(
            competition_memberships__competition_id=contract.lot.competition_id,
            competition_memberships__role=CompetitionMember.MemberRole.COMMISSIONER,
        ).distinct()
    if side == "provider":
        return users.filter(memberships__organisation_id=contract.supplier_id).distinct()
    return users.none()


# --- Documents -----------------------------------------------------------------------------------


def contract_documents(contract: Contract) -> list[ContractDocument]:
    """Every document of the contract, withdrawn ones too (shown as such), oldest first. For whoever
    may see the contract (`contracts.permissions.can_download_contract_document`); never public."""
    return list(
        ContractDocument.objects.filter(contract=contract)
        .select_related("added_by", "withdrawn_by")
        .order_by("added_at", "pk")
    )


def document_download_name(document: ContractDocument) -> str:
    """A safe name to save the file as, from the contract and the document's title, never the
    uploader's file name."""
    return f"contract-{document.contract_id}-" + attachment_name(document.title, document.content_type)


def document_kind_label(document: ContractDocument) -> str:
    """The kind of file in words, e.g. "PDF" or "Word document"."""
    return label_for(document.content_type) if document.content_type in FILE_TYPES else "File"
