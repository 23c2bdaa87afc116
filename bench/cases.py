"""The benchmark cases: (name, code under test, hand-written SQL floor). Both return the same rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

from accounts.models import Organisation
from demo.national import generate_organisations_and_qualifications
from qualification.selectors.eligibility import covering_paths, eligible_organisations, partial_coverage_organisations
from reference.models import Area, ServiceType


@dataclass
class Case:
    name: str
    code: Callable[[], list]
    floor: Callable[[], list]


def ensure_world(scale: float) -> None:
    expected = int(2000 * scale)
    have = Organisation.objects.filter(contact_email__endswith="@generated.example").count()
    if have != expected:
        if have:
            raise SystemExit(f"var/bench.sqlite3 holds another scale ({have} organisations): delete it first.")
        world = generate_organisations_and_qualifications(scale=scale)
        print(f"Generated {world.organisations} organisations and {world.qualifications} qualifications.")


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
        return _sql(
            "SELECT organisation_id FROM qualification_qualification "
            "WHERE removed_at IS NULL AND suspended_at IS NULL "
            f"AND category_id IN ({','.join(['%s'] * len(category_ids))}) "
            f"AND area_path IN ({','.join(['%s'] * len(paths))}) "
            "GROUP BY organisation_id HAVING COUNT(DISTINCT category_id) = %s",
            [*category_ids, *paths, len(category_ids)],
        )

    return run


def _eligible_code(service_type_code: str, area_code: str) -> Callable[[], list]:
    def run() -> list:
        service_type = ServiceType.objects.get(code=service_type_code)
        area = Area.objects.get(code=area_code)
        return list(eligible_organisations(service_type=service_type, area=area).values_list("id", flat=True))

    return run


def _partial_floor(service_type_code: str, area_code: str) -> Callable[[], list]:
    def run() -> list:
        service_type = ServiceType.objects.get(code=service_type_code)
        area = Area.objects.get(code=area_code)
        category_ids = list(service_type.categories.values_list("id", flat=True))
        paths = covering_paths(area)
        marks = ",".join(["%s"] * len(category_ids))
        return _sql(
            "SELECT DISTINCT organisation_id FROM qualification_qualification "
            f"WHERE removed_at IS NULL AND suspended_at IS NULL AND category_id IN ({marks}) "
            "AND area_path LIKE %s AND area_path <> %s "
            "AND organisation_id NOT IN (SELECT organisation_id FROM qualification_qualification "
            f"WHERE removed_at IS NULL AND suspended_at IS NULL AND category_id IN ({marks}) "
            f"AND area_path IN ({','.join(['%s'] * len(paths))}) "
            "GROUP BY organisation_id HAVING COUNT(DISTINCT category_id) = %s)",
            [*category_ids, area.path + "%", area.path, *category_ids, *paths, len(category_ids)],
        )

    return run


def _partial_code(service_type_code: str, area_code: str) -> Callable[[], list]:
    def run() -> list:
        service_type = ServiceType.objects.get(code=service_type_code)
        area = Area.objects.get(code=area_code)
        return list(partial_coverage_organisations(service_type=service_type, area=area).values_list("id", flat=True))

    return run


KENT = "E23000032"
CARDIFF = "W06000015"
CASES: list[Case] = [
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


def extra_reports(scale: float) -> list[str]:
    return []
