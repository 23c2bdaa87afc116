import pytest
from django.core import mail
from django.urls import reverse

from qualification.models import Application, Qualification, SectionKey
from qualification.tests.assessor_factories import qualify, submitted_application
from qualification.tests.factories import HelpRequestFactory
from tests.factories import make_provider_user, make_user_with_role
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    application = submitted_application(submitted_days_ago=3)
    qualification = qualify(
        application.organisation, "ete", "K", suspended_at=application.started_at, suspended_reason="x"
    )
    help_request = HelpRequestFactory(organisation=application.organisation)
    return application, qualification, help_request


def _get_pages(application, qualification, help_request):
    pk = application.pk
    return [
        reverse("qualification:assess-queue"),
        reverse("qualification:assess-application", args=[pk]),
        reverse("qualification:assess-section-clarify", args=[pk, SectionKey.FINANCE]),
        reverse("qualification:assess-decide", args=[pk]),
        reverse("qualification:assess-organisations"),
        reverse("qualification:assess-organisation", args=[application.organisation_id]),
        reverse("qualification:assess-qualification-suspend", args=[qualification.pk]),
        reverse("qualification:assess-qualification-remove", args=[qualification.pk]),
        reverse("qualification:assess-help-requests"),
        reverse("qualification:assess-help-request-reply", args=[help_request.pk]),
    ]


def _post_pages(application, qualification, help_request):
    return [
        reverse("qualification:assess-section-accept", args=[application.pk, SectionKey.ABOUT]),
        reverse("qualification:assess-qualification-reinstate", args=[qualification.pk]),
    ]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_assessors_reach_assessor_pages(client_for_role, role, world):
    client, user = client_for_role(role)
    for path in _get_pages(*world):
        response = client.get(path)
        if role == "assessor":
            assert response.status_code == 200, path
        elif role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:sign-in")), path
        else:
            assert response.status_code == 403, (path, role)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_assessors_can_act(client_for_role, role, world):
    application, qualification, _ = world
    client, user = client_for_role(role)
    for path in _post_pages(*world):
        response = client.post(path)
        if role == "assessor":
            assert response.status_code == 302, path
        elif role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:sign-in"))
        else:
            assert response.status_code == 403, (path, role)
    qualification.refresh_from_db()
    about = application.sections.get(key=SectionKey.ABOUT)
    if role == "assessor":
        assert about.accepted_at is not None and qualification.suspended_at is None
    else:
        assert about.accepted_at is None and qualification.suspended_at is not None


@pytest.mark.parametrize("role", ALL_ROLES)
def test_decision_letter_is_for_the_organisation_and_assessors(client_for_role, role):
    client, user = client_for_role(role)
    application = submitted_application()
    Application.objects.filter(pk=application.pk).update(
        decided_at=application.submitted_at, decision_letter="Dear Example,\n\nWhat you can bid for"
    )
    path = reverse("qualification:decision-letter", args=[application.pk])
    response = client.get(path)
    if role == "assessor":
        assert response.status_code == 200
    elif role == "anonymous":
        assert response.status_code == 302
    else:
        # provider users of another organisation and other staff are told it is not found
        assert response.status_code == 404
    member = application.organisation.memberships.get().user
    client.force_login(member)
    response = client.get(path)
    assert response.status_code == 200
    assert '<h2 class="govuk-heading-m">What you can bid for</h2>' in response.content.decode()


def test_queue_is_oldest_first_with_ages_and_filters(client):
    client.force_login(make_user_with_role("assessor"))
    older = submitted_application(submitted_days_ago=5, requested=[("ete", "A")])
    newer = submitted_application(submitted_days_ago=1, requested=[("accommodation", "E23000032")])
    nationwide = submitted_application(submitted_days_ago=0, requested=[("accommodation", "K04000001")])
    decided = submitted_application(submitted_days_ago=9)
    Application.objects.filter(pk=decided.pk).update(decided_at=decided.submitted_at)
    draft = submitted_application()
    Application.objects.filter(pk=draft.pk).update(submitted_at=None)

    html = client.get(reverse("qualification:assess-queue")).content.decode()
    names = [a.organisation.display_name for a in (older, newer, nationwide)]
    positions = [html.index(n) for n in names]
    assert positions == sorted(positions)
    assert "Submitted 5 days ago" in html and "Submitted 1 day ago" in html and "Submitted today" in html
    assert decided.organisation.display_name not in html and draft.organisation.display_name not in html

    html = client.get(
        reverse("qualification:assess-queue"), {"category": "accommodation", "region": "K"}
    ).content.decode()
    assert newer.organisation.display_name in html
    assert nationwide.organisation.display_name in html  # all of England and Wales includes the region
    assert older.organisation.display_name not in html
    html = client.get(reverse("qualification:assess-queue"), {"region": "A"}).content.decode()
    assert older.organisation.display_name in html and newer.organisation.display_name not in html


