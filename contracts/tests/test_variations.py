"""Variations and extensions: every version kept, the terms in force derived from the accepted
ones, four eyes, the provider's acceptance, and bad changes refused without changing anything."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Membership
from audit.models import AuditEvent
from competitions.tests.evaluation_factories import award_world
from contracts import services
from contracts.models import ContractVersion, ContractVersionPartner, VariationGround, VersionKind
from contracts.selectors import contract_status, extension_years_used, terms_in_force

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = award_world()
    contract = world["contract"]
    commissioners = [m.user for m in contract.lot.competition.members.filter(role="commissioner").order_by("pk")]
    provider = Membership.objects.filter(organisation=contract.supplier).first()
    Membership.objects.filter(pk=provider.pk).update(is_admin=True)
    return {"contract": contract, "first": commissioners[0], "second": commissioners[1], "provider": provider.user}


def _draft(world, **changes):
    version = services.variation_start(
        contract=world["contract"],
        ground=VariationGround.UNFORESEEABLE,
        explanation="More people were referred than modelled.",
        actor=world["first"],
    )
    return services.variation_change(version=version, actor=world["first"], **changes)


def test_contract_as_made_is_version_one_in_force(world):
    contract = world["contract"]
    terms = terms_in_force(contract)
    assert terms.number == 1 and terms.kind == VersionKind.AS_MADE
    assert terms.ends_on == contract.ends_on == datetime.date(2030, 6, 30)
    assert [(y.financial_year, y.value) for y in terms.years.all()] == [
        (y.financial_year, y.value) for y in contract.years.all()
    ]
    assert contract_status(contract, terms) == "Not started"


def test_variation_proposed_approved_accepted_becomes_the_terms(world):
    contract = world["contract"]
    version = _draft(
        world,
        years={
            2027: (Decimal("450000"), 130),
            2028: (Decimal("400000"), 120),
            2029: (Decimal("400000"), 120),
            2030: (Decimal("400000"), 120),
        },
    )
    services.variation_propose(version=version, actor=world["first"])
    assert terms_in_force(contract).number == 1  # proposed is not in force
    services.variation_approve(version=version, actor=world["second"])
    assert terms_in_force(contract).number == 1  # approved is not in force until accepted
    services.variation_accept(version=version, actor=world["provider"])
    terms = terms_in_force(contract)
    assert terms.number == 2
    assert terms.years.get(financial_year=2027).value == Decimal("450000")
    # Nothing was overwritten: version 1 and the contract as made still say what they said.
    contract.refresh_from_db()
    assert ContractVersion.objects.get(contract=contract, number=1).years.get(financial_year=2027).value != Decimal(
        "450000"
    )
    actions = list(
        AuditEvent.objects.filter(object_type="contracts.contract", object_id=str(contract.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-5:] == [
        "contract.variation_started",
        "contract.variation_changed",
        "contract.variation_proposed",
        "contract.variation_approved",
        "contract.variation_accepted",
    ]


def test_approving_your_own_variation_is_refused(world):
    version = _draft(
        world,
        payment_terms={"payment_frequency": "quarterly_arrears", "payment_days": 30, "payment_model": "fixed_fee"},
    )
    services.variation_propose(version=version, actor=world["first"])
    with pytest.raises(ValidationError, match="another commissioner"):
        services.variation_approve(version=version, actor=world["first"])
    version.refresh_from_db()
    assert version.approved_at is None
    # And the database refuses it even if a service forgot.
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractVersion.objects.filter(pk=version.pk).update(
            approved_at=version.proposed_at, approved_by=world["first"]
        )


def test_accepting_twice_is_refused(world):
    version = _draft_payment(world, _draft(world))
    services.variation_propose(version=version, actor=world["first"])
    services.variation_approve(version=version, actor=world["second"])
    services.variation_accept(version=version, actor=world["provider"])
    with pytest.raises(ValidationError, match="not waiting"):
        services.variation_accept(version=version, actor=world["provider"])


def _draft_payment(world, version):
    return services.variation_change(
        version=version,
        actor=world["first"],
        payment_terms={"payment_frequency": "monthly_arrears", "payment_days": 20, "payment_model": "sessions"},
    )


def test_one_open_change_at_a_time(world):
    _draft(world)
    with pytest.raises(ValidationError, match="still open"):
        _draft(world)


def test_a_change_that_changes_nothing_is_not_sent(world):
    version = _draft(world)
    with pytest.raises(ValidationError, match="does not change anything"):
        services.variation_propose(version=version, actor=world["first"])


def test_end_date_before_today_is_refused(world):
    version = services.variation_start(
        contract=world["contract"], ground=VariationGround.DE_MINIMIS, explanation="Ending early.", actor=world["first"]
    )
    with pytest.raises(ValidationError) as caught:
        services.variation_change(version=version, actor=world["first"], ends_on=datetime.date(2020, 1, 1))
    assert "today or in the future" in str(caught.value)
    version.refresh_from_db()
    assert version.ends_on == datetime.date(2030, 6, 30)


def test_shorter_term_drops_years_and_longer_adds_them(world):
    version = _draft(world, ends_on=datetime.date(2028, 6, 30))
    assert list(version.years.values_list("financial_year", flat=True)) == [2027, 2028]
    version = services.variation_change(version=version, actor=world["first"], ends_on=datetime.date(2031, 3, 31))
    years = {y.financial_year: y.value for y in version.years.all()}
    assert sorted(years) == [2027, 2028, 2029, 2030]
    assert years[2029] == years[2028]  # new years start from the last year's value


def test_negative_volume_and_wrong_years_refused(world):
    version = _draft(world)
    with pytest.raises(ValidationError):
        services.variation_change(version=version, actor=world["first"], years={2027: (Decimal(1), -1)})
    wanted = {y: (Decimal(1), 1) for y in (2027, 2028, 2029, 2030)}
    wanted[2028] = (Decimal(1), -5)
    with pytest.raises(ValidationError, match="between 0"):
        services.variation_change(version=version, actor=world["first"], years=wanted)


def test_partner_shares_bounded_and_a_zero_share_leaves(world):
    version = _draft(world)
    first = ContractVersionPartner.objects.create(
        version=version, name="Small Charity", role="subcontractor", share_percent=Decimal("30")
    )
    second = ContractVersionPartner.objects.create(
        version=version, name="Local CIC", role="subcontractor", share_percent=Decimal("20")
    )
    with pytest.raises(ValidationError, match="0 to 100"):
        services.variation_change(version=version, actor=world["first"], partner_shares={first.pk: Decimal("101")})
    with pytest.raises(ValidationError, match="100% or less"):
        services.variation_change(version=version, actor=world["first"], partner_shares={first.pk: Decimal("90")})
    services.variation_change(
        version=version, actor=world["first"], partner_shares={first.pk: Decimal("45.5"), second.pk: Decimal(0)}
    )
    assert list(version.partners.values_list("name", "share_percent")) == [("Small Charity", Decimal("45.50"))]


def test_extension_only_within_what_was_offered(world):
    contract = world["contract"]
    type(contract).objects.filter(pk=contract.pk).update(extension_years=1)
    contract.refresh_from_db()
    with pytest.raises(ValidationError, match="1 to 1 year"):
        services.extension_propose(contract=contract, years=2, explanation="Good results.", actor=world["first"])
    version = services.extension_propose(contract=contract, years=1, explanation="Good results.", actor=world["first"])
    assert version.ends_on == datetime.date(2031, 6, 30)
    assert 2031 in set(version.years.values_list("financial_year", flat=True))
    services.variation_approve(version=version, actor=world["second"])
    services.variation_accept(version=version, actor=world["provider"])
    assert extension_years_used(contract) == 1
    assert terms_in_force(contract).ends_on == datetime.date(2031, 6, 30)
    with pytest.raises(ValidationError, match="no option to extend left"):
        services.extension_propose(contract=contract, years=1, explanation="Again.", actor=world["first"])


def test_no_extension_offered(world):
    with pytest.raises(ValidationError, match="no option"):
        services.extension_propose(contract=world["contract"], years=1, explanation="x", actor=world["first"])


def test_termination_rules_and_status(world):
    contract = world["contract"]
    today = datetime.date.today()
    with pytest.raises(ValidationError, match="today or in the past"):
        services.contract_terminate(
            contract=contract,
            reason="mutual",
            explanation="Both agreed.",
            notice_on=today + datetime.timedelta(days=3),
            terminates_on=datetime.date(2028, 3, 31),
            actor=world["first"],
        )
    services.contract_terminate(
        contract=contract,
        reason="mutual",
        explanation="Both agreed.",
        notice_on=today,
        terminates_on=datetime.date(2028, 3, 31),
        actor=world["first"],
    )
    contract.refresh_from_db()
    assert contract_status(contract, terms_in_force(contract)) == "Not started"
    later = datetime.datetime(2028, 1, 1, 12, tzinfo=datetime.UTC)
    assert contract_status(contract, terms_in_force(contract), now=later) == "Live, ending early"
    after = datetime.datetime(2028, 4, 1, 12, tzinfo=datetime.UTC)
    assert contract_status(contract, terms_in_force(contract), now=after) == "Terminated"
    with pytest.raises(ValidationError, match="terminated"):
        _draft(world)


def test_status_ended_after_the_term(world):
    contract = world["contract"]
    after = datetime.datetime(2030, 7, 1, 12, tzinfo=datetime.UTC)
    assert contract_status(contract, terms_in_force(contract), now=after) == "Ended"
    during = datetime.datetime(2028, 7, 1, 12, tzinfo=datetime.UTC)
    assert contract_status(contract, terms_in_force(contract), now=during) == "Live"


def test_declined_version_is_kept_and_not_in_force(world):
    version = _draft_payment(world, _draft(world))
    services.variation_propose(version=version, actor=world["first"])
    services.variation_approve(version=version, actor=world["second"])
    version = services.variation_decline(version=version, actor=world["provider"], reason="We cannot deliver sessions.")
    assert terms_in_force(world["contract"]).number == 1
    assert ContractVersion.objects.filter(contract=world["contract"]).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractVersion.objects.filter(pk=version.pk).update(accepted_at=version.approved_at)


def test_managers_named_on_each_side(world):
    contract = world["contract"]
    services.contract_set_manager(contract=contract, side="commissioner", manager=world["second"], actor=world["first"])
    services.contract_set_manager(
        contract=contract, side="provider", manager=world["provider"], actor=world["provider"]
    )
    with pytest.raises(ValidationError):
        services.contract_set_manager(
            contract=contract, side="provider", manager=world["first"], actor=world["provider"]
        )
    contract.refresh_from_db()
    assert contract.commissioner_manager == world["second"] and contract.provider_manager == world["provider"]
