import pytest

from reference.models import Area
from reference.selectors import area_with_ancestors_codes, areas_covering, descendants

pytestmark = pytest.mark.django_db


def test_ancestors_codes_from_the_root_down_without_a_query(django_assert_num_queries):
    maidstone = Area.objects.get(code="E07000110")
    with django_assert_num_queries(0):
        assert area_with_ancestors_codes(maidstone) == ["K04000001", "K", "E23000032", "E07000110"]
    assert area_with_ancestors_codes(Area.objects.get(code="K04000001")) == ["K04000001"]


def test_descendants_of_a_region_are_its_pcc_areas_and_their_authorities(django_assert_num_queries):
    region = Area.objects.get(code="K")
    with django_assert_num_queries(1):
        inside = list(descendants(region))
    assert region not in inside
    pcc_areas = {a.name for a in inside if a.level == "pcc_area"}
    assert pcc_areas == {"Kent", "Surrey", "Sussex"}
    # Kent 13 (incl. Medway), Surrey 11, Sussex 13 (incl. Brighton and Hove).
    assert len([a for a in inside if a.level == "local_authority"]) == 37
    assert all(a.path.startswith(region.path) for a in inside)


def test_descendants_do_not_leak_into_areas_whose_code_starts_the_same():
    # E23000001 (London) must not pick up E23000010 (West Yorkshire) or its authorities.
    london = Area.objects.get(code="E23000001")
    inside = descendants(london)
    assert inside.count() == 33
    assert {a.parent.code for a in inside.select_related("parent")} == {"E23000001"}


def test_descendants_of_a_local_authority_is_empty():
    assert not descendants(Area.objects.get(code="E07000110")).exists()


def test_areas_covering_is_the_area_and_its_ancestors(django_assert_num_queries):
    cardiff = Area.objects.get(code="W06000015")
    with django_assert_num_queries(1):
        covering = list(areas_covering(cardiff))
    assert [a.code for a in covering] == ["K04000001", "D", "W15000003", "W06000015"]
    assert [a.code for a in areas_covering(Area.objects.get(code="J"))] == ["K04000001", "J"]
