"""Finding services for a person (issue 12): the rule for who a contract is for, the selector at
its edges (ages, dates, places, types of help), its fixed number of queries, and the database
constraints behind a contract's eligibility."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.db import IntegrityError, transaction

from contracts import rules
from contracts.models import Contract, ContractVersion, EligibleSex, OrderType, PersonSex, VariationGround, VersionKind
from contracts.selectors_find import eligibility_words, services_for_person
from contracts.tests.find_world import GUILDFORD, KENT, MAIDSTONE, REGION_K, SURREY, contract, place, today
from reference.models import Area, ServiceCategory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def category(code: str) -> ServiceCategory:
    return ServiceCategory.objects.get(code=code)


def find(*, where: str = MAIDSTONE, help=("accommodation",), age=30, sex=PersonSex.MALE, order=OrderType.LICENCE,
         pre_release=False, on=None) -> set[int]:  # fmt: skip
    found = services_for_person(
        local_authority=place(where),
        categories=[category(code) for code in help],
        age=age,
        sex=sex,
        order_type=order,
        pre_release=pre_release,
        on=on or today(),
    )
    return {service.contract.pk for service in found}


# --- The rule: Python and SQL agree at every edge ---------------------------------------------


def test_the_rule_says_the_same_in_python_and_sql_at_the_edges():
    narrow = contract(
        min_age=25, max_age=40, eligible_sex=EligibleSex.WOMEN, for_community_orders=False, pre_release=False
    )
    open_to_all = contract()
    checked = 0
    for age, sex, order, pre in itertools.product(
        [18, 24, 25, 40, 41, 120], PersonSex.values, OrderType.values, [True, False]
    ):
        rule = rules.person_admitted(age=age, sex=sex, order_type=order, pre_release=pre)
        in_sql = set(Contract.objects.filter(rule.q(), pk__in=[narrow.pk, open_to_all.pk]).values_list("pk", flat=True))
        in_python = {c.pk for c in (narrow, open_to_all) if rule.holds(c)}
        assert in_sql == in_python
        assert open_to_all.pk in in_sql
        expected = 25 <= age <= 40 and sex == PersonSex.FEMALE and order == OrderType.LICENCE and not pre
        assert (narrow.pk in in_sql) is expected, (age, sex, order, pre)
        checked += 1
    assert checked == 48


def test_the_rule_refuses_what_it_does_not_know():
    with pytest.raises(ValueError, match="must be one of"):
        rules.person_admitted(age=30, sex="other", order_type=OrderType.LICENCE, pre_release=False)
    with pytest.raises(ValueError, match="must be one of"):
        rules.person_admitted(age=30, sex=PersonSex.MALE, order_type="bail", pre_release=False)


# --- The selector at its edges -------------------------------------------------------------------


def test_ages_exactly_at_the_youngest_and_oldest_are_in_and_one_either_side_out():
    service = contract(min_age=25, max_age=40)
    assert service.pk in find(age=25)
    assert service.pk in find(age=40)
    assert service.pk not in find(age=24)
    assert service.pk not in find(age=41)


def test_only_contracts_live_on_the_day():
    day = today()
    ends_today = contract(ends_on=day)
    ended_yesterday = contract(ends_on=day - DAY)
    starts_today = contract(starts_on=day)
    starts_tomorrow = contract(starts_on=day + DAY)
    terminated = contract()
    Contract.objects.filter(pk=terminated.pk).update(
        termination_reason="mutual",
        termination_notice_on=day - 10 * DAY,
        terminates_on=day - DAY,
        termination_recorded_at=terminated.created_at,
    )
    last_day_today = contract()
    Contract.objects.filter(pk=last_day_today.pk).update(
        termination_reason="mutual",
        termination_notice_on=day - 10 * DAY,
        terminates_on=day,
        termination_recorded_at=last_day_today.created_at,
    )
    found = find()
    assert {ends_today.pk, starts_today.pk, last_day_today.pk} <= found
    assert not {ended_yesterday.pk, starts_tomorrow.pk, terminated.pk} & found
    # Tomorrow the one ending today has ended and the one starting tomorrow has started.
    tomorrow = find(on=day + DAY)
    assert starts_tomorrow.pk in tomorrow and ends_today.pk not in tomorrow


def test_an_area_covering_the_place_counts_and_one_elsewhere_does_not():
    in_the_place = contract(areas=(MAIDSTONE,))
    one_level_up = contract(areas=(KENT,))
    region = contract(areas=(REGION_K,))
    national = contract(areas=("K04000001",))
    elsewhere = contract(areas=(SURREY,))
    next_door = contract(areas=(GUILDFORD,))
    found = find(where=MAIDSTONE)
    assert {in_the_place.pk, one_level_up.pk, region.pk, national.pk} <= found
    assert not {elsewhere.pk, next_door.pk} & found
    assert find(where=GUILDFORD) >= {elsewhere.pk, next_door.pk, region.pk} and in_the_place.pk not in find(
        where=GUILDFORD
    )


def test_the_areas_are_those_of_the_terms_in_force():
    """A variation that moved the contract to Surrey, accepted, takes it out of Kent; one still
    waiting changes nothing."""
    moved = contract(areas=(KENT,))
    first = moved.versions.get()
    version = ContractVersion.objects.create(
        contract=moved,
        number=2,
        kind=VersionKind.VARIATION,
        ground=VariationGround.NOT_SUBSTANTIAL,
        explanation="Moved.",
        ends_on=first.ends_on,
        payment_frequency=first.payment_frequency,
        payment_days=first.payment_days,
    )
    version.areas.set([place(SURREY)])
    assert moved.pk in find(where=MAIDSTONE)  # a draft is not in force
    ContractVersion.objects.filter(pk=version.pk).update(
        proposed_at=first.accepted_at, approved_at=first.accepted_at, accepted_at=first.accepted_at
    )
    assert moved.pk not in find(where=MAIDSTONE)
    assert moved.pk in find(where=GUILDFORD)


def test_at_least_one_type_of_help_the_service_gives():
    housing = contract(service_type="accommodation")
    womens = contract(service_type="womens-services")
    assert find(help=["accommodation"]) == {housing.pk, womens.pk}  # women's services include accommodation
    assert find(help=["women"]) == {womens.pk}
    assert find(help=["young-adults", "women"]) == {womens.pk}
    assert find(help=["ete"]) == {womens.pk}
    assert find(help=["young-adults"]) == set()
    assert find(help=[]) == set()


def test_sex_orders_and_before_release():
    women = contract(eligible_sex=EligibleSex.WOMEN)
    men = contract(eligible_sex=EligibleSex.MEN)
    community = contract(for_licences=False)
    licence = contract(for_community_orders=False)
    after_release = contract(pre_release=False)
    assert find(sex=PersonSex.FEMALE) == {women.pk, licence.pk, after_release.pk}
    assert find(sex=PersonSex.MALE, order=OrderType.COMMUNITY_ORDER) == {men.pk, community.pk, after_release.pk}
    assert find(sex=PersonSex.MALE, pre_release=True) == {men.pk, licence.pk}


def test_a_fixed_number_of_queries_whatever_the_number_of_contracts(django_assert_num_queries):
    maidstone, housing, day = place(MAIDSTONE), [category("accommodation")], today()

    def search():
        found = services_for_person(
            local_authority=maidstone,
            categories=housing,
            age=30,
            sex=PersonSex.FEMALE,
            order_type=OrderType.LICENCE,
            pre_release=False,
            on=day,
        )
        # What the page shows comes with them: no query per result.
        return [
            (s.contract.supplier.display_name, s.contract.service_type.name, [a.name for a in s.areas],
             [c.name for c in s.categories], s.terms.ends_on, eligibility_words(s.contract))
            for s in found
        ]  # fmt: skip

    contract()
    with django_assert_num_queries(3):
        assert len(search()) == 1
    for _ in range(4):
        contract(areas=(KENT, SURREY), service_type="womens-services")
    with django_assert_num_queries(3):
        shown = search()
    assert len(shown) == 5
    assert shown[-1][2] == ["Kent", "Surrey"]


# --- The database holds the invariants ----------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        {"min_age": 17},
        {"max_age": 121},
        {"min_age": 41, "max_age": 40},
        {"for_community_orders": False, "for_licences": False},
        {"eligible_sex": "nobody"},
    ],
)
def test_the_database_refuses_eligibility_that_cannot_be(values):
    service = contract()
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=service.pk).update(**values)


def test_existing_contracts_are_open_to_every_adult():
    """What the migration gives a contract made before eligibility, and what a new one starts with."""
    fresh = contract()
    assert (fresh.min_age, fresh.max_age, fresh.eligible_sex) == (18, 120, EligibleSex.ANY)
    assert fresh.for_community_orders and fresh.for_licences and fresh.pre_release
    assert eligibility_words(fresh) == [
        ("Ages", "18 and over"),
        ("Sex", "Anyone"),
        ("Orders", "People on community orders and licences"),
        ("Before release", "Works with people in prison"),
    ]
    assert Area.objects.filter(code=MAIDSTONE, level="local_authority").exists()
