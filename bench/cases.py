"""The benchmark cases: (name, code under test, hand-written SQL floor). Each pair gives the same answer."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from importlib import import_module
from zoneinfo import ZoneInfo

from django.db import connection

from insights import floors
from insights.scope import Scope
from qualification.selectors.eligibility import eligible_organisations, partial_coverage_organisations
from reference.models import Area, ServiceType
from reference.selectors import covering_paths

# The fixed moment the bench world was generated around (see bench/run.py), so answers are stable.
NOW = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=ZoneInfo("Europe/London"))
TODAY = NOW.date()


@dataclass
class Case:
    name: str
    code: Callable[[], object]
    floor: Callable[[], object]


def _sql(query: str, params: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return [row[0] for row in cursor.fetchall()]


def _eligible_floor(service_type_code: str, area_code: str) -> Callable[[], list]:
    def run() -> list:
        service_type = ServiceType.objects.get(code=service_type_code)
        area = Area.objects.get(code=area_code)
        category_ids = list(service_type.categories.values_list("id", flat=True))
        paths = covering_paths(area)
        ids = _sql(
            "SELECT organisation_id FROM qualification_qualification "
            "WHERE removed_at IS NULL AND suspended_at IS NULL "
            f"AND category_id IN ({','.join(['%s'] * len(category_ids))}) "
            f"AND area_path IN ({','.join(['%s'] * len(paths))}) "
            "GROUP BY organisation_id HAVING COUNT(DISTINCT category_id) = %s",
            [*category_ids, *paths, len(category_ids)],
        )
        return sorted(ids)

    return run


def _eligible_code(service_type_code: str, area_code: str) -> Callable[[], list]:
    def run() -> list:
        service_type = ServiceType.objects.get(code=service_type_code)
        area = Area.objects.get(code=area_code)
        return sorted(eligible_organisations(service_type=service_type, area=area).values_list("id", flat=True))

    return run


def _partial_floor(service_type_code: str, area_code: str) -> Callable[[], list]:
    def run() -> list:
        service_type = ServiceType.objects.get(code=service_type_code)
        area = Area.objects.get(code=area_code)
        category_ids = list(service_type.categories.values_list("id", flat=True))
        paths = covering_paths(area)
        marks = ",".join(["%s"] * len(category_ids))
        ids = _sql(
            "SELECT DISTINCT organisation_id FROM qualification_qualification "
            f"WHERE removed_at IS NULL AND suspended_at IS NULL AND category_id IN ({marks}) "
            "AND area_path LIKE %s AND area_path <> %s "
            "AND organisation_id NOT IN (SELECT organisation_id FROM qualification_qualification "
            f"WHERE removed_at IS NULL AND suspended_at IS NULL AND category_id IN ({marks}) "
            f"AND area_path IN ({','.join(['%s'] * len(paths))}) "
            "GROUP BY organisation_id HAVING COUNT(DISTINCT category_id) = %s)",
            [*category_ids, area.path + "%", area.path, *category_ids, *paths, len(category_ids)],
        )
        return sorted(ids)

    return run


def _partial_code(service_type_code: str, area_code: str) -> Callable[[], list]:
    def run() -> list:
        service_type = ServiceType.objects.get(code=service_type_code)
        area = Area.objects.get(code=area_code)
        return sorted(partial_coverage_organisations(service_type=service_type, area=area).values_list("id", flat=True))

    return run


def _scope(area_code: str | None = None, year: int | None = None) -> Callable[[], Scope]:
    # Looked up inside each timed call, in both the code and the floor, so both pay the same.
    return lambda: Scope(area=Area.objects.get(code=area_code) if area_code else None, financial_year=year)


def _insight(name: str, scope: Callable[[], Scope], **extra) -> list[Case]:
    code_fn, floor_fn = getattr(import_module(f"insights.selectors.{name}"), name), getattr(floors, name)
    label = name.replace("_", " ")
    return [
        Case(
            f"insight: {label} ({'everywhere' if scope().area is None else scope().area.name})",
            lambda: code_fn(scope=scope(), **extra),
            lambda: floor_fn(scope=scope(), **extra),
        )
    ]


def _kept(name: str, scope: Callable[[], Scope]) -> Case:
    """The answer as a repeated request gets it: kept (core/pagecache.py, ADR 8 and 10)."""
    from django.test.utils import override_settings

    code_fn, floor_fn = getattr(import_module(f"insights.selectors.{name}"), name), getattr(floors, name)

    def kept():
        with override_settings(PUBLIC_CACHE_SECONDS=300):
            return code_fn(scope=scope())

    return Case(f"insight: {name.replace('_', ' ')}, kept (everywhere)", kept, lambda: floor_fn(scope=scope()))


KENT = "E23000032"
CARDIFF = "W06000015"
ELIGIBILITY_CASES: list[Case] = [
    Case(
        "eligibility: Accommodation, Kent (PCC area)",
        _eligible_code("accommodation", KENT),
        _eligible_floor("accommodation", KENT),
    ),
    Case(
        "eligibility: Personal Wellbeing (4 categories), region K",
        _eligible_code("personal-wellbeing", "K"),
        _eligible_floor("personal-wellbeing", "K"),
    ),
    Case(
        "eligibility: Accommodation, Cardiff (local authority)",
        _eligible_code("accommodation", CARDIFF),
        _eligible_floor("accommodation", CARDIFF),
    ),
    Case(
        "partial coverage: Accommodation, region K",
        _partial_code("accommodation", "K"),
        _partial_floor("accommodation", "K"),
    ),
]

INSIGHT_CASES: list[Case] = [
    *_insight("who_takes_part", _scope()),
    *_insight("who_takes_part", _scope("K")),
    _kept("who_takes_part", _scope()),
    *_insight("smaller_providers", _scope()),
    *_insight("smaller_providers", _scope("K")),
    *_insight("where_the_money_goes", _scope()),
    *_insight("coverage", _scope(), today=TODAY),
    *_insight("coverage", _scope("K"), today=TODAY),
    *_insight("pipeline", _scope(), now=NOW),
    *_insight("burden", _scope(), now=NOW),
]


def _payment_times_floor() -> list[dict]:
    """How quickly each commissioner pays (`contracts.selectors.payment_times`) in one query:
    paid claims (not queried, not corrections) by the opportunity's owner area, the count, the
    number paid within 30 days of being sent and the median days (the middle one or two by rank).
    Days count from the London day a claim was sent: the database's day in UTC, which is the London
    day for every claim of the bench world (sent in working hours)."""
    from decimal import Decimal

    from contracts.selectors import PAYMENT_RULE_DAYS, SMALL_NUMBER

    if connection.vendor == "postgresql":
        days = "(c.paid_on - (c.sent_at AT TIME ZONE 'Europe/London')::date)"
    else:
        days = "CAST(julianday(c.paid_on) - julianday(date(c.sent_at)) AS INTEGER)"
    sql = f"""
        WITH paid AS (
            SELECT a.name AS commissioner, {days} AS d
            FROM contracts_paymentclaim c
            JOIN contracts_contract k ON k.id = c.contract_id
            JOIN competitions_lot l ON l.id = k.lot_id
            JOIN competitions_competition p ON p.id = l.competition_id
            JOIN reference_area a ON a.id = p.owner_area_id
            WHERE c.paid_on IS NOT NULL AND c.queried_at IS NULL AND c.corrects_id IS NULL
        ),
        ranked AS (
            SELECT commissioner, d, ROW_NUMBER() OVER (PARTITION BY commissioner ORDER BY d) AS rn,
                   COUNT(*) OVER (PARTITION BY commissioner) AS cnt
            FROM paid
        )
        SELECT commissioner, MAX(cnt),
               SUM(CASE WHEN d <= %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN rn IN ((cnt + 1) / 2, (cnt + 2) / 2) THEN d ELSE 0 END),
               SUM(CASE WHEN rn IN ((cnt + 1) / 2, (cnt + 2) / 2) THEN 1 ELSE 0 END)
        FROM ranked GROUP BY commissioner ORDER BY commissioner
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [PAYMENT_RULE_DAYS])
        rows = cursor.fetchall()
    answer = []
    for commissioner, count, within, middle_sum, middle_count in rows:
        shown = count >= SMALL_NUMBER
        answer.append(
            {
                "commissioner": commissioner,
                "claims_paid": count if shown else None,
                "within_30_days_percent": round(Decimal(100) * within / count, 1) if shown else None,
                "median_days": Decimal(middle_sum) / middle_count if shown else None,
                "suppressed": not shown,
            }
        )
    return answer


