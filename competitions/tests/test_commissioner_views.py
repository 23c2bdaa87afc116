"""Commissioner pages: who may see them (every role), and the forms keep what was typed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from competitions.models import Clarification, CoCommissioner, CompetitionDocument
from competitions.tests.factories import invite, make_competition
from tests.factories import make_provider_user, make_user_with_role

pytestmark = pytest.mark.django_db

OTHER_ROLES = ["provider", "provider_admin", "assessor", "evaluator", "practitioner", "administrator"]


@pytest.fixture
def owner():
    return make_user_with_role("commissioner", area_code="K")


@pytest.fixture
def draft(owner):
    competition = make_competition(launched=False, commissioner=owner)
    competition.planned_at = None
    competition.save()
    CompetitionDocument.objects.create(
        competition=competition,
        title="Spec",
        file="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=owner,
    )
    CoCommissioner.objects.create(competition=competition, name="Kent PCC", party_type="pcc")
    return competition


@pytest.fixture
def launched(owner):
    competition = make_competition(commissioner=owner)
    organisation = invite(competition).organisation
    asker = make_provider_user(organisation=organisation)
    Clarification.objects.create(
        competition=competition, asked_by_organisation=organisation, asked_by=asker, question="When?"
    )
    return competition


def draft_pages(c):
    lot = c.lots.first()
    return [
        ("competitions:manage-detail", [c.pk]),
        ("competitions:manage-details", [c.pk]),
        ("competitions:manage-documents", [c.pk]),
        ("competitions:manage-lot-add", [c.pk]),
        ("competitions:manage-lot-edit", [c.pk, lot.pk]),
        ("competitions:manage-lot-years", [c.pk, lot.pk]),
        ("competitions:manage-contract", [c.pk]),
        ("competitions:manage-funding-add", [c.pk]),
        ("competitions:manage-question-add", [c.pk]),
        ("competitions:manage-scoring", [c.pk]),
        ("competitions:manage-timetable", [c.pk]),
        ("competitions:manage-plan", [c.pk]),
        ("competitions:manage-launch", [c.pk]),
        ("competitions:manage-abandon", [c.pk]),
    ]


def draft_posts(c):
    return [
        ("competitions:manage-document-public", [c.pk, c.documents.first().pk]),
        ("competitions:manage-document-remove", [c.pk, c.documents.first().pk]),
        ("competitions:manage-lot-remove", [c.pk, c.lots.first().pk]),
        ("competitions:manage-funding-remove", [c.pk, c.co_commissioners.first().pk]),
        ("competitions:manage-question-remove", [c.pk, c.questions.first().pk]),
    ]


def launched_pages(c):
    return [
        ("competitions:manage-lot-abandon", [c.pk, c.lots.first().pk]),
        ("competitions:manage-clarifications", [c.pk]),
        ("competitions:manage-clarification-answer", [c.pk, c.clarifications.first().pk]),
    ]


def _all_pages(draft, launched):
    return [("get", *p) for p in draft_pages(draft) + launched_pages(launched)] + [
        ("post", *p) for p in draft_posts(draft)
    ]


def test_the_competitions_own_commissioner_sees_every_page(client, owner, draft, launched):
    client.force_login(owner)
    for name, args in draft_pages(draft) + launched_pages(launched):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
    for name, args in draft_posts(draft):
        response = client.post(reverse(name, args=args))
        assert response.status_code == 302, name


@pytest.mark.parametrize("role", ["anonymous", "commissioner", *OTHER_ROLES])
def test_everyone_else_is_refused_every_competition_page(client_for_role, role, draft, launched):
    client, _user = client_for_role(role)
    for method, name, args in _all_pages(draft, launched):
        data = {"public": "anyone"} if method == "post" else None
        response = getattr(client, method)(reverse(name, args=args), data)
        if role == "anonymous":
            assert response.status_code == 302 and "/account/sign-in" in response["Location"], name
        else:
            # "Not found", as for a competition that does not exist: a refusal would say it does.
            assert response.status_code == 404, (role, name)
    # Nothing was removed or changed by the refused posts.
    assert draft.documents.count() == 1 and draft.lots.count() == 3 and draft.co_commissioners.count() == 1
    assert not draft.documents.get().public


@pytest.mark.parametrize("role", ["anonymous", "commissioner", *OTHER_ROLES])
def test_list_and_create_are_for_commissioners_only(client_for_role, role):
    client, _user = client_for_role(role)
    for name in ("competitions:manage", "competitions:manage-create"):
        response = client.get(reverse(name))
        if role == "commissioner":
            assert response.status_code == 200
        elif role == "anonymous":
            assert response.status_code == 302
        else:
            assert response.status_code == 403


def test_your_opportunities_lists_only_your_own_with_their_stage(client, owner, draft):
    other = make_competition()  # run by another commissioner
    other.title = "Homes run by another team"
    other.save()
    client.force_login(owner)
    page = client.get(reverse("competitions:manage")).content.decode()
    assert draft.title in page and other.title not in page
    assert "Draft" in page


def test_create_keeps_what_was_typed_and_explains_errors(client, owner):
    client.force_login(owner)
    response = client.post(reverse("competitions:manage-create"), {"title": "Homes in Kent", "summary": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert "Enter a summary" in page and "Choose a service" in page
    assert 'value="Homes in Kent"' in page


def test_create_then_summary(client, owner):
    from reference.models import Area, ServiceType

    client.force_login(owner)
    response = client.post(
        reverse("competitions:manage-create"),
        {
            "title": "Homes in Kent",
            "service_type": ServiceType.objects.get(code="accommodation").pk,
            "owner_area": Area.objects.get(code="K").pk,
            "summary": "Homes for people on probation.",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Homes in Kent" in page and "PSDF-" in page and "Add at least one lot" in page


def test_weights_error_lists_the_totals_on_launch(client, owner, draft):
    draft.price_weight = Decimal("50")
    draft.save()
    client.force_login(owner)
    page = client.post(reverse("competitions:manage-launch", args=[draft.pk])).content.decode()
    assert "Weights must add up to 100. At the moment they add up to 120" in page
    draft.refresh_from_db()
    assert draft.launched_at is None


def test_timetable_form_refuses_dates_out_of_order_and_keeps_them(client, owner, draft):
    client.force_login(owner)
    data = {
        "clarification_deadline_date-day": "10",
        "clarification_deadline_date-month": "6",
        "clarification_deadline_date-year": "2030",
        "clarification_deadline_time": "5pm",
        "closes_at_date-day": "1",
        "closes_at_date-month": "6",
        "closes_at_date-year": "2030",
        "closes_at_time": "5pm",
        "evaluation_ends_at_date-day": "1",
        "evaluation_ends_at_date-month": "7",
        "evaluation_ends_at_date-year": "2030",
        "evaluation_ends_at_time": "noon-ish",
        "intended_award_at_date-day": "1",
        "intended_award_at_date-month": "8",
        "intended_award_at_date-year": "2030",
        "intended_award_at_time": "10am",
        "standstill_days": "8",
    }
    page = client.post(reverse("competitions:manage-timetable", args=[draft.pk]), data).content.decode()
    assert "Time of the end of scoring must be a real time, like 5pm or 17:00" in page
    assert 'value="noon-ish"' in page
    data["evaluation_ends_at_time"] = "midday"
    page = client.post(reverse("competitions:manage-timetable", args=[draft.pk]), data).content.decode()
    assert "The deadline for questions must be before the closing date" in page
    assert 'value="2030"' in page
