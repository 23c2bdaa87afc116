"""Every change to a referral (issue 12): each `@transaction.atomic`, checked (`full_clean`), and
audited in the same transaction on the referral's own chain. The audit trail holds ids, field
names and statuses only, never what a field says (ADR 12): `after` never contains personal data.

Bad input raises `ValidationError` with a plain message for the person (keyed by field where
there is one), and nothing is saved.
"""

from __future__ import annotations

import datetime
import secrets
import string

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from accounts.models import Membership, Organisation
from audit.services import audit_record
from contracts import rules as contract_rules
from contracts.models import Contract, PersonSex
from contracts.selectors import terms_in_force
from core.clock import LONDON, db_now
from referrals import permissions, rules, tasks_mail
from referrals.eligibility import age_refusal, order_refusal, sex_refusal
from referrals.models import (
    MAX_SESSIONS,
    ActionPlan,
    Appointment,
    AppointmentMethod,
    Assignment,
    Attendance,
    CancelReason,
    ComplexityLevel,
    DeliverySession,
    DesiredOutcome,
    EndOfServiceReport,
    EndReason,
    Engagement,
    PlanActivity,
    Referral,
    ReferralCategory,
    ReferralManager,
    ReferralOutcome,
    ReportOutcome,
    SupervisionOrder,
)
from referrals.sealing import CRN_FORMAT_MESSAGE, crn_digest, crn_is_valid, normalise_crn
from referrals.selectors import caseworker_candidates

# Audit actions: none changes a public answer (ADR 10).
PRIVATE_AUDIT_ACTIONS = (
    "referral.created",
    "referral.updated",
    "referral.categories_set",
    "referral.sent",
    "referral.cancelled",
    "referral.ended",
    "referral.assigned",
    "referral.taken_back",
    "referral.appointment_booked",
    "referral.appointment_attended",
    "referral.plan_saved",
    "referral.plan_submitted",
    "referral.plan_approved",
    "referral.session_recorded",
    "referral.report_saved",
    "referral.report_sent",
    "referral.personal_data_read",
    "referral.personal_data_erased",
    "referral.subject_access_export",
    "referral_manager.granted",
    "referral_manager.revoked",
    "referrals.reencrypted",
)

NOT_FOUND = "This referral cannot be found"
# The fields of the draft a practitioner fills in, page by page.
PERSON_FIELDS = (
    "crn",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "gender",
    "email",
    "phone",
    "address",
    "preferred_language",
    "accessibility_needs",
    "needs_interpreter",
    "interpreter_language",
)
ORDER_FIELDS = ("order_type", "order_end_on", "max_rar_days")
DRAFT_FIELDS = (*PERSON_FIELDS, *ORDER_FIELDS, "risk_summary", "complete_by")
REQUIRED_TO_SEND = {
    "crn": "Enter the case reference number",
    "first_name": "Enter the person's first name",
    "last_name": "Enter the person's last name",
    "date_of_birth": "Enter the person's date of birth",
    "sex": "Select their sex",
    "order_type": "Select the type of order or licence",
    "order_end_on": "Enter the date the order or licence ends",
    "max_rar_days": "Enter the most Rehabilitation Activity Requirement days the provider may use",
    "risk_summary": "Enter a summary of the risks",
    "complete_by": "Enter the date by which the work must be done",
}


def _today(now: datetime.datetime) -> datetime.date:
    return now.astimezone(LONDON).date()


def _audit(*, actor, action: str, referral: Referral, at=None, **ids) -> None:
    """One event on the referral's chain: its status and ids, never personal data."""
    audit_record(
        actor=actor,
        action=action,
        obj=referral,
        after={"referral_id": referral.pk, "status": referral.status, **ids},
        at=at,
    )


def _lock(referral: Referral) -> Referral:
    return Referral.objects.select_for_update(of=("self",)).select_related("contract").get(pk=referral.pk)


def _contract_live_refusal(contract: Contract, now: datetime.datetime) -> str | None:
    terms = terms_in_force(contract)
    if terms is not None and contract_rules.CONTRACT_LIVE.holds(terms, now=now):
        return None
    if terms is not None and contract_rules.CONTRACT_NOT_STARTED.holds(terms, now=now):
        return "This service has not started yet, so it cannot take referrals. Choose another service"
    return "This service has ended, so it cannot take referrals. Choose another service"


def _practitioner_region(actor) -> int:
    regions = permissions.practitioner_region_ids(actor)
    if not regions:
        raise ValidationError("Your account has no probation region. Ask an administrator to add one")
    return regions[0]


# --- The practitioner's draft --------------------------------------------------------------------


@transaction.atomic
def referral_create(*, actor, contract: Contract) -> Referral:
    """A new draft referral to a live contract, made by a probation practitioner in their region."""
    if not permissions.is_practitioner(actor):
        raise ValidationError("Only a probation practitioner can make a referral")
    now = db_now()
    refusal = _contract_live_refusal(contract, now)
    if refusal:
        raise ValidationError(refusal)
    referral = Referral(
        contract=contract,
        prime_id=contract.supplier_id,
        created_by=actor,
        area_id=_practitioner_region(actor),
        created_at=now,
        updated_at=now,
    )
    referral.full_clean()
    referral.save()
    _audit(actor=actor, action="referral.created", referral=referral, at=now, contract_id=contract.pk)
    return referral


