"""Uploaded files in S3-compatible object storage (STORAGE_BACKEND=s3), against a local S3 server
(tests/s3.py): each kind of upload is stored in the bucket under a name of our own, only through
Django's storage API, downloaded through the service's own views as an attachment, and deleted from
the bucket where the service deletes it. Bid documents are sealed before they reach the bucket."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from competitions.models import Bid, BidDocument
from competitions.services import setup
from competitions.tests.document_factories import PDF, draft_with_documents, move_to, upload
from competitions.tests.evaluation_factories import commissioner_of
from competitions.tests.factories import invite, make_competition
from config.settings.backends import FILESYSTEM_STORAGE, S3_STORAGE, default_storage_from_env
from contracts.models import ContractDocument
from contracts.tests.payments_world import live_contract_world
from qualification.models import ApplicationDocument
from qualification.tests.factories import ApplicationFactory, InterestFactory
from tests.factories import make_provider_user
from tests.s3 import stored_bytes, stored_keys

pytestmark = [pytest.mark.django_db, pytest.mark.s3]

ACCOUNTS = b"%PDF-1.4\n% our accounts for 2025\n%%EOF\n"
BID_PLAN = b"%PDF-1.4\n% how we will run the service in Kent\n%%EOF\n"
CONTRACT_REPORT = b"%PDF-1.4\n% 40 people started in the quarter\n%%EOF\n"


def test_accounts_uploaded_for_qualification_are_stored_in_the_bucket_and_downloaded_as_an_attachment(
    client, s3_bucket
):
    s3, bucket = s3_bucket
    user = make_provider_user()
    organisation = user.memberships.get().organisation
    InterestFactory(organisation=organisation, registered_by=user)
    ApplicationFactory(organisation=organisation, started_by=user)
    client.force_login(user)
    accounts = SimpleUploadedFile("our accounts.pdf", ACCOUNTS, content_type="application/pdf")
    response = client.post(
        reverse("qualification:section", kwargs={"key": "finance"}), {"turnover": "45000", "accounts": accounts}
    )
    assert response.status_code == 302
    document = ApplicationDocument.objects.get()
    assert document.file.name.startswith("applications/") and "accounts" not in document.file.name
    assert stored_keys(s3, bucket) == [document.file.name]
    assert stored_bytes(s3, bucket, document.file.name) == ACCOUNTS

    response = client.get(reverse("qualification:document", kwargs={"pk": document.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="our accounts.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == ACCOUNTS


def test_specification_documents_are_stored_in_the_bucket_and_downloaded_as_an_attachment(client, s3_bucket):
    s3, bucket = s3_bucket
    competition, _public, _private = draft_with_documents()
    document = setup.competition_document_add(
        competition=competition,
        actor=commissioner_of(competition),
        title="Service specification",
        upload=upload("spec.pdf"),
        public=True,
    )
    assert document.file.name in stored_keys(s3, bucket)
    assert len(stored_keys(s3, bucket)) == 3  # the two the draft started with, and this one
    move_to(competition, "planned")
    response = client.get(reverse("competitions:document-download", args=[competition.pk, document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; ")
    assert response["Content-Disposition"].endswith('-service-specification.pdf"')
    assert b"".join(response.streaming_content) == PDF


def test_bid_documents_are_sealed_in_the_bucket_downloaded_as_an_attachment_and_deleted_from_it(client, s3_bucket):
    s3, bucket = s3_bucket
    competition = make_competition()
    user = make_provider_user()
    invite(competition, user.memberships.get().organisation)
    client.force_login(user)
    client.post(reverse("competitions:bid-start", kwargs={"competition_id": competition.pk}))
    bid = Bid.objects.get(competition=competition)
    documents_url = reverse("competitions:bid-documents", kwargs={"competition_id": competition.pk})
    plan = SimpleUploadedFile("plan.pdf", BID_PLAN, content_type="application/pdf")
    assert client.post(documents_url, {"title": "Our plan", "file": plan}).status_code == 302
    document = BidDocument.objects.get(bid=bid)
    assert stored_keys(s3, bucket) == [document.file.name]
    sealed = stored_bytes(s3, bucket, document.file.name)
    assert b"Kent" not in sealed and b"%PDF" not in sealed  # a copy of the bucket reveals no bid

    response = client.get(
        reverse(
            "competitions:bid-document",
            kwargs={"competition_id": competition.pk, "bid_id": bid.pk, "document_id": document.pk},
        )
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert b"".join(response.streaming_content) == BID_PLAN

    remove_url = reverse(
        "competitions:bid-document-remove", kwargs={"competition_id": competition.pk, "document_id": document.pk}
    )
    assert client.post(remove_url).status_code == 302
    assert not BidDocument.objects.exists()
    assert stored_keys(s3, bucket) == []


def test_contract_documents_are_stored_in_the_bucket_and_downloaded_by_the_other_side(client, s3_bucket):
    s3, bucket = s3_bucket
    world = live_contract_world()
    contract = world["contract"]
    client.force_login(world["provider"])
    report = SimpleUploadedFile("Q1 report.pdf", CONTRACT_REPORT, content_type="application/pdf")
    response = client.post(
        reverse("contracts:document-new", kwargs={"pk": contract.pk}),
        {"title": "Quarterly report", "kind": "report", "file": report},
    )
    assert response.status_code == 302
    document = ContractDocument.objects.get(contract=contract)
    assert document.file.name.startswith("contracts/") and "report" not in document.file.name
    assert stored_keys(s3, bucket) == [document.file.name]
    assert stored_bytes(s3, bucket, document.file.name) == CONTRACT_REPORT

    client.force_login(world["first"])
    response = client.get(
        reverse("contracts:document-download", kwargs={"pk": contract.pk, "document_id": document.pk})
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="contract-{contract.pk}-quarterly-report.pdf"'
    assert b"".join(response.streaming_content) == CONTRACT_REPORT


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, {"BACKEND": FILESYSTEM_STORAGE, "OPTIONS": {"location": "/srv/base/var/uploads"}}),
        (
            {"STORAGE_BACKEND": "filesystem", "MEDIA_ROOT": "/data"},
            {"BACKEND": FILESYSTEM_STORAGE, "OPTIONS": {"location": "/data"}},
        ),
        (
            {"STORAGE_BACKEND": "s3", "AWS_STORAGE_BUCKET_NAME": "cps-uploads", "AWS_S3_REGION_NAME": "eu-west-2"},
            {
                "BACKEND": S3_STORAGE,
                "OPTIONS": {
                    "bucket_name": "cps-uploads",
                    "default_acl": "private",
                    "querystring_auth": True,
                    "file_overwrite": False,
                    "region_name": "eu-west-2",
                },
            },
        ),
    ],
)
def test_storage_comes_from_the_environment(env, expected):
    assert default_storage_from_env(env, base_dir=Path("/srv/base")) == expected


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STORAGE_BACKEND": "s3"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND must be filesystem or s3"),
    ],
)
def test_storage_misconfigured_refuses_to_start(env, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        default_storage_from_env(env, base_dir=Path("/srv/base"))


FILE_PATH_USE = re.compile(r"\b(file|storage|default_storage)\.path\b")


def test_uploads_are_read_and_written_only_through_the_storage_api():
    # Object storage has no local path: `FieldFile.path` or `Storage.path()` works on the
    # filesystem and fails only in production. Open, save and delete through the storage instead.
    root = Path(__file__).resolve().parent.parent
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for app in (
            "core",
            "audit",
            "reference",
            "accounts",
            "qualification",
            "competitions",
            "contracts",
            "opendata",
            "insights",
            "publicdata",
            "demo",
        )
        for path in sorted((root / app).rglob("*.py"))
        if "tests" not in path.parts and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if FILE_PATH_USE.search(line)
    ]
    assert found == []