def _payment_times_code() -> list[dict]:
    from contracts.selectors import payment_times

    return payment_times()


PAYMENT_CASES: list[Case] = [
    Case("payment times: each commissioner (the public page)", _payment_times_code, _payment_times_floor),
]


def _delivered_shares_floor() -> list[dict]:
    """Committed and delivered shares of every contract in one hand-written query."""
    from contracts.selectors_supply_chain import delivered_percent

    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH latest AS (
                SELECT contract_id, MAX(number) AS number FROM contracts_contractversion
                WHERE approved_at IS NOT NULL AND accepted_at IS NOT NULL AND declined_at IS NULL
                GROUP BY contract_id
            ),
            committed AS (
                SELECT latest.contract_id, SUM(p.share_percent) AS total FROM latest
                JOIN contracts_contractversion v ON v.contract_id = latest.contract_id AND v.number = latest.number
                JOIN contracts_contractversionpartner p ON p.version_id = v.id
                GROUP BY latest.contract_id
            ),
            prime AS (
                SELECT contract_id, SUM(amount) AS total FROM contracts_paymentclaim
                WHERE paid_on IS NOT NULL AND queried_at IS NULL GROUP BY contract_id
            ),
            partner AS (SELECT contract_id, SUM(amount) AS total FROM contracts_partnerpayment GROUP BY contract_id)
            SELECT c.id, COALESCE(committed.total, 0), COALESCE(prime.total, 0), COALESCE(partner.total, 0)
            FROM contracts_contract c
            LEFT JOIN committed ON committed.contract_id = c.id
            LEFT JOIN prime ON prime.contract_id = c.id
            LEFT JOIN partner ON partner.contract_id = c.id
            ORDER BY c.id
            """
        )
        rows = cursor.fetchall()
    cent = Decimal("0.01")
    return [
        {
            "contract_id": pk,
            "committed_percent": Decimal(str(committed)).quantize(cent),
            "prime_paid": Decimal(str(prime)).quantize(cent),
            "partner_paid": Decimal(str(partner)).quantize(cent),
            "delivered_percent": delivered_percent(Decimal(str(partner)), Decimal(str(prime))),
        }
        for pk, committed, prime, partner in rows
    ]


def _delivered_shares_code() -> list[dict]:
    from contracts.selectors_supply_chain import delivered_shares

    cent = Decimal("0.01")
    return [
        row
        | {
            "committed_percent": Decimal(row["committed_percent"]).quantize(cent),
            "prime_paid": Decimal(row["prime_paid"]).quantize(cent),
            "partner_paid": Decimal(row["partner_paid"]).quantize(cent),
        }
        for row in delivered_shares()
    ]


def _smaller_paid(fn: Callable, scope: Callable[[], Scope]) -> Callable[[], object]:
    return lambda: fn(scope=scope(), measure="paid")


SUPPLY_CHAIN_CASES: list[Case] = [
    Case("supply chain: delivered share per contract", _delivered_shares_code, _delivered_shares_floor),
    Case(
        "insight: smaller providers by money paid (everywhere)",
        _smaller_paid(import_module("insights.selectors.smaller_providers").smaller_providers, _scope()),
        _smaller_paid(floors.smaller_providers, _scope()),
    ),
    Case(
        "insight: smaller providers by money paid (region K)",
        _smaller_paid(import_module("insights.selectors.smaller_providers").smaller_providers, _scope("K")),
        _smaller_paid(floors.smaller_providers, _scope("K")),
    ),
]

CASES = ELIGIBILITY_CASES + INSIGHT_CASES + SUPPLY_CHAIN_CASES + PAYMENT_CASES


# --- Referrals (issue 12): the practitioner's list and the provider's inbox, first page ------------------

REFERRAL_PAGE = 25
_STATUS_SQL = (
    "CASE WHEN r.cancelled_at IS NOT NULL THEN 'cancelled' WHEN r.ended_at IS NOT NULL THEN 'ended_early' "
    "WHEN r.concluded_at IS NOT NULL THEN 'completed' WHEN r.sent_at IS NULL THEN 'draft' "
    "WHEN r.plan_approved_at IS NOT NULL THEN 'in_progress' WHEN r.assigned_at IS NOT NULL THEN 'assigned' "
    "ELSE 'sent' END"
)


def _busiest(column: str, where: str) -> int:
    """The id in `column` with the most referrals (who the case lists for), found once."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM referrals_referral WHERE {where} GROUP BY {column} ORDER BY COUNT(*) DESC, {column} "
            "LIMIT 1"
        )
        row = cursor.fetchone()
    return row[0] if row else 0


