"""The provider's referral pages (referrals/views_provider.py): who may open each, what a bad
answer gets (a GOV.UK error, nothing saved), and that each step calls its service."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape

from accounts.models import Membership
from audit.models import AuditEvent
from core.clock import LONDON
from referrals import rules, services
from referrals.models import (
    ActionPlan,
    Appointment,
    Attendance,
    DeliverySession,
    EndReason,
    Referral,
    ReferralManager,
)
from referrals.sealing import CRN_FORMAT_MESSAGE
from referrals.tests.factories import (
    assigned_referral,
    complete_draft,
    in_progress_referral,
    outcome_ids,
    referral_world,
    sent_referral,
)
from referrals.views_provider import SEARCH_PURPOSE
from tests.factories import make_provider_user, make_user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return referral_world()


def _shown(user) -> str:
    """A person's name as the page's HTML has it: Jinja escapes it, so a generated name with an
    apostrophe (O'Neill) is &#39; in the page."""
    return str(escape(user.full_name))


def url(name: str, referral=None, **kwargs) -> str:
    if referral is not None:
        kwargs["pk"] = referral.pk
    return reverse(f"referrals_provider:{name}", kwargs=kwargs)


def sent_days_ago(referral: Referral, days: int = 3) -> Referral:
    """Sent some days ago, so a session or an assessment typed to the minute can be after it."""
    Referral.objects.filter(pk=referral.pk).update(sent_at=timezone.now() - datetime.timedelta(days=days))
    referral.refresh_from_db()
    return referral


def when_fields(moment: datetime.datetime) -> dict:
    local = moment.astimezone(LONDON)
    return {
        "day-day": local.day,
        "day-month": local.month,
        "day-year": local.year,
        "time": f"{local.hour}:{local.minute:02d}",
    }


def errors_of(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    return html


# --- The inbox ------------------------------------------------------------------------------


def test_the_inbox_lists_referrals_by_where_they_stand(client, world):
    new = sent_referral(world)
    working = assigned_referral(world)
    client.force_login(world["manager"])
    page = client.get(url("inbox")).content.decode()
    assert new.reference in page and working.reference not in page
    page = client.get(url("inbox") + "?show=in-progress").content.decode()
    assert working.reference in page and new.reference not in page
    services.referral_cancel(actor=world["practitioner"], referral=new, reason="mistake")
    page = client.get(url("inbox") + "?show=ended").content.decode()
    assert new.reference in page and working.reference not in page
    # The person's name is never in the list (it is read, and audited, on the referral's page).
    assert "Quistwhistle" not in page


def test_the_inbox_is_within_the_organisations_scope(client, world):
    mine = assigned_referral(world)
    other = sent_referral(world)
    # The caseworker sees theirs only; another provider nothing; the partner nothing until given work.
    client.force_login(world["caseworker"])
    page = client.get(url("inbox") + "?show=in-progress").content.decode()
    assert mine.reference in page
    assert other.reference not in client.get(url("inbox")).content.decode()
    for outsider in (world["partner_admin"], make_provider_user()):
        client.force_login(outsider)
        for tab in ("new", "in-progress", "ended"):
            page = client.get(url("inbox") + f"?show={tab}").content.decode()
            assert mine.reference not in page and other.reference not in page


def test_a_bad_page_or_list_is_not_found(client, world):
    from tests.test_bad_input import BAD_NUMBERS, BAD_TEXT

    sent_referral(world)
    client.force_login(world["manager"])
    for tab in ("new", "in-progress", "ended"):
        assert client.get(url("inbox"), {"show": tab, "page": "1"}).status_code == 200
    for value in [*BAD_NUMBERS, *BAD_TEXT, "0", "2", "10000"]:
        response = client.get(url("inbox"), {"page": value})
        assert response.status_code == 404, repr(value[:20])
    for value in [*BAD_TEXT, "all", "New"]:
        assert client.get(url("inbox"), {"show": value}).status_code == 404, repr(value[:20])


# --- Finding referrals by case reference number ------------------------------------------------


def _search(client, crn: str):
    return client.post(url("search"), {"crn": crn})


def _without_tokens(html: str) -> str:
    """The page as the person reads it: the form's one-off token and the numbers typed left out."""
    return (
        re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
        .replace("X123456", "CRN")
        .replace("Z999999", "CRN")
    )


def test_a_manager_finds_the_referrals_for_a_case_reference_number_and_each_read_is_audited(client, world):
    first = assigned_referral(world)
    second = sent_referral(world)
    draft = complete_draft(world)  # not sent: in nobody's inbox
    client.force_login(world["manager"])
    assert "Find referrals" in client.get(url("inbox")).content.decode()
    assert client.get(url("search")).status_code == 200
    response = _search(client, " x 123456 ")  # typed as people type it
    page = response.content.decode()
    assert response.status_code == 200
    assert first.reference in page and second.reference in page and "No referral found" not in page
    assert draft.reference is None
    # The list shows no name; each referral found is audited as a read, without the number.
    assert "Quistwhistle" not in page
    reads = AuditEvent.objects.filter(action="referral.personal_data_read", after__purpose=SEARCH_PURPOSE)
    assert sorted(int(e.object_id) for e in reads) == sorted([first.pk, second.pk])
    assert all("123456" not in str(e.after) for e in reads)


def test_a_number_nobody_may_see_gives_the_same_answer_as_one_that_does_not_exist(client, world):
    referral = sent_referral(world)
    # The partner may not see it (the work is with the prime), nor may another provider.
    for outsider in (world["partner_admin"], make_provider_user()):
        client.force_login(outsider)
        hidden = _search(client, "X123456").content.decode()
        missing = _search(client, "Z999999").content.decode()
        assert "No referral found" in hidden and referral.reference not in hidden
        assert _without_tokens(hidden) == _without_tokens(missing)
    # The caseworker sees it once it is theirs, and only then.
    client.force_login(world["caseworker"])
    assert "No referral found" in _search(client, "X123456").content.decode()
    services.referral_assign(actor=world["manager"], referral=referral, caseworker=world["caseworker"])
    assert referral.reference in _search(client, "X123456").content.decode()
    reads = AuditEvent.objects.filter(action="referral.personal_data_read", after__purpose=SEARCH_PURPOSE)
    assert [e.actor_id for e in reads] == [world["caseworker"].pk]


def test_a_malformed_case_reference_number_gets_a_govuk_error(client, world):
    sent_referral(world)
    client.force_login(world["manager"])
    for bad, expected in (
        ("", "Enter a case reference number"),
        ("   ", "Enter a case reference number"),
        ("X\x00123456", "must not include hidden characters"),  # the message every form gives
        *((bad, CRN_FORMAT_MESSAGE) for bad in ("123456", "XX12345", "X1234567", "X12345", "X12E456", "X123456" * 5)),
    ):
        html = errors_of(_search(client, bad))
        assert expected in html, bad
        assert "No referral found" not in html
    assert not AuditEvent.objects.filter(action="referral.personal_data_read").exists()


def test_staff_and_practitioners_are_refused_the_search(client, world):
    sent_referral(world)
    for user in (world["practitioner"], make_user_with_role("commissioner")):
        client.force_login(user)
        assert client.get(url("search")).status_code == 403
        assert _search(client, "X123456").status_code == 403


def test_staff_are_refused_the_inbox_and_the_managers_page(client, world):
    for user in (world["practitioner"], make_user_with_role("commissioner"), make_user_with_role("assessor")):
        client.force_login(user)
        assert client.get(url("inbox")).status_code == 403
        assert client.get(url("managers")).status_code == 403


def _inbox_queries(client, user, tab="new") -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url("inbox") + f"?show={tab}").status_code == 200
    return len(context.captured_queries)


def test_the_inbox_makes_a_fixed_number_of_queries(client, world):
    sent_referral(world)
    assigned_referral(world)
    new_one = _inbox_queries(client, world["manager"])
    working_one = _inbox_queries(client, world["manager"], "in-progress")
    for _ in range(3):
        sent_referral(world)
        referral = assigned_referral(world)
    services.referral_assign(actor=world["admin"], referral=referral, organisation=world["partner"])
    assert _inbox_queries(client, world["manager"]) == new_one
    assert _inbox_queries(client, world["manager"], "in-progress") == working_one


# --- The referral's page ----------------------------------------------------------------------


def test_the_referral_page_shows_the_person_and_audits_the_read(client, world):
    referral = sent_referral(world)
    client.force_login(world["manager"])
    page = client.get(url("detail", referral)).content.decode()
    assert "Alexandra Quistwhistle" in page and "X123456" in page
    read = AuditEvent.objects.filter(action="referral.personal_data_read", object_id=str(referral.pk))
    assert read.count() == 1
    assert "Quistwhistle" not in str(read.get().after)


def test_who_may_not_work_on_it_gets_not_found_and_nothing_is_audited(client, world):
    referral = sent_referral(world)
    missing = url("detail", pk=2**31)
    for user in (
        world["practitioner"],  # it is theirs, but this is the provider's page
        world["partner_admin"],  # the work is not with the partner
        world["caseworker"],  # not assigned yet
        make_provider_user(),
        make_user_with_role("commissioner"),
        make_user_with_role("administrator", is_staff=True),
    ):
        client.force_login(user)
        assert client.get(url("detail", referral)).status_code == 404
        assert client.get(missing).status_code == 404
    assert not AuditEvent.objects.filter(action="referral.personal_data_read").exists()


def test_both_sides_show_the_plans_and_sessions_from_one_selector(client, world):
    """`selectors.referral_progress` says which version is approved and which waits (once), and
    `referrals/_progress.html` shows the plan and the sessions the same way on both pages."""
    from referrals.models import ReferralOutcome
    from referrals.selectors import referral_progress

    referral = in_progress_referral(world)
    services.session_record(
        actor=world["caseworker"],
        referral=referral,
        happened_at=referral.sent_at,
        attendance=Attendance.DID_NOT_ATTEND,
        notes="Phoned twice",
        tell_practitioner=True,
    )
    services.action_plan_save(
        actor=world["caseworker"],
        referral=referral,
        number_of_sessions=8,
        activities=[(outcome_ids(referral)[0], "Two more meetings")],
    )
    progress = referral_progress(referral)
    assert progress["approved_plan"].version == 1 and progress["open_plan"].version == 2
    assert progress["plan_to_approve"] is None  # not sent yet
    services.action_plan_submit(actor=world["caseworker"], referral=referral)
    assert referral_progress(referral)["plan_to_approve"].version == 2
    first = ReferralOutcome.objects.get(pk=outcome_ids(referral)[0]).outcome.description
    client.force_login(world["caseworker"])
    provider_page = client.get(url("detail", referral)).content.decode()
    client.force_login(world["practitioner"])
    practitioner_page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    for page in (provider_page, practitioner_page):
        assert f"{first}: Weekly meeting to look at options" in page  # version 1, approved
        assert "Phoned twice" in page and "Did not come" in page
    assert f"{first}: Two more meetings" in practitioner_page  # version 2, for them to approve
    assert "Read this" in practitioner_page and "(practitioner told)" in provider_page


def test_a_draft_is_not_found(client, world):
    draft = complete_draft(world)
    client.force_login(world["admin"])
    assert client.get(url("detail", draft)).status_code == 404


# --- Who does the work ------------------------------------------------------------------------


def test_the_prime_gives_the_work_to_a_partner_whose_manager_chooses_the_caseworker(client, world):
    referral = sent_referral(world)
    client.force_login(world["manager"])
    page = client.get(url("partner", referral)).content.decode()
    assert "Partner Charity" in page
    assert "Select who will do the work" in errors_of(client.post(url("partner", referral), {}))
    assert "Select an organisation from the list" in errors_of(
        client.post(url("partner", referral), {"organisation": make_provider_user().memberships.get().organisation_id})
    )
    response = client.post(url("partner", referral), {"organisation": world["partner"].pk})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.provider_id == world["partner"].pk
    # The prime's manager no longer chooses the caseworker; the partner's does, among its members.
    assert client.get(url("caseworker", referral)).status_code == 404
    client.force_login(world["partner_admin"])
    assert client.get(url("partner", referral)).status_code == 404  # only the prime gives work away
    page = client.get(url("caseworker", referral)).content.decode()
    assert _shown(world["partner_caseworker"]) in page and _shown(world["caseworker"]) not in page
    response = client.post(url("caseworker", referral), {"caseworker": world["partner_caseworker"].pk})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.caseworker_id == world["partner_caseworker"].pk and referral.status == rules.ASSIGNED


def test_a_caseworker_from_elsewhere_is_refused(client, world):
    referral = sent_referral(world)
    client.force_login(world["manager"])
    html = errors_of(client.post(url("caseworker", referral), {"caseworker": world["partner_caseworker"].pk}))
    assert "Select a caseworker from the list" in html
    assert Referral.objects.get(pk=referral.pk).caseworker_id is None


def test_a_member_whose_account_is_closed_is_neither_offered_nor_accepted_as_caseworker(client, world):
    """One rule (`selectors.caseworker_candidates`) for the page's choices and the service's check."""
    referral = sent_referral(world)
    closed = make_provider_user(is_admin=False, organisation=world["prime"])
    closed.is_active = False
    closed.save()
    client.force_login(world["manager"])
    page = client.get(url("caseworker", referral)).content.decode()
    assert _shown(world["caseworker"]) in page and _shown(closed) not in page
    with pytest.raises(ValidationError, match="Select a caseworker from the organisation doing the work"):
        services.referral_assign(actor=world["manager"], referral=referral, caseworker=closed)
    assert Referral.objects.get(pk=referral.pk).caseworker_id is None


# --- The prime takes the work back from a partner --------------------------------------------------


def with_partner(world, *, stage: str = "assigned") -> Referral:
    """Given to the partner, whose manager chose its caseworker; "in_progress": the partner's plan
    approved; "ended_early": then ended by the practitioner; "completed": the report sent."""
    referral = sent_days_ago(sent_referral(world))
    services.referral_assign(actor=world["manager"], referral=referral, organisation=world["partner"])
    referral.refresh_from_db()
    partner_worker = world["partner_caseworker"]
    services.referral_assign(actor=world["partner_admin"], referral=referral, caseworker=partner_worker)
    if stage != "assigned":
        activities = [(outcome_id, "Weekly meeting") for outcome_id in outcome_ids(referral)]
        services.action_plan_save(actor=partner_worker, referral=referral, number_of_sessions=2, activities=activities)
        services.action_plan_submit(actor=partner_worker, referral=referral)
        services.action_plan_approve(actor=world["practitioner"], referral=referral, version=1)
    if stage in ("ended_early", "completed"):
        services.referral_end_early(actor=world["practitioner"], referral=referral, reason=EndReason.MOVED)
    if stage == "completed":
        answers = dict.fromkeys(outcome_ids(referral), ("partly", ""))
        services.report_save(actor=partner_worker, referral=referral, outcomes=answers)
        services.report_send(actor=partner_worker, referral=referral)
    referral.refresh_from_db()
    assert referral.provider_id == world["partner"].pk
    return referral


def test_the_prime_takes_the_work_back_and_the_partner_loses_it(client, world):
    referral = with_partner(world)
    status = referral.status
    client.force_login(world["manager"])
    assert url("take-back", referral) in client.get(url("detail", referral)).content.decode()
    page = client.get(url("take-back", referral)).content.decode()
    assert "Take the work back from Partner Charity?" in page
    response = client.post(url("take-back", referral))
    assert response.status_code == 302 and response["Location"] == url("detail", referral)
    referral.refresh_from_db()
    assert referral.provider_id == world["prime"].pk and referral.caseworker_id is None
    assert referral.status == status == rules.ASSIGNED  # what the practitioner sees is unchanged
    event = AuditEvent.objects.get(action="referral.taken_back", object_id=str(referral.pk))
    assert event.actor_id == world["manager"].pk
    assert event.after["from_organisation_id"] == world["partner"].pk
    assert event.after["organisation_id"] == world["prime"].pk
    assert list(referral.assignments.values_list("organisation_id", "caseworker_id")) == [
        (world["partner"].pk, None),
        (world["partner"].pk, world["partner_caseworker"].pk),
        (world["prime"].pk, None),
    ]
    # The partner's people no longer find it anywhere.
    for user in (world["partner_admin"], world["partner_caseworker"]):
        client.force_login(user)
        for name in ("detail", "plan", "take-back", "caseworker"):
            assert client.get(url(name, referral)).status_code == 404, name
        for tab in ("new", "in-progress", "ended"):
            assert referral.reference not in client.get(url("inbox"), {"show": tab}).content.decode()
        assert "No referral found" in client.post(url("search"), {"crn": "X123456"}).content.decode()
    # The prime chooses its caseworker; the practitioner's page shows the same status as before.
    client.force_login(world["manager"])
    assert _shown(world["caseworker"]) in client.get(url("caseworker", referral)).content.decode()
    assert url("take-back", referral) not in client.get(url("detail", referral)).content.decode()
    client.force_login(world["practitioner"])
    assert rules.STATUS_LABELS[status] in client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()


@pytest.mark.parametrize("stage", ["in_progress", "ended_early"])
def test_the_work_can_be_taken_back_until_the_report_is_sent(world, stage):
    referral = with_partner(world, stage=stage)
    status = referral.status
    services.referral_take_back(actor=world["admin"], referral=referral)
    referral.refresh_from_db()
    assert referral.provider_id == world["prime"].pk and referral.status == status
    # The prime carries on: its manager plans, records and reports where the partner stopped.
    assert services.latest_approved_plan(referral).version == 1


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        ("completed", "cancelled or completed, so the work cannot be taken back"),
        ("cancelled", "cancelled or completed, so the work cannot be taken back"),
    ],
)
def test_the_work_cannot_be_taken_back_once_the_referral_is_over(client, world, stage, message):
    if stage == "cancelled":
        referral = with_partner(world)
        services.referral_cancel(actor=world["practitioner"], referral=referral, reason="mistake")
    else:
        referral = with_partner(world, stage=stage)
    with pytest.raises(ValidationError, match=message):
        services.referral_take_back(actor=world["manager"], referral=referral)
    client.force_login(world["manager"])
    assert url("take-back", referral) not in client.get(url("detail", referral)).content.decode()
    assert message in errors_of(client.post(url("take-back", referral)))
    assert Referral.objects.get(pk=referral.pk).provider_id == world["partner"].pk
    assert not AuditEvent.objects.filter(action="referral.taken_back").exists()


