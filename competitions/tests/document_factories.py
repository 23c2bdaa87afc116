"""Helpers for document tests: a draft competition with a public and a private document, moved
to any stage by its timestamps."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from competitions.models import Award, Competition
from competitions.selectors.status import competition_stage
from competitions.services import setup
from competitions.tests.evaluation_factories import commissioner_of
from competitions.tests.factories import make_bid, make_competition
from tests.factories import OrganisationFactory, make_user_with_role

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LAUNCHED_STAGES = {"open", "evaluation", "standstill", "awarded", "abandoned"}


def upload(name: str = "spec.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def draft_with_documents():
    competition = make_competition(launched=False, lots=("Kent",), evaluators=1)
    Competition.objects.filter(pk=competition.pk).update(planned_at=None, planned_by=None)
    competition.refresh_from_db()
    commissioner = commissioner_of(competition)
    public = setup.competition_document_add(
        competition=competition, actor=commissioner, title="Service specification", upload=upload(), public=True
    )
    private = setup.competition_document_add(
        competition=competition, actor=commissioner, title="Draft contract", upload=upload("contract.pdf")
    )
    return competition, public, private


def move_to(competition: Competition, stage: str) -> None:
    """Set the timestamps that put the competition in `stage` (invitations already exist)."""
    now = timezone.now()
    commissioner = commissioner_of(competition)
    updates: dict = {}
    if stage != "draft":
        updates.update(planned_at=now, planned_by=commissioner)
    if stage in LAUNCHED_STAGES:
        updates.update(launched_at=now - datetime.timedelta(days=20), launched_by=commissioner)
    if stage in ("evaluation", "standstill", "awarded"):
        updates.update(
            clarification_deadline=now - datetime.timedelta(days=2), closes_at=now - datetime.timedelta(days=1)
        )
    if stage == "abandoned":
        updates.update(abandoned_at=now, abandoned_by=commissioner, abandoned_reason="No longer needed")
    Competition.objects.filter(pk=competition.pk).update(**updates)
    competition.refresh_from_db()
    lot = competition.lots.get()
    if stage == "standstill":
        bid = make_bid(competition, competition.invitations.get(kind="eligible").organisation)
        Award.objects.create(
            lot=lot,
            bid=bid,
            recommended_by=commissioner,
            approved_at=now,
            approved_by=make_user_with_role("commissioner"),
            standstill_ends_at=now + datetime.timedelta(days=10),
        )
    if stage == "awarded":
        Award.objects.create(
            lot=lot,
            direct_organisation=OrganisationFactory(),
            direct_justification="No bids were received.",
            recommended_by=commissioner,
        )
    assert competition_stage(competition) == stage