_USERS: dict[int, object] = {}


def _signed_in(user_id: int):
    """The person as a request sees them: their row (read once, outside the timing: the floor needs it
    as much), without what an earlier call worked out about them (a request starts afresh), their
    address confirmed (generated people never confirmed theirs: they never sign in)."""
    import copy

    from accounts.models import User

    if user_id not in _USERS:
        user = User.objects.get(pk=user_id)
        user.email_confirmed_at = user.email_confirmed_at or NOW
        _USERS[user_id] = user
    user = copy.copy(_USERS[user_id])
    for cached in ("_role_cache", "_role_areas", "_membership_cache"):
        user.__dict__.pop(cached, None)
    return user


def _page_rows(page, row) -> tuple:
    """What a list's page shows: its rows, and the list's length (the pagination's page count)."""
    return [row(r) for r in page.object_list], page.paginator.count


def _floor_page(select: str, joins: str, where: str, order: str, params: list) -> tuple:
    """A list's page as one hand-written query: the rows, each with the list's length beside it (a
    scalar subquery the database works out once)."""
    rows = _sql_rows(
        f"SELECT {select}, (SELECT COUNT(*) FROM referrals_referral r WHERE {where}) FROM referrals_referral r "
        f"{joins} WHERE {where} ORDER BY {order} LIMIT {REFERRAL_PAGE}",
        params + params,
    )
    return [row[:-1] for row in rows], (rows[0][-1] if rows else 0)


