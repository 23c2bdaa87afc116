"""The floor for each insight: the same rows as `insights.selectors`, from ONE hand-written SQL query.

Used by `make bench` (how far the selector is from the fastest plain SQL) and by a test that asserts
selector == floor on a generated world. Each works on SQLite and PostgreSQL. Python here only turns
the query's rows into the same dataclasses (sharing the selectors' small `fold_*` helpers where the
rule is presentation, not data).
"""

# ruff: noqa: S608 -- every value is a query parameter; only fixed SQL fragments are joined.
from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from core.clock import LONDON, db_now
from insights.scope import Scope, current_financial_year
from insights.selectors import burden as effort
from insights.selectors import common
from insights.selectors import coverage as cover
from insights.selectors import pipeline as pipe
from insights.selectors import smaller_providers as smaller
from insights.selectors import where_the_money_goes as money
from insights.selectors import who_takes_part as funnel
from reference.models import LEVEL_DEPTH, AreaLevel
from reference.selectors import covering_paths


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _dt(value: datetime.datetime) -> object:
    return connection.ops.adapt_datetimefield_value(value)


def _d(value: datetime.date) -> object:
    return connection.ops.adapt_datefield_value(value)


def _to_date(value) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def _to_dt(value) -> datetime.datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.fromisoformat(str(value))
    # SQLite stores UTC without an offset.
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)