def _order_errors(referral: Referral) -> dict[str, str]:
    """The contract must take the order's kind; an order not in the list is left to full_clean."""
    if referral.order_type not in SupervisionOrder.values:
        return {}
    refusal = order_refusal(referral.contract, referral.order_type)
    return {"order_type": refusal} if refusal else {}


def _sex_errors(referral: Referral) -> dict[str, str]:
    """The contract must be for the person's sex; a sex not in the list is left to full_clean."""
    if referral.sex not in PersonSex.values:
        return {}
    refusal = sex_refusal(referral.contract, referral.sex)
    return {"sex": refusal} if refusal else {}


def _check_person(referral: Referral, today: datetime.date) -> None:
    errors: dict[str, str] = {}
    if referral.crn is not None:
        referral.crn = normalise_crn(referral.crn) or None  # blank: not given yet
        if referral.crn is not None and not crn_is_valid(referral.crn):
            errors["crn"] = CRN_FORMAT_MESSAGE
    if referral.date_of_birth is not None:
        if referral.date_of_birth > today:
            errors["date_of_birth"] = "The date of birth must be in the past"
        elif referral.date_of_birth.year < today.year - 120:
            errors["date_of_birth"] = "Enter a real date of birth"
        else:
            refusal = age_refusal(referral.contract, referral.date_of_birth, today)
            if refusal:
                errors["date_of_birth"] = refusal
    if referral.complete_by is not None and referral.complete_by < today:
        errors["complete_by"] = "The date the work must be done by must be today or in the future"
    errors.update(_order_errors(referral))
    errors.update(_sex_errors(referral))
    if referral.order_end_on is not None and referral.order_end_on < today:
        errors["order_end_on"] = "The order or licence end date must be today or in the future"
    if referral.needs_interpreter is False:
        referral.interpreter_language = ""
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def referral_update(*, actor, referral: Referral, **values) -> Referral:
    """Save what the practitioner gave on one page of the draft (saved as they go). Only the named
    fields change; the audit event names them, never their values."""
    unknown = set(values) - set(DRAFT_FIELDS)
    if unknown:
        raise ValueError(f"Not a field of the draft: {sorted(unknown)}")
    referral = _lock(referral)
    if not permissions.can_edit_draft(actor, referral):
        raise ValidationError("This referral has been sent, so it can no longer be changed")
    now = db_now()
    for name, value in values.items():
        setattr(referral, name, value)
    _check_person(referral, _today(now))
    if "crn" in values:
        referral.crn_digest = crn_digest(referral.crn) if referral.crn else ""
    referral.updated_at = now
    referral.full_clean()
    referral.save()
    _audit(actor=actor, action="referral.updated", referral=referral, at=now, fields=sorted(values))
    return referral


@transaction.atomic
def referral_set_categories(*, actor, referral: Referral, choices: dict[int, dict]) -> Referral:
    """The kinds of support asked for, each with its complexity level and desired outcomes:
    {category id: {"complexity": level id or None, "outcomes": [outcome ids]}}. Replaces what was
    chosen before. Only the contract's service type's categories, and their active choices."""
    referral = _lock(referral)
    if not permissions.can_edit_draft(actor, referral):
        raise ValidationError("This referral has been sent, so it can no longer be changed")
    allowed = set(referral.contract.service_type.categories.values_list("id", flat=True))
    if not choices:
        raise ValidationError({"categories": "Select at least one type of support"})
    if set(choices) - allowed:
        raise ValidationError({"categories": "Select types of support this service offers"})
    levels = {level.pk: level for level in ComplexityLevel.objects.filter(category_id__in=list(choices), active=True)}
    outcomes = {
        outcome.pk: outcome for outcome in DesiredOutcome.objects.filter(category_id__in=list(choices), active=True)
    }
    rows = []
    for category_id, choice in choices.items():
        level_id = choice.get("complexity")
        if level_id is not None and (level_id not in levels or levels[level_id].category_id != category_id):
            raise ValidationError({f"complexity_{category_id}": "Select a complexity level from the list"})
        outcome_ids = list(dict.fromkeys(choice.get("outcomes") or []))
        if any(o not in outcomes or outcomes[o].category_id != category_id for o in outcome_ids):
            raise ValidationError({f"outcomes_{category_id}": "Select desired outcomes from the list"})
        rows.append((category_id, level_id, outcome_ids))
    referral.categories.all().delete()
    for category_id, level_id, outcome_ids in rows:
        row = ReferralCategory.objects.create(referral=referral, category_id=category_id, complexity_id=level_id)
        ReferralOutcome.objects.bulk_create(
            [ReferralOutcome(referral_category=row, outcome_id=outcome_id) for outcome_id in outcome_ids]
        )
    now = db_now()
    referral.updated_at = now
    referral.save(update_fields=["updated_at"])
    _audit(actor=actor, action="referral.categories_set", referral=referral, at=now, category_ids=sorted(choices))
    return referral


