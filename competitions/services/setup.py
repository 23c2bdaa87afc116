"""Setting up and launching a competition: details, documents, lots and their yearly values,
contract and payment terms, funding partners, the evaluation model, the timetable; then plan,
launch (inviting every eligible organisation and telling partial-coverage ones), or abandon."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max

from accounts.models import Organisation, User
from audit.services import audit_record, snapshot
from competitions.models import (
    CoCommissioner,
    Competition,
    CompetitionDocument,
    CompetitionInvitation,
    CompetitionMember,
    Lot,
    LotFunding,
    LotYear,
    LotYearRevision,
    Question,
    QuestionKind,
)
from competitions.selectors import competitions as sel
from competitions.selectors.invitations import invitation_plan, late_invitations_open, newly_eligible
from core.clock import db_now
from qualification.uploads import check_upload, stored_name
from reference.models import Area, ServiceType

REFERENCE_PREFIX = "PSDF-"

DETAIL_FIELDS = ["title", "service_type", "owner_area", "summary", "specification"]
CONTRACT_FIELDS = [
    "contract_start",
    "contract_years",
    "extension_years",
    "payment_frequency",
    "payment_days",
    "max_lots_per_provider",
]
MODEL_FIELDS = ["price_weight", "social_value_weight", "scoring_scale", "tie_break"]
TIMETABLE_FIELDS = ["clarification_deadline", "closes_at", "evaluation_ends_at", "intended_award_at", "standstill_days"]


class NotEditable(ValidationError):
    pass


def _require_editable(competition: Competition) -> None:
    if not sel.is_editable(competition):
        raise NotEditable("This opportunity has been launched or cancelled, so it can no longer be changed")


def _next_reference() -> str:
    numbers = [
        int(match.group(1))
        for reference in Competition.objects.filter(reference__startswith=REFERENCE_PREFIX).values_list(
            "reference", flat=True
        )
        if (match := re.fullmatch(r"PSDF-(\d+)", reference))
    ]
    return f"{REFERENCE_PREFIX}{(max(numbers, default=0) + 1):04d}"


@transaction.atomic
def competition_create(
    *,
    actor: User,
    title: str,
    service_type: ServiceType,
    owner_area: Area,
    summary: str = "",
    specification: str = "",
) -> Competition:
    """A draft competition run by `actor`, who becomes its first commissioner."""
    if not sel.owner_area_choices(user=actor).filter(pk=owner_area.pk).exists():
        raise ValidationError({"owner_area": "Choose an area you commission services for"})
    competition = Competition(
        title=title.strip(),
        service_type=service_type,
        owner_area=owner_area,
        summary=summary.strip(),
        specification=specification.strip(),
        created_by=actor,
    )
    for _attempt in range(5):
        competition.reference = _next_reference()
        competition.full_clean()
        try:
            with transaction.atomic():
                competition.save()
            break
        except IntegrityError:
            competition.pk = None
    else:  # pragma: no cover - only under heavy concurrent creation
        raise ValidationError("Could not give the opportunity a reference. Try again")
    CompetitionMember.objects.create(
        competition=competition, user=actor, role=CompetitionMember.MemberRole.COMMISSIONER, added_by=actor
    )
    audit_record(actor=actor, action="competition.created", obj=competition, after=snapshot(competition))
    return competition


def _update(
    competition: Competition,
    *,
    actor: User,
    fields: list[str],
    values: dict,
    action: str,
    check: Callable[[Competition], None] | None = None,
) -> Competition:
    """Set `fields` from `values`, audited with the values before and after. `check` sees the
    competition with the new values set and raises to refuse them."""
    _require_editable(competition)
    before = snapshot(competition, fields)
    for name in fields:
        if name in values:
            value = values[name]
            setattr(competition, name, value.strip() if isinstance(value, str) else value)
    if check is not None:
        check(competition)
    competition.full_clean()
    competition.save()
    audit_record(actor=actor, action=action, obj=competition, before=before, after=snapshot(competition, fields))
    return competition


@transaction.atomic
def competition_update_details(*, competition: Competition, actor: User, **values) -> Competition:
    owner_area = values.get("owner_area")
    if owner_area is not None and owner_area != competition.owner_area:
        if not sel.owner_area_choices(user=actor).filter(pk=owner_area.pk).exists():
            raise ValidationError({"owner_area": "Choose an area you commission services for"})
        if competition.lots.exists():
            raise ValidationError({"owner_area": "Remove the lots before changing the area"})
    return _update(competition, actor=actor, fields=DETAIL_FIELDS, values=values, action="competition.details_changed")


@transaction.atomic
def competition_document_add(
    *, competition: Competition, actor: User, title: str, upload: UploadedFile, public: bool = False
) -> CompetitionDocument:
    """A specification document, checked by its content. `public`: anyone may download it while
    the opportunity is planned or open (`competitions.permissions_documents`)."""
    _require_editable(competition)
    try:
        checked = check_upload(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    document = CompetitionDocument(
        competition=competition,
        title=title.strip(),
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        public=public,
        uploaded_by=actor,
    )
    # Stored under a random name of our own: the uploader's file name is never used for anything.
    document.file.save(stored_name(checked), upload, save=False)
    document.full_clean()
    document.save()
    audit_record(actor=actor, action="competition.document_added", obj=document, after=snapshot(document))
    return document


@transaction.atomic
def competition_document_set_public(*, document: CompetitionDocument, actor: User, public: bool) -> CompetitionDocument:
    """Let anyone download the document (while the opportunity is planned or open), or only the
    organisations invited to bid. Only before launch."""
    # Locked as launching locks it, so the choice cannot change once the opportunity is launched.
    competition = Competition.objects.select_for_update().get(pk=document.competition_id)
    _require_editable(competition)
    document = CompetitionDocument.objects.select_for_update().get(pk=document.pk)
    if document.public == public:
        return document
    before = snapshot(document, ["public"])
    document.public = public
    document.full_clean()
    document.save(update_fields=["public"])
    audit_record(
        actor=actor,
        action="competition.document_public_changed",
        obj=document,
        before=before,
        after=snapshot(document, ["public"]),
    )
    return document


@transaction.atomic
def competition_document_remove(*, document: CompetitionDocument, actor: User) -> None:
    _require_editable(document.competition)
    audit_record(actor=actor, action="competition.document_removed", obj=document, before=snapshot(document))
    document.delete()


# --- Lots ---------------------------------------------------------------------------------


def _check_lot_areas(competition: Competition, areas: list[Area]) -> None:
    if not areas:
        raise ValidationError({"areas": "Choose the area this lot covers"})
    allowed_ids = set(sel.lot_area_choices(competition=competition).values_list("pk", flat=True)) | set(
        sel.local_authority_choices(competition=competition).values_list("pk", flat=True)
    )
    if any(area.pk not in allowed_ids for area in areas):
        raise ValidationError({"areas": f"Choose areas inside {competition.owner_area}"})
    if len(areas) > 1 and any(area.level != "local_authority" for area in areas):
        raise ValidationError({"areas": "A lot covers one region or PCC area, or a group of local authorities"})


@transaction.atomic
def lot_create(*, competition: Competition, actor: User, name: str, areas: list[Area]) -> Lot:
    _require_editable(competition)
    _check_lot_areas(competition, areas)
    number = (competition.lots.aggregate(top=Max("number"))["top"] or 0) + 1
    lot = Lot(competition=competition, number=number, name=name.strip())
    lot.full_clean()
    lot.save()
    lot.areas.set(areas)
    audit_record(
        actor=actor,
        action="competition.lot_added",
        obj=lot,
        after=snapshot(lot) | {"areas": [area.code for area in areas]},
    )
    return lot


@transaction.atomic
def lot_update(*, lot: Lot, actor: User, name: str, areas: list[Area]) -> Lot:
    _require_editable(lot.competition)
    _check_lot_areas(lot.competition, areas)
    before = snapshot(lot) | {"areas": sorted(lot.areas.values_list("code", flat=True))}
    lot.name = name.strip()
    lot.full_clean()
    lot.save()
    lot.areas.set(areas)
    audit_record(
        actor=actor,
        action="competition.lot_changed",
        obj=lot,
        before=before,
        after=snapshot(lot) | {"areas": sorted(area.code for area in areas)},
    )
    return lot


@transaction.atomic
def lot_remove(*, lot: Lot, actor: User) -> None:
    _require_editable(lot.competition)
    audit_record(actor=actor, action="competition.lot_removed", obj=lot, before=snapshot(lot))
    lot.delete()


@transaction.atomic
def lot_years_set(*, lot: Lot, actor: User, years: dict[int, tuple[Decimal, int]]) -> list[LotYear]:
    """Estimated value and people for each financial year. Every change (and the first value)
    is kept as a revision, so the history of what was published can be shown."""
    _require_editable(lot.competition)
    allowed = set(sel.contract_financial_years(lot.competition))
    if not allowed:
        raise ValidationError("Enter the contract start date and length first")
    if set(years) != allowed:
        raise ValidationError("Enter a value and number of people for every year of the contract")
    result = []
    for financial_year, (value, volume) in sorted(years.items()):
        lot_year = LotYear.objects.filter(lot=lot, financial_year=financial_year).first()
        before = snapshot(lot_year) if lot_year else None
        if lot_year is None:
            lot_year = LotYear(lot=lot, financial_year=financial_year, value=value, volume=volume)
        elif lot_year.value == value and lot_year.volume == volume:
            result.append(lot_year)
            continue
        lot_year.value, lot_year.volume = value, volume
        lot_year.full_clean()
        lot_year.save()
        LotYearRevision.objects.create(lot_year=lot_year, value=value, volume=volume, recorded_by=actor)
        audit_record(
            actor=actor, action="competition.lot_year_set", obj=lot_year, before=before, after=snapshot(lot_year)
        )
        result.append(lot_year)
    # Years no longer in the contract (the term changed) are removed.
    for stale in lot.years.exclude(financial_year__in=allowed):
        audit_record(actor=actor, action="competition.lot_year_removed", obj=stale, before=snapshot(stale))
        stale.delete()
    return result


# --- Contract terms, funding partners, evaluation model, timetable -------------------------


@transaction.atomic
def competition_set_contract_terms(*, competition: Competition, actor: User, **values) -> Competition:
    lots = values.get("max_lots_per_provider")
    if lots is not None and lots < 1:
        raise ValidationError({"max_lots_per_provider": "The most lots one provider may win must be 1 or more"})
    return _update(
        competition, actor=actor, fields=CONTRACT_FIELDS, values=values, action="competition.contract_terms_set"
    )


@transaction.atomic
def co_commissioner_add(
    *, competition: Competition, actor: User, name: str, party_type: str, shares: dict[int, Decimal]
) -> CoCommissioner:
    """A funding partner and its share (percent) of each lot it funds. Shares of a lot, from every
    partner together, must not exceed 100%."""
    _require_editable(competition)
    partner = CoCommissioner(competition=competition, name=name.strip(), party_type=party_type)
    try:
        partner.full_clean()
    except ValidationError as error:
        if "__all__" in error.message_dict:
            raise ValidationError({"name": "You have already added this funding partner"}) from None
        raise
    partner.save()
    _set_shares(partner, actor=actor, shares=shares)
    audit_record(
        actor=actor,
        action="competition.funding_partner_added",
        obj=partner,
        after=snapshot(partner) | {"shares": {str(k): v for k, v in shares.items()}},
    )
    return partner


def _set_shares(partner: CoCommissioner, *, actor: User, shares: dict[int, Decimal]) -> None:
    lots = {lot.pk: lot for lot in partner.competition.lots.all()}
    errors = {}
    for lot_id, share in shares.items():
        lot = lots.get(lot_id)
        if lot is None:
            raise ValidationError("Choose a lot of this opportunity")
        if share is None or share == 0:
            LotFunding.objects.filter(lot=lot, co_commissioner=partner).delete()
            continue
        if share < 0 or share > 100:
            errors[f"lot_{lot_id}"] = f"Share of {lot.name} must be between 0 and 100"
            continue
        others = sum(
            (f.share_percent for f in LotFunding.objects.filter(lot=lot).exclude(co_commissioner=partner)),
            Decimal("0"),
        )
        if others + share > 100:
            errors[f"lot_{lot_id}"] = (
                f"Shares of {lot.name} from all funding partners must add up to 100% or less. "
                f"Other partners already pay {others.normalize():f}%"
            )
            continue
        LotFunding.objects.update_or_create(lot=lot, co_commissioner=partner, defaults={"share_percent": share})
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def co_commissioner_remove(*, partner: CoCommissioner, actor: User) -> None:
    _require_editable(partner.competition)
    audit_record(actor=actor, action="competition.funding_partner_removed", obj=partner, before=snapshot(partner))
    partner.delete()


@transaction.atomic
def question_add(
    *,
    competition: Competition,
    actor: User,
    kind: str,
    text: str,
    guidance: str = "",
    word_limit: int | None = None,
    weight: Decimal = Decimal("0"),
    lot_specific: bool = False,
) -> Question:
    _require_editable(competition)
    if kind == QuestionKind.PASS_FAIL:
        weight, word_limit = Decimal("0"), None
    elif weight is None or weight <= 0:
        raise ValidationError({"weight": "Enter a weight greater than 0"})
    number = (competition.questions.aggregate(top=Max("number"))["top"] or 0) + 1
    question = Question(
        competition=competition,
        number=number,
        kind=kind,
        text=text.strip(),
        guidance=guidance.strip(),
        word_limit=word_limit,
        weight=weight,
        lot_specific=lot_specific,
    )
    question.full_clean()
    question.save()
    audit_record(actor=actor, action="competition.question_added", obj=question, after=snapshot(question))
    return question


@transaction.atomic
def question_remove(*, question: Question, actor: User) -> None:
    _require_editable(question.competition)
    audit_record(actor=actor, action="competition.question_removed", obj=question, before=snapshot(question))
    question.delete()


@transaction.atomic
def competition_set_evaluation_model(*, competition: Competition, actor: User, **values) -> Competition:
    return _update(competition, actor=actor, fields=MODEL_FIELDS, values=values, action="competition.model_set")


@transaction.atomic
def competition_set_timetable(*, competition: Competition, actor: User, **values) -> Competition:
    """Dates in order (questions < closing < end of scoring < intended award); the contract
    starts after the waiting period. A short bidding window is a warning, shown elsewhere."""

    def check(changed: Competition) -> None:
        problems = [p for p in sel.timetable_problems(changed) if not p.startswith("Enter the contract")]
        if problems:
            raise ValidationError(problems)

    return _update(
        competition,
        actor=actor,
        fields=TIMETABLE_FIELDS,
        values=values,
        action="competition.timetable_set",
        check=check,
    )


# --- Plan, launch, abandon -----------------------------------------------------------------


@transaction.atomic
def competition_plan(*, competition: Competition, actor: User, now: datetime.datetime | None = None) -> Competition:
    """Publish as planned (in the public pipeline): dates and lots known, not yet open."""
    _require_editable(competition)
    problems = sel.plan_problems(competition)
    if problems:
        raise ValidationError(problems)
    before = snapshot(competition, ["planned_at", "planned_by"])
    competition.planned_at = now or db_now()
    competition.planned_by = actor
    competition.save(update_fields=["planned_at", "planned_by"])
    audit_record(
        actor=actor,
        action="competition.planned",
        obj=competition,
        before=before,
        after=snapshot(competition, ["planned_at", "planned_by"]),
    )
    return competition


@transaction.atomic
def competition_launch(*, competition: Competition, actor: User, now: datetime.datetime | None = None) -> Competition:
    """Open the competition for bids and invite: every organisation eligible for at least one
    lot (with those lots), and organisations covering part of a lot as possible partners.
    Each is e-mailed by a background task; the invitation shows in the service at once."""
    from competitions import tasks

    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    _require_editable(competition)
    now = now or db_now()
    problems = sel.launch_problems(competition, now=now)
    if problems:
        raise ValidationError(problems)
    before = snapshot(competition, ["launched_at", "launched_by"])
    competition.launched_at = now
    competition.launched_by = actor
    if competition.planned_at is None:
        competition.planned_at, competition.planned_by = now, actor
    competition.save(update_fields=["launched_at", "launched_by", "planned_at", "planned_by"])
    audit_record(
        actor=actor,
        action="competition.launched",
        obj=competition,
        before=before,
        after=snapshot(competition, ["launched_at", "launched_by"]),
    )

    plan = invitation_plan(competition)
    invitations = []
    for organisation in Organisation.objects.filter(pk__in=plan):
        invitee = plan[organisation.pk]
        invitation = CompetitionInvitation.objects.create(
            competition=competition, organisation=organisation, kind=invitee.kind, invited_at=now
        )
        invitation.lots.set(invitee.lots)
        audit_record(
            actor=actor,
            action="competition.invited",
            obj=invitation,
            object_repr=f"{organisation} to {competition.reference}",
            after={"organisation": organisation.pk, "kind": invitee.kind, "lots": [lot.number for lot in invitee.lots]},
        )
        invitations.append(invitation)
    for invitation in invitations:
        tasks.send_invitation_email.enqueue(invitation_id=invitation.pk)
    return competition


LATE_INVITATIONS_CLOSED = (
    "You cannot invite organisations now: the last day for questions has passed. "
    "Organisations invited this late would not have time to ask questions."
)


@transaction.atomic
def competition_invite_newly_qualified(
    *, competition: Competition, actor: User, organisation_ids: list[int], now: datetime.datetime | None = None
) -> list[CompetitionInvitation]:
    """Invite organisations that qualified after launch, as launch would have invited them (to bid
    for the lots they are eligible for, or as possible partners), while the last day for questions
    has not passed. Each is e-mailed the launch invitation, and each invitation is recorded on the
    opportunity's own history."""
    from competitions import tasks

    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    now = now or db_now()
    if not late_invitations_open(competition, now=now):
        raise ValidationError(LATE_INVITATIONS_CLOSED, code="late_invitations_closed")
    if not organisation_ids:
        raise ValidationError({"organisations": "Select the organisations to invite"})
    eligible = {organisation.pk: (organisation, invitee) for organisation, invitee in newly_eligible(competition)}
    if any(pk not in eligible for pk in organisation_ids):
        raise ValidationError({"organisations": "Select organisations from the list. The list may have changed"})
    invitations = []
    for pk in sorted(set(organisation_ids)):
        organisation, invitee = eligible[pk]
        invitation = CompetitionInvitation.objects.create(
            competition=competition, organisation=organisation, kind=invitee.kind, invited_at=now
        )
        invitation.lots.set(invitee.lots)
        audit_record(
            actor=actor,
            action="competition.invited_after_launch",
            obj=competition,
            after={
                "organisation": organisation.display_name,
                "organisation_id": organisation.pk,
                "kind": invitee.kind,
                "lots": [lot.number for lot in invitee.lots],
            },
            at=now,
        )
        invitations.append(invitation)
    for invitation in invitations:
        tasks.send_invitation_email.enqueue(invitation_id=invitation.pk)
    return invitations