def _to_day(value) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)  # SQLite's text


def _sql_rows(query: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _practitioner_list() -> Case:
    """The practitioner's "your referrals", page 1, as the page reads it (`counted_page_or_404`):
    reference, service, dates and status, and how many there are."""
    from core.paging import counted_page_or_404
    from insights.floors import _to_dt
    from referrals.selectors import referrals_made_by

    user_id = None

    def who() -> int:
        nonlocal user_id
        if user_id is None:
            user_id = _busiest("created_by_id", "1=1")
        return user_id

    def row(r) -> tuple:
        return (r.pk, r.reference, r.status, r.contract.title, r.created_at, r.sent_at)

    def code() -> tuple:
        return _page_rows(counted_page_or_404(referrals_made_by(_signed_in(who())), REFERRAL_PAGE, "1"), row)

    def floor() -> tuple:
        rows, count = _floor_page(
            f"r.id, r.reference, {_STATUS_SQL}, c.title, r.created_at, r.sent_at",
            "JOIN contracts_contract c ON c.id = r.contract_id",
            "r.created_by_id = %s",
            "r.created_at DESC, r.id DESC",
            [who()],
        )
        return [(pk, ref, st, title, _to_dt(made), _to_dt(sent)) for pk, ref, st, title, made, sent in rows], count

    return Case("referrals: the practitioner's referrals, first page", code, floor)


def _provider_inbox() -> Case:
    """Every sent referral the busiest organisation's administrator may read as its provider
    (`selectors.provider_inbox`, which each tab of the inbox filters), page 1 with how many: what
    the inbox shows (reference, service, sent, done by, the partner if the work is with one, the
    caseworker, status)."""
    from accounts.models import Membership
    from core.paging import counted_page_or_404
    from insights.floors import _to_dt
    from referrals.selectors import provider_inbox

    who_cache: dict[str, int] = {}

    def who() -> tuple[int, int]:
        """The organisation with most referrals and its administrator (a referral manager)."""
        if not who_cache:
            organisation = _busiest("provider_id", "sent_at IS NOT NULL")
            admin = Membership.objects.filter(organisation_id=organisation, is_admin=True).order_by("pk").first()
            who_cache.update(organisation=organisation, user=admin.user_id if admin else 0)
        return who_cache["organisation"], who_cache["user"]

    def row(r) -> tuple:
        caseworker = r.caseworker.full_name or r.caseworker.email if r.caseworker else None
        partner = r.provider.legal_name if r.provider_id != r.prime_id else None
        return (r.pk, r.reference, r.status, r.contract.title, r.sent_at, r.complete_by, partner, caseworker)

    def code() -> tuple:
        return _page_rows(counted_page_or_404(provider_inbox(_signed_in(who()[1])), REFERRAL_PAGE, "1"), row)

    def floor() -> tuple:
        organisation, _ = who()
        # The prime kept on the referral (`prime_id`), as the code reads it: no join to decide who reads.
        rows, count = _floor_page(
            f"r.id, r.reference, {_STATUS_SQL}, c.title, r.sent_at, r.complete_by, "
            "CASE WHEN r.provider_id <> r.prime_id THEN o.legal_name END, "
            "CASE WHEN u.full_name <> '' THEN u.full_name ELSE u.email END",
            "JOIN contracts_contract c ON c.id = r.contract_id JOIN accounts_organisation o ON o.id = r.provider_id "
            "LEFT JOIN accounts_user u ON u.id = r.caseworker_id",
            "r.sent_at IS NOT NULL AND (r.provider_id = %s OR r.prime_id = %s)",
            "r.sent_at DESC, r.id DESC",
            [organisation, organisation],
        )
        return [
            (pk, ref, st, title, _to_dt(sent), _to_day(due), partner, caseworker)
            for pk, ref, st, title, sent, due, partner, caseworker in rows
        ], count

    return Case("referrals: the provider's inbox, first page", code, floor)


REFERRAL_CASES: list[Case] = [_practitioner_list(), _provider_inbox()]

CASES += REFERRAL_CASES