def test_only_the_primes_managers_take_work_back_and_only_from_a_partner(client, world):
    referral = with_partner(world)
    for user in (world["partner_admin"], world["partner_caseworker"], world["caseworker"], world["practitioner"]):
        with pytest.raises(ValidationError, match="cannot be found"):
            services.referral_take_back(actor=user, referral=referral)
        client.force_login(user)
        assert client.get(url("take-back", referral)).status_code == 404
        assert client.post(url("take-back", referral)).status_code == 404
    # Work with a partner is not moved on by the partner page: it is taken back first.
    with pytest.raises(ValidationError, match="Take it back before you give it to someone else"):
        services.referral_assign(actor=world["manager"], referral=referral, organisation=world["prime"])
    services.referral_take_back(actor=world["manager"], referral=referral)
    # Once it is with the prime, there is nothing to take back.
    with pytest.raises(ValidationError, match="already with you"):
        services.referral_take_back(actor=world["manager"], referral=referral)
    client.force_login(world["manager"])
    assert client.get(url("take-back", referral)).status_code == 404
    assert AuditEvent.objects.filter(action="referral.taken_back").count() == 1


def test_a_caseworker_cannot_reassign(client, world):
    referral = assigned_referral(world)
    client.force_login(world["caseworker"])
    assert client.get(url("caseworker", referral)).status_code == 404
    assert client.get(url("partner", referral)).status_code == 404
    assert client.get(url("detail", referral)).status_code == 200