def send_problems(referral: Referral, now: datetime.datetime) -> dict[str, str]:
    """What is still missing or wrong before a draft can be sent (empty: it can be sent)."""
    problems = {name: message for name, message in REQUIRED_TO_SEND.items() if getattr(referral, name) in (None, "")}
    categories = list(referral.categories.prefetch_related("outcomes"))
    if not categories:
        problems["categories"] = "Select at least one type of support"
    for row in categories:
        if row.complexity_id is None:
            problems[f"complexity_{row.category_id}"] = "Select a complexity level for each type of support"
        if not row.outcomes.all():
            problems[f"outcomes_{row.category_id}"] = "Select at least one desired outcome for each type of support"
    try:
        _check_person(referral, _today(now))
    except ValidationError as error:
        problems.update({field: messages[0] for field, messages in error.message_dict.items()})
    return problems


REFERENCE_LETTERS = "".join(c for c in string.ascii_uppercase if c not in "IO")  # never mistaken for 1 or 0


def new_reference() -> str:
    """Two letters, four digits, two letters, e.g. JK4821PT: random, so it says nothing about order."""
    pick = secrets.choice
    return (
        pick(REFERENCE_LETTERS)
        + pick(REFERENCE_LETTERS)
        + "".join(pick(string.digits) for _ in range(4))
        + pick(REFERENCE_LETTERS)
        + pick(REFERENCE_LETTERS)
    )


@transaction.atomic
def referral_send(*, actor, referral: Referral) -> Referral:
    """Send a complete draft to the provider and give it its reference number. The row is locked,
    so two sends at once send it once (the second finds it sent and is refused)."""
    referral = _lock(referral)
    if not permissions.can_edit_draft(actor, referral):
        raise ValidationError("This referral has already been sent")
    now = db_now()
    refusal = _contract_live_refusal(referral.contract, now)
    if refusal:
        raise ValidationError(refusal)
    problems = send_problems(referral, now)
    if problems:
        raise ValidationError(problems)
    for _ in range(10):
        reference = new_reference()
        if not Referral.objects.filter(reference=reference).exists():
            break
    else:  # pragma: no cover - 24² × 10⁴ × 24² numbers
        raise ValidationError("A reference number could not be made. Try again")
    referral.reference = reference
    referral.sent_at = now
    referral.updated_at = now
    referral.provider_id = referral.prime_id  # the contract's prime: with it first
    referral.full_clean()
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:  # the same reference made at the same moment elsewhere
        raise ValidationError("A reference number could not be made. Try again") from None
    _audit(actor=actor, action="referral.sent", referral=referral, at=now, provider_id=referral.provider_id)
    tasks_mail.send_new_referral_emails.enqueue(referral_id=referral.pk, organisation_id=referral.provider_id)
    return referral


@transaction.atomic
def referral_cancel(*, actor, referral: Referral, reason: str) -> Referral:
    """Cancel a sent referral before its action plan is approved (the work has not started)."""
    referral = _lock(referral)
    if not permissions.is_practitioner_side(actor, referral) or referral.sent_at is None:
        raise ValidationError(NOT_FOUND)
    if reason not in CancelReason.values:
        raise ValidationError({"reason": "Select why you are cancelling the referral"})
    if not rules.REFERRAL_OPEN.holds(referral):
        raise ValidationError("This referral has already been cancelled, ended or completed")
    if referral.plan_approved_at is not None:
        raise ValidationError("The work has started, so end the referral early instead of cancelling it")
    now = db_now()
    referral.cancelled_at, referral.cancelled_by, referral.cancel_reason = now, actor, reason
    referral.updated_at = now
    referral.full_clean()
    referral.save()
    _audit(actor=actor, action="referral.cancelled", referral=referral, at=now, reason=reason)
    return referral


@transaction.atomic
def referral_end_early(*, actor, referral: Referral, reason: str) -> Referral:
    """End a referral whose work has started (its plan approved). The provider then sends its
    end-of-service report; no more sessions can be recorded."""
    referral = _lock(referral)
    if not permissions.is_practitioner_side(actor, referral) or referral.sent_at is None:
        raise ValidationError(NOT_FOUND)
    if reason not in EndReason.values:
        raise ValidationError({"reason": "Select why you are ending the referral"})
    if not rules.REFERRAL_OPEN.holds(referral):
        raise ValidationError("This referral has already been cancelled, ended or completed")
    if referral.plan_approved_at is None:
        raise ValidationError("The work has not started, so cancel the referral instead of ending it")
    now = db_now()
    referral.ended_at, referral.ended_by, referral.end_reason = now, actor, reason
    referral.updated_at = now
    referral.full_clean()
    referral.save()
    _audit(actor=actor, action="referral.ended", referral=referral, at=now, reason=reason)
    return referral


# --- The provider: who does the work -------------------------------------------------------------


def partner_organisation_ids(contract: Contract) -> set[int]:
    """The partners named in the terms in force (ADR 9) that have an organisation on the service."""
    terms = terms_in_force(contract)
    if terms is None:
        return set()
    return {partner.organisation_id for partner in terms.partners.all() if partner.organisation_id}


