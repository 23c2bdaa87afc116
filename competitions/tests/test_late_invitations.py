"""Organisations that qualified after an opportunity was sent: the same rule as launch finds them,
a commissioner may invite them until the last day for questions (audited, on the opportunity's
history, with the launch e-mail), and they are told plainly about open opportunities they missed."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from audit.selectors import history_for_object
from competitions.models import CompetitionInvitation
from competitions.selectors.invitations import (
    invitation_plan,
    late_invitations_open,
    newly_eligible,
    not_invited_opportunities,
)
from competitions.services import setup
from competitions.tests.factories import invite, make_competition
from core.clock import db_now
from qualification.tests.assessor_factories import qualify
from tests.factories import OrganisationFactory, make_provider_user

pytestmark = pytest.mark.django_db
KENT = "E23000032"
SURREY = "E23000031"
MAIDSTONE = "E07000110"


@pytest.fixture
def competition():
    return make_competition()


@pytest.fixture
def commissioner(competition):
    return competition.created_by


def test_newly_eligible_are_those_launch_would_invite_now_but_did_not(competition):
    invited = OrganisationFactory(legal_name="Invited At Launch")
    qualify(invited, "accommodation", KENT)
    invite(competition, invited)
    kent = OrganisationFactory(legal_name="Kent Late")
    qualify(kent, "accommodation", KENT)
    region = OrganisationFactory(legal_name="Region Late")
    qualify(region, "accommodation", "K")
    local = OrganisationFactory(legal_name="Maidstone Late")
    qualify(local, "accommodation", MAIDSTONE)
    qualify(OrganisationFactory(legal_name="Other Support"), "women", KENT)
    found = {org.legal_name: invitee for org, invitee in newly_eligible(competition)}
    assert set(found) == {"Kent Late", "Region Late", "Maidstone Late"}
    assert [lot.name for lot in found["Kent Late"].lots] == ["Kent"] and found["Kent Late"].can_bid
    assert [lot.name for lot in found["Region Late"].lots] == ["Kent", "Surrey", "Sussex"]
    assert found["Maidstone Late"].kind == "partner" and not found["Maidstone Late"].lots
    # One rule: what launch would send these organisations now.
    plan = invitation_plan(competition)
    for org, invitee in newly_eligible(competition):
        assert plan[org.pk] == invitee


def test_invite_newly_qualified_as_launch_would_with_the_launch_email(competition, commissioner):
    kent = OrganisationFactory(legal_name="Kent Late")
    qualify(kent, "accommodation", KENT)
    local = OrganisationFactory(legal_name="Maidstone Late")
    qualify(local, "accommodation", MAIDSTONE)
    mail.outbox.clear()
    setup.competition_invite_newly_qualified(
        competition=competition, actor=commissioner, organisation_ids=[kent.pk, local.pk]
    )
    kent_invitation = CompetitionInvitation.objects.get(competition=competition, organisation=kent)
    assert kent_invitation.kind == "eligible"
    assert list(kent_invitation.lots.values_list("name", flat=True)) == ["Kent"]
    assert CompetitionInvitation.objects.get(competition=competition, organisation=local).kind == "partner"
    assert newly_eligible(competition) == []
    events = AuditEvent.objects.filter(action="competition.invited_after_launch")
    assert events.count() == 2
    assert {e.object_type for e in events} == {"competitions.competition"}
    history = history_for_object(object_type="competitions.competition", object_id=competition.pk)
    shown = [e for e in history if e.action == "competition.invited_after_launch"]
    assert any(c.after == "Kent Late" for entry in shown for c in entry.changes)
    to_kent = [m for m in mail.outbox if kent.contact_email in m.to]
    assert len(to_kent) == 1 and to_kent[0].subject.startswith("You can bid:")
    assert f"https://commission-probation.test/opportunities/{competition.pk}/" in to_kent[0].body
    assert any(m.subject.startswith("A possible partner:") for m in mail.outbox if local.contact_email in m.to)


def test_only_organisations_on_the_list_can_be_invited(competition, commissioner):
    invited = OrganisationFactory()
    qualify(invited, "accommodation", KENT)
    invite(competition, invited)
    stranger = OrganisationFactory()
    for ids in ([invited.pk], [stranger.pk], []):
        with pytest.raises(ValidationError):
            setup.competition_invite_newly_qualified(competition=competition, actor=commissioner, organisation_ids=ids)
    assert not AuditEvent.objects.filter(action="competition.invited_after_launch").exists()


def test_invitations_stop_at_the_exact_instant_of_the_last_day_for_questions(competition, commissioner):
    kent = OrganisationFactory()
    qualify(kent, "accommodation", KENT)
    deadline = competition.clarification_deadline
    with (
        mock.patch("competitions.services.setup.db_now", return_value=deadline),
        pytest.raises(ValidationError) as refused,
    ):
        setup.competition_invite_newly_qualified(
            competition=competition, actor=commissioner, organisation_ids=[kent.pk]
        )
    assert refused.value.messages == [setup.LATE_INVITATIONS_CLOSED]
    assert not CompetitionInvitation.objects.filter(organisation=kent).exists()
    assert not late_invitations_open(competition, now=deadline)
    assert late_invitations_open(competition, now=deadline - datetime.timedelta(microseconds=1))
    with mock.patch("competitions.services.setup.db_now", return_value=deadline - datetime.timedelta(microseconds=1)):
        setup.competition_invite_newly_qualified(
            competition=competition, actor=commissioner, organisation_ids=[kent.pk]
        )
    assert CompetitionInvitation.objects.filter(organisation=kent).exists()


def test_the_database_clock_decides_when_invitations_stop(competition, commissioner):
    kent = OrganisationFactory()
    qualify(kent, "accommodation", KENT)
    competition.clarification_deadline = db_now() - datetime.timedelta(milliseconds=1)
    competition.save(update_fields=["clarification_deadline"])
    with pytest.raises(ValidationError):
        setup.competition_invite_newly_qualified(
            competition=competition, actor=commissioner, organisation_ids=[kent.pk]
        )


def test_not_for_drafts_or_cancelled_opportunities(commissioner):
    draft = make_competition(launched=False)
    kent = OrganisationFactory()
    qualify(kent, "accommodation", KENT)
    assert newly_eligible(draft) == [] and not late_invitations_open(draft)
    with pytest.raises(ValidationError):
        setup.competition_invite_newly_qualified(competition=draft, actor=draft.created_by, organisation_ids=[kent.pk])
    cancelled = make_competition()
    cancelled.abandoned_at = timezone.now()
    cancelled.save(update_fields=["abandoned_at"])
    assert newly_eligible(cancelled) == [] and not late_invitations_open(cancelled)


def test_an_organisation_sees_open_opportunities_it_was_not_sent(competition):
    user = make_provider_user()
    organisation = user.memberships.get().organisation
    qualify(organisation, "accommodation", KENT)
    closed = make_competition(lots=["Kent"])
    closed.closes_at = timezone.now() - datetime.timedelta(seconds=1)
    closed.save(update_fields=["closes_at"])
    draft = make_competition(lots=["Kent"], launched=False)
    elsewhere = make_competition(lots=["Surrey"])
    sent = make_competition(lots=["Kent"])
    invite(sent, organisation)
    found = not_invited_opportunities(organisation)
    assert [c for c, _ in found] == [competition]
    assert [lot.name for lot in found[0][1].lots] == ["Kent"]
    for competition_ in (closed, draft, elsewhere, sent):
        assert competition_ not in [c for c, _ in found]


def test_opportunities_not_sent_are_a_fixed_number_of_queries_and_match_the_launch_rule(competition):
    """The organisation's qualifications are read once and asked of every lot, so the number of
    open opportunities it was not sent does not change the number of queries; and what it is
    offered is what launch's own rule (`invitation_plan`) would offer it."""
    user = make_provider_user()
    organisation = user.memberships.get().organisation
    qualify(organisation, "accommodation", KENT)
    qualify(organisation, "accommodation", MAIDSTONE)

    def count():
        with CaptureQueriesContext(connection) as queries:
            found = not_invited_opportunities(organisation)
        return len(queries), found

    few, found = count()
    assert [c for c, _ in found] == [competition]
    for _ in range(4):
        make_competition(lots=["Kent", "Surrey", "Sussex"])
    many, found = count()
    assert len(found) == 5
    assert many == few, (few, many)
    for competition_, invitee in found:
        launch = invitation_plan(competition_, among=[organisation.pk])[organisation.pk]
        assert (invitee.kind, [lot.pk for lot in invitee.lots]) == (launch.kind, [lot.pk for lot in launch.lots])
