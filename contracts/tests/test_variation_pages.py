"""A contract's pages after award: who sees and does what, and bad input answered on the page."""

import datetime
import re

import pytest
from django.urls import reverse
from markupsafe import escape

from accounts.models import Membership
from audit.models import AuditEvent
from competitions.tests.evaluation_factories import award_world
from contracts import services
from contracts.models import ContractVersion, VariationGround
from contracts.selectors import terms_in_force
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db

STAFF = {"assessor", "commissioner", "evaluator", "practitioner", "administrator"}


@pytest.fixture
def world():
    world = award_world()
    contract = world["contract"]
    commissioners = [m.user for m in contract.lot.competition.members.filter(role="commissioner").order_by("pk")]
    provider = Membership.objects.filter(organisation=contract.supplier).first()
    Membership.objects.filter(pk=provider.pk).update(is_admin=True)
    draft = services.variation_start(
        contract=contract, ground=VariationGround.UNFORESEEABLE, explanation="More referrals.", actor=commissioners[0]
    )
    return {
        "contract": contract,
        "first": commissioners[0],
        "second": commissioners[1],
        "provider": provider.user,
        "draft": draft,
    }


def _urls(contract, number):
    pk = contract.pk
    return {
        "detail": reverse("contracts:detail", args=[pk]),
        "version": reverse("contracts:version", args=[pk, 1]),
        "draft": reverse("contracts:version", args=[pk, number]),
        "start": reverse("contracts:variation-start", args=[pk]),
        "end-date": reverse("contracts:variation-end-date", args=[pk, number]),
        "years": reverse("contracts:variation-years", args=[pk, number]),
        "areas": reverse("contracts:variation-areas", args=[pk, number]),
        "payment": reverse("contracts:variation-payment", args=[pk, number]),
        "decline": reverse("contracts:variation-decline", args=[pk, number]),
        "extend": reverse("contracts:extend", args=[pk]),
        "terminate": reverse("contracts:terminate", args=[pk]),
        "manager-c": reverse("contracts:manager", args=[pk, "commissioner"]),
        "manager-p": reverse("contracts:manager", args=[pk, "provider"]),
        "history": reverse("audit:history", args=["contracts.contract", pk]),
    }


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_on_every_page(client_for_role, world, role):
    """Outsiders get "not found"; staff outside the opportunity and providers' ordinary members
    read but cannot change; drafts are the commissioners' own."""
    client, _ = client_for_role(role)
    urls = _urls(world["contract"], world["draft"].number)
    codes = {name: client.get(url).status_code for name, url in urls.items()}
    if role == "anonymous":
        assert set(codes.values()) == {302}
    elif role in STAFF:
        assert codes["detail"] == codes["version"] == codes["draft"] == codes["history"] == 200
        # Not one of this opportunity's commissioners: may not change anything, and is told "not
        # found", as for a contract that does not exist.
        for name in ("start", "end-date", "years", "areas", "payment", "extend", "terminate", "manager-c", "manager-p"):
            assert codes[name] == 404, name
    else:
        assert set(codes.values()) == {404}, codes


def test_the_provider_sees_the_contract_but_not_the_draft(client, world):
    client.force_login(world["provider"])
    urls = _urls(world["contract"], world["draft"].number)
    page = client.get(urls["detail"]).content.decode()
    assert "Version 1" in page and "Version 2" not in page
    assert client.get(urls["draft"]).status_code == 404
    assert client.get(urls["start"]).status_code == 404
    assert client.get(urls["manager-p"]).status_code == 200
    assert "History of this contract" in page and client.get(urls["history"]).status_code == 200


def test_a_variation_through_the_pages(client, world):
    contract, draft = world["contract"], world["draft"]
    urls = _urls(contract, draft.number)
    client.force_login(world["first"])
    assert "Draft" in client.get(urls["detail"]).content.decode()
    # A negative volume and a date before today are refused on the page and change nothing.
    years = {f"value_{y}": "400000" for y in (2027, 2028, 2029, 2030)} | {
        f"volume_{y}": "120" for y in (2027, 2028, 2029, 2030)
    }
    page = client.post(urls["years"], years | {"volume_2028": "-4"}).content.decode()
    assert "Number of people for 2028 to 2029 must be 0 or more" in page
    page = client.post(
        urls["end-date"], {"ends_on-day": "1", "ends_on-month": "1", "ends_on-year": "2020"}
    ).content.decode()
    assert "The new end date must be today or in the future" in page
    assert ContractVersion.objects.get(pk=draft.pk).ends_on == datetime.date(2030, 6, 30)
    response = client.post(urls["years"], years | {"value_2027": "£450,000"})
    assert response.status_code == 302
    response = client.post(
        urls["payment"],
        {
            "payment_frequency": "quarterly_arrears",
            "payment_model": "sessions",
            "payment_days": "20",
            "payment_working_days": "yes",
        },
    )
    assert response.status_code == 302
    page = client.get(urls["draft"]).content.decode()
    assert "£450,000" in page and "Quarterly in arrears" in page
    client.post(reverse("contracts:variation-propose", args=[contract.pk, draft.number]))
    # The proposer cannot approve it: no button, and the service says no.
    page = client.get(urls["draft"]).content.decode()
    assert "Approve this change" not in page
    client.post(reverse("contracts:variation-approve", args=[contract.pk, draft.number]), follow=True)
    assert ContractVersion.objects.get(pk=draft.pk).approved_at is None
    client.force_login(world["second"])
    assert "Approve this change" in client.get(urls["draft"]).content.decode()
    client.post(reverse("contracts:variation-approve", args=[contract.pk, draft.number]))
    client.force_login(world["provider"])
    page = client.get(urls["draft"]).content.decode()
    assert "Accept this change" in page
    client.post(reverse("contracts:variation-accept", args=[contract.pk, draft.number]))
    assert terms_in_force(contract).number == draft.number
    page = client.get(urls["detail"]).content.decode()
    assert "£450,000" in page and "Quarterly in arrears, paid within 20 working days" in page
    # A second accept changes nothing and says why.
    page = client.post(
        reverse("contracts:variation-accept", args=[contract.pk, draft.number]), follow=True
    ).content.decode()
    assert "not waiting for you to accept it" in page
    assert AuditEvent.objects.filter(action="contract.variation_accepted").count() == 1