@transaction.atomic
def referral_assign(
    *, actor, referral: Referral, organisation: Organisation | None = None, caseworker=None
) -> Assignment:
    """Give the work to a partner organisation (the prime only), or to a caseworker at the
    organisation the work is with (or at the partner named with them). History is kept."""
    referral = _lock(referral)
    if not permissions.can_manage_referral(actor, referral):
        raise ValidationError(NOT_FOUND)
    if not rules.REFERRAL_OPEN.holds(referral):
        raise ValidationError("This referral has been cancelled, ended or completed, so it cannot be assigned")
    target = organisation.pk if organisation is not None else referral.provider_id
    if target != referral.provider_id:
        if not permissions.can_assign_to_partner(actor, referral):
            raise ValidationError("Only the main provider can give the work to a partner")
        if rules.with_partner(referral):
            # Work comes back from a partner one way only: `referral_take_back` (its own event).
            raise ValidationError(
                {"organisation": "The work is with a partner. Take it back before you give it to someone else"}
            )
        if target != referral.prime_id and target not in partner_organisation_ids(referral.contract):
            raise ValidationError({"organisation": "Select a partner named in the contract"})
    elif not permissions.is_referral_manager_of(actor, target):
        raise ValidationError("Only a referral manager of the organisation doing the work can choose its caseworker")
    if caseworker is not None and not caseworker_candidates(target).filter(user=caseworker).exists():
        raise ValidationError({"caseworker": "Select a caseworker from the organisation doing the work"})
    if organisation is None and caseworker is None:
        raise ValidationError({"caseworker": "Select a caseworker"})
    now = db_now()
    assignment = _hand_over(actor=actor, referral=referral, organisation_id=target, caseworker=caseworker, now=now)
    if caseworker is not None and referral.assigned_at is None:
        referral.assigned_at = now
    referral.full_clean()
    referral.save()
    _audit(
        actor=actor,
        action="referral.assigned",
        referral=referral,
        at=now,
        assignment=assignment.number,
        organisation_id=target,
        caseworker_id=caseworker.pk if caseworker is not None else None,
    )
    if target != referral.prime_id and caseworker is None:
        tasks_mail.send_new_referral_emails.enqueue(referral_id=referral.pk, organisation_id=target)
    return assignment


def _hand_over(*, actor, referral: Referral, organisation_id: int, caseworker, now) -> Assignment:
    """Who has the work now, kept in its history (`Assignment`); the caller saves the referral."""
    number = (referral.assignments.aggregate(last=Max("number"))["last"] or 0) + 1
    assignment = Assignment(
        referral=referral,
        number=number,
        organisation_id=organisation_id,
        caseworker=caseworker,
        assigned_at=now,
        assigned_by=actor,
    )
    assignment.full_clean()
    assignment.save()
    referral.provider_id = organisation_id
    referral.caseworker = caseworker
    referral.updated_at = now
    return assignment


@transaction.atomic
def referral_take_back(*, actor, referral: Referral) -> Assignment:
    """The prime takes the work back from the partner it gave it to, whatever the partner has done
    (a caseworker chosen, the assessment booked, a plan approved, sessions recorded), for as long
    as the provider still has work on the referral (`rules.REFERRAL_WITH_PROVIDER`: until it is
    cancelled or its end-of-service report is sent). Why so late: the prime answers for the
    contract's delivery, and the moment it most needs the work back (a partner that stopped
    delivering, or left the contract, or will not write the report of a referral ended early)
    can come at any stage. Once the report is sent there is nothing left to take back.

    The partner's people lose the referral at once (`permissions.readable_q` follows
    `provider_id`); what they did stays on the referral. No caseworker until the prime chooses
    one. `assigned_at` and `plan_approved_at` are kept, so the status the practitioner sees does
    not change."""
    referral = _lock(referral)
    if not permissions.can_assign_to_partner(actor, referral):
        raise ValidationError(NOT_FOUND)
    if not rules.with_partner(referral):
        raise ValidationError("The work is already with you")
    if not rules.REFERRAL_WITH_PROVIDER.holds(referral):
        raise ValidationError("This referral has been cancelled or completed, so the work cannot be taken back")
    now = db_now()
    partner_id = referral.provider_id
    assignment = _hand_over(actor=actor, referral=referral, organisation_id=referral.prime_id, caseworker=None, now=now)
    referral.full_clean()
    referral.save()
    _audit(
        actor=actor,
        action="referral.taken_back",
        referral=referral,
        at=now,
        assignment=assignment.number,
        from_organisation_id=partner_id,
        organisation_id=referral.provider_id,
    )
    return assignment


