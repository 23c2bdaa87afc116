"""Audit actions declared private move no kept public answer (audit/changes.py, ADR 10).

Deny by default: an action moves the public data version unless the app that writes it declares it
private. A declaration is checked here, not trusted: each private action is performed through its
real service (the world and call of its row in tests/test_audit_actions.py, on top of a world with
public opportunities, bids, an award and a qualification), and every kept public answer, worked out
afresh before and after, must be byte-identical; the data version must not move. The check is shown
to catch a wrong declaration: an award declared private in a test-local registry is caught.
"""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit import changes
from audit.models import AuditEvent
from audit.services import audit_record
from competitions.models import Competition
from competitions.services import award as award_services
from competitions.tests.evaluation_factories import closed_competition, commissioner_of, priced_bid
from competitions.tests.factories import make_bid, make_competition
from core import pagecache
from core.clock import db_now
from core.tests.test_pagecache import KEPT_QUERIES, PUBLIC_ANSWERS
from qualification.tests.factories import QualificationFactory
from tests.clock import database_clock_at
from tests.factories import OrganisationFactory, UserFactory
from tests.test_audit_actions import TABLE, Row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keeping(settings):
    settings.PUBLIC_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


PRIVATE_ROWS = [row for row in TABLE if set(row.actions) <= changes.private_actions()]


def _public_world() -> tuple[Competition, object]:
    """Open, closed and awarded opportunities with bids, and a qualified supplier; returns a closed
    competition's lot that can still be awarded directly, and its commissioner."""
    open_competition = make_competition(lots=["Kent"])
    make_bid(open_competition)
    closed = make_competition(lots=["Kent"], closes_in=datetime.timedelta(days=-1))
    make_bid(closed)
    QualificationFactory()
    to_award = closed_competition(lots=("Kent",))
    priced_bid(to_award, "400000")  # never moderated: the lot may be awarded directly
    winner = OrganisationFactory(legal_name="Privately Declared Housing Ltd")
    for category in to_award.service_type.categories.all():
        QualificationFactory(organisation=winner, category=category, area=to_award.owner_area)
    return to_award, winner


def _urls() -> list[str]:
    pages = [f"/public/opportunities/{pk}/" for pk in Competition.objects.order_by("pk").values_list("pk", flat=True)]
    return [*PUBLIC_ANSWERS, *pages]


def _comparable(url: str, content: bytes) -> bytes | dict[str, bytes]:
    """The answer, or for a workbook every part but the time it was made (docProps/core.xml)."""
    if not url.endswith(".xlsx"):
        return content
    with zipfile.ZipFile(io.BytesIO(content)) as workbook:
        return {name: workbook.read(name) for name in workbook.namelist() if name != "docProps/core.xml"}


def _worked_out(settings) -> dict[str, bytes | dict[str, bytes]]:
    """Every public answer worked out afresh (keeping off), as anyone not signed in would see it."""
    settings.PUBLIC_CACHE_SECONDS = 0
    client = Client()
    answers = {}
    for url in _urls():
        response = client.get(url)
        assert response.status_code == 200, url
        answers[url] = _comparable(url, response.content)
    settings.PUBLIC_CACHE_SECONDS = 300
    return answers


def _changed_by(settings, call) -> tuple[list[str], bool]:
    """The public answers a call changes, and whether it moved the data version."""
    version = changes.data_version()
    before = _worked_out(settings)
    call()
    after = _worked_out(settings)
    changed = [url for url in before if after.get(url) != before[url]]
    return changed, changes.data_version() != version


@pytest.mark.parametrize("row", PRIVATE_ROWS, ids=[row.id for row in PRIVATE_ROWS])
def test_a_private_action_changes_no_public_answer_nor_the_version(row: Row, settings, monkeypatch):
    _public_world()
    # Stopped, so an answer that says when it was worked out (open data's publishedDate) says it the same.
    database_clock_at(monkeypatch, db_now())
    call = row.world()
    changed, moved = _changed_by(settings, call)
    assert not changed, f"{row.service} ({', '.join(row.actions)}) is declared private but changes {changed}"
    assert not moved


def test_the_private_rows_cover_every_declared_action_and_sign_in_and_bids():
    declared = changes.private_actions()
    assert {action for row in PRIVATE_ROWS for action in row.actions} == declared
    assert {"user.signed_in", "bid.submitted", "bid.withdrawn", "bid.answer_saved"} <= declared


# What `award_direct` writes (its row in tests/test_audit_actions.py).
AWARD_ACTIONS = {"award.direct", "award.letters_sent"}


def test_the_check_catches_a_public_action_declared_private(monkeypatch, settings):
    """A direct award declared private (a test-local registry) is caught: its answers change."""
    monkeypatch.setattr(changes, "_private_actions", changes._private_actions | AWARD_ACTIONS)
    lot_of, winner = _public_world()
    database_clock_at(monkeypatch, db_now())
    lot = lot_of.lots.get()

    def award():
        award_services.award_direct(
            lot=lot, organisation=winner, justification="No compliant bid", actor=commissioner_of(lot_of)
        )

    changed, moved = _changed_by(settings, award)
    assert {"/public/opportunities/", "/api/v1/public/opportunities", "/insights/who-takes-part/"} <= set(changed)
    assert not moved  # which is why declaring it private would leave kept answers stale
    assert not AuditEvent.objects.filter(action__in=AWARD_ACTIONS, public_change=True).exists()


def test_a_sign_in_no_longer_moves_the_version_but_is_still_recorded():
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.test import RequestFactory

    from accounts.services import user_sign_in
    from tests.factories import DEFAULT_PASSWORD

    user = UserFactory()
    audit_record(actor=None, action="thing.changed", object_type="test", object_id="1")
    version = changes.data_version()
    request = RequestFactory().post("/account/sign-in/")
    SessionMiddleware(lambda request: None).process_request(request)
    user_sign_in(request=request, email=user.email, password=DEFAULT_PASSWORD)
    event = AuditEvent.objects.get(action="user.signed_in")
    assert not event.public_change and changes.data_version() == version


def test_an_action_no_app_declares_still_moves_the_version():
    version = changes.data_version()
    event = audit_record(actor=None, action="new_app.something_new", object_type="test", object_id="1")
    assert event.public_change and changes.data_version() != version


def test_a_kept_answer_is_still_served_for_two_small_queries_after_private_writes():
    make_competition(lots=["Kent"])
    client = Client()
    cache.clear()
    client.get("/public/opportunities/")
    audit_record(actor=None, action="user.signed_in", object_type="test", object_id="1")
    with CaptureQueriesContext(connection) as context:
        again = client.get("/public/opportunities/")
    assert again.status_code == 200 and len(context.captured_queries) == KEPT_QUERIES
    assert pagecache.enabled()


def test_whether_an_event_counts_is_not_part_of_its_hash():
    from audit.services import canonical_content

    event = audit_record(actor=None, action="user.signed_in", object_type="test", object_id="1")
    assert b"public_change" not in canonical_content(event)