@transaction.atomic
def competition_abandon(*, competition: Competition, actor: User, reason: str) -> Competition:
    from competitions import tasks

    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    if competition.abandoned_at is not None:
        raise ValidationError("This opportunity has already been cancelled")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why you are cancelling this opportunity"})
    before = snapshot(competition, ["abandoned_at", "abandoned_by", "abandoned_reason"])
    competition.abandoned_at = db_now()
    competition.abandoned_by = actor
    competition.abandoned_reason = reason.strip()
    competition.save(update_fields=["abandoned_at", "abandoned_by", "abandoned_reason"])
    audit_record(
        actor=actor,
        action="competition.abandoned",
        obj=competition,
        before=before,
        after=snapshot(competition, ["abandoned_at", "abandoned_by", "abandoned_reason"]),
    )
    if competition.launched_at is not None:
        tasks.send_abandon_emails.enqueue(competition_id=competition.pk, lot_id=None)
    return competition


@transaction.atomic
def lot_abandon(*, lot: Lot, actor: User, reason: str) -> Lot:
    from competitions import tasks

    lot = Lot.objects.select_for_update().select_related("competition").get(pk=lot.pk)
    if lot.abandoned_at is not None or lot.competition.abandoned_at is not None:
        raise ValidationError("This lot has already been cancelled")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why you are cancelling this lot"})
    before = snapshot(lot)
    lot.abandoned_at = db_now()
    lot.abandoned_by = actor
    lot.abandoned_reason = reason.strip()
    lot.save(update_fields=["abandoned_at", "abandoned_by", "abandoned_reason"])
    audit_record(actor=actor, action="competition.lot_abandoned", obj=lot, before=before, after=snapshot(lot))
    if lot.competition.launched_at is not None:
        tasks.send_abandon_emails.enqueue(competition_id=lot.competition_id, lot_id=lot.pk)
    return lot


@transaction.atomic
def competition_commissioner_add(*, competition: Competition, user: User, actor: User) -> CompetitionMember:
    """Add a commissioner to the competition's team, so a second person can approve its awards
    (four eyes). Only commissioners whose role covers the competition's area may join."""
    if not sel.commissioners_available(competition).filter(pk=user.pk).exists():
        raise ValidationError({"commissioner": "Choose a commissioner for this area who is not already on the team"})
    member = CompetitionMember(
        competition=competition, user=user, role=CompetitionMember.MemberRole.COMMISSIONER, added_by=actor
    )
    member.full_clean()
    member.save()
    audit_record(actor=actor, action="competition.commissioner_added", obj=member, after=snapshot(member))
    return member
