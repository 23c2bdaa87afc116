"""Specification documents: who may download them at every stage (every role, the public
included), how they are served, the public choice and its audit, and the links to them."""

from __future__ import annotations

import datetime
import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from competitions.models import Competition, CompetitionDocument
from competitions.permissions_documents import can_download_document
from competitions.selectors.documents import download_filename, public_documents
from competitions.services import setup
from competitions.tests.document_factories import LAUNCHED_STAGES, PDF, draft_with_documents, move_to, upload
from competitions.tests.evaluation_factories import commissioner_of, evaluators
from competitions.tests.factories import invite
from qualification.uploads import FILE_TYPES
from tests.factories import make_provider_user, make_user_with_role
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db

STAGES = ["draft", "planned", "open", "evaluation", "standstill", "awarded", "abandoned"]
# Written out, not worked out from the rule: public documents may be downloaded by anyone only here.
PUBLIC_DOWNLOAD_STAGES = {"planned", "open"}
# People with a part in this competition, besides the roles every permission test tries.
PARTIES = ["team_commissioner", "team_evaluator", "eligible_member", "partner_member"]


def _parties(competition: Competition) -> dict:
    eligible = invite(competition)
    partner = invite(competition, kind="partner")
    return {
        "team_commissioner": commissioner_of(competition),
        "team_evaluator": evaluators(competition)[0],
        "eligible_member": make_provider_user(organisation=eligible.organisation, is_admin=False),
        "partner_member": make_provider_user(organisation=partner.organisation, is_admin=False),
    }


def _expected(who: str, stage: str, document: CompetitionDocument) -> int:
    if who in ("team_commissioner", "team_evaluator"):
        return 200
    if who in ("eligible_member", "partner_member") and stage in LAUNCHED_STAGES:
        return 200
    return 200 if document.public and stage in PUBLIC_DOWNLOAD_STAGES else 404


@pytest.mark.parametrize("stage", STAGES)
def test_who_may_download_each_document_at_every_stage(client, user_for_role, stage):
    competition, public, private = draft_with_documents()
    parties = _parties(competition)
    move_to(competition, stage)
    people = {role: user_for_role(role) for role in ALL_ROLES} | parties
    missing = reverse("competitions:document-download", args=[competition.pk, private.pk + 1000])
    for who, user in people.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        not_found = client.get(missing)
        assert not_found.status_code == 404
        for document in (public, private):
            response = client.get(reverse("competitions:document-download", args=[competition.pk, document.pk]))
            expected = _expected(who, stage, document)
            assert response.status_code == expected, (who, stage, document.title)
            if expected == 200:
                assert b"".join(response.streaming_content) == PDF
            else:
                # Exactly what a document that does not exist gives: nothing is revealed.
                assert response.content == not_found.content, (who, stage, document.title)


def test_the_public_may_download_a_public_document_until_the_closing_instant(client):
    competition, public, private = draft_with_documents()
    move_to(competition, "open")
    closes_at = competition.closes_at
    just_before = closes_at - datetime.timedelta(microseconds=1)
    for user in (None, make_user_with_role("assessor"), make_provider_user()):
        assert can_download_document(user, public, now=just_before)
        assert not can_download_document(user, public, now=closes_at)
        assert not can_download_document(user, private, now=just_before)
    assert list(public_documents(competition, now=just_before)) == [public]
    assert list(public_documents(competition, now=closes_at)) == []
    # Invited organisations keep every document after the closing date.
    member = make_provider_user(organisation=invite(competition).organisation)
    assert can_download_document(member, private, now=closes_at + datetime.timedelta(days=30))


def test_a_document_of_another_competition_is_not_found_under_this_one(client):
    competition, public, _private = draft_with_documents()
    other, _other_public, _ = draft_with_documents()
    for c in (competition, other):
        move_to(c, "open")
    assert client.get(reverse("competitions:document-download", args=[other.pk, public.pk])).status_code == 404
    assert client.get(reverse("competitions:document-download", args=[competition.pk, public.pk])).status_code == 200


