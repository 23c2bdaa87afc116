"""In a real browser, every page checked with axe: the provider adds a document to its contract (a
missing title explained first, the answers kept); the commissioner downloads it from the contract
page and withdraws it with a reason; it stays listed, marked as withdrawn."""

import pytest

from contracts.models import ContractDocument
from contracts.tests.payments_world import live_contract_world
from tests.fixtures import browser_sign_in

PDF = b"%PDF-1.4\n% 40 people started in the quarter\n%%EOF\n"


@pytest.mark.django_db(transaction=True)
def test_the_provider_adds_a_document_and_the_commissioner_downloads_and_withdraws_it(ui, tmp_path):
    world = live_contract_world()
    c = world["contract"].pk

    browser_sign_in(ui, world["provider"])
    page = ui.goto(f"/contracts/{c}/")
    ui.check()
    assert page.get_by_text("No documents yet.").is_visible()
    page.get_by_role("link", name="Add a document").click()
    ui.check()
    # No title: a clear message, and the kind chosen is kept.
    page.get_by_label("Report").check()
    page.set_input_files("#file", files=[{"name": "q1.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="Add document").click()
    ui.check()
    assert page.get_by_role("link", name="Enter a title for the document").is_visible()
    assert page.get_by_label("Report").is_checked()
    page.get_by_label("Document title").fill("Quarterly report, April to June")
    page.set_input_files("#file", files=[{"name": "q1.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="Add document").click()
    ui.check()
    assert page.get_by_text("Document ‘Quarterly report, April to June’ added").is_visible()
    document = ContractDocument.objects.get(contract_id=c)

    # The other side: the commissioner downloads it from the contract page.
    browser_sign_in(ui, world["first"])
    page = ui.goto(f"/contracts/{c}/")
    ui.check()
    with page.expect_download() as info:
        page.get_by_role("link", name="Quarterly report, April to June", exact=True).click()
    download = info.value
    assert download.suggested_filename == f"contract-{c}-quarterly-report-april-to-june.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes() == PDF

    # Withdrawn, never deleted: a reason is needed, then it stays listed as withdrawn.
    page.get_by_role("link", name="Withdraw Quarterly report, April to June").click()
    ui.check()
    page.get_by_role("button", name="Withdraw document").click()
    ui.check()
    assert page.get_by_role("link", name="Say why the document is being withdrawn").is_visible()
    page.get_by_label("Why are you withdrawing this document?").fill("Sent to the wrong contract.")
    page.get_by_role("button", name="Withdraw document").click()
    ui.check()
    assert page.get_by_text("Sent to the wrong contract.").is_visible()
    assert page.get_by_text("Withdrawn", exact=True).is_visible()
    document.refresh_from_db()
    assert document.withdrawn_by == world["first"]
