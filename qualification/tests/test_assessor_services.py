import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from qualification.models import Application, ApplicationSection, Qualification, SectionKey
from qualification.services import decisions
from qualification.services.applications import application_submit, section_save
from qualification.services.decisions import DecisionError, Grant
from qualification.tests.assessor_factories import qualify, submitted_application
from reference.models import Area
from tests.factories import make_user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessor():
    return make_user_with_role("assessor")


def _accept_all(application, assessor):
    for section in application.sections.all():
        decisions.section_accept(section=section, actor=assessor)


def _actions():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_clarification_round_trip(assessor, django_capture_on_commit_callbacks):
    application = submitted_application()
    member_email = application.organisation.memberships.get().user.email
    finance = application.sections.get(key=SectionKey.FINANCE)
    with django_capture_on_commit_callbacks(execute=True):
        decisions.section_request_clarification(
            section=finance, actor=assessor, question="Tell us your turnover for last year."
        )
    application.refresh_from_db()
    finance.refresh_from_db()
    # Back with the provider, who can edit and send it again.
    assert application.submitted_at is None
    assert application.status == "needs_changes"
    assert finance.clarification_question == "Tell us your turnover for last year."
    assert finance.clarification_requested_by == assessor
    assert len(mail.outbox) == 1
    assert "Tell us your turnover for last year." in mail.outbox[0].body
    assert set(mail.outbox[0].to) == {application.organisation.contact_email, member_email}
    assert _actions() == ["application_section.request_clarification", "application.return_to_provider"]

    # Deciding is refused while the question is open.
    with pytest.raises(DecisionError):
        decisions.application_decide(application=application, actor=assessor, grants=[])

    # The provider answers and sends it again, through the provider journey's services.
    provider = application.organisation.memberships.get().user
    section_save(application=application, key=SectionKey.FINANCE, answers={"turnover": "90000.00"}, user=provider)
    application_submit(application=application, user=provider)
    finance.refresh_from_db()
    assert finance.clarification_answered_at is not None
    _accept_all(application, assessor)
    requested = application.requested.get()
    decided = decisions.application_decide(
        application=application, actor=assessor, grants=[Grant(requested=requested, area=requested.area)]
    )
    assert decided.decided_at is not None


def test_a_second_question_while_it_is_with_the_provider_is_allowed(assessor):
    application = submitted_application()
    first, second = application.sections.all()[:2]
    decisions.section_request_clarification(section=first, actor=assessor, question="One")
    decisions.section_request_clarification(section=second, actor=assessor, question="Two")
    assert (
        application.sections.filter(
            clarification_answered_at__isnull=True, clarification_requested_at__isnull=False
        ).count()
        == 2
    )


def test_empty_question_is_refused(assessor):
    application = submitted_application()
    with pytest.raises(ValidationError):
        decisions.section_request_clarification(section=application.sections.first(), actor=assessor, question="  ")
    application.refresh_from_db()
    assert application.submitted_at is not None


def test_decide_refuses_while_any_section_is_not_accepted(assessor):
    application = submitted_application()
    for section in application.sections.exclude(key=SectionKey.DECLARATION):
        decisions.section_accept(section=section, actor=assessor)
    requested = application.requested.get()
    with pytest.raises(DecisionError, match="Accept every section"):
        decisions.application_decide(
            application=application, actor=assessor, grants=[Grant(requested=requested, area=requested.area)]
        )
    assert not Qualification.objects.exists()
    application.refresh_from_db()
    assert application.decided_at is None


def test_carried_over_sections_count_as_accepted(assessor):
    earlier = submitted_application()
    application = submitted_application(organisation=None)
    for section in application.sections.exclude(key=SectionKey.SERVICES):
        section.carried_over_from = earlier.sections.get(key=section.key)
        section.save()
    with pytest.raises(DecisionError):
        decisions.section_accept(section=application.sections.get(key=SectionKey.ABOUT), actor=assessor)
    decisions.section_accept(section=application.sections.get(key=SectionKey.SERVICES), actor=assessor)
    requested = application.requested.get()
    decisions.application_decide(
        application=application, actor=assessor, grants=[Grant(requested=requested, area=requested.area)]
    )
    assert Qualification.objects.filter(organisation=application.organisation).count() == 1


def test_partial_grant_with_a_narrower_area(assessor, django_capture_on_commit_callbacks):
    application = submitted_application(requested=[("accommodation", "K"), ("ete", "K")])
    _accept_all(application, assessor)
    accommodation, ete = application.requested.order_by("category__display_order")
    kent = Area.objects.get(code="E23000032")
    with django_capture_on_commit_callbacks(execute=True):
        decisions.application_decide(
            application=application,
            actor=assessor,
            grants=[Grant(requested=accommodation, area=kent)],
            reason="You told us you only work in Kent at the moment.",
        )
    application.refresh_from_db()
    qualifications = list(Qualification.objects.filter(organisation=application.organisation))
    assert [(q.category.code, q.area.code, q.area_path) for q in qualifications] == [
        ("accommodation", "E23000032", kent.path)
    ]
    letter = application.decision_letter
    assert "You can bid for Accommodation in Kent." in letter
    assert "Education, Training and Employment in Kent, Surrey and Sussex." in letter
    assert "You told us you only work in Kent at the moment." in letter
    assert "What happens next" in letter
    assert application.decided_by == assessor
    assert len(mail.outbox) == 1 and "You can bid for Accommodation in Kent." in mail.outbox[0].body
    assert _actions()[-2:] == ["qualification.grant", "application.decide"]