def test_a_download_is_an_attachment_of_the_checked_type_with_a_safe_name(client):
    competition, _public, _private = draft_with_documents()
    document = setup.competition_document_add(
        competition=competition,
        actor=commissioner_of(competition),
        title="../../etc/passwd <script>alert(1)</script> “Spec” v2",
        upload=upload('..\\..\\evil".pdf'),
        public=True,
    )
    assert "evil" not in document.file.name and ".." not in document.file.name
    move_to(competition, "planned")
    response = client.get(reverse("competitions:document-download", args=[competition.pk, document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    filename = f"{competition.reference.lower()}-etcpasswd-scriptalert1script-spec-v2.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert download_filename(document) == filename
    assert client.head(reverse("competitions:document-download", args=[competition.pk, document.pk])).status_code == 200
    assert client.post(reverse("competitions:document-download", args=[competition.pk, document.pk])).status_code == 405


def _ooxml(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", f'<Types><Override ContentType="{kind}"/></Types>')
    return buffer.getvalue()


def _odf(mimetype: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype)
    return buffer.getvalue()


SAMPLES = {
    "application/pdf": PDF,
    "image/png": b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
    "image/jpeg": b"\xff\xd8\xff\xe0" + b"\0" * 32,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _ooxml(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _ooxml(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    ),
    "application/vnd.oasis.opendocument.text": _odf("application/vnd.oasis.opendocument.text"),
    "application/vnd.oasis.opendocument.spreadsheet": _odf("application/vnd.oasis.opendocument.spreadsheet"),
}


def test_every_type_the_upload_check_accepts_is_served_as_itself_with_its_extension(client):
    competition, _public, _private = draft_with_documents()
    assert set(SAMPLES) == set(FILE_TYPES)
    documents = {}
    for content_type, content in SAMPLES.items():
        # The name the uploader's file had is never used: the content decides the type served.
        documents[content_type] = setup.competition_document_add(
            competition=competition,
            actor=commissioner_of(competition),
            title=f"Annex {len(documents) + 1}",
            upload=upload(f"annex{FILE_TYPES[content_type][0][0]}", content),
            public=True,
        )
    move_to(competition, "open")
    for content_type, document in documents.items():
        assert document.content_type == content_type
        response = client.get(reverse("competitions:document-download", args=[competition.pk, document.pk]))
        assert response["Content-Type"] == content_type
        extension = FILE_TYPES[content_type][0][0]
        assert response["Content-Disposition"].endswith(f'{extension}"')
        assert b"".join(response.streaming_content) == SAMPLES[content_type]


def test_the_public_choice_is_made_at_upload_and_changed_only_before_launch_with_an_audit():
    competition, public, private = draft_with_documents()
    commissioner = commissioner_of(competition)
    added = AuditEvent.objects.get(action="competition.document_added", object_id=str(public.pk))
    assert added.after["public"] is True and added.after["sha256"] == hashlib.sha256(PDF).hexdigest()

    setup.competition_document_set_public(document=private, actor=commissioner, public=True)
    event = AuditEvent.objects.get(action="competition.document_public_changed")
    assert (event.before, event.after) == ({"public": False}, {"public": True})
    private.refresh_from_db()
    assert private.public

    # No change, no event.
    setup.competition_document_set_public(document=private, actor=commissioner, public=True)
    assert AuditEvent.objects.filter(action="competition.document_public_changed").count() == 1

    move_to(competition, "planned")
    setup.competition_document_set_public(document=private, actor=commissioner, public=False)
    assert AuditEvent.objects.filter(action="competition.document_public_changed").count() == 2

    move_to(competition, "open")
    with pytest.raises(ValidationError):
        setup.competition_document_set_public(document=private, actor=commissioner, public=True)
    private.refresh_from_db()
    assert not private.public


# --- Pages ------------------------------------------------------------------------------------


def test_commissioner_documents_page_links_each_document_and_changes_who_can_download_it(client):
    competition, public, private = draft_with_documents()
    commissioner = commissioner_of(competition)
    client.force_login(commissioner)
    page = client.get(reverse("competitions:manage-documents", args=[competition.pk])).content.decode()
    for document in (public, private):
        assert reverse("competitions:document-download", args=[competition.pk, document.pk]) in page
    assert "Anyone can download it from when the opportunity is published until it closes." in page
    assert "Only the organisations we invite to bid can download it." in page
    assert "(PDF, 1KB)" in page
    detail = client.get(reverse("competitions:manage-detail", args=[competition.pk])).content.decode()
    assert reverse("competitions:document-download", args=[competition.pk, private.pk]) in detail

    url = reverse("competitions:manage-document-public", args=[competition.pk, private.pk])
    response = client.post(url, {"public": "anyone"})
    assert response.status_code == 302
    private.refresh_from_db()
    assert private.public
    client.post(url, {"public": "nonsense"})
    private.refresh_from_db()
    assert private.public
    client.post(url, {"public": "invited"})
    private.refresh_from_db()
    assert not private.public


def test_uploading_asks_who_can_download_and_keeps_what_was_typed(client):
    competition, _public, _private = draft_with_documents()
    client.force_login(commissioner_of(competition))
    url = reverse("competitions:manage-documents", args=[competition.pk])
    response = client.post(url, {"title": "Annex A", "file": upload()})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose who can download the document" in page and 'value="Annex A"' in page
    response = client.post(url, {"title": "Annex A", "file": upload(), "public": "anyone"})
    assert response.status_code == 302
    assert competition.documents.get(title="Annex A").public


def test_public_opportunity_page_links_public_documents_only_while_planned_or_open(client):
    competition, public, private = draft_with_documents()
    url = reverse("publicdata:opportunity", args=[competition.pk])
    for stage, shown in (("planned", True), ("open", True), ("evaluation", False)):
        move_to(competition, stage)
        page = client.get(url).content.decode()
        assert (reverse("competitions:document-download", args=[competition.pk, public.pk]) in page) is shown
        assert reverse("competitions:document-download", args=[competition.pk, private.pk]) not in page
        assert ("Service specification" in page) is shown


def test_provider_opportunity_page_links_every_document(client):
    competition, public, private = draft_with_documents()
    member = make_provider_user(organisation=invite(competition, kind="partner").organisation)
    move_to(competition, "open")
    client.force_login(member)
    page = client.get(reverse("competitions:opportunity", args=[competition.pk])).content.decode()
    for document in (public, private):
        assert reverse("competitions:document-download", args=[competition.pk, document.pk]) in page


def test_evaluation_page_links_every_document_for_the_team(client):
    competition, public, private = draft_with_documents()
    move_to(competition, "evaluation")
    client.force_login(evaluators(competition)[0])
    page = client.get(reverse("competitions:evaluate", args=[competition.pk])).content.decode()
    for document in (public, private):
        assert reverse("competitions:document-download", args=[competition.pk, document.pk]) in page