def _money(value) -> Decimal | None:
    """A sum of money as the database gave it, to the penny (SQLite sums in floating point)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _overlap(column: str, scope: Scope) -> tuple[str, list]:
    """`column` (an area path) is the chosen area, inside it or above it."""
    if scope.area is None:
        return "1=1", []
    above = covering_paths(scope.area)[:-1]
    marks = ", ".join(["%s"] * len(above))
    return f"({column} LIKE %s OR {column} IN ({marks}))", [scope.area.path + "%", *above]


def _within(column: str, scope: Scope) -> tuple[str, list]:
    if scope.area is None:
        return "1=1", []
    return f"{column} LIKE %s", [scope.area.path + "%"]


def _in_year(column: str, scope: Scope) -> tuple[str, list]:
    if scope.financial_year is None:
        return "1=1", []
    start, end = scope.year_bounds
    return f"({column} >= %s AND {column} < %s)", [_dt(start), _dt(end)]


def _days_sql(start: str, end: str) -> str:
    if connection.vendor == "postgresql":
        return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"
    return f"(julianday({end}) - julianday({start}))"


# --- 1 ----------------------------------------------------------------------------------------


def who_takes_part(*, scope: Scope = common.EVERYWHERE, now: datetime.datetime | None = None) -> funnel.WhoTakesPart:
    params: list = []
    # Bids are sealed until the closing date: only closed competitions' bids are counted.
    closed = (
        "b.competition_id IN (SELECT cc.id FROM competitions_competition cc"
        " WHERE cc.launched_at IS NOT NULL AND cc.closes_at <= %s)",
        [_dt(now or db_now())],
    )

    def part(sql: str, *pieces: tuple[str, list]) -> str:
        texts = []
        for text, values in pieces:
            texts.append(text)
            params.extend(values)
        return sql.format(*texts)

    columns = []
    interest = part(
        "EXISTS (SELECT 1 FROM qualification_interest i WHERE i.organisation_id = o.id AND {0})",
        _in_year("i.registered_at", scope),
    )
    if scope.area is not None:
        interest += part(
            " AND EXISTS (SELECT 1 FROM qualification_requestedcoverage rc"
            " JOIN qualification_application ap ON ap.id = rc.application_id"
            " JOIN reference_area ar ON ar.id = rc.area_id WHERE ap.organisation_id = o.id AND {0})",
            _overlap("ar.path", scope),
        )
    columns.append(interest)
    requested = (
        "EXISTS (SELECT 1 FROM qualification_requestedcoverage rc JOIN reference_area ar ON ar.id = rc.area_id"
        " WHERE rc.application_id = a.id AND {1})"
        if scope.area is not None
        else "1=1 AND {1}"
    )
    columns.append(
        part(
            "EXISTS (SELECT 1 FROM qualification_application a WHERE a.organisation_id = o.id"
            " AND a.submitted_at IS NOT NULL AND {0} AND " + requested + ")",
            _in_year("a.submitted_at", scope),
            _overlap("ar.path", scope),
        )
    )
    columns.append(
        part(
            "EXISTS (SELECT 1 FROM qualification_qualification q WHERE q.organisation_id = o.id AND {0} AND {1})",
            _in_year("q.granted_at", scope),
            _overlap("q.area_path", scope),
        )
    )
    lot_area = (
        "EXISTS (SELECT 1 FROM competitions_lot l JOIN competitions_lot_areas la ON la.lot_id = l.id"
        " JOIN reference_area ar ON ar.id = la.area_id WHERE l.competition_id = {table}.competition_id AND {{1}})"
    )
    # Invitations and bids count in the areas of the lots they were for.
    invited_for, bid_for = "1=1 AND {1}", "1=1 AND {1}"
    if scope.area is not None:
        invited_for = (
            "EXISTS (SELECT 1 FROM competitions_competitioninvitation_lots il"
            " JOIN competitions_lot_areas la ON la.lot_id = il.lot_id JOIN reference_area ar ON ar.id = la.area_id"
            " WHERE il.competitioninvitation_id = ci.id AND {1})"
        )
        bid_for = (
            "EXISTS (SELECT 1 FROM competitions_bidlot bl"
            " JOIN competitions_lot_areas la ON la.lot_id = bl.lot_id JOIN reference_area ar ON ar.id = la.area_id"
            " WHERE bl.bid_id = b.id AND {1})"
        )
    columns.append(
        part(
            "EXISTS (SELECT 1 FROM competitions_competitioninvitation ci WHERE ci.organisation_id = o.id"
            " AND ci.kind = 'eligible' AND {0} AND " + invited_for + ")",
            _in_year("ci.invited_at", scope),
            _overlap("ar.path", scope),
        )
    )
    columns.append(
        part(
            "EXISTS (SELECT 1 FROM competitions_bid b WHERE b.organisation_id = o.id AND b.submitted_at IS NOT NULL"
            " AND b.withdrawn_at IS NULL AND {0} AND " + bid_for + " AND {2})",
            _in_year("b.submitted_at", scope),
            _overlap("ar.path", scope),
            closed,
        )
    )
    award_area = (
        " AND EXISTS (SELECT 1 FROM competitions_lot_areas la JOIN reference_area ar ON ar.id = la.area_id"
        " WHERE la.lot_id = aw.lot_id AND {1})"
    )
    columns.append(
        part(
            "(EXISTS (SELECT 1 FROM competitions_award aw JOIN competitions_bid wb ON wb.id = aw.bid_id"
            " WHERE wb.organisation_id = o.id AND aw.approved_at IS NOT NULL AND aw.cancelled_at IS NULL"
            " AND {0}" + award_area + ")",
            _in_year("COALESCE(aw.approved_at, aw.recommended_at)", scope),
            _overlap("ar.path", scope),
        )
        + part(
            " OR EXISTS (SELECT 1 FROM competitions_award aw WHERE aw.direct_organisation_id = o.id"
            " AND aw.cancelled_at IS NULL AND (aw.approved_at IS NOT NULL OR aw.bid_id IS NULL)"
            " AND {0}" + award_area + "))",
            _in_year("COALESCE(aw.approved_at, aw.recommended_at)", scope),
            _overlap("ar.path", scope),
        )
    )
    columns.append(
        part(
            "EXISTS (SELECT 1 FROM qualification_application a WHERE a.organisation_id = o.id"
            " AND a.submitted_at IS NULL AND {0} AND " + requested + ")"
            " AND NOT EXISTS (SELECT 1 FROM qualification_application a2 WHERE a2.organisation_id = o.id"
            " AND a2.submitted_at IS NOT NULL)",
            _in_year("a.started_at", scope),
            _overlap("ar.path", scope),
        )
    )
    columns.append(
        part(
            "EXISTS (SELECT 1 FROM competitions_bid b WHERE b.organisation_id = o.id AND b.submitted_at IS NULL"
            " AND {0} AND " + lot_area.format(table="b") + " AND {2})",
            _in_year("b.started_at", scope),
            _overlap("ar.path", scope),
            closed,
        )
    )
    select = ", ".join(f"SUM(CASE WHEN {column} THEN 1 ELSE 0 END)" for column in columns)
    rows = _rows(
        f"SELECT o.organisation_type, o.size, {select} FROM accounts_organisation o"
        " GROUP BY o.organisation_type, o.size",
        params,
    )
    keys = [key for key, _ in funnel.FUNNEL_STEPS + funnel.DROPOUT_STEPS]
    return funnel.fold_funnel([(r[0], r[1], dict(zip(keys, (int(v or 0) for v in r[2:]), strict=True))) for r in rows])


# --- 2 ----------------------------------------------------------------------------------------


def smaller_providers(
    *, scope: Scope = common.EVERYWHERE, level: str | None = None, measure: str = smaller.AWARDED
) -> smaller.SmallerProviders:
    level = level or smaller.default_breakdown_level(scope.area)
    if measure == smaller.PAID:
        return _smaller_providers_paid(scope=scope, level=level)
    params: list = []
    year_test = "1=1"
    if scope.financial_year is not None:
        year_test = "cy.financial_year = %s"
        params.append(scope.financial_year)
    contract_tests = ["1=1"]
    overlap, overlap_params = _overlap("a.path", scope)
    ok_params: list = []
    if scope.area is not None:
        contract_tests.append(
            "EXISTS (SELECT 1 FROM contracts_contract_areas ca JOIN reference_area a ON a.id = ca.area_id"
            f" WHERE ca.contract_id = c.id AND {overlap})"
        )
        ok_params += overlap_params
    if scope.financial_year is not None:
        contract_tests.append(
            "EXISTS (SELECT 1 FROM contracts_contractyear y WHERE y.contract_id = c.id AND y.financial_year = %s)"
        )
        ok_params.append(scope.financial_year)
    params += ok_params
    params += [level, level]
    sql = f"""
        WITH cv AS (
            SELECT cy.contract_id, SUM(cy.value) AS v FROM contracts_contractyear cy WHERE {year_test}
            GROUP BY cy.contract_id
        ),
        ok AS (SELECT c.id FROM contracts_contract c WHERE {" AND ".join(contract_tests)}),
        fa AS (
            SELECT ca.contract_id, MIN(a.path) AS path FROM contracts_contract_areas ca
            JOIN reference_area a ON a.id = ca.area_id GROUP BY ca.contract_id
        ),
        lv AS (SELECT MAX(LENGTH(path)) AS n FROM reference_area WHERE level = %s),
        parties AS (
            SELECT 'contract' AS kind, c.id AS contract_id, c.supplier_id AS organisation_id, cv.v AS value
            FROM contracts_contract c JOIN ok ON ok.id = c.id LEFT JOIN cv ON cv.contract_id = c.id
            UNION ALL
            SELECT 'subcontract', sc.contract_id, sc.organisation_id, cv.v * sc.share_percent / 100.0
            FROM contracts_subcontract sc JOIN ok ON ok.id = sc.contract_id LEFT JOIN cv ON cv.contract_id = sc.contract_id
        )
        SELECT p.kind, g.path, g.code, g.name, o.size, o.organisation_type, COUNT(*), SUM(p.value)
        FROM parties p
        CROSS JOIN lv
        LEFT JOIN fa ON fa.contract_id = p.contract_id
        LEFT JOIN reference_area g ON g.level = %s AND g.path = SUBSTR(fa.path, 1, lv.n)
        LEFT JOIN accounts_organisation o ON o.id = p.organisation_id
        GROUP BY p.kind, g.path, g.code, g.name, o.size, o.organisation_type
    """
    rows = _rows(sql, params)
    names = {r[1]: (r[2], r[3]) for r in rows if r[1] is not None}
    tallies = [(r[0], r[1], r[4], r[5], int(r[6]), _money(r[7])) for r in rows]
    return smaller.fold_smaller_providers(level=level, names=names, tallies=tallies)


def _smaller_providers_paid(*, scope: Scope, level: str) -> smaller.SmallerProviders:
    """Money actually paid: claims paid to main organisations, payments they recorded to partners."""
    overlap, overlap_params = _overlap("a.path", scope)
    area_test, params = "1=1", []
    if scope.area is not None:
        area_test = (
            "EXISTS (SELECT 1 FROM contracts_contract_areas ca JOIN reference_area a ON a.id = ca.area_id"
            f" WHERE ca.contract_id = c.id AND {overlap})"
        )
        params += overlap_params
    year_test, year_params = "1=1", []
    if scope.year_dates is not None:
        year_test = "x.paid_on BETWEEN %s AND %s"
        year_params = [d.isoformat() for d in scope.year_dates]
    # In the order of the placeholders: the area test (above), the level's path length, the
    # year test in each half of the union, then the level of the areas grouped by.
    params += [level] + year_params + year_params + [level]
    sql = f"""
        WITH ok AS (SELECT c.id, c.supplier_id FROM contracts_contract c WHERE {area_test}),
        fa AS (
            SELECT ca.contract_id, MIN(a.path) AS path FROM contracts_contract_areas ca
            JOIN reference_area a ON a.id = ca.area_id GROUP BY ca.contract_id
        ),
        lv AS (SELECT MAX(LENGTH(path)) AS n FROM reference_area WHERE level = %s),
        parties AS (
            SELECT 'contract' AS kind, x.contract_id, ok.supplier_id AS organisation_id,
                   CAST(x.contract_id AS TEXT) AS who, x.amount AS value
            FROM contracts_paymentclaim x JOIN ok ON ok.id = x.contract_id
            WHERE x.paid_on IS NOT NULL AND x.queried_at IS NULL AND {year_test}
            UNION ALL
            SELECT 'subcontract', x.contract_id, x.organisation_id, CAST(x.contract_id AS TEXT) || x.partner_key,
                   x.amount
            FROM contracts_partnerpayment x JOIN ok ON ok.id = x.contract_id WHERE {year_test}
        )
        SELECT p.kind, g.path, g.code, g.name, o.size, o.organisation_type, COUNT(DISTINCT p.who), SUM(p.value)
        FROM parties p
        CROSS JOIN lv
        LEFT JOIN fa ON fa.contract_id = p.contract_id
        LEFT JOIN reference_area g ON g.level = %s AND g.path = SUBSTR(fa.path, 1, lv.n)
        LEFT JOIN accounts_organisation o ON o.id = p.organisation_id
        GROUP BY p.kind, g.path, g.code, g.name, o.size, o.organisation_type
    """
    rows = _rows(sql, params)
    names = {r[1]: (r[2], r[3]) for r in rows if r[1] is not None}
    tallies = [(r[0], r[1], r[4], r[5], int(r[6]), _money(r[7])) for r in rows]
    return smaller.fold_smaller_providers(level=level, names=names, tallies=tallies, measure=smaller.PAID)


# --- 3 ----------------------------------------------------------------------------------------


def where_the_money_goes(*, scope: Scope = common.EVERYWHERE) -> money.WhereTheMoneyGoes:
    year = scope.financial_year if scope.financial_year is not None else current_financial_year()
    within, within_params = _within("a.path", scope)
    area_test = "1=1"
    params: list = []
    if scope.area is not None:
        area_test = (
            "EXISTS (SELECT 1 FROM competitions_lot_areas la JOIN reference_area a ON a.id = la.area_id"
            f" WHERE la.lot_id = l.id AND {within})"
        )
        params += within_params
    change_year = "1=1"
    change_params: list = []
    if scope.financial_year is not None:
        change_year = "ly.financial_year = %s"
        change_params.append(scope.financial_year)
    params += [year, *change_params]
    sql = f"""
        WITH ly AS (
            SELECT y.id, y.financial_year, y.value, c.service_type_id
            FROM competitions_lotyear y
            JOIN competitions_lot l ON l.id = y.lot_id
            JOIN competitions_competition c ON c.id = l.competition_id
            WHERE l.abandoned_at IS NULL AND c.abandoned_at IS NULL
              AND (c.planned_at IS NOT NULL OR c.launched_at IS NOT NULL) AND {area_test}
        ),
        rev AS (SELECT lot_year_id, COUNT(*) AS n FROM competitions_lotyearrevision GROUP BY lot_year_id),
        firstrev AS (
            SELECT r.lot_year_id, r.value FROM competitions_lotyearrevision r
            WHERE NOT EXISTS (
                SELECT 1 FROM competitions_lotyearrevision r2 WHERE r2.lot_year_id = r.lot_year_id
                AND (r2.recorded_at < r.recorded_at OR (r2.recorded_at = r.recorded_at AND r2.id < r.id))
            )
        )
        SELECT 'share', st.code, st.name, st.display_order, NULL,
               (SELECT SUM(ly.value) FROM ly WHERE ly.service_type_id = st.id AND ly.financial_year = %s),
               CAST(NULL AS NUMERIC), CAST(NULL AS BIGINT)
        FROM reference_servicetype st
        UNION ALL
        SELECT 'ramp', st.code, st.name, st.display_order, ly.financial_year, SUM(ly.value), NULL, NULL
        FROM ly JOIN reference_servicetype st ON st.id = ly.service_type_id
        GROUP BY st.code, st.name, st.display_order, ly.financial_year
        UNION ALL
        SELECT 'change', st.code, st.name, st.display_order, NULL, SUM(ly.value),
               SUM(COALESCE(firstrev.value, ly.value)), SUM(CASE WHEN rev.n > 1 THEN rev.n - 1 ELSE 0 END)
        FROM ly JOIN reference_servicetype st ON st.id = ly.service_type_id
        LEFT JOIN firstrev ON firstrev.lot_year_id = ly.id
        LEFT JOIN rev ON rev.lot_year_id = ly.id
        WHERE {change_year}
        GROUP BY st.code, st.name, st.display_order
    """
    rows = _rows(sql, params)
    shares_rows = sorted((r for r in rows if r[0] == "share"), key=lambda r: (r[3], r[2]))
    service_types = [(r[1], r[2]) for r in shares_rows]
    shares = {r[1]: _money(r[5]) for r in shares_rows if r[5] is not None}
    ramp = [(r[1], int(r[4]), _money(r[5])) for r in rows if r[0] == "ramp"]
    changes = {r[1]: (_money(r[6]), _money(r[5]), int(r[7])) for r in rows if r[0] == "change"}
    return money.fold_money(financial_year=year, service_types=service_types, shares=shares, ramp=ramp, changes=changes)


# --- 4 ----------------------------------------------------------------------------------------


def coverage(
    *, scope: Scope = common.EVERYWHERE, level: str = AreaLevel.PCC_AREA, today: datetime.date | None = None
) -> cover.Coverage:
    today = today or timezone.now().astimezone(LONDON).date()
    start, end = cover.coverage_window(scope, today)
    ending_start, ending_end = cover.ending_window(scope, today)
    cell_area_test, cell_area_params = "1=1", []
    if scope.area is not None:
        if LEVEL_DEPTH[AreaLevel(scope.area.level)] >= LEVEL_DEPTH[AreaLevel(level)]:
            prefixes = covering_paths(scope.area)
            cell_area_test = f"ca.path IN ({', '.join(['%s'] * len(prefixes))})"
            cell_area_params = prefixes
        else:
            cell_area_test, cell_area_params = "ca.path LIKE %s", [scope.area.path + "%"]
    covers = "(ca.path LIKE x.path || '%%' OR (ca.level = 'region' AND x.path LIKE ca.path || '%%'))"
    lot_where = (
        "FROM competitions_lot_areas la JOIN reference_area x ON x.id = la.area_id"
        " JOIN competitions_lot l ON l.id = la.lot_id JOIN competitions_competition k ON k.id = l.competition_id"
        " WHERE k.service_type_id = st.id AND l.abandoned_at IS NULL AND k.abandoned_at IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM contracts_contract lc WHERE lc.lot_id = l.id)"
        f" AND {covers}"
    )
    lot_live = "SELECT 1 " + lot_where
    # A published award: approved, or a direct award; not cancelled.
    awarded = (
        "EXISTS (SELECT 1 FROM competitions_award aw WHERE aw.lot_id = l.id AND aw.cancelled_at IS NULL"
        " AND (aw.approved_at IS NOT NULL OR (aw.bid_id IS NULL AND aw.direct_organisation_id IS NOT NULL)))"
    )
    announced = "(k.planned_at IS NOT NULL OR k.launched_at IS NOT NULL)"
    overlaps = "(x.path LIKE y.path || '%%' OR y.path LIKE x.path || '%%')"
    ending_area_test, ending_area_params = "1=1", []
    if scope.area is not None:
        overlap, overlap_params = _overlap("z.path", scope)
        ending_area_test = (
            "EXISTS (SELECT 1 FROM contracts_contract_areas cz JOIN reference_area z ON z.id = cz.area_id"
            f" WHERE cz.contract_id = c.id AND {overlap})"
        )
        ending_area_params = overlap_params
    sql = f"""
        SELECT 'cell', ca.code, ca.name, st.code, st.name, r.path,
               (SELECT MAX(c.ends_on) FROM contracts_contract c
                  JOIN contracts_contract_areas cca ON cca.contract_id = c.id
                  JOIN reference_area x ON x.id = cca.area_id
                 WHERE c.service_type_id = st.id AND c.ends_on >= %s AND c.starts_on <= %s AND {covers}),
               CASE WHEN st.required_by_court_orders THEN 1 ELSE 0 END,
               CASE WHEN EXISTS ({lot_live} AND k.launched_at IS NOT NULL AND NOT {awarded}) THEN 1 ELSE 0 END,
               CASE WHEN EXISTS ({lot_live} AND k.launched_at IS NULL AND k.planned_at IS NOT NULL AND NOT {awarded})
                    THEN 1 ELSE 0 END,
               st.display_order, ca.path,
               (SELECT MIN(c.starts_on) FROM contracts_contract c
                  JOIN contracts_contract_areas cca ON cca.contract_id = c.id
                  JOIN reference_area x ON x.id = cca.area_id
                 WHERE c.service_type_id = st.id AND c.starts_on > %s AND {covers}),
               CASE WHEN EXISTS ({lot_live} AND {announced} AND {awarded}) THEN 1 ELSE 0 END,
               (SELECT MIN(k.contract_start) {lot_where} AND {announced} AND {awarded})
        FROM reference_area ca CROSS JOIN reference_servicetype st
        LEFT JOIN reference_area r ON r.id = st.restricted_to_id
        WHERE ca.level = %s AND {cell_area_test}
        UNION ALL
        SELECT 'ending', c.title, st.name, COALESCE(NULLIF(o.trading_name, ''), o.legal_name), a.name, NULL,
               c.ends_on, c.id, NULL, NULL, NULL, NULL, NULL, NULL, NULL
        FROM contracts_contract c
        JOIN reference_servicetype st ON st.id = c.service_type_id
        JOIN accounts_organisation o ON o.id = c.supplier_id
        JOIN contracts_contract_areas cca ON cca.contract_id = c.id
        JOIN reference_area a ON a.id = cca.area_id
        WHERE c.ends_on >= %s AND c.ends_on <= %s AND {ending_area_test}
          AND NOT EXISTS (
            SELECT 1 FROM contracts_contract_areas cy JOIN reference_area y ON y.id = cy.area_id
            WHERE cy.contract_id = c.id AND (
              EXISTS (
                SELECT 1 FROM competitions_lot_areas la JOIN reference_area x ON x.id = la.area_id
                JOIN competitions_lot l ON l.id = la.lot_id JOIN competitions_competition k ON k.id = l.competition_id
                WHERE k.service_type_id = c.service_type_id AND l.abandoned_at IS NULL AND k.abandoned_at IS NULL
                  AND (k.planned_at IS NOT NULL OR k.launched_at IS NOT NULL)
                  AND NOT EXISTS (SELECT 1 FROM contracts_contract lc WHERE lc.lot_id = l.id) AND {overlaps}
              )
              OR EXISTS (
                SELECT 1 FROM contracts_contract_areas cx JOIN reference_area x ON x.id = cx.area_id
                JOIN contracts_contract c2 ON c2.id = cx.contract_id
                WHERE c2.service_type_id = c.service_type_id AND c2.ends_on > c.ends_on AND {overlaps}
              )
            )
          )
    """
    params = [
        _d(start),
        _d(end),
        _d(end),
        level,
        *cell_area_params,
        _d(ending_start),
        _d(ending_end),
        *ending_area_params,
    ]
    rows = _rows(sql, params)
    cells = []
    areas: dict[str, tuple[str, str]] = {}
    service_types: dict[str, tuple[int, str, str, bool]] = {}
    for r in sorted((r for r in rows if r[0] == "cell"), key=lambda r: (r[2], r[1], r[10], r[4])):
        (_, area_code, area_name, code, name, restricted, until, day_one, competing, planned, order, path) = r[:12]
        later, awarded_lot, awarded_start = r[12:]
        areas[area_code] = (area_code, area_name)
        service_types[code] = (order, name, code, bool(day_one))
        cell = cover.CoverageCell(area_code, area_name, code, name, bool(day_one), cover.NO_PROVISION)
        if restricted and not (path.startswith(restricted) or restricted.startswith(path)):
            cell.status = cover.NOT_BOUGHT
        else:
            cover.settle(
                cell,
                ends=[_to_date(until)] if until is not None else [],
                starts=([_to_date(later)] if later is not None else [])
                + ([_to_date(awarded_start)] if awarded_lot else []),
                stages={stage for stage, here in ((cover.IN_COMPETITION, competing), (cover.PLANNED, planned)) if here},
            )
        cells.append(cell)
    ending_rows: dict[int, list] = {}
    area_names: dict[int, list[str]] = defaultdict(list)
    for r in rows:
        if r[0] != "ending":
            continue
        ending_rows[r[7]] = [r[1], r[2], r[3], _to_date(r[6])]
        area_names[r[7]].append(r[4])
    ending = [
        cover.EndingContract(
            title=title,
            service_type_name=st_name,
            supplier=supplier,
            areas=", ".join(sorted(area_names[pk])),
            ends_on=ends_on,
        )
        for pk, (title, st_name, supplier, ends_on) in sorted(
            ending_rows.items(), key=lambda item: (item[1][3], item[1][0], item[0])
        )
    ]
    return cover.Coverage(
        level=level,
        service_types=[(code, name, day_one) for _, name, code, day_one in sorted(service_types.values())],
        areas=list(areas.values()),
        cells=cells,
        ending=ending,
        ending_window=(ending_start, ending_end),
    )


# --- 5 ----------------------------------------------------------------------------------------


def pipeline(*, scope: Scope = common.EVERYWHERE, now: datetime.datetime | None = None) -> list[pipe.PipelineRow]:
    now = now or timezone.now()
    n = _dt(now)
    area_test, area_params = "1=1", []
    if scope.area is not None:
        overlap_lot, lot_params = _overlap("a.path", scope)
        overlap_owner, owner_params = _overlap("oa.path", scope)
        area_test = (
            "(EXISTS (SELECT 1 FROM competitions_lot l JOIN competitions_lot_areas la ON la.lot_id = l.id"
            f" JOIN reference_area a ON a.id = la.area_id WHERE l.competition_id = c.id AND {overlap_lot})"
            f" OR {overlap_owner})"
        )
        area_params = lot_params + owner_params
    year_test, year_params = "1=1", []
    if scope.year_dates is not None:
        year_test = "c.contract_start BETWEEN %s AND %s"
        year_params = [_d(scope.year_dates[0]), _d(scope.year_dates[1])]
    sql = f"""
        SELECT c.reference, c.title, st.name, oa.name,
               CASE WHEN c.launched_at IS NULL THEN 'planned' WHEN c.closes_at > %s THEN 'open' ELSE 'deciding' END,
               COALESCE(c.launched_at, c.planned_at) AS starts, c.closes_at, c.intended_award_at, c.contract_start,
               COALESCE((SELECT SUM(y.value) FROM competitions_lotyear y JOIN competitions_lot l ON l.id = y.lot_id
                          WHERE l.competition_id = c.id AND l.abandoned_at IS NULL), 0)
        FROM competitions_competition c
        JOIN reference_servicetype st ON st.id = c.service_type_id
        JOIN reference_area oa ON oa.id = c.owner_area_id
        WHERE c.abandoned_at IS NULL AND (c.planned_at IS NOT NULL OR c.launched_at IS NOT NULL)
          AND (
            c.launched_at IS NULL OR c.closes_at > %s
            OR EXISTS (
              SELECT 1 FROM competitions_lot l WHERE l.competition_id = c.id AND l.abandoned_at IS NULL
              AND NOT EXISTS (
                SELECT 1 FROM competitions_award aw WHERE aw.lot_id = l.id AND aw.cancelled_at IS NULL AND (
                  (aw.bid_id IS NULL AND aw.direct_organisation_id IS NOT NULL)
                  OR (aw.approved_at IS NOT NULL
                      AND NOT (aw.challenged_at IS NOT NULL AND aw.challenge_resolved_at IS NULL)
                      AND (aw.standstill_ends_at IS NULL OR aw.standstill_ends_at <= %s))
                )
              )
            )
            OR NOT EXISTS (SELECT 1 FROM competitions_lot l WHERE l.competition_id = c.id)
          )
          AND {area_test} AND {year_test}
        ORDER BY starts, c.closes_at, c.reference, c.id
    """
    rows = _rows(sql, [n, n, n, *area_params, *year_params])
    return [
        pipe.PipelineRow(
            reference=r[0],
            title=r[1],
            service_type_name=r[2],
            owner_area_name=r[3],
            stage=r[4],
            stage_label=pipe.PIPELINE_STAGES[r[4]],
            starts_at=_to_dt(r[5]),
            closes_at=_to_dt(r[6]),
            intended_award_at=_to_dt(r[7]),
            contract_start=_to_date(r[8]),
            estimated_value=common.pounds(_money(r[9])),
        )
        for r in rows
    ]


# --- 6 ----------------------------------------------------------------------------------------


def burden(*, scope: Scope = common.EVERYWHERE, now: datetime.datetime | None = None) -> effort.Burden:
    now = now or timezone.now()
    lot_overlap, lot_params = _overlap("a.path", scope)
    q_year, q_year_params = _in_year("ap.submitted_at", scope)
    b_year, b_year_params = _in_year("b.submitted_at", scope)
    q_area, q_area_params = "1=1", []
    b_area, b_area_params = "1=1", []
    if scope.area is not None:
        overlap, overlap_params = _overlap("a.path", scope)
        q_area = (
            "EXISTS (SELECT 1 FROM qualification_requestedcoverage rc JOIN reference_area a ON a.id = rc.area_id"
            f" WHERE rc.application_id = ap.id AND {overlap})"
        )
        q_area_params = overlap_params
        b_area = (
            "EXISTS (SELECT 1 FROM competitions_lot l JOIN competitions_lot_areas la ON la.lot_id = l.id"
            f" JOIN reference_area a ON a.id = la.area_id WHERE l.competition_id = b.competition_id AND {overlap})"
        )
        b_area_params = overlap_params
    q_days = _days_sql("ap.started_at", "ap.submitted_at")
    b_days = _days_sql("b.started_at", "b.submitted_at")
    # Open or planned, not cancelled.
    open_or_planned = (
        "c.abandoned_at IS NULL AND ((c.launched_at IS NULL AND c.planned_at IS NOT NULL)"
        " OR (c.launched_at IS NOT NULL AND c.closes_at > %s))"
    )
    sql = f"""
        WITH durations AS (
            SELECT '' AS code, {q_days} AS d FROM qualification_application ap
            WHERE ap.submitted_at IS NOT NULL AND {q_year} AND {q_area}
            UNION ALL
            SELECT st.code, {b_days} FROM competitions_bid b
            JOIN competitions_competition c ON c.id = b.competition_id
            JOIN reference_servicetype st ON st.id = c.service_type_id
            WHERE b.submitted_at IS NOT NULL AND b.withdrawn_at IS NULL
              AND c.launched_at IS NOT NULL AND c.closes_at <= %s AND {b_year} AND {b_area}
        ),
        ranked AS (
            SELECT code, d, ROW_NUMBER() OVER (PARTITION BY code ORDER BY d) AS rn,
                   COUNT(*) OVER (PARTITION BY code) AS cnt
            FROM durations
        )
        SELECT 'st', st.code, st.name, r.path, st.display_order, CAST(NULL AS BIGINT), CAST(NULL AS NUMERIC)
        FROM reference_servicetype st LEFT JOIN reference_area r ON r.id = st.restricted_to_id
        UNION ALL
        SELECT 'area', a.path, a.level, a.name, NULL, NULL, NULL FROM reference_area a
        UNION ALL
        SELECT 'lot', st.code, c.reference, a.path, c.id, l.id, NULL
        FROM competitions_lot_areas la
        JOIN reference_area a ON a.id = la.area_id
        JOIN competitions_lot l ON l.id = la.lot_id
        JOIN competitions_competition c ON c.id = l.competition_id
        JOIN reference_servicetype st ON st.id = c.service_type_id
        WHERE l.abandoned_at IS NULL AND {open_or_planned} AND {lot_overlap}
        UNION ALL
        SELECT 'question', NULL, CASE WHEN q.lot_specific THEN 'lot' ELSE 'bid' END, NULL, q.competition_id,
               COUNT(*), NULL
        FROM competitions_question q JOIN competitions_competition c ON c.id = q.competition_id
        WHERE {open_or_planned}
        GROUP BY q.competition_id, q.lot_specific
        UNION ALL
        SELECT 'median', code, NULL, NULL, MAX(cnt), NULL, AVG(d) FROM ranked
        WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2) GROUP BY code
    """
    params = [
        *q_year_params,
        *q_area_params,
        _dt(now),
        *b_year_params,
        *b_area_params,
        _dt(now),
        *lot_params,
        _dt(now),
    ]
    rows = _rows(sql, params)
    service_types = [(r[1], r[2], r[3]) for r in sorted((r for r in rows if r[0] == "st"), key=lambda r: (r[4], r[2]))]
    questions: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        if r[0] == "question":
            questions[int(r[4])][1 if r[2] == "lot" else 0] = int(r[5])
    medians = {r[1]: (float(r[6]), int(r[4])) for r in rows if r[0] == "median"}
    return effort.fold_burden(
        scope=scope,
        service_types=service_types,
        areas=[(r[1], r[2], r[3]) for r in rows if r[0] == "area"],
        lots=[(r[1], int(r[4]), r[2], int(r[5]), r[3]) for r in rows if r[0] == "lot"],
        questions={competition_id: (once, per_lot) for competition_id, (once, per_lot) in questions.items()},
        questionnaire_median=medians.pop("", (None, 0)),
        bid_medians=medians,
    )