# --- The first assessment -----------------------------------------------------------------------


def test_booking_the_assessment_with_bad_answers_saves_nothing(client, world):
    referral = sent_days_ago(assigned_referral(world))
    client.force_login(world["caseworker"])
    soon = timezone.now() + datetime.timedelta(days=2)
    good = {**when_fields(soon), "duration_minutes": "60", "method": "phone", "location": ""}
    for bad, message in (
        ({"duration_minutes": "5"}, "It must last at least 15 minutes"),
        ({"duration_minutes": "481"}, "no more than 480 minutes"),
        ({"duration_minutes": "an hour"}, "as a number of minutes"),
        ({"time": "25pm"}, "Enter a real time"),
        ({"time": "9"}, "Enter a real time"),
        ({"day-month": "13"}, "Date must be a real date"),
        ({"day-year": "9999"}, "within a year from today"),
        ({"day-year": "999"}, "Year must include 4 numbers"),
        ({"day-day": ""}, "Date must include a day"),
        ({"method": "pigeon"}, "Select how you will meet"),
        ({"method": "in_person"}, "Enter where the appointment will happen"),
        ({**when_fields(referral.sent_at - datetime.timedelta(days=1))}, "after the referral was sent"),
    ):
        assert message in errors_of(client.post(url("appointment", referral), {**good, **bad})), bad
    assert not Appointment.objects.filter(referral=referral).exists()
    assert client.post(url("appointment", referral), good).status_code == 302
    assert Appointment.objects.get(referral=referral).method == "phone"


