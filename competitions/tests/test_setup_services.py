"""Setting up, planning, launching and cancelling a competition (services and selectors)."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from competitions.models import CompetitionInvitation, LotYearRevision, QuestionKind
from competitions.selectors import competitions as sel
from competitions.services import setup
from qualification.tests.factories import QualificationFactory
from reference.models import Area, ServiceType
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, make_user_with_role

pytestmark = pytest.mark.django_db

LONDON_FUTURE = datetime.timedelta(days=40)


def area(name_or_code):
    return Area.objects.filter(code=name_or_code).first() or Area.objects.get(name=name_or_code, level="pcc_area")


@pytest.fixture
def commissioner():
    return make_user_with_role("commissioner", area_code="K")


def ready_competition(commissioner, *, lots=("Kent", "Surrey", "Sussex"), closes_in=LONDON_FUTURE):
    """Everything a launch needs, set through the services."""
    competition = setup.competition_create(
        actor=commissioner,
        title="Accommodation support in Kent, Surrey and Sussex",
        service_type=ServiceType.objects.get(code="accommodation"),
        owner_area=area("K"),
        summary="Help people on probation find a home.",
        specification="Find homes.",
    )
    now = timezone.now()
    setup.competition_set_contract_terms(
        competition=competition,
        actor=commissioner,
        contract_start=(now + closes_in + datetime.timedelta(days=120)).date(),
        contract_years=2,
        extension_years=1,
        payment_frequency="monthly_arrears",
        payment_days=30,
        max_lots_per_provider=None,
    )
    years = sel.contract_financial_years(competition)
    for name in lots:
        lot = setup.lot_create(competition=competition, actor=commissioner, name=name, areas=[area(name)])
        setup.lot_years_set(
            lot=lot, actor=commissioner, years={y: (Decimal("300000") + i * 50000, 100) for i, y in enumerate(years)}
        )
    setup.question_add(
        competition=competition, actor=commissioner, kind=QuestionKind.QUALITY, text="How?", weight=Decimal("60")
    )
    setup.question_add(
        competition=competition,
        actor=commissioner,
        kind=QuestionKind.SOCIAL_VALUE,
        text="Social value?",
        weight=Decimal("10"),
    )
    setup.competition_set_timetable(
        competition=competition,
        actor=commissioner,
        clarification_deadline=now + closes_in - min(datetime.timedelta(days=7), closes_in / 2),
        closes_at=now + closes_in,
        evaluation_ends_at=now + closes_in + datetime.timedelta(days=20),
        intended_award_at=now + closes_in + datetime.timedelta(days=30),
        standstill_days=8,
    )
    return competition


def test_create_gives_a_reference_and_makes_the_creator_its_commissioner(commissioner):
    first = ready_competition(commissioner)
    second = ready_competition(commissioner)
    assert first.reference.startswith("PSDF-") and first.reference != second.reference
    assert first.members.get().user == commissioner
    assert AuditEvent.objects.filter(action="competition.created", object_id=str(first.pk)).exists()


def test_owner_area_is_limited_to_the_commissioners_scope(commissioner):
    choices = set(sel.owner_area_choices(user=commissioner).values_list("name", flat=True))
    assert {"Kent", "Surrey", "Sussex"} <= choices
    london = Area.objects.filter(level="region").exclude(code="K").first()
    with pytest.raises(ValidationError) as error:
        setup.competition_create(
            actor=commissioner,
            title="x",
            service_type=ServiceType.objects.first(),
            owner_area=london,
        )
    assert "Choose an area you commission services for" in str(error.value)


def test_weights_must_total_100_with_a_clear_message(commissioner):
    competition = ready_competition(commissioner)
    assert sel.weights_problems(competition) == []
    setup.competition_set_evaluation_model(
        competition=competition,
        actor=commissioner,
        price_weight=Decimal("40"),
        social_value_weight=Decimal("10"),
        scoring_scale="0-4",
        tie_break="quality_then_price",
    )
    problems = sel.weights_problems(competition)
    assert problems[0] == (
        "Weights must add up to 100. At the moment they add up to 110: quality questions 60, social value 10, price 40"
    )
    with pytest.raises(ValidationError):
        setup.competition_plan(competition=competition, actor=commissioner)
    with pytest.raises(ValidationError):
        setup.competition_launch(competition=competition, actor=commissioner)


def test_timetable_must_be_in_order(commissioner):
    competition = ready_competition(commissioner)
    with pytest.raises(ValidationError) as error:
        setup.competition_set_timetable(
            competition=competition, actor=commissioner, closes_at=competition.clarification_deadline
        )
    assert "The deadline for questions must be before the closing date" in error.value.messages
    competition.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        setup.competition_set_timetable(
            competition=competition,
            actor=commissioner,
            intended_award_at=competition.closes_at + datetime.timedelta(days=200),
        )
    assert any("The contract must start after the waiting period" in m for m in error.value.messages)


def test_a_short_bidding_window_is_a_warning_not_an_error(commissioner):
    competition = ready_competition(commissioner, closes_in=datetime.timedelta(days=6))
    warnings = sel.timetable_warnings(competition)
    assert warnings and "Small organisations without a bid writer need at least 10 working days" in warnings[0]
    assert sel.launch_problems(competition) == []
    long = ready_competition(commissioner)
    assert sel.timetable_warnings(long) == []


def test_ramp_up_values_per_year_and_every_change_is_kept(commissioner):
    competition = ready_competition(commissioner, lots=["Kent"])
    lot = competition.lots.get()
    years = sel.contract_financial_years(competition)
    assert len(years) in (2, 3)
    values = {y: v.value for y, v in ((ly.financial_year, ly) for ly in lot.years.all())}
    assert values[years[0]] < values[years[-1]]  # ramp-up
    setup.lot_years_set(
        lot=lot, actor=commissioner, years={y: (Decimal("999000") if y == years[0] else values[y], 100) for y in years}
    )
    first = lot.years.get(financial_year=years[0])
    assert list(first.revisions.values_list("value", flat=True)) == [Decimal("300000"), Decimal("999000")]
    # Unchanged years get no new revision.
    assert LotYearRevision.objects.filter(lot_year__lot=lot).count() == len(years) + 1


def test_funding_partner_shares_per_lot_at_most_100(commissioner):
    competition = ready_competition(commissioner)
    kent = competition.lots.get(name="Kent")
    setup.co_commissioner_add(
        competition=competition,
        actor=commissioner,
        name="Kent Police and Crime Commissioner",
        party_type="pcc",
        shares={kent.pk: Decimal("25")},
    )
    assert kent.funding.get().share_percent == Decimal("25")
    with pytest.raises(ValidationError) as error:
        setup.co_commissioner_add(
            competition=competition,
            actor=commissioner,
            name="Kent County Council",
            party_type="local_authority",
            shares={kent.pk: Decimal("80")},
        )
    assert "Other partners already pay 25%" in str(error.value)
    assert kent.funding.count() == 1


def _member(organisation):
    user = UserFactory()
    MembershipFactory(user=user, organisation=organisation)
    return user


def test_launch_invites_exactly_the_eligible_and_tells_partial_coverage_organisations(commissioner):
    competition = ready_competition(commissioner)
    categories = list(competition.service_type.categories.all())
    national = OrganisationFactory(legal_name="National Ltd")
    kent_only = OrganisationFactory(legal_name="Kent Homes")
    local = OrganisationFactory(legal_name="Maidstone Local")
    elsewhere = OrganisationFactory(legal_name="Northern Homes")
    for category in categories:
        QualificationFactory(organisation=national, category=category, area=area("K04000001"))
        QualificationFactory(organisation=kent_only, category=category, area=area("Kent"))
        QualificationFactory(
            organisation=elsewhere,
            category=category,
            area=Area.objects.filter(level="region").exclude(code="K").first(),
        )
    maidstone = Area.objects.filter(level="local_authority", path__startswith=area("Kent").path).first()
    QualificationFactory(organisation=local, category=categories[0], area=maidstone)
    national_user = _member(national)

    setup.competition_launch(competition=competition, actor=commissioner)

    invitations = {i.organisation.legal_name: i for i in CompetitionInvitation.objects.filter(competition=competition)}
    assert set(invitations) == {"National Ltd", "Kent Homes", "Maidstone Local"}
    assert invitations["National Ltd"].kind == "eligible"
    assert set(invitations["National Ltd"].lots.values_list("name", flat=True)) == {"Kent", "Surrey", "Sussex"}
    assert list(invitations["Kent Homes"].lots.values_list("name", flat=True)) == ["Kent"]
    assert invitations["Maidstone Local"].kind == "partner"
    recipients = {address for message in mail.outbox for address in message.to}
    assert national_user.email in recipients and national.contact_email in recipients
    assert local.contact_email in recipients and elsewhere.contact_email not in recipients
    competition.refresh_from_db()
    assert competition.launched_by == commissioner
    # Launched: no more changes.
    with pytest.raises(ValidationError):
        setup.question_add(competition=competition, actor=commissioner, kind="quality", text="x", weight=Decimal(1))


def test_a_lot_of_several_local_authorities_invites_only_those_covering_all_of_them(commissioner):
    competition = ready_competition(commissioner, lots=[])
    las = list(Area.objects.filter(level="local_authority", path__startswith=area("Kent").path)[:2])
    lot = setup.lot_create(competition=competition, actor=commissioner, name="West Kent", areas=las)
    setup.lot_years_set(
        lot=lot, actor=commissioner, years={y: (Decimal(1000), 5) for y in sel.contract_financial_years(competition)}
    )
    both, one = OrganisationFactory(), OrganisationFactory()
    for category in competition.service_type.categories.all():
        QualificationFactory(organisation=both, category=category, area=las[0])
        QualificationFactory(organisation=both, category=category, area=las[1])
        QualificationFactory(organisation=one, category=category, area=las[0])
    setup.competition_launch(competition=competition, actor=commissioner)
    kinds = dict(competition.invitations.values_list("organisation_id", "kind"))
    assert kinds == {both.pk: "eligible", one.pk: "partner"}


def test_plan_puts_it_in_the_pipeline(commissioner):
    competition = ready_competition(commissioner)
    assert competition not in sel.pipeline_competitions()
    setup.competition_plan(competition=competition, actor=commissioner)
    assert competition in sel.pipeline_competitions()
    setup.competition_launch(competition=competition, actor=commissioner)
    assert competition not in sel.pipeline_competitions()


def test_cancelling_notifies_everyone_invited_with_the_reason(commissioner):
    competition = ready_competition(commissioner)
    organisations = [OrganisationFactory() for _ in range(2)]
    for organisation in organisations:
        for category in competition.service_type.categories.all():
            QualificationFactory(organisation=organisation, category=category, area=area("Kent"))
    setup.competition_launch(competition=competition, actor=commissioner)
    mail.outbox.clear()
    kent = competition.lots.get(name="Kent")
    setup.lot_abandon(lot=kent, actor=commissioner, reason="Money moved to another service")
    assert {m.to[0] for m in mail.outbox} == {o.contact_email for o in organisations}
    assert "Money moved to another service" in mail.outbox[0].body
    mail.outbox.clear()
    setup.competition_abandon(competition=competition, actor=commissioner, reason="Policy changed")
    assert {m.to[0] for m in mail.outbox} == {o.contact_email for o in organisations}
    assert all("Policy changed" in m.body for m in mail.outbox)
    with pytest.raises(ValidationError):
        setup.competition_abandon(competition=competition, actor=commissioner, reason="Again")


def test_launch_refuses_a_closing_date_in_the_past(commissioner):
    competition = ready_competition(commissioner)
    later = competition.closes_at + datetime.timedelta(hours=1)
    with pytest.raises(ValidationError) as error:
        setup.competition_launch(competition=competition, actor=commissioner, now=later)
    assert "The closing date must be in the future" in error.value.messages


def test_documents_are_checked_by_content_and_stored_with_their_digest(commissioner):
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    competition = ready_competition(commissioner, lots=["Kent"])
    pdf = b"%PDF-1.4\n%%EOF\n"
    document = setup.competition_document_add(
        competition=competition,
        actor=commissioner,
        title="Specification",
        upload=SimpleUploadedFile("spec.pdf", pdf),
    )
    assert document.content_type == "application/pdf"
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()
    with pytest.raises(ValidationError) as error:
        setup.competition_document_add(
            competition=competition,
            actor=commissioner,
            title="Not really a PDF",
            upload=SimpleUploadedFile("evil.pdf", b"<script>alert(1)</script>"),
        )
    assert "The selected file must be a PDF" in str(error.value)
    assert competition.documents.count() == 1


def test_a_timetable_change_is_audited_with_the_dates_before_and_after(client, commissioner):
    competition = ready_competition(commissioner)
    old_closes_at = competition.closes_at
    new_closes_at = old_closes_at + datetime.timedelta(days=1)
    setup.competition_set_timetable(competition=competition, actor=commissioner, closes_at=new_closes_at)

    event = AuditEvent.objects.filter(action="competition.timetable_set").latest("id")
    assert event.before["closes_at"] != event.after["closes_at"]
    assert event.before["closes_at"] == old_closes_at.isoformat()
    assert event.after["closes_at"] == new_closes_at.isoformat()
    # Only the closing date changed.
    assert {key for key in event.after if event.before[key] != event.after[key]} == {"closes_at"}

    client.force_login(commissioner)
    page = client.get(f"/audit/competitions.competition/{competition.pk}/").content.decode()
    row = page[page.rindex("competition.timetable_set") :]
    assert "closes_at</span>:" in row
    assert "No fields changed" not in row
