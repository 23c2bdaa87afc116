"""A commissioner sets up a three-lot competition with a funding partner and launches it, in a
real browser, with an accessibility check on every page."""

import datetime

from django.utils import timezone

from competitions.models import Competition
from core.clock import LONDON
from qualification.tests.factories import QualificationFactory
from reference.models import Area, ServiceType
from tests.factories import OrganisationFactory, make_user_with_role
from tests.fixtures import browser_sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _date(page, prefix, day: datetime.date):
    page.fill(f"#{prefix}-day", str(day.day))
    page.fill(f"#{prefix}-month", str(day.month))
    page.fill(f"#{prefix}-year", str(day.year))


def _submit(ui, text="Save and continue"):
    ui.get_by_role("button", name=text).click()
    ui.check()


def test_commissioner_sets_up_and_launches_a_three_lot_competition(ui):
    commissioner = make_user_with_role("commissioner", area_code="K", full_name="Cara Commissioner")
    service = ServiceType.objects.get(code="accommodation")
    pcc = {name: Area.objects.get(level="pcc_area", name=name) for name in ("Kent", "Surrey", "Sussex")}
    national = OrganisationFactory(legal_name="National Homes Ltd")
    for category in service.categories.all():
        QualificationFactory(organisation=national, category=category, area=Area.objects.get(code="K"))
    browser_sign_in(ui, commissioner)

    page = ui.goto("/opportunities/manage/")
    page.get_by_role("button", name="Create an opportunity").click()
    ui.check()
    page.fill("#title", "Accommodation support in Kent, Surrey and Sussex")
    page.select_option("#service_type", str(service.pk))
    page.select_option("#owner_area", str(Area.objects.get(code="K").pk))
    page.fill("#summary", "Help people on probation find and keep a safe home.")
    page.fill("#specification", "Providers find homes and support tenancies.")
    _submit(ui)
    competition = Competition.objects.get()
    assert page.locator("h1").inner_text() == "Accommodation support in Kent, Surrey and Sussex"

    now = timezone.now().astimezone(LONDON)
    start = (now + datetime.timedelta(days=150)).date()
    ui.goto(f"/opportunities/manage/{competition.pk}/contract/")
    _date(page, "contract_start", start)
    page.fill("#contract_years", "3")
    page.fill("#extension_years", "1")
    page.check("input[name=payment_frequency][value=monthly_arrears]")
    page.fill("#payment_days", "30")
    _submit(ui)

    for name in ("Kent", "Surrey", "Sussex"):
        ui.goto(f"/opportunities/manage/{competition.pk}/lots/add/")
        page.fill("#name", name)
        page.check(f"input[name=area][value='{pcc[name].pk}']")
        _submit(ui)
        assert "Estimated value and people each year" in page.locator("h1").inner_text()
        values = page.locator("input[name^=value_]")
        for index in range(values.count()):
            values.nth(index).fill(f"{300000 + 50000 * index:,}")  # ramp-up, typed with commas
        volumes = page.locator("input[name^=volume_]")
        for index in range(volumes.count()):
            volumes.nth(index).fill("150")
        _submit(ui)

    kent = competition.lots.get(name="Kent")
    ui.goto(f"/opportunities/manage/{competition.pk}/funding-partners/add/")
    page.fill("#name", "Kent Police and Crime Commissioner")
    page.check("input[name=party_type][value=pcc]")
    page.fill(f"#lot_{kent.pk}", "25")
    _submit(ui)
    assert "Kent Police and Crime Commissioner" in page.content()

    ui.goto(f"/opportunities/manage/{competition.pk}/documents/")
    page.fill("#title", "Service specification")
    page.set_input_files("#file", files=[{"name": "spec.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.check("input[type=radio][name=public][value=anyone]")
    _submit(ui, "Upload document")
    assert "Document added" in page.content()

    for kind, text, weight in (
        ("quality", "How will you help people find a home quickly?", "60"),
        ("social_value", "What social value will you add?", "10"),
    ):
        ui.goto(f"/opportunities/manage/{competition.pk}/bid-questions/add/")
        page.check(f"input[name=kind][value={kind}]")
        page.fill("#text", text)
        page.fill("#word_limit", "500")
        page.fill("#weight", weight)
        _submit(ui)

    ui.goto(f"/opportunities/manage/{competition.pk}/scoring/")
    page.fill("#price_weight", "30")
    page.fill("#social_value_weight", "10")
    _submit(ui)

    ui.goto(f"/opportunities/manage/{competition.pk}/timetable/")
    for prefix, days in (
        ("clarification_deadline", 20),
        ("closes_at", 30),
        ("evaluation_ends_at", 60),
        ("intended_award_at", 90),
    ):
        _date(page, f"{prefix}_date", (now + datetime.timedelta(days=days)).date())
        page.fill(f"#{prefix}_time", "5pm")
    page.fill("#standstill_days", "8")
    _submit(ui)
    assert "Before you can launch" not in page.content()

    page.get_by_role("button", name="Launch").click()
    ui.check()
    _submit(ui, "Launch and invite providers")
    assert "Opportunity launched. 1 organisation told about it" in page.content()
    assert "National Homes Ltd: can bid for Kent, Surrey, Sussex" in page.locator("main").inner_text()
    assert page.locator("main .govuk-tag").first.inner_text() == "Open for bids"

    competition.refresh_from_db()
    assert competition.launched_by == commissioner
    assert competition.documents.get().sha256 and competition.documents.get().public
    kent_years = list(kent.years.values_list("value", flat=True))
    assert kent_years[0] < kent_years[-1]
    assert kent.funding.get().share_percent == 25