def test_whether_the_person_came_is_recorded_once_the_assessment_started(client, world):
    referral = sent_days_ago(assigned_referral(world))
    client.force_login(world["caseworker"])
    assert "Book the assessment before you say" in errors_of(
        client.post(url("appointment-attendance", referral), {"attendance": "attended"})
    )
    services.appointment_book(
        actor=world["caseworker"],
        referral=referral,
        starts_at=timezone.now() + datetime.timedelta(hours=1),
        duration_minutes=60,
        method="video",
    )
    assert "once the assessment has started" in errors_of(
        client.post(url("appointment-attendance", referral), {"attendance": "attended"})
    )
    services.appointment_book(
        actor=world["caseworker"],
        referral=referral,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        duration_minutes=60,
        method="video",
    )
    assert "Select whether the person came" in errors_of(client.post(url("appointment-attendance", referral), {}))
    assert client.post(url("appointment-attendance", referral), {"attendance": "late"}).status_code == 302
    latest = Appointment.objects.filter(referral=referral).order_by("-booked_at", "-id").first()
    assert latest.attendance == Attendance.LATE and latest.attendance_recorded_at is not None


def test_recording_attendance_is_audited_in_its_own_transaction(world, django_capture_on_commit_callbacks):
    referral = sent_days_ago(assigned_referral(world))
    services.appointment_book(
        actor=world["caseworker"],
        referral=referral,
        starts_at=referral.sent_at,
        duration_minutes=30,
        method="phone",
    )
    seen_inside = []

    def spy(sender, instance, **kwargs):
        from django.db import connection as conn

        seen_inside.append(conn.in_atomic_block)

    from django.db.models.signals import post_save

    post_save.connect(spy, sender=AuditEvent)
    try:
        services.appointment_record_attendance(actor=world["caseworker"], referral=referral, attendance="attended")
    finally:
        post_save.disconnect(spy, sender=AuditEvent)
    event = AuditEvent.objects.filter(action="referral.appointment_attended").get()
    assert event.after["attendance"] == "attended" and seen_inside == [True]
    # Refused: nothing written.
    services.referral_cancel(actor=world["practitioner"], referral=referral, reason="mistake")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.appointment_record_attendance(actor=world["caseworker"], referral=referral, attendance="late")
    assert Appointment.objects.get(referral=referral).attendance == "attended"


