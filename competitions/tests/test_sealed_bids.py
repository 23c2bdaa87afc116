"""Sealed bids: before the closing date nobody but the bidder reads a bid — every role, the Django
admin included; after it, only that competition's commissioners and its cleared evaluators, and
every such read is audited. The deadline is moved by setting closes_at in the past (the rule uses
the database clock)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from audit.models import AuditEvent
from competitions.models import BidAnswer, CompetitionMember, ConflictDeclaration
from competitions.permissions import can_read_bid
from competitions.selectors.bids import bids_readable_by
from competitions.tests.factories import make_bid, make_competition, seal_as_sent
from tests.factories import make_provider_user, make_user_with_role
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db
SECRET = "Our secret plan: eleven caseworkers in Kent."


@pytest.fixture
def world():
    competition = make_competition(evaluators=2)
    bid = make_bid(competition, submitted=False)
    BidAnswer.objects.filter(bid=bid, lot__isnull=True, confirmed__isnull=True).update(text=SECRET)
    seal_as_sent(bid, user=bid.started_by)
    return competition, bid


def _close(competition):
    competition.closes_at = timezone.now() - datetime.timedelta(seconds=1)
    competition.save(update_fields=["closes_at"])


def _view(client, bid):
    return client.get(reverse("competitions:bid-view", kwargs={"competition_id": bid.competition_id, "bid_id": bid.pk}))


def _reads():
    return AuditEvent.objects.filter(action="bid.read").count()


def _assert_sealed(client, user, bid):
    assert not can_read_bid(user, bid)
    if user is not None:
        assert bid not in bids_readable_by(user, bid.competition)
    response = _view(client, bid)
    assert response.status_code in (302, 404)
    assert SECRET not in response.content.decode()


@pytest.mark.parametrize("closed", [False, True], ids=["before-deadline", "after-deadline"])
@pytest.mark.parametrize("role", ALL_ROLES)
def test_no_role_in_general_reads_a_bid(client_for_role, world, role, closed):
    """A user with only a role (not the competition's commissioner or evaluator) never reads it."""
    competition, bid = world
    if closed:
        _close(competition)
    client, user = client_for_role(role)
    _assert_sealed(client, user, bid)
    assert _reads() == 0


@pytest.mark.parametrize("closed", [False, True], ids=["before-deadline", "after-deadline"])
def test_bidding_organisation_reads_its_own_bid_without_an_audit_read(client, world, closed):
    competition, bid = world
    if closed:
        _close(competition)
    colleague = make_provider_user(organisation=bid.organisation, is_admin=False)
    client.force_login(colleague)
    assert can_read_bid(colleague, bid)
    assert list(bids_readable_by(colleague, competition)) == [bid]
    response = _view(client, bid)
    assert response.status_code == 200 and SECRET in response.content.decode()
    assert _reads() == 0


@pytest.mark.parametrize("closed", [False, True], ids=["before-deadline", "after-deadline"])
def test_another_provider_never_reads(client, world, closed):
    competition, bid = world
    other_bid = make_bid(competition)
    if closed:
        _close(competition)
    rival = other_bid.started_by
    client.force_login(rival)
    _assert_sealed(client, rival, bid)
    assert list(bids_readable_by(rival, competition)) == [other_bid]


def test_own_commissioner_reads_only_after_the_deadline_and_it_is_audited(client, world):
    competition, bid = world
    commissioner = CompetitionMember.objects.get(competition=competition, role="commissioner").user
    client.force_login(commissioner)
    _assert_sealed(client, commissioner, bid)
    _close(competition)
    assert can_read_bid(commissioner, bid)
    assert list(bids_readable_by(commissioner, competition)) == [bid]
    response = _view(client, bid)
    assert response.status_code == 200 and SECRET in response.content.decode()
    event = AuditEvent.objects.get(action="bid.read")
    assert event.actor_id == commissioner.pk and event.object_id == str(bid.pk)
    assert SECRET not in str(event.after) and SECRET not in event.object_repr


def test_commissioner_of_another_competition_never_reads(client, world):
    competition, bid = world
    other = make_competition()
    outsider = CompetitionMember.objects.get(competition=other, role="commissioner").user
    client.force_login(outsider)
    _assert_sealed(client, outsider, bid)
    _close(competition)
    _assert_sealed(client, outsider, bid)


def test_evaluator_reads_only_after_deadline_and_declaring_no_conflict(client, world):
    competition, bid = world
    evaluator = CompetitionMember.objects.filter(competition=competition, role="evaluator").first().user
    client.force_login(evaluator)
    ConflictDeclaration.objects.create(competition=competition, evaluator=evaluator, bid=bid, has_conflict=False)
    _assert_sealed(client, evaluator, bid)  # cleared, but before the deadline
    _close(competition)
    assert can_read_bid(evaluator, bid)
    assert list(bids_readable_by(evaluator, competition)) == [bid]
    response = _view(client, bid)
    assert response.status_code == 200 and SECRET in response.content.decode()
    assert AuditEvent.objects.filter(action="bid.read", actor_id=evaluator.pk).count() == 1


def test_evaluator_without_a_declaration_cannot_read(client, world):
    competition, bid = world
    evaluator = CompetitionMember.objects.filter(competition=competition, role="evaluator").first().user
    client.force_login(evaluator)
    _close(competition)
    _assert_sealed(client, evaluator, bid)


def test_evaluator_with_a_declared_conflict_never_reads(client, world):
    competition, bid = world
    evaluator = CompetitionMember.objects.filter(competition=competition, role="evaluator").last().user
    ConflictDeclaration.objects.create(
        competition=competition, evaluator=evaluator, bid=bid, has_conflict=True, details="I used to work there"
    )
    client.force_login(evaluator)
    _close(competition)
    _assert_sealed(client, evaluator, bid)


def test_draft_or_withdrawn_bid_never_read_outside_the_bidder(client, world):
    competition, bid = world
    bid.withdrawn_at = timezone.now()
    bid.save()
    draft = make_bid(competition, submitted=False)
    _close(competition)
    commissioner = CompetitionMember.objects.get(competition=competition, role="commissioner").user
    client.force_login(commissioner)
    for sealed in (bid, draft):
        _assert_sealed(client, commissioner, sealed)
    assert list(bids_readable_by(commissioner, competition)) == []


# --- The Django admin, as a superuser administrator --------------------------------------------


@pytest.fixture
def superuser_admin(client):
    user = make_user_with_role("administrator", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize("closed", [False, True], ids=["before-deadline", "after-deadline"])
def test_django_admin_shows_no_bid_content(superuser_admin, world, closed):
    competition, bid = world
    if closed:
        _close(competition)
    change = superuser_admin.get(reverse("admin:competitions_bid_change", args=[bid.pk]), follow=True)
    assert change.status_code == 200
    page = change.content.decode()
    # Who bid is shown once bidding has closed, not before (accounts/tests/test_admin.py)...
    assert (bid.organisation.legal_name in page) == closed
    assert SECRET not in page  # ...and never what they said
    assert "400000" not in page and "400,000" not in page
    listing = superuser_admin.get(reverse("admin:competitions_bid_changelist"))
    assert listing.status_code == 200 and SECRET not in listing.content.decode()
    assert superuser_admin.get(reverse("admin:competitions_bid_changelist") + "?q=secret").status_code == 200
    assert _reads() == 0


@pytest.mark.parametrize("model", ["bidanswer", "bidprice", "bidpartner", "biddocument", "bidlot", "score"])
def test_bid_content_models_have_no_admin(model):
    with pytest.raises(NoReverseMatch):
        reverse(f"admin:competitions_{model}_changelist")


def test_superuser_without_organisation_cannot_use_the_bid_page(superuser_admin, world):
    competition, bid = world
    _close(competition)
    response = _view(superuser_admin, bid)
    assert response.status_code == 404
    assert SECRET not in response.content.decode()


def test_deactivated_member_of_the_bidder_cannot_read(world):
    competition, bid = world
    member = make_provider_user(organisation=bid.organisation)
    assert can_read_bid(member, bid)
    member.is_active = False
    member.save()
    assert not can_read_bid(member, bid)
    assert not bids_readable_by(member, competition).exists()


def test_the_api_has_no_endpoint_that_returns_bids(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert not [path for path in schema["paths"] if "bid" in path.lower()]