@transaction.atomic
def appointment_book(
    *, actor, referral: Referral, starts_at: datetime.datetime, duration_minutes: int, method: str, location: str = ""
) -> Appointment:
    """Book (or book again) the initial assessment."""
    referral = _lock(referral)
    if not permissions.can_deliver(actor, referral):
        raise ValidationError(NOT_FOUND)
    if not rules.REFERRAL_OPEN.holds(referral):
        raise ValidationError("This referral has been cancelled, ended or completed")
    if method not in AppointmentMethod.values:
        raise ValidationError({"method": "Select how the appointment will happen"})
    if method == AppointmentMethod.IN_PERSON and not (location or "").strip():
        raise ValidationError({"location": "Enter where the appointment will happen"})
    now = db_now()
    if starts_at < referral.sent_at:
        raise ValidationError({"starts_at": "The appointment must be after the referral was sent"})
    appointment = Appointment(
        referral=referral,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        method=method,
        location=(location or "").strip() if method == AppointmentMethod.IN_PERSON else None,
        booked_at=now,
        booked_by=actor,
    )
    try:
        appointment.full_clean()
    except ValidationError as error:
        if "duration_minutes" in error.message_dict:
            raise ValidationError(
                {"duration_minutes": "The appointment must last from 15 minutes to 8 hours"}
            ) from None
        raise
    appointment.save()
    _audit(actor=actor, action="referral.appointment_booked", referral=referral, at=now, appointment_id=appointment.pk)
    return appointment


@transaction.atomic
def appointment_record_attendance(*, actor, referral: Referral, attendance: str) -> Appointment:
    """Record whether the person came to the initial assessment booked last (once it has started).
    Recorded again, the new answer replaces the old; the audit trail keeps each."""
    referral = _lock(referral)
    if not permissions.can_deliver(actor, referral):
        raise ValidationError(NOT_FOUND)
    if not rules.REFERRAL_OPEN.holds(referral):
        raise ValidationError("This referral has been cancelled, ended or completed")
    appointment = (
        Appointment.objects.select_for_update().filter(referral=referral).order_by("-booked_at", "-id").first()
    )
    if appointment is None:
        raise ValidationError("Book the assessment before you say whether the person came")
    if attendance not in Attendance.values:
        raise ValidationError({"attendance": "Select whether the person came to the assessment"})
    now = db_now()
    if appointment.starts_at > now:
        raise ValidationError("You can say whether the person came once the assessment has started")
    appointment.attendance, appointment.attendance_recorded_at = attendance, now
    appointment.full_clean()
    appointment.save()
    _audit(
        actor=actor,
        action="referral.appointment_attended",
        referral=referral,
        at=now,
        appointment_id=appointment.pk,
        attendance=attendance,
    )
    if attendance == Attendance.DID_NOT_ATTEND:
        tasks_mail.send_session_concern_emails.enqueue(referral_id=referral.pk, session_number=0)
    return appointment


# --- The action plan -----------------------------------------------------------------------------


def _open_plan(referral: Referral) -> ActionPlan | None:
    return referral.action_plans.filter(approved_at__isnull=True).first()


def latest_approved_plan(referral: Referral) -> ActionPlan | None:
    return referral.action_plans.filter(approved_at__isnull=False).order_by("-version").first()


@transaction.atomic
def action_plan_save(
    *, actor, referral: Referral, number_of_sessions: int | None, activities: list[tuple[int, str]]
) -> ActionPlan:
    """Save the plan being written: the version not yet approved, or a new version (a copy of
    nothing: the caseworker writes it whole) if every version so far is approved. Saving a plan
    sent for approval takes it back: it must be sent again."""
    referral = _lock(referral)
    if not permissions.can_deliver(actor, referral):
        raise ValidationError(NOT_FOUND)
    if not rules.REFERRAL_OPEN.holds(referral):
        raise ValidationError("This referral has been cancelled, ended or completed, so its plan cannot change")
    if number_of_sessions is not None and not 1 <= number_of_sessions <= MAX_SESSIONS:
        raise ValidationError({"number_of_sessions": f"The number of sessions must be between 1 and {MAX_SESSIONS}"})
    outcome_ids = set(ReferralOutcome.objects.filter(referral_category__referral=referral).values_list("id", flat=True))
    for outcome_id, description in activities:
        if outcome_id not in outcome_ids:
            raise ValidationError({"activities": "Choose one of this referral's desired outcomes for each activity"})
        if not (description or "").strip():
            raise ValidationError({"activities": "Describe each activity"})
        if len(description) > 4000:
            raise ValidationError({"activities": "Each activity must be 4,000 characters or fewer"})
    now = db_now()
    plan = _open_plan(referral)
    if plan is None:
        last = referral.action_plans.aggregate(last=Max("version"))["last"] or 0
        plan = ActionPlan(referral=referral, version=last + 1, created_at=now, created_by=actor)
    plan.number_of_sessions = number_of_sessions
    plan.submitted_at = plan.submitted_by = None
    plan.full_clean()
    plan.save()
    plan.activities.all().delete()
    PlanActivity.objects.bulk_create(
        [PlanActivity(plan=plan, outcome_id=outcome_id, description=text.strip()) for outcome_id, text in activities]
    )
    _audit(actor=actor, action="referral.plan_saved", referral=referral, at=now, plan_version=plan.version)
    return plan


