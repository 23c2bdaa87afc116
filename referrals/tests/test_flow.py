"""The whole life of a referral through the services, each step's status and audit action."""

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from referrals import rules, services
from referrals.models import Achievement, Attendance, EndReason
from referrals.tests.factories import (
    assigned_referral,
    complete_draft,
    delivered_referral,
    in_progress_referral,
    outcome_ids,
    referral_world,
    sent_referral,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return referral_world()


def actions(referral) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="referrals.referral", object_id=str(referral.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_a_referral_from_draft_to_completed(world):
    draft = complete_draft(world)
    assert draft.status == rules.DRAFT and draft.reference is None
    assert draft.crn == "X123456"  # normalised
    referral = services.referral_send(actor=world["practitioner"], referral=draft)
    assert referral.status == rules.SENT and len(referral.reference) == 8
    assert referral.provider_id == world["prime"].pk
    referral = assigned_referral(world)
    assert referral.status == rules.ASSIGNED
    referral = delivered_referral(world)
    assert referral.status == rules.IN_PROGRESS and referral.started_at is not None
    ids = outcome_ids(referral)
    services.report_save(
        actor=world["caseworker"],
        referral=referral,
        outcomes={ids[0]: (Achievement.ACHIEVED, "Found a flat"), ids[1]: (Achievement.PARTLY, "")},
    )
    services.report_send(actor=world["caseworker"], referral=referral)
    referral.refresh_from_db()
    assert referral.status == rules.COMPLETED
    assert actions(referral)[-2:] == ["referral.report_saved", "referral.report_sent"]
    assert "referral.sent" in actions(referral) and "referral.session_recorded" in actions(referral)


def test_sending_twice_is_refused(world):
    draft = complete_draft(world)
    services.referral_send(actor=world["practitioner"], referral=draft)
    with pytest.raises(ValidationError, match="already been sent"):
        services.referral_send(actor=world["practitioner"], referral=draft)


def test_no_session_after_the_referral_ended(world):
    referral = in_progress_referral(world)
    services.referral_end_early(actor=world["practitioner"], referral=referral, reason=EndReason.MOVED)
    referral.refresh_from_db()
    assert referral.status == rules.ENDED_EARLY
    with pytest.raises(ValidationError, match="no more sessions"):
        services.session_record(
            actor=world["caseworker"],
            referral=referral,
            happened_at=referral.sent_at,
            attendance=Attendance.DID_NOT_ATTEND,
        )


def test_cancel_before_the_work_starts(world):
    referral = assigned_referral(world)
    services.referral_cancel(actor=world["practitioner"], referral=referral, reason="mistake")
    referral.refresh_from_db()
    assert referral.status == rules.CANCELLED


def test_malformed_crn_is_refused(world):
    referral = services.referral_create(actor=world["practitioner"], contract=world["contract"])
    with pytest.raises(ValidationError) as error:
        services.referral_update(actor=world["practitioner"], referral=referral, crn="12345X")
    assert error.value.message_dict["crn"] == ["Enter a case reference number in the correct format, like X123456"]


def test_sent_referral_factory(world):
    assert sent_referral(world).status == rules.SENT


def test_the_initial_assessment_booked_and_attended(world):
    from referrals.models import Appointment

    referral = assigned_referral(world)
    with pytest.raises(ValidationError, match="Enter where the appointment will happen"):
        services.appointment_book(
            actor=world["caseworker"],
            referral=referral,
            starts_at=referral.sent_at,
            duration_minutes=60,
            method="in_person",
        )
    services.appointment_book(
        actor=world["caseworker"], referral=referral, starts_at=referral.sent_at, duration_minutes=60,
        method="in_person", location="The person's home",
    )  # fmt: skip
    services.appointment_record_attendance(actor=world["caseworker"], referral=referral, attendance="did_not_attend")
    appointment = Appointment.objects.get(referral=referral)
    assert appointment.attendance == "did_not_attend" and appointment.location == "The person's home"
    assert actions(referral)[-2:] == ["referral.appointment_booked", "referral.appointment_attended"]
    with pytest.raises(ValidationError, match="cannot be found"):
        services.appointment_record_attendance(
            actor=world["partner_caseworker"], referral=referral, attendance="attended"
        )
