"""The tables each insight page shows, built from the selectors' rows.

The page renders `display_rows`; the CSV and XLSX downloads write `rows` (the same numbers, not
formatted). One definition per insight, so the table and its downloads cannot drift apart.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from core.clock import financial_year_label
from core.formatting import london_date, london_datetime, money
from insights.selectors import (
    burden,
    coverage,
    pipeline,
    smaller_providers,
    volumes_and_value,
    where_the_money_goes,
    who_takes_part,
)
from volumes.flags import FLAGS

TEXT, NUMBER, MONEY, PERCENT, DAYS, DATE, DATETIME = "text", "number", "money", "percent", "days", "date", "datetime"
NUMERIC = {NUMBER, MONEY, PERCENT, DAYS}


@dataclass
class Column:
    heading: str
    kind: str = TEXT
    # What the page shows for a number we do not have (downloads leave the cell empty).
    missing: str = "Not known"

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC


@dataclass
class Table:
    key: str
    caption: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    # Rows drawn in bold (totals).
    total_rows: set[int] = field(default_factory=set)

    @property
    def display_rows(self) -> list[list[str]]:
        return [
            [display(value, column.kind, column.missing) for value, column in zip(row, self.columns, strict=True)]
            for row in self.rows
        ]


def display(value, kind: str, missing: str = "Not known") -> str:
    if value is None:
        return missing if kind in NUMERIC else ""
    if isinstance(value, str):
        # A figure withheld in words ("fewer than 5"): shown as it is, in any column.
        return value
    if kind == MONEY:
        return money(value)
    if kind == PERCENT:
        return f"{value}%"
    if kind == NUMBER:
        return f"{value:,}"
    if kind == DAYS:
        return f"{value} days"
    if kind == DATETIME:
        return london_datetime(value)
    if kind == DATE and isinstance(value, datetime.date):
        return london_date(value)
    return str(value)


def _group_columns() -> list[Column]:
    return [Column("Step")] + [Column(label, NUMBER) for _, label in who_takes_part.FUNNEL_GROUPS]


def who_takes_part_tables(data: who_takes_part.WhoTakesPart) -> list[Table]:
    def row(r: who_takes_part.FunnelRow) -> list:
        return [r.label] + [getattr(r, key) for key, _ in who_takes_part.FUNNEL_GROUPS]

    return [
        Table("steps", "Organisations at each step", _group_columns(), [row(r) for r in data.steps]),
        Table("drop-outs", "Where organisations stop", _group_columns(), [row(r) for r in data.dropouts]),
    ]


def smaller_providers_tables(data: smaller_providers.SmallerProviders) -> list[Table]:
    if data.measure == smaller_providers.PAID:
        columns = [
            Column("Area"),
            Column("Organisations"),
            Column("Contracts paid", NUMBER),
            Column("Money paid to main organisations", MONEY),
            Column("Share of money paid to main organisations", PERCENT),
            Column("Partners paid", NUMBER),
            Column("Money paid to partners", MONEY),
        ]
        caption = "Money actually paid to main organisations and to their partners, by area and organisation"
        return [Table("by-area", caption, columns, _smaller_rows(data))]
    columns = [
        Column("Area"),
        Column("Organisations"),
        Column("Contracts won", NUMBER),
        Column("Value of contracts", MONEY),
        Column("Share of contract value", PERCENT),
        Column("Subcontracts", NUMBER),
        Column("Value of subcontracts", MONEY),
    ]
    return [Table("by-area", "Contracts and subcontracts won, by area and organisation", columns, _smaller_rows(data))]


def _smaller_rows(data: smaller_providers.SmallerProviders) -> list[list]:
    return [
        [
            r.area_name,
            r.who_label,
            r.contracts,
            r.contract_value,
            r.share_of_contract_value,
            r.subcontracts,
            r.subcontract_value,
        ]
        for r in data.rows
    ]


def where_the_money_goes_tables(data: where_the_money_goes.WhereTheMoneyGoes) -> list[Table]:
    year = financial_year_label(data.financial_year)
    shares = Table(
        "share",
        f"Estimated value by service, financial year {year}",
        [Column("Service"), Column(f"Estimated value {year}", MONEY), Column("Share of all services", PERCENT)],
        [[r.service_type_name, r.value, r.share] for r in data.shares],
        total_rows={len(data.shares) - 1},
    )
    years = data.years
    by_type: dict[str, dict[int, Decimal]] = {}
    names: dict[str, str] = {}
    for r in data.ramp_up:
        by_type.setdefault(r.service_type, {})[r.financial_year] = r.value
        names[r.service_type] = r.service_type_name
    ramp = Table(
        "ramp-up",
        "Estimated value each financial year",
        [Column("Service")] + [Column(financial_year_label(y), MONEY) for y in years],
        [[names[code]] + [values.get(y, Decimal("0")) for y in years] for code, values in by_type.items()],
    )
    changes = Table(
        "changes",
        "Estimated values when first published and now",
        [
            Column("Service"),
            Column("First published", MONEY),
            Column("Now", MONEY),
            Column("Change", MONEY),
            Column("Change (%)", PERCENT),
            Column("Times changed", NUMBER),
        ],
        [
            [r.service_type_name, r.first_published, r.now_published, r.change, r.change_percent, r.changes_made]
            for r in data.changes
        ],
    )
    return [shares, ramp, changes]


def coverage_tables(data: coverage.Coverage) -> list[Table]:
    matrix = Table(
        "coverage",
        "Services in each area",
        [Column("Area")] + [Column(name) for _, name, _ in data.service_types],
        [[name] + [cell.label for cell in data.row(code)] for code, name in data.areas],
    )
    ending = Table(
        "ending",
        "Contracts ending with nothing planned to follow",
        [Column("Contract"), Column("Service"), Column("Organisation"), Column("Areas"), Column("Ends on", DATE)],
        [[c.title, c.service_type_name, c.supplier, c.areas, c.ends_on] for c in data.ending],
    )
    return [matrix, ending]


def pipeline_tables(data: list[pipeline.PipelineRow]) -> list[Table]:
    columns = [
        Column("Reference"),
        Column("Opportunity"),
        Column("Service"),
        Column("Run by"),
        Column("Stage"),
        Column("Planned or opened", DATE),
        Column("Closing date", DATETIME),
        Column("Result expected", DATE),
        Column("Contract starts", DATE),
        Column("Estimated value", MONEY),
    ]
    rows = [
        [
            r.reference,
            r.title,
            r.service_type_name,
            r.owner_area_name,
            r.stage_label,
            r.starts_at,
            r.closes_at,
            r.intended_award_at,
            r.contract_start,
            r.estimated_value,
        ]
        for r in data
    ]
    return [Table("competitions", "Planned and live opportunities", columns, rows)]


def burden_tables(data: burden.Burden) -> list[Table]:
    return [
        Table(
            "bids-to-send",
            f"Bids to send to offer each service in every PCC area in {data.place}",
            [
                Column("Service"),
                Column("Bids to send", NUMBER, missing="Not possible"),
                Column("Answers to write", NUMBER, missing="Not possible"),
                Column("PCC areas to cover", NUMBER),
                Column("PCC areas with no opportunity", NUMBER),
                Column("What this means"),
                Column("Opportunities to bid for"),
            ],
            [
                [
                    r.service_type_name,
                    r.bids,
                    r.answers,
                    r.areas_to_cover,
                    r.areas_not_covered,
                    r.explanation,
                    ", ".join(r.opportunities) or None,
                ]
                for r in data.services
            ],
        ),
        Table(
            "time-taken",
            "Time from starting to sending",
            [Column("What"), Column("Median time", DAYS), Column("Number sent", NUMBER)],
            [[r.activity, r.median_days, r.measured] for r in data.time_taken],
        ),
    ]


def _volume_columns() -> list[Column]:
    return [
        Column("Financial year"),
        Column("Contracts", NUMBER),
        Column("People contracted", NUMBER),
        Column("Referrals received", NUMBER),
        Column("Referrals started", NUMBER),
        Column("Referrals completed", NUMBER),
        Column("Contract value", MONEY),
        Column("Money paid", MONEY),
        Column("Value for each person contracted", MONEY, missing="No people set"),
        Column("Money paid for each person started", MONEY, missing="No one started"),
    ]


def _volume_figures(r: volumes_and_value.VolumeRow) -> list:
    return [
        r.year_label,
        r.contract_years,
        r.people_contracted,
        r.referrals_received,
        r.referrals_started,
        r.referrals_completed,
        r.contracted_value,
        r.money_paid,
        r.value_per_person_contracted,
        r.value_per_person_started,
    ]


def volumes_and_value_tables(data: volumes_and_value.VolumesAndValue) -> list[Table]:
    level = volumes_and_value.LEVEL_NAMES[data.level]
    return [
        Table(
            "by-service",
            "People and money by service",
            [Column("Service"), *_volume_columns()],
            [[r.service_type_name, *_volume_figures(r)] for r in data.by_service],
        ),
        Table(
            "by-area",
            f"People and money by service and {level}",
            [Column("Service"), Column("Area"), *_volume_columns()],
            [[r.service_type_name, r.area_name, *_volume_figures(r)] for r in data.by_area],
        ),
        Table(
            "flags",
            "Warning flags: contracts flagged, each year counted once",
            [Column("Flag"), Column("What it means"), Column("Times flagged", NUMBER)],
            [[f.title, f.meaning, f.contract_years] for f in data.flags],
        ),
        Table(
            "flags-by-area",
            f"Warning flags by service and {level}",
            [
                Column("Service"),
                Column("Area"),
                Column("Financial year"),
                Column("Contracts", NUMBER),
                *(Column(flag.title, NUMBER) for flag in FLAGS),
            ],
            [
                [r.service_type_name, r.area_name, r.year_label, r.contract_years]
                + [r.flagged[flag.slug] for flag in FLAGS]
                for r in data.by_area
            ],
        ),
    ]
