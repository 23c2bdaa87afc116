"""Provider bid pages through the Django test client: the journey, form errors, and who may open each page."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from competitions.models import Bid, BidAnswer, BidPrice
from competitions.services import bids as svc
from competitions.tests.factories import invite, make_bid, make_competition
from competitions.tests.test_bid_services import fill
from qualification.models import Application, ApplicationSection
from tests.factories import OrganisationFactory, make_provider_user
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db
CLOSED = "The closing date has passed. Bids can no longer be sent."


def url(name, competition, **kwargs):
    return reverse(f"competitions:{name}", kwargs={"competition_id": competition.pk, **kwargs})


@pytest.fixture
def competition():
    return make_competition()


@pytest.fixture
def bidder(competition):
    user = make_provider_user()
    invite(competition, user.memberships.get().organisation)
    return user


@pytest.fixture
def signed_in(client, bidder):
    client.force_login(bidder)
    return client


def test_for_you_lists_eligible_and_partner_opportunities(client, competition, bidder):
    other = make_competition(lots=["Kent"])
    invite(other, bidder.memberships.get().organisation, kind="partner")
    uninvited = make_competition(lots=["Surrey"])
    client.force_login(bidder)
    page = client.get(reverse("competitions:for-you")).content.decode()
    assert competition.title in page
    assert "You could join a bid as a partner" in page
    assert other.title in page
    assert uninvited.title not in page


def test_opportunity_page_shows_lots_values_and_london_dates(signed_in, competition):
    page = signed_in.get(url("opportunity", competition)).content.decode()
    assert "Lot 1: Kent" in page and "£400,000" in page and "2027 to 2028" in page
    assert "Start your bid" in page
    assert "Closes in 13 days" in page or "Closes in 14 days" in page


def test_partner_sees_names_of_registered_bidders_only(client, competition):
    from qualification.models import Qualification
    from reference.models import Area, ServiceCategory

    registered = OrganisationFactory(legal_name="Registered Bidder")
    Qualification.objects.create(
        organisation=registered,
        category=ServiceCategory.objects.first(),
        area=Area.objects.get(code="K"),
        area_path=Area.objects.get(code="K").path,
        granted_by=make_provider_user(),
    )
    invite(competition, registered)
    invite(competition, OrganisationFactory(legal_name="Unregistered Bidder"))
    partner = make_provider_user()
    invite(competition, partner.memberships.get().organisation, kind="partner")
    client.force_login(partner)
    page = client.get(url("opportunity", competition)).content.decode()
    assert "Registered Bidder" in page
    assert "Unregistered Bidder" not in page
    assert "Start your bid" not in page


def test_full_journey_through_pages(signed_in, competition, bidder, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    client = signed_in
    response = client.post(url("bid-start", competition))
    assert response.status_code == 302 and response.url == url("bid", competition)
    bid = Bid.objects.get(competition=competition)
    lots = list(competition.lots.all())
    client.post(url("bid-lots", competition), {"lots": [str(lots[0].pk), str(lots[1].pk)]})
    assert bid.bid_lots.count() == 2
    task_list = client.get(url("bid", competition)).content.decode()
    assert "Question 2: Kent" in task_list and "Question 2: Surrey" in task_list
    for question in competition.questions.all():
        if question.kind == "pass_fail":
            client.post(url("bid-answer", competition, question_id=question.pk), {"confirmed": "yes"})
        elif question.lot_specific:
            for lot in lots[:2]:
                client.post(
                    url("bid-answer-lot", competition, question_id=question.pk, lot_id=lot.pk),
                    {"text": f"<script>alert('{lot.name}')</script> plan"},
                )
        else:
            client.post(url("bid-answer", competition, question_id=question.pk), {"text": "Our answer"})
    for lot in lots[:2]:
        data = {f"price_{y.financial_year}": "£1,250,000.50" for y in lot.years.all()}
        assert client.post(url("bid-prices", competition, lot_id=lot.pk), data).status_code == 302
    assert [p.amount for p in BidPrice.objects.filter(bid_lot__bid=bid)] == [Decimal("1250000.50")] * 6
    client.post(
        url("bid-partner-add", competition),
        {
            "organisation": "",
            "name": "Local Food Bank",
            "role": "subcontractor",
            "share_percent": "15",
            "lots": [str(lots[0].pk)],
            "work_description": "",
        },
    )
    assert bid.partners.get().name == "Local Food Bank"
    pdf = SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n")
    assert client.post(url("bid-documents", competition), {"title": "Plan", "file": pdf}).status_code == 302
    client.post(url("bid-declarations", competition), {"confirmed": "on"})
    check = client.get(url("bid-check", competition)).content.decode()
    assert "&lt;script&gt;alert" in check and "<script>alert" not in check
    assert "Send your bid" in check
    response = client.post(url("bid-check", competition))
    assert response.status_code == 302 and response.url == url("bid-receipt", competition)
    bid.refresh_from_db()
    receipt = client.get(url("bid-receipt", competition)).content.decode()
    assert bid.submitted_digest in receipt and "Bid sent" in receipt
    # Withdraw and send again.
    client.post(url("bid-withdraw", competition))
    bid.refresh_from_db()
    assert not bid.is_sent
    client.post(url("bid-check", competition))
    bid.refresh_from_db()
    assert bid.is_sent


def test_answer_page_shows_the_question_and_its_guidance(signed_in, competition, bidder):
    svc.bid_start(competition=competition, user=bidder)
    question = competition.questions.get(number=1)
    question.text = "How will you help people keep their tenancy?"
    question.guidance = "Say who does the work and how often."
    question.save()
    page = signed_in.get(url("bid-answer", competition, question_id=question.pk)).content.decode()
    label = re.search(r'<label class="govuk-label[^"]*" for="text">(.*?)</label>', page, re.S).group(1)
    assert "How will you help people keep their tenancy?" in label
    assert ">Text<" not in page
    assert "Say who does the work and how often." in page


def test_pass_fail_page_shows_the_question(signed_in, competition, bidder):
    svc.bid_start(competition=competition, user=bidder)
    question = competition.questions.filter(kind="pass_fail").first()
    assert question is not None, "the factory competition has a pass/fail question"
    page = signed_in.get(url("bid-answer", competition, question_id=question.pk)).content.decode()
    assert question.text in page
    assert ">Confirmed<" not in page and "Confirmed</label>" not in page


def test_word_limit_error_keeps_what_was_typed(signed_in, competition, bidder):
    svc.bid_start(competition=competition, user=bidder)
    question = competition.questions.get(number=1)
    question.word_limit = 3
    question.save()
    response = signed_in.post(url("bid-answer", competition, question_id=question.pk), {"text": "one two three four"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your answer must be 3 words or fewer" in page
    assert "one two three four</textarea>" in page
    assert 'data-maxwords="3"' in page  # GOV.UK character count, counting words
    assert "<title>Error:" in page
    assert not BidAnswer.objects.exists()


def test_empty_answer_and_bad_prices_show_govuk_errors(signed_in, competition, bidder):
    bid = svc.bid_start(competition=competition, user=bidder)
    lot = competition.lots.first()
    svc.bid_lots_set(bid=bid, user=bidder, lot_ids=[lot.pk])
    page = signed_in.post(
        url("bid-answer", competition, question_id=competition.questions.get(number=1).pk), {"text": "  "}
    ).content.decode()
    assert "Enter your answer" in page
    data = {"price_2027": "-5", "price_2028": "lots", "price_2029": ""}
    page = signed_in.post(url("bid-prices", competition, lot_id=lot.pk), data).content.decode()
    assert "Price for 2027 to 2028 must be £0 or more" in page
    assert "Price for 2028 to 2029 must be a number" in page
    assert "Enter the price for 2029 to 2030" in page
    assert 'value="lots"' in page
    assert not BidPrice.objects.exists()


def test_wrong_file_type_and_oversize_upload_refused_on_page(signed_in, competition, bidder):
    svc.bid_start(competition=competition, user=bidder)
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 this is an exe")
    page = signed_in.post(url("bid-documents", competition), {"title": "Report", "file": fake}).content.decode()
    assert "The selected file must be a PDF" in page
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
    page = signed_in.post(url("bid-documents", competition), {"title": "Big", "file": big}).content.decode()
    assert "smaller than 10MB" in page
    assert 'value="Big"' in page


def test_incomplete_submit_lists_what_is_missing(signed_in, competition, bidder):
    svc.bid_start(competition=competition, user=bidder)
    response = signed_in.post(url("bid-check", competition))
    page = response.content.decode()
    assert "Your bid is not finished" in page and "Choose at least one area to bid for" in page
    assert "<title>Error:" in page


def test_late_submit_shows_govuk_closed_page(signed_in, competition, bidder):
    bid = fill(svc.bid_start(competition=competition, user=bidder), bidder)
    competition.closes_at = timezone.now() - datetime.timedelta(seconds=1)
    competition.save()
    response = signed_in.post(url("bid-check", competition))
    assert response.status_code == 200
    assert CLOSED in response.content.decode()
    bid.refresh_from_db()
    assert bid.submitted_at is None
    # Every edit page shows the same, and nothing changes.
    q = competition.questions.get(number=1)
    response = signed_in.post(url("bid-answer", competition, question_id=q.pk), {"text": "Too late"})
    assert CLOSED in response.content.decode()
    assert BidAnswer.objects.get(bid=bid, question=q).text != "Too late"


def test_answer_library_copies_an_earlier_answer_for_editing(signed_in, competition, bidder):
    organisation = bidder.memberships.get().organisation
    earlier = make_competition(lots=["Kent"])
    old_bid = make_bid(earlier, organisation, user=bidder)
    BidAnswer.objects.filter(bid=old_bid).update(text="We have housed 300 people in Kent since 2019.")
    application = Application.objects.create(organisation=organisation, started_by=bidder)
    ApplicationSection.objects.create(
        application=application,
        key="about",
        updated_by=bidder,
        answers={"what_you_do": "We help women leaving prison find safe homes.", "probation_experience": "yes"},
    )
    svc.bid_start(competition=competition, user=bidder)
    question = competition.questions.get(number=1)
    page = signed_in.get(url("bid-library", competition, question_id=question.pk)).content.decode()
    assert "We have housed 300 people in Kent since 2019." in page
    assert "We help women leaving prison find safe homes." in page
    keys = re.findall(r"\?use=([\w-]+)", page)
    assert any(k.startswith("sq-") for k in keys) and any(k.startswith("bid-") for k in keys)
    sq_key = next(k for k in keys if k.startswith("sq-"))
    page = signed_in.get(url("bid-answer", competition, question_id=question.pk) + f"?use={sq_key}").content.decode()
    assert "We help women leaving prison find safe homes.</textarea>" in page
    assert not BidAnswer.objects.filter(bid__competition=competition).exists()  # copied, not saved yet


def test_answer_library_never_shows_another_organisations_answers(signed_in, competition, bidder):
    stranger_bid = make_bid(make_competition(lots=["Kent"]))
    BidAnswer.objects.filter(bid=stranger_bid).update(text="Secret words of another charity.")
    svc.bid_start(competition=competition, user=bidder)
    question = competition.questions.get(number=1)
    page = signed_in.get(url("bid-library", competition, question_id=question.pk)).content.decode()
    assert "Secret words" not in page
    key = f"bid-{BidAnswer.objects.filter(bid=stranger_bid).first().pk}"
    page = signed_in.get(url("bid-answer", competition, question_id=question.pk) + f"?use={key}").content.decode()
    assert "Secret words" not in page


# --- Permissions: every provider page, every role ------------------------------------------


def _page_urls(competition, bid):
    q1 = competition.questions.get(number=1)
    q2 = competition.questions.get(number=2)
    lot = competition.lots.first()
    return [
        url("opportunity", competition),
        url("bid", competition),
        url("bid-lots", competition),
        url("bid-answer", competition, question_id=q1.pk),
        url("bid-answer-lot", competition, question_id=q2.pk, lot_id=lot.pk),
        url("bid-library", competition, question_id=q1.pk),
        url("bid-prices", competition, lot_id=lot.pk),
        url("bid-partners", competition),
        url("bid-partner-add", competition),
        url("bid-partner-add", competition) + "?search=a",
        url("bid-partner-search", competition) + "?search=a",
        url("bid-documents", competition),
        url("bid-declarations", competition),
        url("bid-check", competition),
        url("bid-receipt", competition),
        url("bid-withdraw", competition),
        url("bid-view", competition, bid_id=bid.pk),
    ]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_bid_pages_refused_to_every_role_outside_the_bidder(client_for_role, role, competition):
    bid = make_bid(competition, lots=[competition.lots.first()])
    client, user = client_for_role(role)
    for page in _page_urls(competition, bid):
        response = client.get(page)
        if role == "anonymous":
            assert response.status_code == 302 and "/account/sign-in" in response.url, page
        else:
            assert response.status_code == 404, (page, response.status_code)
    response = client.post(url("bid-start", competition))
    assert response.status_code in (302, 404)
    assert Bid.objects.filter(competition=competition).count() == 1


@pytest.mark.parametrize("role", ALL_ROLES)
def test_for_you_page_for_every_role(client_for_role, role):
    client, user = client_for_role(role)
    response = client.get(reverse("competitions:for-you"))
    if role == "anonymous":
        assert response.status_code == 302
    elif role in ("provider", "provider_admin"):
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("is_admin", [True, False])
def test_every_member_of_the_bidder_can_open_every_page(client, competition, is_admin):
    bid = make_bid(competition, lots=[competition.lots.first()], submitted=False)
    member = make_provider_user(organisation=bid.organisation, is_admin=is_admin)
    svc.bid_lots_set(bid=bid, user=member, lot_ids=[competition.lots.first().pk])
    client.force_login(member)
    for page in _page_urls(competition, bid):
        response = client.get(page)
        assert response.status_code in (200, 302), (page, response.status_code)
        if response.status_code == 302:
            # Only receipt and withdraw redirect (nothing sent yet): back to the task list.
            assert response.url == url("bid", competition), page


def _for_you_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("competitions:for-you"))
    assert response.status_code == 200
    return len(context.captured_queries)


def test_for_you_runs_the_same_queries_however_many_invitations_and_bids(client, competition, bidder):
    organisation = bidder.memberships.get().organisation
    make_bid(competition, organisation, user=bidder)
    # One of each kind to start with: a list with nothing on it costs one query fewer (no page to read).
    invite(make_competition(lots=["Kent"]), organisation, kind="partner")
    client.force_login(bidder)
    one = _for_you_queries(client)
    for _ in range(3):
        other = make_competition(lots=["Kent", "Surrey"])
        make_bid(other, organisation, user=bidder, submitted=False)
        invite(make_competition(lots=["Kent"]), organisation, kind="partner")
    assert _for_you_queries(client) == one
    # The session, the person (with their organisation), the clock, the two lists' sizes, a page
    # of each, their lots, the bids, the open opportunities the organisation was not sent, and the
    # header's question whether the organisation takes referrals.
    assert one <= 11


def test_for_you_lists_opportunities_a_page_at_a_time(client, competition, bidder):
    """An organisation is sent every opportunity in its types of support and areas: the list runs
    over pages (GOV.UK pagination), newest closing first, and a page past the end is not found."""
    from competitions.views.provider import PER_PAGE

    organisation = bidder.memberships.get().organisation
    titles = []
    for number in range(PER_PAGE + 2):
        other = make_competition(lots=["Kent"], closes_in=datetime.timedelta(days=60 - number))
        other.title = f"Support number {number:02d}"
        other.save(update_fields=["title"])
        invite(other, organisation)
        titles.append(other.title)
    client.force_login(bidder)
    first = client.get(reverse("competitions:for-you")).content.decode()
    second = client.get(reverse("competitions:for-you") + "?page=2").content.decode()
    assert all(title in first for title in titles[:PER_PAGE])
    assert not any(title in first for title in titles[PER_PAGE:])
    assert all(title in second for title in titles[PER_PAGE:])
    assert 'class="govuk-pagination' in first
    assert "?page=2" in first
    assert client.get(reverse("competitions:for-you") + "?page=3").status_code == 404
    assert client.get(reverse("competitions:for-you") + "?page=two").status_code == 404


def test_for_you_shows_the_areas_of_each_invitation_in_lot_order(client, bidder):
    organisation = bidder.memberships.get().organisation
    several = make_competition(lots=["Surrey", "Kent", "Sussex"])
    invitation = invite(several, organisation)
    invitation.lots.set(several.lots.exclude(name="Kent"))  # sent for two of its three lots
    client.force_login(bidder)
    page = client.get(reverse("competitions:for-you")).content.decode()
    assert "Areas: Surrey, Sussex<" in page
    assert "Areas: Kent, Surrey, Sussex<" in page  # the fixture's competition, every lot


def _queries(client, address) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(context.captured_queries)


def test_a_bids_pages_run_the_same_queries_however_many_lots(client):
    """The task list and check page read the bid, its competition and whether the organisation
    was sent it in one query, then a fixed number more, for a 1-lot bid as for a 4-lot one."""
    counts = {}
    for lots in (["Kent"], ["Kent", "Surrey", "Sussex", "Thames Valley"]):
        competition = make_competition(lots=lots)
        user = make_provider_user()
        invite(competition, user.memberships.get().organisation)
        fill(svc.bid_start(competition=competition, user=user), user)
        client.force_login(user)
        counts[len(lots)] = {name: _queries(client, url(name, competition)) for name in ("bid", "bid-check")}
    assert counts[1] == counts[4]
    # The session, the person with their organisation, the bid with its competition and invitation,
    # the clock, the receipt (task list only), then the bid's rows: lots, prices, years, questions,
    # answers, partners, documents; and the header's question whether the organisation takes referrals.
    assert counts[1] == {"bid": 13, "bid-check": 12}


def test_a_bid_page_is_not_found_once_the_organisation_is_no_longer_sent_it(client, competition, bidder):
    """The bid is read with the answer to `can_view_opportunity`: without an invitation, even an
    organisation's own bid's pages are not found, as for an opportunity never sent to it."""
    organisation = bidder.memberships.get().organisation
    svc.bid_start(competition=competition, user=bidder)
    client.force_login(bidder)
    assert client.get(url("bid", competition)).status_code == 200
    competition.invitations.filter(organisation=organisation).delete()
    for name in ("bid", "bid-check", "bid-withdraw"):
        assert client.get(url(name, competition)).status_code == 404, name
    assert client.post(url("bid-check", competition)).status_code == 404
