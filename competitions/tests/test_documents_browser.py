"""In a real browser, every page checked with axe: a commissioner adds a public and a private
specification document; the public downloads the public one from the public opportunity page
while the opportunity is planned; once it is launched an invited organisation downloads both;
after the closing date an evaluator finds them on the evaluation page."""

from __future__ import annotations

from competitions.models import CompetitionDocument
from competitions.tests.document_factories import PDF, move_to
from competitions.tests.evaluation_factories import commissioner_of, evaluators
from competitions.tests.factories import invite, make_competition
from tests.factories import make_provider_user
from tests.fixtures import browser_sign_in


def _download(ui, name: str):
    with ui.page.expect_download() as info:
        ui.page.get_by_role("link", name=name).click()
    return info.value


def test_documents_are_downloaded_by_the_public_and_by_invited_organisations(ui, tmp_path):
    competition = make_competition(launched=False, lots=("Kent",), evaluators=1)
    competition.planned_at = None
    competition.save()
    commissioner = commissioner_of(competition)
    browser_sign_in(ui, commissioner)

    page = ui.goto(f"/opportunities/manage/{competition.pk}/documents/")
    for title, audience in (("Service specification", "anyone"), ("Draft contract", "invited")):
        page.fill("#title", title)
        page.set_input_files(
            "#file", files=[{"name": "C:\\Users\\me\\spec.pdf", "mimeType": "text/html", "buffer": PDF}]
        )
        page.check(f"input[type=radio][name=public][value={audience}]")
        page.get_by_role("button", name="Upload document").click()
        ui.check()
        assert "Document added" in page.content()
    public = CompetitionDocument.objects.get(title="Service specification")
    private = CompetitionDocument.objects.get(title="Draft contract")
    assert public.public and not private.public

    # Change who can download the private one, then change it back.
    page.get_by_role("button", name="Let anyone download Draft contract").click()
    ui.check()
    assert "Anyone can now download ‘Draft contract’" in page.content()
    page.get_by_role("button", name="Only invited organisations can download Draft contract").click()
    ui.check()
    private.refresh_from_db()
    assert not private.public

    download = _download(ui, "Download Service specification")
    assert download.suggested_filename == f"{competition.reference.lower()}-service-specification.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes() == PDF
    ui.goto(f"/opportunities/manage/{competition.pk}/")
    assert page.get_by_role("link", name="Draft contract").is_visible()

    # Published as planned: the public sees and downloads the public document only.
    move_to(competition, "planned")
    ui.page.context.clear_cookies()
    page = ui.goto(f"/public/opportunities/{competition.pk}/")
    assert page.get_by_role("heading", name="Documents").is_visible()
    assert page.get_by_role("link", name="Draft contract").count() == 0
    assert _download(ui, "Service specification").suggested_filename.endswith("-service-specification.pdf")

    # Launched: an organisation invited as a possible partner downloads the private one too.
    member = make_provider_user(organisation=invite(competition, kind="partner").organisation)
    move_to(competition, "open")
    browser_sign_in(ui, member)
    page = ui.goto(f"/opportunities/{competition.pk}/")
    assert page.get_by_role("link", name="Service specification").is_visible()
    assert _download(ui, "Draft contract").suggested_filename.endswith("-draft-contract.pdf")

    # After the closing date the public link has gone; the evaluator still has both.
    move_to(competition, "evaluation")
    ui.page.context.clear_cookies()
    page = ui.goto(f"/public/opportunities/{competition.pk}/")
    assert page.get_by_role("link", name="Service specification").count() == 0
    browser_sign_in(ui, evaluators(competition)[0])
    page = ui.goto(f"/opportunities/{competition.pk}/evaluate/")
    assert page.get_by_role("heading", name="Specification documents").is_visible()
    assert _download(ui, "Draft contract").suggested_filename.endswith("-draft-contract.pdf")
