import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Organisation
from qualification.models import Qualification
from qualification.selectors.eligibility import eligible_organisations, partial_coverage_organisations
from qualification.tests.assessor_factories import make_qualified_world, qualify
from reference.models import Area, ServiceType
from reference.selectors import covering_paths
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

KENT = "E23000032"
SURREY = "E23000031"
MAIDSTONE = "E07000110"  # a local authority in Kent


def _types():
    return ServiceType.objects.get(code="accommodation"), ServiceType.objects.get(code="personal-wellbeing")


def test_covering_paths_lists_the_area_and_every_area_above_it():
    kent = Area.objects.get(code=KENT)
    assert covering_paths(kent) == ["K04000001/", "K04000001/K/", "K04000001/K/E23000032/"]


def test_qualified_in_the_area_or_above_can_bid_but_not_inside_it_only():
    accommodation, _ = _types()
    kent = Area.objects.get(code=KENT)
    in_kent, in_region, in_country, in_surrey, in_maidstone = OrganisationFactory.create_batch(5)
    qualify(in_kent, "accommodation", KENT)
    qualify(in_region, "accommodation", "K")
    qualify(in_country, "accommodation", "K04000001")
    qualify(in_surrey, "accommodation", SURREY)
    qualify(in_maidstone, "accommodation", MAIDSTONE)

    assert set(eligible_organisations(service_type=accommodation, area=kent)) == {in_kent, in_region, in_country}
    assert set(partial_coverage_organisations(service_type=accommodation, area=kent)) == {in_maidstone}
    region = Area.objects.get(code="K")
    # For a regional lot, Kent-only and Maidstone-only organisations are local specialists.
    assert set(partial_coverage_organisations(service_type=accommodation, area=region)) == {
        in_kent,
        in_surrey,
        in_maidstone,
    }


def test_every_category_of_the_service_type_is_needed():
    _, wellbeing = _types()
    kent = Area.objects.get(code=KENT)
    all_four, three_of_four = OrganisationFactory.create_batch(2)
    for code in ["family", "lifestyle", "emotional-wellbeing", "social-inclusion"]:
        qualify(all_four, code, "K")  # region covers Kent
    for code in ["family", "lifestyle", "emotional-wellbeing"]:
        qualify(three_of_four, code, KENT)
    assert list(eligible_organisations(service_type=wellbeing, area=kent)) == [all_four]
    assert list(partial_coverage_organisations(service_type=wellbeing, area=Area.objects.get(code="K"))) == [
        three_of_four
    ]


def test_suspended_and_removed_qualifications_do_not_count():
    accommodation, _ = _types()
    kent = Area.objects.get(code=KENT)
    suspended, removed, maidstone_suspended = OrganisationFactory.create_batch(3)
    now = timezone.now()
    qualify(suspended, "accommodation", KENT, suspended_at=now, suspended_reason="x")
    qualify(removed, "accommodation", KENT, removed_at=now, removed_reason="x")
    qualify(maidstone_suspended, "accommodation", MAIDSTONE, suspended_at=now, suspended_reason="x")
    assert not eligible_organisations(service_type=accommodation, area=kent).exists()
    assert not partial_coverage_organisations(service_type=accommodation, area=kent).exists()


def test_query_count_is_constant_with_many_organisations(django_assert_max_num_queries, django_assert_num_queries):
    accommodation, wellbeing = _types()
    make_qualified_world(organisations=300, seed=7)
    kent = Area.objects.get(code=KENT)
    wellbeing = ServiceType.objects.get(pk=wellbeing.pk)
    for service_type in (accommodation, wellbeing):
        with django_assert_num_queries(2):  # the type's categories, then the organisations
            eligible = list(eligible_organisations(service_type=service_type, area=kent))
        with django_assert_num_queries(2):
            partial = list(partial_coverage_organisations(service_type=service_type, area=kent))
        assert not set(eligible) & set(partial)
    # The data is big enough for both answers to be non-trivial.
    assert eligible_organisations(service_type=accommodation, area=kent).count() > 0
    assert partial_coverage_organisations(service_type=accommodation, area=kent).count() > 0


def _brute_force(quals: list[tuple[int, str, str]], category_codes: set[str], lot: Area):
    """quals: (org index, category code, area path). Eligible: for every category, some active
    qualification whose area path is a prefix of the lot's path."""
    eligible = set()
    partial = set()
    orgs = {q[0] for q in quals}
    for org in orgs:
        mine = [q for q in quals if q[0] == org]
        if all(any(c == code and lot.path.startswith(p) for _, c, p in mine) for code in category_codes):
            eligible.add(org)
        elif any(c in category_codes and p.startswith(lot.path) and p != lot.path for _, c, p in mine):
            partial.add(org)
    return eligible, partial


AREA_CODES = ["K04000001", "K", "J", KENT, SURREY, MAIDSTONE, "E23000033"]
CATEGORY_CODES = ["family", "lifestyle", "emotional-wellbeing", "social-inclusion", "accommodation"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    quals=st.lists(
        st.tuples(st.integers(0, 4), st.sampled_from(CATEGORY_CODES), st.sampled_from(AREA_CODES)),
        max_size=14,
    ),
    lot_code=st.sampled_from(AREA_CODES),
    type_code=st.sampled_from(["personal-wellbeing", "accommodation"]),
)
def test_selectors_agree_with_brute_force(quals, lot_code, type_code):
    areas = {a.code: a for a in Area.objects.filter(code__in=AREA_CODES)}
    service_type = ServiceType.objects.get(code=type_code)
    with transaction.atomic():
        granter = UserFactory()
        orgs = OrganisationFactory.create_batch(5)
        seen = set()
        for index, category_code, area_code in quals:
            if (index, category_code, area_code) in seen:
                continue
            seen.add((index, category_code, area_code))
            qualify(orgs[index], category_code, area_code, granted_by=granter)
        lot = areas[lot_code]
        expected_eligible, expected_partial = _brute_force(
            [(i, c, areas[a].path) for i, c, a in seen],
            set(service_type.categories.values_list("code", flat=True)),
            lot,
        )
        assert {orgs.index(o) for o in eligible_organisations(service_type=service_type, area=lot)} == expected_eligible
        assert {
            orgs.index(o) for o in partial_coverage_organisations(service_type=service_type, area=lot)
        } == expected_partial
        transaction.set_rollback(True)


def test_no_qualifications_at_all_means_nobody():
    accommodation, _ = _types()
    OrganisationFactory()
    assert not eligible_organisations(service_type=accommodation, area=Area.objects.get(code=KENT)).exists()
    assert Organisation.objects.exists() and not Qualification.objects.exists()