# --- The action plan ---------------------------------------------------------------------------


def _plan_data(referral, sessions="6", text="Meet each week to look at options") -> dict:
    return {"number_of_sessions": sessions, **{f"activity_{o}": text for o in outcome_ids(referral)}}


def test_plan_numbers_out_of_bounds_and_no_activity_are_refused(client, world):
    referral = assigned_referral(world)
    client.force_login(world["caseworker"])
    for data, message in (
        (_plan_data(referral, sessions="0"), "at least 1 session"),
        (_plan_data(referral, sessions="101"), "no more than 100 sessions"),
        (_plan_data(referral, sessions="six"), "as a number"),
        (_plan_data(referral, text=""), "Add at least one activity"),
        (_plan_data(referral, text="x" * 4001), "4000 characters or fewer"),
    ):
        assert message in errors_of(client.post(url("plan", referral), data)), data
    assert not ActionPlan.objects.filter(referral=referral).exists()


def test_a_plan_is_saved_sent_and_after_approval_a_change_makes_a_new_version(client, world):
    referral = assigned_referral(world)
    client.force_login(world["caseworker"])
    response = client.post(url("plan", referral), _plan_data(referral))
    assert response["Location"] == url("plan-send", referral)
    assert "Send to the practitioner" in client.get(url("plan-send", referral)).content.decode()
    assert client.post(url("plan-send", referral)).status_code == 302
    # Sent twice: a plain message, not a server error.
    assert "already been sent" in errors_of(client.post(url("plan-send", referral)))
    services.action_plan_approve(actor=world["practitioner"], referral=referral, version=1)
    page = client.get(url("plan", referral)).content.decode()
    assert "makes version 2" in page.replace("make version 2", "makes version 2")
    assert "Meet each week" in page  # it starts from what was approved
    client.post(url("plan", referral), _plan_data(referral, sessions="8", text="Meet twice a week"))
    plans = {p.version: p for p in ActionPlan.objects.filter(referral=referral)}
    assert plans[1].approved_at is not None and plans[1].number_of_sessions == 6
    assert plans[2].approved_at is None and plans[2].number_of_sessions == 8
    assert [a.description for a in plans[1].activities.all()][0] == "Meet each week to look at options"