def test_partial_grant_needs_a_reason(assessor):
    application = submitted_application(requested=[("accommodation", "K"), ("ete", "K")])
    _accept_all(application, assessor)
    accommodation = application.requested.get(category__code="accommodation")
    with pytest.raises(ValidationError):
        decisions.application_decide(
            application=application, actor=assessor, grants=[Grant(requested=accommodation, area=accommodation.area)]
        )
    assert not Qualification.objects.exists()


def test_cannot_grant_an_area_outside_what_was_asked(assessor):
    application = submitted_application(requested=[("accommodation", "E23000032")])
    _accept_all(application, assessor)
    requested = application.requested.get()
    with pytest.raises(DecisionError, match="not inside"):
        decisions.application_decide(
            application=application,
            actor=assessor,
            grants=[Grant(requested=requested, area=Area.objects.get(code="K"))],
        )


def test_double_decision_is_refused(assessor):
    application = submitted_application()
    _accept_all(application, assessor)
    requested = application.requested.get()
    grants = [Grant(requested=requested, area=requested.area)]
    decisions.application_decide(application=application, actor=assessor, grants=grants)
    stale = Application.objects.get(pk=application.pk)
    stale.decided_at = None  # a second assessor's page loaded before the first decided
    with pytest.raises(DecisionError, match="already been decided"):
        decisions.application_decide(application=stale, actor=assessor, grants=grants)
    assert Qualification.objects.count() == 1
    assert _actions().count("application.decide") == 1


def test_database_refuses_a_decision_on_an_unsubmitted_application(assessor):
    application = submitted_application()
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(submitted_at=None, decided_at=application.started_at)


def test_adding_services_keeps_what_is_already_held(assessor):
    application = submitted_application(requested=[("accommodation", "K")])
    qualify(application.organisation, "accommodation", "K")
    _accept_all(application, assessor)
    requested = application.requested.get()
    decisions.application_decide(
        application=application, actor=assessor, grants=[Grant(requested=requested, area=requested.area)]
    )
    assert Qualification.objects.filter(organisation=application.organisation).count() == 1
    application.refresh_from_db()
    assert "You can still bid for everything you could bid for before." in application.decision_letter


def test_suspend_reinstate_and_remove(assessor, django_capture_on_commit_callbacks):
    application = submitted_application()
    qualification = qualify(application.organisation, "accommodation", "K")
    with django_capture_on_commit_callbacks(execute=True):
        decisions.qualification_suspend(qualification=qualification, actor=assessor, reason="Insurance expired.")
    qualification.refresh_from_db()
    assert qualification.status == "suspended" and qualification.suspended_reason == "Insurance expired."
    assert not Qualification.objects.active().exists()
    assert "Insurance expired." in mail.outbox[-1].body
    with pytest.raises(DecisionError):
        decisions.qualification_suspend(qualification=qualification, actor=assessor, reason="Again")

    decisions.qualification_reinstate(qualification=qualification, actor=assessor)
    qualification.refresh_from_db()
    assert qualification.status == "active" and qualification.suspended_reason == ""
    with pytest.raises(DecisionError):
        decisions.qualification_reinstate(qualification=qualification, actor=assessor)

    with pytest.raises(ValidationError):
        decisions.qualification_remove(qualification=qualification, actor=assessor, reason="")
    decisions.qualification_remove(qualification=qualification, actor=assessor, reason="Closed down.")
    qualification.refresh_from_db()
    assert qualification.status == "removed" and qualification.removed_by == assessor
    with pytest.raises(DecisionError):
        decisions.qualification_reinstate(qualification=qualification, actor=assessor)
    assert _actions() == ["qualification.suspend", "qualification.reinstate", "qualification.remove"]
    suspend_event = AuditEvent.objects.get(action="qualification.suspend")
    assert (
        suspend_event.before["suspended_at"] is None and suspend_event.after["suspended_reason"] == "Insurance expired."
    )


def test_accepting_twice_is_refused_and_audited_once(assessor):
    application = submitted_application()
    section = application.sections.first()
    decisions.section_accept(section=section, actor=assessor)
    with pytest.raises(DecisionError):
        decisions.section_accept(section=section, actor=assessor)
    assert _actions() == ["application_section.accept"]


def test_decision_letter_and_question_email_read_at_grade_9_or_below(assessor, django_capture_on_commit_callbacks):
    import textstat

    application = submitted_application(requested=[("accommodation", "K"), ("ete", "K")])
    with django_capture_on_commit_callbacks(execute=True):
        decisions.section_request_clarification(
            section=application.sections.get(key=SectionKey.FINANCE), actor=assessor, question="How much money came in?"
        )
    Application.objects.filter(pk=application.pk).update(submitted_at=application.started_at)
    ApplicationSection.objects.filter(application=application).update(clarification_answered_at=application.started_at)
    _accept_all(application, assessor)
    accommodation = application.requested.get(category__code="accommodation")
    decided = decisions.application_decide(
        application=application,
        actor=assessor,
        grants=[Grant(requested=accommodation, area=Area.objects.get(code="E23000032"))],
        reason="You told us you work in Kent only.",
    )
    for text in (decided.decision_letter, mail.outbox[0].body):
        assert textstat.flesch_kincaid_grade(text) <= 9, text
