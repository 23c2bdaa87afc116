"""The reference data every database gets from the data migration: geography, categories, services."""

from collections import Counter

import pytest

from reference.models import Area, ServiceCategory, ServiceType

pytestmark = pytest.mark.django_db

COUNTRY = "K04000001"
REGIONS = {
    "A": "North East",
    "B": "North West",
    "C": "Yorkshire and the Humber",
    "D": "Wales",
    "E": "West Midlands",
    "F": "East Midlands",
    "G": "South West",
    "H": "South Central",
    "I": "East of England",
    "J": "London",
    "K": "Kent, Surrey and Sussex",
    "L": "Greater Manchester",
}
PCC_AREAS_BY_REGION = {
    "A": {"Cleveland", "Durham", "Northumbria"},
    "B": {"Cheshire", "Cumbria", "Lancashire", "Merseyside"},
    "C": {"Humberside", "North Yorkshire", "South Yorkshire", "West Yorkshire"},
    "D": {"Dyfed-Powys", "Gwent", "North Wales", "South Wales"},
    "E": {"Staffordshire", "Warwickshire", "West Mercia", "West Midlands"},
    "F": {"Derbyshire", "Leicestershire", "Lincolnshire", "Nottinghamshire"},
    "G": {"Avon and Somerset", "Devon and Cornwall", "Dorset", "Gloucestershire", "Wiltshire"},
    "H": {"Hampshire", "Thames Valley"},
    "I": {"Bedfordshire", "Cambridgeshire", "Essex", "Hertfordshire", "Norfolk", "Northamptonshire", "Suffolk"},
    "J": {"London"},
    "K": {"Kent", "Surrey", "Sussex"},
    "L": {"Greater Manchester"},
}
WELSH_PCC_AREAS = {"Dyfed-Powys", "Gwent", "North Wales", "South Wales"}


def test_one_country_with_no_parent():
    country = Area.objects.get(level="country")
    assert (country.code, country.name, country.parent_id, country.path) == (
        COUNTRY,
        "England and Wales",
        None,
        f"{COUNTRY}/",
    )


def test_twelve_regions_a_to_l_with_their_names():
    regions = Area.objects.filter(level="region").select_related("parent")
    assert {r.code: r.name for r in regions} == REGIONS
    assert {r.parent.code for r in regions} == {COUNTRY}


def test_forty_two_pcc_areas_under_the_right_regions():
    areas = Area.objects.filter(level="pcc_area").select_related("parent")
    assert areas.count() == 42
    found: dict[str, set[str]] = {}
    for area in areas:
        found.setdefault(area.parent.code, set()).add(area.name)
    assert found == PCC_AREAS_BY_REGION


def test_local_authorities_318_by_ons_type():
    codes = Area.objects.filter(level="local_authority").values_list("code", flat=True)
    assert Counter(code[:3] for code in codes) == {"E06": 63, "E07": 164, "E08": 36, "E09": 33, "W06": 22}


def test_welsh_authorities_are_all_under_the_four_welsh_areas_and_no_english_one_is():
    las = Area.objects.filter(level="local_authority").select_related("parent")
    welsh = [la for la in las if la.code.startswith("W06")]
    assert len(welsh) == 22
    assert {la.parent.name for la in welsh} == WELSH_PCC_AREAS
    assert not [la for la in las if la.parent.name in WELSH_PCC_AREAS and not la.code.startswith("W06")]


def test_all_33_london_authorities_are_in_london_and_nothing_else_is():
    london = Area.objects.get(level="pcc_area", name="London")
    assert london.parent.code == "J"
    inside = set(london.children.values_list("code", flat=True))
    assert len(inside) == 33
    assert all(code.startswith("E09") for code in inside)
    assert "E09000001" in inside  # the City of London


def test_codes_are_unique():
    codes = list(Area.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 373


def test_every_area_but_the_country_has_a_parent_one_level_up_and_a_consistent_path():
    depth = {"country": 0, "region": 1, "pcc_area": 2, "local_authority": 3}
    areas = {a.pk: a for a in Area.objects.all()}
    for area in areas.values():
        if area.level == "country":
            assert area.parent_id is None
            assert area.path == f"{area.code}/"
            continue
        parent = areas[area.parent_id]
        assert depth[parent.level] == depth[area.level] - 1, area
        assert area.path == f"{parent.path}{area.code}/", area
        assert len(area.ancestor_codes) == depth[area.level] + 1


def test_fourteen_categories_need_or_cohort():
    categories = {c.code: c for c in ServiceCategory.objects.all()}
    assert len(categories) == 14
    cohorts = {code for code, c in categories.items() if c.kind == "cohort"}
    assert cohorts == {"women", "young-adults", "bame"}
    assert {c.kind for c in categories.values()} == {"need", "cohort"}
    assert all(c.description for c in categories.values())


def test_seven_service_types_with_their_categories_and_day_one_flags():
    types = {t.code: t for t in ServiceType.objects.prefetch_related("categories").select_related("restricted_to")}
    categories = {code: {c.code for c in t.categories.all()} for code, t in types.items()}
    needs = {
        "accommodation",
        "ete",
        "finance-benefit-debt",
        "dependency-recovery",
        "family",
        "lifestyle",
        "emotional-wellbeing",
        "social-inclusion",
    }
    assert categories == {
        "accommodation": {"accommodation"},
        "ete": {"ete"},
        "finance-benefit-debt": {"finance-benefit-debt"},
        "dependency-recovery": {"dependency-recovery"},
        "personal-wellbeing": {"lifestyle", "family", "emotional-wellbeing", "social-inclusion"},
        "womens-services": {"women"} | needs,
        "young-adults-wales": {"young-adults"},
    }
    day_one = {code for code, t in types.items() if t.required_by_court_orders}
    assert day_one == {"accommodation", "ete", "personal-wellbeing", "womens-services", "young-adults-wales"}
    assert {code: t.restricted_to.code for code, t in types.items() if t.restricted_to} == {"young-adults-wales": "D"}


def test_loading_again_changes_nothing():
    from io import StringIO

    from django.core.management import call_command

    before = list(Area.objects.values_list("code", "name", "path", "parent__code"))
    call_command("load_reference_data", stdout=StringIO())
    assert list(Area.objects.values_list("code", "name", "path", "parent__code")) == before
    assert ServiceCategory.objects.count() == 14
    assert ServiceType.objects.count() == 7