def test_sending_with_no_plan_is_a_plain_message(client, world):
    referral = assigned_referral(world)
    client.force_login(world["caseworker"])
    assert "no new action plan" in errors_of(client.post(url("plan-send", referral)))


# --- Sessions -------------------------------------------------------------------------------------


def test_a_session_before_the_plan_is_approved_is_refused(client, world):
    referral = sent_days_ago(assigned_referral(world))
    client.force_login(world["caseworker"])
    data = {**when_fields(timezone.now() - datetime.timedelta(hours=2)), "attendance": "attended", "engagement": "good"}
    assert "must be approved" in errors_of(client.post(url("session-new", referral), data))


def test_sessions_are_recorded_and_a_missed_one_tells_the_practitioner(client, world):
    referral = sent_days_ago(in_progress_referral(world))
    client.force_login(world["caseworker"])
    past = timezone.now() - datetime.timedelta(hours=2)
    base = {**when_fields(past), "attendance": "attended", "engagement": "good", "notes": "Went well"}
    for bad, message in (
        ({"attendance": ""}, "Select whether the person came"),
        ({"engagement": ""}, "Select how well the person took part"),
        ({**when_fields(timezone.now() + datetime.timedelta(days=1))}, "today or in the past"),
        ({"notes": "x" * 4001}, "4000 characters or fewer"),
    ):
        assert message in errors_of(client.post(url("session-new", referral), {**base, **bad})), bad
    assert not DeliverySession.objects.filter(referral=referral).exists()
    assert client.post(url("session-new", referral), base).status_code == 302
    mail.outbox.clear()
    missed = {**when_fields(past), "attendance": "did_not_attend", "engagement": "good"}
    assert client.post(url("session-new", referral), missed).status_code == 302
    sessions = list(DeliverySession.objects.filter(referral=referral).order_by("number"))
    assert [(s.number, s.attendance, s.engagement) for s in sessions] == [
        (1, "attended", "good"),
        (2, "did_not_attend", ""),
    ]
    assert [m.to for m in mail.outbox] == [[world["practitioner"].email]]
    assert "Quistwhistle" not in mail.outbox[0].body