@transaction.atomic
def action_plan_submit(*, actor, referral: Referral) -> ActionPlan:
    """Send the plan being written to the practitioner for approval."""
    referral = _lock(referral)
    if not permissions.can_deliver(actor, referral):
        raise ValidationError(NOT_FOUND)
    if not rules.REFERRAL_OPEN.holds(referral):
        raise ValidationError("This referral has been cancelled, ended or completed")
    plan = _open_plan(referral)
    if plan is None:
        raise ValidationError("There is no new action plan to send")
    if plan.submitted_at is not None:
        raise ValidationError("This action plan has already been sent for approval")
    if plan.number_of_sessions is None:
        raise ValidationError({"number_of_sessions": "Enter the number of sessions"})
    if not plan.activities.exists():
        raise ValidationError({"activities": "Add at least one activity"})
    now = db_now()
    plan.submitted_at, plan.submitted_by = now, actor
    plan.full_clean()
    plan.save()
    _audit(actor=actor, action="referral.plan_submitted", referral=referral, at=now, plan_version=plan.version)
    tasks_mail.send_plan_submitted_emails.enqueue(referral_id=referral.pk)
    return plan


@transaction.atomic
def action_plan_approve(*, actor, referral: Referral, version: int) -> ActionPlan:
    """The practitioner approves the version sent to them. Approved, it never changes."""
    referral = _lock(referral)
    if not permissions.is_practitioner_side(actor, referral) or referral.sent_at is None:
        raise ValidationError(NOT_FOUND)
    if not rules.REFERRAL_OPEN.holds(referral):
        raise ValidationError("This referral has been cancelled, ended or completed")
    plan = ActionPlan.objects.select_for_update().filter(referral=referral, version=version).first()
    if plan is None or plan.submitted_at is None:
        raise ValidationError("This action plan has not been sent for approval")
    if plan.approved_at is not None:
        raise ValidationError("This action plan has already been approved")
    now = db_now()
    plan.approved_at, plan.approved_by = now, actor
    plan.full_clean()
    plan.save()
    if referral.plan_approved_at is None:
        referral.plan_approved_at = now
    referral.updated_at = now
    referral.full_clean()
    referral.save()
    _audit(actor=actor, action="referral.plan_approved", referral=referral, at=now, plan_version=plan.version)
    return plan


# --- Sessions ----------------------------------------------------------------------------------------


def _check_session(referral, now, happened_at, attendance: str, engagement: str, notes: str) -> str:
    """The engagement to store (none for someone who did not come), or a ValidationError."""
    if attendance not in Attendance.values:
        raise ValidationError({"attendance": "Select whether the person came to the session"})
    if attendance == Attendance.DID_NOT_ATTEND:
        engagement = ""
    elif engagement not in Engagement.values:
        raise ValidationError({"engagement": "Select how well the person took part"})
    if happened_at > now:
        raise ValidationError({"happened_at": "The session must be today or in the past"})
    if happened_at < referral.sent_at:
        raise ValidationError({"happened_at": "The session must be after the referral was sent"})
    if len(notes or "") > 4000:
        raise ValidationError({"notes": "Notes must be 4,000 characters or fewer"})
    return engagement


@transaction.atomic
def session_record(
    *,
    actor,
    referral: Referral,
    happened_at: datetime.datetime,
    attendance: str,
    engagement: str = "",
    notes: str = "",
    tell_practitioner: bool = False,
) -> DeliverySession:
    """Record one session under the approved plan. Refused once the referral has ended, been
    cancelled or completed: nothing can be delivered after that."""
    referral = _lock(referral)
    if not permissions.can_deliver(actor, referral):
        raise ValidationError(NOT_FOUND)
    if not rules.REFERRAL_OPEN.holds(referral):
        raise ValidationError("This referral has ended, so no more sessions can be recorded")
    plan = latest_approved_plan(referral)
    if plan is None:
        raise ValidationError("The action plan must be approved before sessions are recorded")
    now = db_now()
    engagement = _check_session(referral, now, happened_at, attendance, engagement, notes)
    number = (referral.sessions.aggregate(last=Max("number"))["last"] or 0) + 1
    if number > MAX_SESSIONS:
        raise ValidationError(f"A referral can have at most {MAX_SESSIONS} sessions")
    session = DeliverySession(
        referral=referral,
        number=number,
        plan=plan,
        happened_at=happened_at,
        attendance=attendance,
        engagement=engagement,
        notes=(notes or "").strip(),
        tell_practitioner=bool(tell_practitioner),
        recorded_at=now,
        recorded_by=actor,
    )
    session.full_clean()
    session.save()
    if session.delivered and referral.started_at is None:
        referral.started_at = happened_at
        referral.save(update_fields=["started_at"])
    _audit(actor=actor, action="referral.session_recorded", referral=referral, at=now, session=number)
    if attendance == Attendance.DID_NOT_ATTEND or tell_practitioner:
        tasks_mail.send_session_concern_emails.enqueue(referral_id=referral.pk, session_number=number)
    return session


# --- The end-of-service report ------------------------------------------------------------------------


