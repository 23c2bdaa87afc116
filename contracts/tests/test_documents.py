"""A contract's documents: either side adds one, whoever may see the contract downloads it (as an
attachment, under a name of our own), nobody else learns it exists, and a document is never deleted,
only withdrawn with who, when and why. Bad files and missing answers get GOV.UK errors and change
nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Membership, Role
from audit.models import AuditEvent
from contracts.models import ContractDocument, DocumentKind
from contracts.services_documents import contract_document_add, contract_document_withdraw
from contracts.tests.payments_world import live_contract_world
from tests.factories import make_provider_user, make_user_with_role

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% the contract, signed by both sides\n%%EOF\n"


def _pdf(name="Signed contract FINAL.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def world():
    return live_contract_world()


def _add(world, actor=None, **kwargs):
    values = {"title": "Signed contract", "kind": DocumentKind.SIGNED_CONTRACT, "upload": _pdf()} | kwargs
    return contract_document_add(contract=world["contract"], actor=actor or world["first"], **values)


def test_a_commissioner_adds_a_document_stored_under_a_name_of_our_own_and_audited(world):
    document = _add(world)
    assert document.content_type == "application/pdf" and document.size == len(PDF)
    assert document.file.name.startswith("contracts/") and "Signed" not in document.file.name
    event = AuditEvent.objects.filter(action="contract_document.added").get()
    assert event.object_type == "contracts.contract" and event.object_id == str(world["contract"].pk)
    assert event.after["contract_document"] == document.pk and event.after["title"] == "Signed contract"


def test_the_provider_withdraws_a_document_which_stays_with_who_when_and_why(world):
    document = _add(world)
    withdrawn = contract_document_withdraw(document=document, actor=world["provider"], reason="  Wrong version.  ")
    assert withdrawn.withdrawn_at is not None and withdrawn.withdrawn_by == world["provider"]
    assert withdrawn.withdrawn_reason == "Wrong version."
    assert ContractDocument.objects.filter(pk=document.pk).exists()
    event = AuditEvent.objects.filter(action="contract_document.withdrawn").get()
    assert event.after["withdrawn_reason"] == "Wrong version."


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_a_withdrawal_needs_a_reason_of_sensible_length(world, reason):
    document = _add(world)
    with pytest.raises(ValidationError) as refused:
        contract_document_withdraw(document=document, actor=world["first"], reason=reason)
    assert "reason" in refused.value.message_dict
    document.refresh_from_db()
    assert document.withdrawn_at is None
    assert not AuditEvent.objects.filter(action="contract_document.withdrawn").exists()


def test_a_document_is_withdrawn_once(world):
    document = _add(world)
    contract_document_withdraw(document=document, actor=world["first"], reason="Replaced.")
    with pytest.raises(ValidationError, match="already been withdrawn"):
        contract_document_withdraw(document=document, actor=world["provider"], reason="Again.")


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"title": "  "}, "title", "Enter a title for the document"),
        ({"kind": "poem"}, "kind", "Select what kind of document it is"),
        ({"upload": None}, "file", "Select a file"),
        ({"upload": _pdf(content=b"")}, "file", "The selected file is empty"),
        ({"upload": _pdf("notes.txt", b"just some words")}, "file", "must be a PDF"),
        ({"upload": _pdf("contract.exe")}, "file", "its name must end in .pdf"),
    ],
)
def test_the_service_refuses_bad_input_and_stores_nothing(world, values, field, message):
    with pytest.raises(ValidationError) as refused:
        _add(world, **values)
    assert message in " ".join(refused.value.message_dict[field])
    assert not ContractDocument.objects.exists()
    assert not AuditEvent.objects.filter(action="contract_document.added").exists()


# --- Pages --------------------------------------------------------------------------------------


def _new_url(world):
    return reverse("contracts:document-new", kwargs={"pk": world["contract"].pk})


def _download_url(document):
    return reverse("contracts:document-download", kwargs={"pk": document.contract_id, "document_id": document.pk})


def test_the_provider_adds_a_document_on_its_own_page_and_the_commissioner_downloads_it(client, world):
    client.force_login(world["provider"])
    assert client.get(_new_url(world)).status_code == 200
    response = client.post(
        _new_url(world), {"title": "Quarterly report", "kind": DocumentKind.REPORT, "file": _pdf("q1.pdf")}
    )
    assert response.status_code == 302 and response["Location"].endswith("#documents")
    document = ContractDocument.objects.get()
    assert document.added_by == world["provider"]

    client.force_login(world["second"])
    page = client.get(reverse("contracts:detail", kwargs={"pk": world["contract"].pk})).content.decode()
    assert "Quarterly report" in page and _download_url(document) in page
    response = client.get(_download_url(document))
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="contract-{document.contract_id}-quarterly-report.pdf"'
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_a_withdrawn_document_is_shown_as_withdrawn_and_still_downloads(client, world):
    document = _add(world)
    client.force_login(world["provider"])
    url = reverse("contracts:document-withdraw", kwargs={"pk": world["contract"].pk, "document_id": document.pk})
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "Say why the document is being withdrawn" in response.content.decode()
    assert client.post(url, {"reason": "A later version replaces it."}).status_code == 302
    page = client.get(reverse("contracts:detail", kwargs={"pk": world["contract"].pk})).content.decode()
    assert "Withdrawn" in page and "A later version replaces it." in page
    assert client.get(_download_url(document)).status_code == 200
    # Nothing left to withdraw: back to the contract with a message.
    assert client.get(url).status_code == 302


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"title": "", "kind": "report"}, "Enter a title for the document"),
        ({"title": "Report", "kind": "report", "file": None}, "Select a file"),
        ({"title": "Report", "kind": "report", "file": ("empty.pdf", b"")}, "The selected file is empty"),
        ({"title": "Report", "kind": "report", "file": ("report.html", b"<html><body>hi</body></html>")}, "must be a"),
        ({"title": "Report", "kind": "report", "file": ("big.pdf", b"%PDF-1.4\n" + b"0" * 2048)}, "smaller than"),
        ({"title": "Report", "file": ("q1.pdf", PDF)}, "Select what kind of document it is"),
    ],
)
def test_bad_input_gets_a_govuk_error_keeps_the_answers_and_adds_nothing(client, world, settings, values, message):
    settings.MAX_UPLOAD_BYTES = 1024
    data = dict(values)
    default_file = ("q1.pdf", PDF)
    file = data.pop("file", default_file)
    if file is not None:
        data["file"] = SimpleUploadedFile(file[0], file[1], content_type="application/pdf")
    client.force_login(world["first"])
    response = client.post(_new_url(world), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page
    if data.get("title"):
        assert f'value="{data["title"]}"' in page
    if data.get("kind"):
        assert 'value="report" checked' in page
    assert not ContractDocument.objects.exists()


def test_who_may_add_and_who_may_download(client, world):
    document = _add(world)
    contract = world["contract"]
    member = make_provider_user(is_admin=False, organisation=contract.supplier)
    elsewhere = make_user_with_role(Role.COMMISSIONER, area_code="D")
    assessor = make_user_with_role(Role.ASSESSOR)
    withdraw_url = reverse("contracts:document-withdraw", kwargs={"pk": contract.pk, "document_id": document.pk})
    expected = {
        # (add page, download, withdraw page)
        world["first"]: (200, 200, 200),
        world["provider"]: (200, 200, 200),
        member: (404, 200, 404),  # sees the contract, does not answer for the provider
        elsewhere: (404, 200, 404),  # staff see every contract
        assessor: (404, 200, 404),
        # The losing bidder: another organisation, which may not see this contract at all.
        Membership.objects.filter(organisation=world["loser"].organisation).first().user: (404, 404, 404),
    }
    for user, (add, download, withdraw) in expected.items():
        client.force_login(user)
        assert client.get(_new_url(world)).status_code == add, user
        assert client.get(_download_url(document)).status_code == download, user
        assert client.get(withdraw_url).status_code == withdraw, user
    client.logout()
    assert client.get(_download_url(document)).status_code == 302  # to sign in


def test_a_document_of_another_contract_is_not_found_under_this_one(client, world):
    document = _add(world)
    client.force_login(world["first"])
    url = reverse("contracts:document-download", kwargs={"pk": world["contract"].pk, "document_id": document.pk + 1})
    assert client.get(url).status_code == 404