def test_no_session_after_the_referral_ended(client, world):
    referral = sent_days_ago(in_progress_referral(world))
    services.referral_end_early(actor=world["practitioner"], referral=referral, reason=EndReason.MOVED)
    client.force_login(world["caseworker"])
    data = {**when_fields(timezone.now() - datetime.timedelta(hours=2)), "attendance": "attended", "engagement": "good"}
    assert "no more sessions can be recorded" in errors_of(client.post(url("session-new", referral), data))
    assert not DeliverySession.objects.filter(referral=referral).exists()


# --- The end-of-service report ------------------------------------------------------------------


def test_the_report_is_answered_outcome_by_outcome_then_sent(client, world):
    referral = in_progress_referral(world)
    first, second = outcome_ids(referral)
    client.force_login(world["caseworker"])
    assert "Not answered yet" in client.get(url("report", referral)).content.decode()
    assert "Write the report before sending it" in errors_of(client.post(url("report", referral)))
    assert "Select whether the person achieved this" in errors_of(
        client.post(url("report-outcome", referral, outcome_id=first), {"achievement": "maybe"})
    )
    client.post(url("report-outcome", referral, outcome_id=first), {"achievement": "achieved", "notes": "Found a flat"})
    assert "Say whether each desired outcome" in errors_of(client.post(url("report", referral)))
    client.post(url("report-outcome", referral, outcome_id=second), {"achievement": "partly"})
    client.post(url("report-notes", referral), {"further_notes": "Keep in touch with the council"})
    page = client.get(url("report", referral)).content.decode()
    assert "Found a flat" in page and "Partly achieved" in page and "Keep in touch" in page
    assert client.post(url("report", referral)).status_code == 302
    referral.refresh_from_db()
    assert referral.status == rules.COMPLETED
    # Sent: no more changes, a plain message.
    assert "cannot change" in errors_of(
        client.post(url("report-outcome", referral, outcome_id=first), {"achievement": "not_achieved"})
    )


def test_an_outcome_of_another_referral_is_not_found(client, world):
    referral = in_progress_referral(world)
    other = in_progress_referral(world)
    client.force_login(world["caseworker"])
    assert client.get(url("report-outcome", referral, outcome_id=outcome_ids(other)[0])).status_code == 404


# --- Referral managers ----------------------------------------------------------------------------