@transaction.atomic
def report_save(
    *, actor, referral: Referral, outcomes: dict[int, tuple[str, str]], further_notes: str = ""
) -> EndOfServiceReport:
    """Save the report being written: {referral outcome id: (achievement, notes)}."""
    referral = _lock(referral)
    if not permissions.can_deliver(actor, referral):
        raise ValidationError(NOT_FOUND)
    if not rules.REFERRAL_WITH_PROVIDER.holds(referral):
        raise ValidationError("This referral has been cancelled or completed, so its report cannot change")
    if referral.plan_approved_at is None:
        raise ValidationError("The report can be written once the action plan is approved")
    allowed = set(ReferralOutcome.objects.filter(referral_category__referral=referral).values_list("id", flat=True))
    if set(outcomes) - allowed:
        raise ValidationError({"outcomes": "Report on this referral's desired outcomes only"})
    from referrals.models import Achievement

    for outcome_id, (achievement, notes) in outcomes.items():
        if achievement not in Achievement.values:
            raise ValidationError({f"outcome_{outcome_id}": "Select whether the outcome was achieved"})
        if len(notes or "") > 4000:
            raise ValidationError({f"outcome_{outcome_id}": "Notes must be 4,000 characters or fewer"})
    now = db_now()
    report, _ = EndOfServiceReport.objects.get_or_create(
        referral=referral, defaults={"created_at": now, "created_by": actor}
    )
    report.further_notes = (further_notes or "").strip()
    report.full_clean()
    report.save()
    report.outcomes.all().delete()
    ReportOutcome.objects.bulk_create(
        [
            ReportOutcome(report=report, outcome_id=outcome_id, achievement=achievement, notes=(notes or "").strip())
            for outcome_id, (achievement, notes) in outcomes.items()
        ]
    )
    _audit(actor=actor, action="referral.report_saved", referral=referral, at=now, report_id=report.pk)
    return report


@transaction.atomic
def report_answer(
    *, actor, referral: Referral, outcome_id: int | None = None, answer: tuple[str, str] | None = None, **notes
) -> EndOfServiceReport:
    """Change one part of the report being written, keeping the rest: one desired outcome's answer
    (`outcome_id`, `answer`) or the further notes (`further_notes=`). What is kept is read under the
    referral's lock, so two people answering different parts at once lose neither (`report_save`
    checks and saves the whole)."""
    unknown = set(notes) - {"further_notes"}
    if unknown:
        raise ValueError(f"Not a part of the report: {sorted(unknown)}")
    referral = _lock(referral)
    report = EndOfServiceReport.objects.filter(referral=referral).first()
    answers = {row.outcome_id: (row.achievement, row.notes or "") for row in report.outcomes.all()} if report else {}
    if outcome_id is not None:
        answers[outcome_id] = answer
    further_notes = notes.get("further_notes", report.further_notes if report else "") or ""
    return report_save(actor=actor, referral=referral, outcomes=answers, further_notes=further_notes)


@transaction.atomic
def report_send(*, actor, referral: Referral) -> EndOfServiceReport:
    """Send the report to the practitioner: every desired outcome answered. The referral is then
    concluded (completed, or still "ended early" if the practitioner ended it)."""
    referral = _lock(referral)
    if not permissions.can_deliver(actor, referral):
        raise ValidationError(NOT_FOUND)
    report = EndOfServiceReport.objects.select_for_update().filter(referral=referral).first()
    if report is None:
        raise ValidationError("Write the report before sending it")
    if report.sent_at is not None or referral.concluded_at is not None:
        raise ValidationError("This report has already been sent")
    wanted = set(ReferralOutcome.objects.filter(referral_category__referral=referral).values_list("id", flat=True))
    if wanted - set(report.outcomes.values_list("outcome_id", flat=True)):
        raise ValidationError({"outcomes": "Say whether each desired outcome was achieved"})
    now = db_now()
    report.sent_at, report.sent_by = now, actor
    report.full_clean()
    report.save()
    referral.concluded_at = now
    referral.updated_at = now
    referral.full_clean()
    referral.save()
    _audit(actor=actor, action="referral.report_sent", referral=referral, at=now, report_id=report.pk)
    tasks_mail.send_report_sent_emails.enqueue(referral_id=referral.pk)
    return report


# --- Referral managers ----------------------------------------------------------------------------


@transaction.atomic
def referral_manager_grant(*, actor, membership: Membership) -> ReferralManager:
    if not permissions.can_grant_referral_manager(actor, membership.organisation):
        raise ValidationError("Only an administrator of the organisation can do this")
    Membership.objects.select_for_update().get(pk=membership.pk)
    if ReferralManager.objects.filter(membership=membership, revoked_at__isnull=True).exists():
        raise ValidationError("This person already manages referrals")
    now = db_now()
    grant = ReferralManager(membership=membership, granted_at=now, granted_by=actor)
    grant.full_clean()
    grant.save()
    audit_record(
        actor=actor,
        action="referral_manager.granted",
        obj=membership.organisation,
        after={"membership_id": membership.pk, "user_id": membership.user_id},
        at=now,
    )
    return grant


@transaction.atomic
def referral_manager_revoke(*, actor, membership: Membership) -> ReferralManager:
    if not permissions.can_grant_referral_manager(actor, membership.organisation):
        raise ValidationError("Only an administrator of the organisation can do this")
    grant = ReferralManager.objects.select_for_update().filter(membership=membership, revoked_at__isnull=True).first()
    if grant is None:
        raise ValidationError("This person does not manage referrals")
    now = db_now()
    grant.revoked_at, grant.revoked_by = now, actor
    grant.save()
    audit_record(
        actor=actor,
        action="referral_manager.revoked",
        obj=membership.organisation,
        after={"membership_id": membership.pk, "user_id": membership.user_id},
        at=now,
    )
    return grant


