"""Reference data: the 14 service categories, 7 service types and the geography of England and Wales.

Loaded by a data migration (so every database, test ones included, has it) and re-runnable with
`manage.py load_reference_data`, which updates names without changing codes. Administrators may
edit names and descriptions in the admin; codes are stable identifiers used in the API and open data.
"""

from __future__ import annotations

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

# (code, name, kind, description). The first eight are the resettlement needs.
CATEGORIES: list[tuple[str, str, str, str]] = [
    ("accommodation", "Accommodation", "need", "Finding and keeping somewhere safe to live."),
    ("ete", "Education, Training and Employment", "need", "Learning, skills and getting or keeping a job."),
    (
        "finance-benefit-debt",
        "Finance, Benefit and Debt",
        "need",
        "Money advice, claiming benefits and dealing with debt.",
    ),
    ("dependency-recovery", "Dependency and Recovery", "need", "Recovery from drink, drugs or gambling."),
    (
        "family",
        "Family and Significant Others",
        "need",
        "Rebuilding relationships with family and people close to them.",
    ),
    ("lifestyle", "Lifestyle and Associates", "need", "Moving away from people and habits linked to offending."),
    ("emotional-wellbeing", "Emotional Wellbeing", "need", "Mental health, confidence and coping."),
    (
        "social-inclusion",
        "Social Inclusion",
        "need",
        "Taking part in community life and getting help from local services.",
    ),
    ("women", "Women", "cohort", "Support designed for women."),
    ("young-adults", "Young Adults (18–25)", "cohort", "Support designed for young adults aged 18 to 25."),
    (
        "bame",
        "Black, Asian and Minority Ethnic",
        "cohort",
        "Support designed for people from Black, Asian and minority ethnic groups.",
    ),
    (
        "restorative-justice",
        "Restorative Justice",
        "need",
        "Bringing together people harmed by crime and those responsible.",
    ),
    (
        "cognitive-behavioural",
        "Cognitive and Behavioural Change",
        "need",
        "Changing thinking and behaviour linked to offending.",
    ),
    (
        "service-user-involvement",
        "Service User Involvement",
        "need",
        "Involving people on probation in designing and running services.",
    ),
]

RESETTLEMENT_NEEDS = [
    "accommodation",
    "ete",
    "finance-benefit-debt",
    "dependency-recovery",
    "family",
    "lifestyle",
    "emotional-wellbeing",
    "social-inclusion",
]

# (code, name, category codes, required by court orders on day one, restricted to area code)
SERVICE_TYPES: list[tuple[str, str, list[str], bool, str | None]] = [
    ("accommodation", "Accommodation", ["accommodation"], True, None),
    ("ete", "Education, Training and Employment", ["ete"], True, None),
    ("finance-benefit-debt", "Finance, Benefit and Debt", ["finance-benefit-debt"], False, None),
    ("dependency-recovery", "Dependency and Recovery", ["dependency-recovery"], False, None),
    (
        "personal-wellbeing",
        "Personal Wellbeing",
        ["lifestyle", "family", "emotional-wellbeing", "social-inclusion"],
        True,
        None,
    ),
    ("womens-services", "Women's Services", ["women", *RESETTLEMENT_NEEDS], True, None),
    ("young-adults-wales", "Young Adults (Wales)", ["young-adults"], True, "D"),
]


def read_areas() -> list[dict[str, str]]:
    with open(DATA_DIR / "areas.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load(apps=None) -> None:
    """Create or update all reference data. `apps` is the migration app registry when run from one."""
    if apps is None:
        from django.apps import apps as registry

        apps = registry
    Area = apps.get_model("reference", "Area")
    ServiceCategory = apps.get_model("reference", "ServiceCategory")
    ServiceType = apps.get_model("reference", "ServiceType")

    # A level at a time, parents first, in bulk: after every flush between transactional tests this
    # loads 400 areas again, which one update_or_create each made take over a second on PostgreSQL.
    existing = {area.code: area for area in Area.objects.all()}
    by_code: dict[str, object] = {}
    rows = read_areas()
    levels = ("country", "region", "pcc_area", "local_authority")
    unknown = {row["level"] for row in rows} - set(levels)
    if unknown:
        raise ValueError(f"areas.csv has levels this loader does not know: {sorted(unknown)}")
    for level in levels:
        new, changed = [], []
        for row in (r for r in rows if r["level"] == level):
            parent = by_code.get(row["parent_code"]) if row["parent_code"] else None
            values = {
                "name": row["name"],
                "level": level,
                "parent": parent,
                "path": (parent.path if parent else "") + row["code"] + "/",
            }
            area = existing.get(row["code"])
            if area is None:
                area = Area(code=row["code"], **values)
                new.append(area)
            elif any(getattr(area, field) != value for field, value in values.items()):
                for field, value in values.items():
                    setattr(area, field, value)
                changed.append(area)
            by_code[row["code"]] = area
        Area.objects.bulk_create(new)  # sets each new area's id: the next level's parents
        Area.objects.bulk_update(changed, ["name", "level", "parent", "path"])

    for order, (code, name, kind, description) in enumerate(CATEGORIES, start=1):
        ServiceCategory.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "description": description, "display_order": order}
        )
    categories = {c.code: c for c in ServiceCategory.objects.all()}
    for order, (code, name, category_codes, day_one, restricted) in enumerate(SERVICE_TYPES, start=1):
        service_type, _ = ServiceType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "required_by_court_orders": day_one,
                "restricted_to": by_code.get(restricted) if restricted else None,
                "display_order": order,
            },
        )
        service_type.categories.set([categories[c] for c in category_codes])


def load_if_missing(**kwargs) -> None:
    """post_migrate handler: put reference data back if a flush emptied it.

    Tests that run in real transactions (browser tests, races) end with a flush of every table,
    after which Django emits post_migrate; the data migration that normally loads this data does
    not run again. In production this only ever finds the data present and does nothing.
    """
    from reference.models import Area, ServiceCategory, ServiceType

    using = kwargs.get("using", "default")
    if (
        Area.objects.using(using).exists()
        and ServiceCategory.objects.using(using).exists()
        and ServiceType.objects.using(using).exists()
    ):
        return
    load()