def test_question_is_required_and_sent(client, django_capture_on_commit_callbacks):
    client.force_login(make_user_with_role("assessor"))
    application = submitted_application()
    path = reverse("qualification:assess-section-clarify", args=[application.pk, SectionKey.FINANCE])
    response = client.post(path, {"question": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error:" in html and "Enter what the organisation needs to fix or explain" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"question": "Please <b>attach</b> your accounts."})
    assert response.status_code == 302
    assert "Please <b>attach</b> your accounts." in mail.outbox[0].body
    html = client.get(response["Location"]).content.decode()
    assert "Please &lt;b&gt;attach&lt;/b&gt; your accounts." in html  # escaped, not markup
    assert "Waiting for the organisation" in html


def test_decide_page_grants_part_with_a_narrower_area(client, django_capture_on_commit_callbacks):
    assessor = make_user_with_role("assessor")
    client.force_login(assessor)
    application = submitted_application(requested=[("accommodation", "K"), ("ete", "K")])
    path = reverse("qualification:assess-decide", args=[application.pk])
    assert "Accept every section before you decide" in client.get(path).content.decode()
    application.sections.update(accepted_at=application.submitted_at, accepted_by=assessor)
    accommodation = application.requested.get(category__code="accommodation")
    # A partial grant without a reason keeps what was chosen and says what is wrong.
    response = client.post(path, {"grant": [str(accommodation.pk)], f"area_{accommodation.pk}": "E23000032"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Explain why the organisation cannot bid for everything it asked for" in html
    assert 'value="E23000032" selected' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            path,
            {"grant": [str(accommodation.pk)], f"area_{accommodation.pk}": "E23000032", "reason": "Kent only for now."},
        )
    assert response["Location"] == reverse("qualification:decision-letter", args=[application.pk])
    assert list(Qualification.objects.values_list("category__code", "area__code")) == [("accommodation", "E23000032")]
    letter = client.get(response["Location"]).content.decode()
    assert "You can bid for Accommodation in Kent." in letter
    assert "Kent only for now." in letter
    # A second decision is not possible: the page sends you to the letter.
    assert client.post(path, {"grant": [str(accommodation.pk)]})["Location"].endswith("/decision-letter/")
    assert Qualification.objects.count() == 1


def test_suspend_needs_a_reason_and_shows_on_the_organisation_page(client):
    client.force_login(make_user_with_role("assessor"))
    organisation = make_provider_user().memberships.get().organisation
    qualification = qualify(organisation, "accommodation", "K")
    path = reverse("qualification:assess-qualification-suspend", args=[qualification.pk])
    assert "Enter why you are suspending this qualification" in client.post(path, {"reason": ""}).content.decode()
    response = client.post(path, {"reason": "Insurance ran out."})
    html = client.get(response["Location"]).content.decode()
    assert "Suspended" in html and "Insurance ran out." in html
    response = client.post(
        reverse("qualification:assess-qualification-remove", args=[qualification.pk]), {"reason": "Closed."}
    )
    html = client.get(response["Location"]).content.decode()
    assert "Nothing at the moment." in html


def test_help_requests_oldest_first_and_replying(client):
    client.force_login(make_user_with_role("assessor"))
    first = HelpRequestFactory(message="First request")
    HelpRequestFactory(message="Second request")
    html = client.get(reverse("qualification:assess-help-requests")).content.decode()
    assert html.index("First request") < html.index("Second request")
    path = reverse("qualification:assess-help-request-reply", args=[first.pk])
    assert "Enter your reply" in client.post(path, {"reply": ""}).content.decode()
    client.post(path, {"reply": "We will phone you today."})
    html = client.get(reverse("qualification:assess-help-requests")).content.decode()
    assert "First request" not in html and "Second request" in html


def test_queue_query_count_does_not_grow_with_applications(client, django_assert_max_num_queries):
    client.force_login(make_user_with_role("assessor"))
    submitted_application()
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("qualification:assess-queue"))
    for _ in range(10):
        submitted_application(requested=[("accommodation", "K"), ("ete", "A")])
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(reverse("qualification:assess-queue")).content.decode()
    assert "11 applications, oldest first." in html