def test_manager_pages(client, world):
    contract = world["contract"]
    client.force_login(world["first"])
    url = reverse("contracts:manager", args=[contract.pk, "commissioner"])
    assert "Select a contract manager" in client.post(url, {}).content.decode()
    assert "Select a contract manager from the list" in client.post(url, {"manager": "99999"}).content.decode()
    client.post(url, {"manager": world["second"].pk})
    # The page escapes the name as Jinja does (a generated name may be "O'Brien").
    page = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert str(escape(world["second"].full_name)) in page
    assert client.get(reverse("contracts:manager", args=[contract.pk, "someone"])).status_code == 404


def test_withdraw_then_extend_and_terminate_pages(client, world):
    contract = world["contract"]
    type(contract).objects.filter(pk=contract.pk).update(extension_years=2)
    client.force_login(world["first"])
    urls = _urls(contract, world["draft"].number)
    assert "Say why" in client.post(urls["decline"], {"reason": ""}).content.decode()
    client.post(urls["decline"], {"reason": "Not needed after all."})
    page = client.post(urls["extend"], {"years": "3", "explanation": "Good results."}).content.decode()
    assert "Select how many years" in page
    response = client.post(urls["extend"], {"years": "2", "explanation": "Good results."})
    assert response.status_code == 302
    version = ContractVersion.objects.get(contract=contract, number=3)
    assert version.ends_on == datetime.date(2032, 6, 30)
    client.post(reverse("contracts:variation-decline", args=[contract.pk, 3]), {"reason": "Not this year."})
    today = datetime.date.today()
    form = {
        "reason": "mutual",
        "explanation": "Both sides agreed.",
        "notice_on-day": str(today.day),
        "notice_on-month": str(today.month),
        "notice_on-year": str(today.year),
        "terminates_on-day": "1",
        "terminates_on-month": "7",
        "terminates_on-year": "2031",
    }
    page = client.post(urls["terminate"], form).content.decode()
    assert "on or before the contract" in page
    response = client.post(urls["terminate"], form | {"terminates_on-year": "2028"})
    assert response.status_code == 302
    page = client.get(urls["detail"]).content.decode()
    assert "Ending early" in page and "1 July 2028" in page
    assert "Propose a change" not in page
    assert re.search(r"Both sides agreed", page)


def test_partners_page(client, world):
    from decimal import Decimal

    from contracts.models import ContractVersionPartner

    contract, draft = world["contract"], world["draft"]
    url = reverse("contracts:variation-partners", args=[contract.pk, draft.number])
    client.force_login(world["first"])
    assert client.get(url).status_code == 404  # no partners to change
    partner = ContractVersionPartner.objects.create(
        version=draft, name="Small Charity", role="subcontractor", share_percent=Decimal("30")
    )
    assert "Small Charity: percentage of the work" in client.get(url).content.decode()
    page = client.post(url, {f"share_{partner.pk}": "130"}).content.decode()
    assert "Small Charity&#39;s share must be 100 or less" in page
    assert client.post(url, {f"share_{partner.pk}": "35"}).status_code == 302
    partner.refresh_from_db()
    assert partner.share_percent == Decimal("35")
    client.force_login(world["provider"])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("page", ["start", "extend"])
def test_the_explanation_hint_says_it_is_published_and_must_not_name_anyone(client, world, page):
    """A change's explanation becomes its public reason in open data (the OCDS amendment's
    rationale), so the page warns, in plain words and tied to the box, not to name anyone."""
    import textstat

    contract = world["contract"]
    type(contract).objects.filter(pk=contract.pk).update(extension_years=2)
    client.force_login(world["first"])
    html = client.get(_urls(contract, world["draft"].number)[page]).content.decode()
    # The hint the explanation box names in aria-describedby: a screen reader reads it with the box.
    box = re.search(r'<textarea[^>]*name="explanation"[^>]*>', html).group(0)
    described_by = re.search(r'aria-describedby="([^"]+)"', box).group(1).split()
    hints = [re.search(rf'<div id="{name}" class="govuk-hint">(.*?)</div>', html, re.S) for name in described_by]
    text = " ".join(" ".join(hint.group(1).split()) for hint in hints if hint)
    assert "published as the reason for the change, so anyone can read it" in text
    assert "Do not name people or give any personal details." in text
    assert textstat.flesch_kincaid_grade(text) <= 8