def test_an_administrator_grants_and_revokes_the_referral_manager_role(client, world):
    caseworker_membership = Membership.objects.get(user=world["caseworker"])
    client.force_login(world["admin"])
    page = client.get(url("managers")).content.decode()
    assert _shown(world["caseworker"]) in page
    client.post(url("managers"), {"membership": caseworker_membership.pk, "action": "grant"})
    assert ReferralManager.objects.filter(membership=caseworker_membership, revoked_at__isnull=True).exists()
    assert "already manages referrals" in errors_of(
        client.post(url("managers"), {"membership": caseworker_membership.pk, "action": "grant"})
    )
    client.post(url("managers"), {"membership": caseworker_membership.pk, "action": "revoke"})
    assert not ReferralManager.objects.filter(membership=caseworker_membership, revoked_at__isnull=True).exists()
    # Someone of another organisation, or nothing at all: a GOV.UK error.
    other = Membership.objects.get(user=world["partner_caseworker"])
    assert "Select a person from the list" in errors_of(
        client.post(url("managers"), {"membership": other.pk, "action": "grant"})
    )
    assert "Select a person" in errors_of(client.post(url("managers"), {}))


def test_only_administrators_open_the_managers_page(client, world):
    client.force_login(world["manager"])
    assert client.get(url("managers")).status_code == 403


# --- The header -------------------------------------------------------------------------------------


def _nav(client) -> list[str]:
    html = client.get("/help/").content.decode()
    nav = html[html.index("govuk-service-navigation__list") :].split("</ul>")[0]
    return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in re.findall(r"<li[^>]*>(.*?)</li>", nav, re.S)]


def test_the_header_shows_referrals_to_organisations_with_a_contract(client, world):
    for user in (world["caseworker"], world["partner_caseworker"]):
        client.force_login(user)
        assert "Referrals" in _nav(client)
    client.force_login(make_provider_user())
    assert "Referrals" not in _nav(client)


def test_the_new_referral_email_links_to_the_providers_page(world):
    mail.outbox.clear()
    referral = sent_referral(world)
    bodies = [m.body for m in mail.outbox if m.subject == "You have a new referral"]
    assert bodies and all(url("detail", referral) in body for body in bodies)
    assert all("Quistwhistle" not in body and "X123456" not in body for body in bodies)


def test_the_referral_page_makes_a_fixed_number_of_queries(client, world):
    referral = sent_days_ago(in_progress_referral(world))

    def record(n: int) -> None:
        for _ in range(n):
            services.session_record(
                actor=world["caseworker"],
                referral=referral,
                happened_at=timezone.now() - datetime.timedelta(hours=1),
                attendance=Attendance.ATTENDED,
                engagement="good",
                notes="Went well",
            )

    def queries() -> int:
        client.force_login(world["caseworker"])
        with CaptureQueriesContext(connection) as context:
            assert client.get(url("detail", referral)).status_code == 200
        return len(context.captured_queries)

    record(1)
    one = queries()
    record(4)
    services.action_plan_save(
        actor=world["caseworker"],
        referral=referral,
        number_of_sessions=8,
        activities=[(outcome_id, "More") for outcome_id in outcome_ids(referral)],
    )
    assert queries() == one


def test_answering_one_part_of_the_report_keeps_the_others(world):
    referral = in_progress_referral(world)
    first, second = outcome_ids(referral)
    caseworker = world["caseworker"]
    services.report_answer(actor=caseworker, referral=referral, further_notes="Keep in touch")
    services.report_answer(actor=caseworker, referral=referral, outcome_id=first, answer=("achieved", "A flat"))
    report = services.report_answer(actor=caseworker, referral=referral, outcome_id=second, answer=("partly", ""))
    assert {row.outcome_id: row.achievement for row in report.outcomes.all()} == {first: "achieved", second: "partly"}
    assert report.further_notes == "Keep in touch"
    saved = AuditEvent.objects.filter(action="referral.report_saved", object_id=str(referral.pk))
    assert saved.count() == 3 and all("Keep in touch" not in str(event.after) for event in saved)
    with pytest.raises(ValueError, match="Not a part of the report"):
        services.report_answer(actor=caseworker, referral=referral, notes="not a part")
    # Someone who may not deliver it changes nothing.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.report_answer(actor=world["partner_admin"], referral=referral, further_notes="Mine now")
    report.refresh_from_db()
    assert report.further_notes == "Keep in touch"