# --- Reads of personal data, retention, subject access -----------------------------------------------


@transaction.atomic
def referral_read_record(*, actor, referral: Referral, purpose: str) -> None:
    """Every read of a referral's personal details is audited: who, which referral, for what page
    or export (a short name, never what was read)."""
    audit_record(
        actor=actor,
        action="referral.personal_data_read",
        obj=referral,
        after={"referral_id": referral.pk, "purpose": purpose[:100]},
    )


SEALED_PERSONAL_FIELDS = (
    *PERSON_FIELDS,
    "order_end_on",
    "risk_summary",
)


# What erasing a referral's personal data blanks in the rows that hang off it: (model, the path from
# that model to the referral, the free-text field). Written once: the retention service and the
# national world's bulk erasure (`erase_personal_data_in_bulk`) both use it.
PERSONAL_CHILD_FIELDS = (
    (Appointment, "referral", "location"),
    (PlanActivity, "plan__referral", "description"),
    (DeliverySession, "referral", "notes"),
    (EndOfServiceReport, "referral", "further_notes"),
    (ReportOutcome, "report__referral", "notes"),
)


def _erased_values(now: datetime.datetime) -> dict:
    """The referral's own columns once its personal data is erased: every sealed field empty and the
    CRN's keyed hash gone (so the person cannot be found), stamped with the moment."""
    return {**dict.fromkeys(SEALED_PERSONAL_FIELDS), "crn_digest": "", "personal_data_erased_at": now}


def _erase_children(referrals) -> None:
    """Blank the personal free text of every row hanging off `referrals` (a queryset or one referral),
    keeping the rows themselves: dates, attendance and achievements are what the counts need."""
    lookup = "__in" if hasattr(referrals, "query") else ""
    for model, path, name in PERSONAL_CHILD_FIELDS:
        model.objects.filter(**{path + lookup: referrals}).update(**{name: None})


@transaction.atomic
def referral_erase_personal_data(*, referral: Referral, actor="system") -> Referral:
    """Erase everything about the person, keeping what the counts need (dates, statuses, numbers
    of sessions, attendance and achievement). Cannot be undone."""
    referral = _lock(referral)
    if referral.personal_data_erased_at is not None:
        return referral
    now = db_now()
    for name, value in _erased_values(now).items():
        setattr(referral, name, value)
    referral.save()
    _erase_children(referral)
    _audit(actor=actor, action="referral.personal_data_erased", referral=referral, at=now)
    return referral


def erase_personal_data_in_bulk(*, referrals, now: datetime.datetime) -> int:
    """Erase, in a few UPDATEs, exactly what `referral_erase_personal_data` erases, for every referral
    in the queryset `referrals` not erased yet. No lock and no audit event: only for the national
    world's generated rows (`demo.national_referrals`), which are written without audit events, in
    the caller's transaction. Returns how many referrals were erased."""
    due = referrals.filter(personal_data_erased_at__isnull=True)
    # The rows hanging off first: the referrals' own update takes them out of `due`.
    _erase_children(due)
    return due.update(**_erased_values(now))


def referrals_erase_expired(*, now: datetime.datetime | None = None, batch: int = 500) -> int:
    """Erase the personal data of every referral past its retention period (`rules.RETENTION_DUE`),
    each in its own transaction, so one failure does not undo the rest. Returns how many."""
    now = now or db_now()
    erased = 0
    while True:
        ids = list(
            Referral.objects.filter(rules.RETENTION_DUE.q(now=now)).order_by("id").values_list("id", flat=True)[:batch]
        )
        if not ids:
            return erased
        for referral in Referral.objects.filter(id__in=ids).only("id"):
            referral_erase_personal_data(referral=referral)
            erased += 1


@transaction.atomic
def referral_subject_access_export(*, crn: str, actor="system") -> str:
    """Everything held about the person with this CRN, as JSON text (`selectors.subject_access_export`),
    the export audited without the number."""
    from referrals.selectors import subject_access_json

    text = subject_access_json(crn)
    audit_record(actor=actor, action="referral.subject_access_export", object_repr="Subject access export")
    return text


@transaction.atomic
def personal_data_reencrypt(*, batch: int = 500) -> dict[str, int]:
    """Every sealed personal value moved to the newest key in PERSONAL_DATA_KEYS (and padded), and
    every CRN's keyed hash made again under the current PERSONAL_DATA_HASH_KEY. One transaction."""
    from core.sealing import reencrypt_columns, sealed_columns
    from referrals.sealing import PERSONAL

    counts = reencrypt_columns(sealed_columns("referrals", PERSONAL), PERSONAL, batch=batch)
    hashes = 0
    for referral in Referral.objects.filter(crn__isnull=False).only("id", "crn", "crn_digest").iterator():
        digest = crn_digest(referral.crn)
        if digest != referral.crn_digest:
            Referral.objects.filter(pk=referral.pk).update(crn_digest=digest)
            hashes += 1
    counts["hashes"] = hashes
    audit_record(actor="system", action="referrals.reencrypted", object_repr="Referral personal data", after=counts)
    return counts
