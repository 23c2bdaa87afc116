"""OCDS open data: valid against the 1.1.5 schema with the lots, bid and techniques extensions,
sealed before the closing date, free of personal data, paginated, streamed, compiled."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from competitions.models import Award, Bid, PassFailResult
from competitions.tests.factories import make_bid, make_competition
from opendata.encoding import dumps
from opendata.tests.factories import (
    DAY,
    approve,
    make_contract,
    make_stages,
    retime,
    revise_first_year,
    sent_before_close,
    small_charity,
)
from tests.shared import shared_dir

pytestmark = pytest.mark.django_db

PREFIX = settings.OCDS_PREFIX


def validate(tmp_path: Path, data: dict | bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else dumps(data).encode())
    result = subprocess.run(
        [sys.executable, str(shared_dir() / "ocds" / "validate"), str(path), "--extensions", "lots,bid,techniques"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{name} is not valid OCDS:\n{result.stdout}\n{result.stderr}"


def get_json(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content, parse_float=Decimal)


def all_pages(client) -> list[dict]:
    pages, url = [], "/api/v1/ocds/releases"
    while url:
        page = get_json(client, url)
        pages.append(page)
        url = page.get("links", {}).get("next")
    return pages


def bulk(client) -> bytes:
    response = client.get("/open-data/ocds-releases.json")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="ocds-releases.json"'
    return b"".join(response.streaming_content)


def releases_of(package: dict, ocid: str) -> list[dict]:
    return [release for release in package["releases"] if release["ocid"] == ocid]


def record(client, ocid: str) -> dict:
    return get_json(client, f"/api/v1/ocds/records/{ocid}")


def ocid(competition) -> str:
    return f"{PREFIX}-{competition.id}"


@pytest.fixture
def stages(db):
    return make_stages()


# --- validity -------------------------------------------------------------------------------


def test_release_package_record_packages_and_download_are_valid_ocds(client, stages, tmp_path):
    package = get_json(client, "/api/v1/ocds/releases")
    validate(tmp_path, package, "releases.json")
    # Every stage has its releases in the package.
    tags = {name: [r["tag"] for r in releases_of(package, ocid(c))] for name, c in stages.items()}
    assert tags["planned"] == [["planning"]]
    assert tags["open"] == [["planning"], ["tender"]]
    assert tags["closed"] == [["planning"], ["tender"], ["tenderUpdate"]]
    assert tags["standstill"] == [["planning"], ["tender"], ["tenderUpdate"], ["award"]]
    assert tags["contract"] == [["planning"], ["tender"], ["tenderUpdate"], ["award"], ["awardUpdate"], ["contract"]]
    assert tags["abandoned"] == [["planning"], ["tender"], ["tenderCancellation"]]
    assert tags["revised"] == [["planning"], ["tender"], ["tenderAmendment"]]

    records = [record(client, f"{PREFIX}-framework")["records"][0]]
    records += [record(client, ocid(c))["records"][0] for c in stages.values()]
    record_package = record(client, f"{PREFIX}-framework")
    record_package["records"] = records
    validate(tmp_path, record_package, "records.json")

    validate(tmp_path, bulk(client), "bulk.json")


def test_package_lists_the_official_extension_urls_and_publisher(client, stages):
    package = get_json(client, "/api/v1/ocds/releases")
    assert package["version"] == "1.1"
    assert package["publisher"] == {"name": "Ministry of Justice"}
    assert package["uri"] == "http://testserver/api/v1/ocds/releases"
    assert package["extensions"] == [
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_techniques_extension/master/extension.json",
    ]


def test_release_ids_are_unique_and_stable(client, stages):
    first = get_json(client, "/api/v1/ocds/releases")["releases"]
    again = get_json(client, "/api/v1/ocds/releases")["releases"]
    ids = [release["id"] for release in first]
    assert len(ids) == len(set(ids))
    assert ids == [release["id"] for release in again]
    planned = stages["planned"]
    stamp = planned.planned_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    assert f"{ocid(planned)}-planning-{stamp}" in ids


# --- the framework and call-offs -------------------------------------------------------------


def test_framework_is_one_dynamic_purchasing_system_process_and_call_offs_link_to_it(client, stages):
    framework = record(client, f"{PREFIX}-framework")["records"][0]["compiledRelease"]
    assert framework["tender"]["status"] == "active"
    assert framework["tender"]["techniques"]["hasFrameworkAgreement"] is True
    assert framework["tender"]["techniques"]["hasDynamicPurchasingSystem"] is True
    assert framework["tender"]["techniques"]["dynamicPurchasingSystem"]["type"] == "open"
    assert [party["roles"] for party in framework["parties"]] == [["buyer", "procuringEntity"]]
    assert framework["buyer"]["name"] == "Ministry of Justice (HM Prison and Probation Service)"

    call_off = record(client, ocid(stages["open"]))["records"][0]["compiledRelease"]
    assert call_off["ocid"] == f"{PREFIX}-{stages['open'].id}"
    assert call_off["initiationType"] == "tender"
    assert call_off["relatedProcesses"] == [
        {
            "id": "framework",
            "relationship": ["framework"],
            "title": "Probation Services Dynamic Framework",
            "scheme": "ocid",
            "identifier": f"{PREFIX}-framework",
        }
    ]


@override_settings(OCDS_PREFIX="ocds-abc123")
def test_the_ocid_prefix_is_configurable(client):
    competition = make_competition(launched=False)
    package = get_json(client, "/api/v1/ocds/releases")
    assert {release["ocid"] for release in package["releases"]} == {
        "ocds-abc123-framework",
        f"ocds-abc123-{competition.id}",
    }


def test_tender_has_lots_items_values_and_periods_in_gbp(client, stages):
    competition = stages["open"]
    tender = releases_of(get_json(client, "/api/v1/ocds/releases"), ocid(competition))[-1]["tender"]
    # Each lot: 400,000 + 500,000 + 600,000 over three financial years.
    assert [(lot["id"], lot["title"], lot["value"]) for lot in tender["lots"]] == [
        ("lot-1", "Kent", {"amount": Decimal("1500000.00"), "currency": "GBP"}),
        ("lot-2", "Surrey", {"amount": Decimal("1500000.00"), "currency": "GBP"}),
    ]
    assert tender["value"] == {"amount": Decimal("3000000.00"), "currency": "GBP"}
    assert tender["lots"][0]["contractPeriod"]["startDate"] == "2027-07-01T00:00:00+01:00"
    assert tender["lots"][0]["contractPeriod"]["endDate"] == "2030-06-30T23:59:59+01:00"
    assert [(item["relatedLot"], item["classification"]) for item in tender["items"]] == [
        ("lot-1", {"scheme": "x_PSDF", "id": "accommodation", "description": "Accommodation"}),
        ("lot-2", {"scheme": "x_PSDF", "id": "accommodation", "description": "Accommodation"}),
    ]
    assert datetime.datetime.fromisoformat(tender["tenderPeriod"]["startDate"]) == competition.launched_at
    assert datetime.datetime.fromisoformat(tender["tenderPeriod"]["endDate"]) == competition.closes_at
    assert datetime.datetime.fromisoformat(tender["enquiryPeriod"]["endDate"]) == competition.clarification_deadline
    assert datetime.datetime.fromisoformat(tender["awardPeriod"]["endDate"]) == competition.intended_award_at
    assert tender["status"] == "active"


def test_planning_release_for_a_planned_competition(client, stages):
    releases = releases_of(get_json(client, "/api/v1/ocds/releases"), ocid(stages["planned"]))
    assert [release["tag"] for release in releases] == [["planning"]]
    assert releases[0]["tender"]["status"] == "planned"
    assert "startDate" not in releases[0]["tender"]["tenderPeriod"]
    assert datetime.datetime.fromisoformat(releases[0]["date"]) == stages["planned"].planned_at


def test_a_draft_competition_is_not_published(client):
    draft = make_competition(launched=False)
    draft.planned_at = None
    draft.save()
    package = get_json(client, "/api/v1/ocds/releases")
    assert releases_of(package, ocid(draft)) == []
    assert client.get(f"/api/v1/ocds/records/{ocid(draft)}").status_code == 404


# --- sealed until the closing date ---------------------------------------------------------


SEALED_FIELDS = ("bids", "numberOfTenderers", "tenderers", "awards")


def test_nothing_sealed_appears_before_the_closing_date(client, stages):
    text = client.get("/api/v1/ocds/releases").content.decode()
    assert "Sealed Hope Trust" not in text
    for release in releases_of(json.loads(text), ocid(stages["open"])):
        assert "bids" not in release
        assert "numberOfTenderers" not in release["tender"]
        assert "tenderers" not in release["tender"]
        assert [party["roles"] for party in release["parties"]] == [["buyer", "procuringEntity"]]
    assert "Sealed Hope Trust" not in bulk(client).decode()
    assert "Sealed Hope Trust" not in client.get(f"/api/v1/ocds/records/{ocid(stages['open'])}").content.decode()


def test_a_bid_appears_from_the_closing_instant_by_the_database_clock(client):
    competition = make_competition(lots=["Kent"])
    bid = make_bid(competition, small_charity("Boundary Trust"))
    assert b"Boundary Trust" not in client.get(f"/api/v1/ocds/records/{ocid(competition)}").content
    # The closing date passes (written straight to the row; the database clock decides).
    now = timezone.now()
    type(competition).objects.filter(pk=competition.pk).update(closes_at=now - datetime.timedelta(seconds=1))
    Bid.objects.filter(pk=bid.pk).update(submitted_at=now - DAY)
    compiled = record(client, ocid(competition))["records"][0]["compiledRelease"]
    assert compiled["tender"]["numberOfTenderers"] == 1
    assert compiled["tender"]["tenderers"][0]["name"] == "Boundary Trust"


def test_after_closing_counts_and_tenderers_but_no_bid_details_until_award(client, stages):
    competition = stages["closed"]
    latest = releases_of(get_json(client, "/api/v1/ocds/releases"), ocid(competition))[-1]
    assert latest["tag"] == ["tenderUpdate"]
    assert datetime.datetime.fromisoformat(latest["date"]) == competition.closes_at
    assert latest["tender"]["numberOfTenderers"] == 2
    assert sorted(t["name"] for t in latest["tender"]["tenderers"]) == ["Closed Kent Charity", "Closed National Ltd"]
    statistics = {(s["measure"], s.get("relatedLot")): s["value"] for s in latest["bids"]["statistics"]}
    assert statistics == {
        ("bids", None): 2,
        ("bidders", None): 2,
        ("smeBids", None): 1,
        ("bids", "lot-1"): 2,
        ("smeBids", "lot-1"): 1,
        ("bids", "lot-2"): 1,
        ("smeBids", "lot-2"): 0,
    }
    assert "details" not in latest["bids"]
    assert "awards" not in latest
    roles = {party["name"]: party["roles"] for party in latest["parties"]}
    assert roles["Closed Kent Charity"] == ["tenderer"]
    assert roles["Closed National Ltd"] == ["tenderer"]
    # A bid started but never sent is never counted or named.
    assert "Unsent Draft Charity" not in dumps(latest)


def test_organisation_identifiers_use_charity_and_company_numbers(client, stages):
    latest = releases_of(get_json(client, "/api/v1/ocds/releases"), ocid(stages["closed"]))[-1]
    parties = {party["name"]: party for party in latest["parties"]}
    charity = Organisation.objects.get(legal_name="Closed Kent Charity")
    assert parties["Closed Kent Charity"]["identifier"] == {
        "scheme": "GB-CHC",
        "id": charity.charity_number,
        "legalName": "Closed Kent Charity",
    }
    assert parties["Closed Kent Charity"]["id"] == f"GB-CHC-{charity.charity_number}"
    assert parties["Closed Kent Charity"]["details"]["scale"] == "micro"
    assert parties["Closed National Ltd"]["identifier"]["scheme"] == "GB-COH"
    assert parties["Closed National Ltd"]["identifier"]["id"] == "01234567"
    assert parties["Closed National Ltd"]["details"]["scale"] == "large"


def test_an_organisation_without_a_registered_number_gets_our_own_identifier(client):
    competition = retime(make_competition(lots=["Kent"]), launched_days_ago=10, closes_in_days=-1)
    organisation = small_charity("Unregistered Group")
    Organisation.objects.filter(pk=organisation.pk).update(charity_number="", organisation_type="other")
    sent_before_close(make_bid(competition, Organisation.objects.get(pk=organisation.pk)), competition)
    compiled = record(client, ocid(competition))["records"][0]["compiledRelease"]
    party = next(p for p in compiled["parties"] if p["name"] == "Unregistered Group")
    assert party["identifier"]["scheme"] == "x_PSDF"
    assert party["id"] == f"x_PSDF-org-{organisation.id}"


# --- awards, bids and contracts -----------------------------------------------------------


def test_award_in_standstill_is_pending_with_the_winning_bid_value_and_bid_details(client, stages):
    competition = stages["standstill"]
    latest = releases_of(get_json(client, "/api/v1/ocds/releases"), ocid(competition))[-1]
    assert latest["tag"] == ["award"]
    [award] = latest["awards"]
    assert award["status"] == "pending"
    assert award["relatedLots"] == ["lot-1"]
    assert [s["name"] for s in award["suppliers"]] == ["Standstill Winner Charity"]
    # The winning bid: 400,000 in each of three years.
    assert award["value"] == {"amount": Decimal("1200000.00"), "currency": "GBP"}
    details = {d["tenderers"][0]["name"]: d for d in latest["bids"]["details"]}
    assert set(details) == {"Standstill Winner Charity", "Standstill Runner Ltd"}
    assert details["Standstill Runner Ltd"]["value"]["amount"] == Decimal("1350000.00")
    assert details["Standstill Winner Charity"]["status"] == "valid"
    assert award["relatedBid"] == details["Standstill Winner Charity"]["id"]
    roles = {party["name"]: party["roles"] for party in latest["parties"]}
    assert roles["Standstill Winner Charity"] == ["tenderer", "supplier"]
    assert roles["Standstill Runner Ltd"] == ["tenderer"]
    assert latest["tender"]["status"] == "active"


def test_a_recommended_award_not_yet_approved_is_not_published(client):
    competition = retime(make_competition(lots=["Kent"]), launched_days_ago=10, closes_in_days=-1)
    bid = sent_before_close(make_bid(competition, small_charity("Recommended Only")), competition)
    Award.objects.create(lot=competition.lots.get(), bid=bid, recommended_by=competition.created_by)
    compiled = record(client, ocid(competition))["records"][0]["compiledRelease"]
    assert "awards" not in compiled
    assert "details" not in compiled["bids"]


def test_record_compiled_release_shows_the_contract_stage(client, stages):
    competition = stages["contract"]
    package = record(client, ocid(competition))
    [entry] = package["records"]
    assert entry["ocid"] == ocid(competition)
    assert [r["tag"] for r in entry["releases"]] == [
        ["planning"],
        ["tender"],
        ["tenderUpdate"],
        ["award"],
        ["awardUpdate"],
        ["contract"],
    ]
    dates = [datetime.datetime.fromisoformat(r["date"]) for r in entry["releases"]]
    assert dates == sorted(dates)
    compiled = entry["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["date"] == entry["releases"][-1]["date"]
    assert compiled["tender"]["status"] == "complete"
    assert compiled["tender"]["lots"][0]["status"] == "complete"
    [award] = compiled["awards"]
    assert award["status"] == "active"
    # 400,000.50 in each of three years, exact to the penny.
    assert award["value"]["amount"] == Decimal("1200001.50")
    [contract] = compiled["contracts"]
    assert contract["awardID"] == award["id"]
    assert contract["status"] == "active"
    assert contract["value"] == {"amount": Decimal("1200001.50"), "currency": "GBP"}
    assert contract["period"] == {"startDate": "2027-07-01T00:00:00+01:00", "endDate": "2030-06-30T23:59:59+01:00"}
    funder = next(p for p in compiled["parties"] if p["roles"] == ["funder"])
    assert funder["name"] == "Kent Police and Crime Commissioner"
    assert funder["details"]["shares"] == [{"relatedLot": "lot-1", "sharePercent": Decimal("25.00")}]
    # The award release said "pending" (waiting period); the compiled release keeps the latest.
    award_release = entry["releases"][3]
    assert award_release["awards"][0]["status"] == "pending"


def test_money_is_written_as_exact_json_numbers(client, stages):
    text = client.get(f"/api/v1/ocds/records/{ocid(stages['contract'])}").content.decode()
    assert '"amount":1200001.50,' in text
    assert '"amount":"' not in text


def test_abandoned_competition_has_a_cancellation_release(client, stages):
    competition = stages["abandoned"]
    releases = record(client, ocid(competition))["records"][0]["releases"]
    assert releases[-1]["tag"] == ["tenderCancellation"]
    assert releases[-1]["tender"]["status"] == "cancelled"
    assert datetime.datetime.fromisoformat(releases[-1]["date"]) == competition.abandoned_at
    assert releases[-2]["tender"]["status"] == "active"


def test_value_revised_after_launch_is_a_tender_amendment(client, stages):
    competition = stages["revised"]
    releases = record(client, ocid(competition))["records"][0]["releases"]
    tender, amendment = releases[1], releases[2]
    assert tender["tag"] == ["tender"]
    assert tender["tender"]["lots"][0]["value"]["amount"] == Decimal("1500000.00")
    assert amendment["tag"] == ["tenderAmendment"]
    assert amendment["tender"]["lots"][0]["value"]["amount"] == Decimal("1512345.67")
    assert amendment["tender"]["value"]["amount"] == Decimal("1512345.67")
    assert amendment["tender"]["amendments"][0]["description"] == "Changed for: Kent"


def test_two_revisions_make_two_amendments_each_with_the_value_of_its_time(client):
    competition = retime(make_competition(lots=["Kent"]), launched_days_ago=10, closes_in_days=4)
    revise_first_year(competition, Decimal("410000"), at=timezone.now() - 5 * DAY)
    revise_first_year(competition, Decimal("420000"), at=timezone.now() - 2 * DAY, first_revision=False)
    releases = record(client, ocid(competition))["records"][0]["releases"]
    assert [r["tender"]["lots"][0]["value"]["amount"] for r in releases[1:]] == [
        Decimal("1500000.00"),
        Decimal("1510000.00"),
        Decimal("1520000.00"),
    ]
    assert len(releases[-1]["tender"]["amendments"]) == 2


# --- no personal data ----------------------------------------------------------------------


def test_no_personal_data_anywhere(client, stages, tmp_path):
    outputs = [client.get("/api/v1/ocds/releases").content.decode(), bulk(client).decode()]
    outputs += [client.get(f"/api/v1/ocds/records/{ocid(c)}").content.decode() for c in stages.values()]
    text = "\n".join(outputs)
    people = list(User.objects.all())
    assert people
    for person in people:
        assert person.email not in text
        assert person.full_name not in text
    for organisation in Organisation.objects.all():
        assert organisation.contact_email not in text
        if organisation.contact_phone:
            assert organisation.contact_phone not in text
        assert organisation.postcode not in text
    assert Membership.objects.exists()
    assert "contactPoint" not in text
    assert "address" not in text


# --- pagination, streaming, queries ---------------------------------------------------------


@override_settings(OCDS_PAGE_SIZE=3)
def test_pages_link_to_the_next_and_together_equal_the_download(client, stages, tmp_path):
    pages = all_pages(client)
    # 7 competitions, 3 a page.
    assert len(pages) == 3
    assert pages[0]["links"]["next"] == "http://testserver/api/v1/ocds/releases?page=2"
    assert pages[1]["links"]["next"] == "http://testserver/api/v1/ocds/releases?page=3"
    assert "links" not in pages[2]
    paged = [release for page in pages for release in page["releases"]]
    downloaded = json.loads(bulk(client), parse_float=Decimal)
    assert downloaded["releases"] == paged
    assert {release["ocid"] for release in paged} == {f"{PREFIX}-framework"} | {ocid(c) for c in stages.values()}
    for page in pages:
        validate(tmp_path, page, "page.json")


def test_a_page_past_the_end_is_empty(client, stages):
    package = get_json(client, "/api/v1/ocds/releases?page=99")
    assert package["releases"] == []
    assert "links" not in package


def test_page_must_be_a_number_from_1_to_10000(client):
    for page in ["0", "two", "10001", "1" * 100]:
        response = client.get(f"/api/v1/ocds/releases?page={page}")
        assert response.status_code == 400
        assert response.json()["errors"][0]["parameter"] == "page"


def test_an_ocid_with_a_number_no_database_holds_is_not_found(client):
    for number in ["1" * 100, "9223372036854775808", "²", "-1"]:
        response = client.get(f"/api/v1/ocds/records/{PREFIX}-{number}")
        assert response.status_code == 404, number


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        else:
            assert response.status_code == 200
    return len(captured)


def _busy_competition(index: int):
    competition = retime(make_competition(lots=["Kent", "Surrey"]), launched_days_ago=30, closes_in_days=-10)
    bids = [
        sent_before_close(make_bid(competition, small_charity(f"Busy {index} Charity {n}")), competition)
        for n in range(2)
    ]
    for lot in competition.lots.all():
        award = approve(lot, bids[0], approved_at=timezone.now() - 8 * DAY, standstill_ends_at=timezone.now() - DAY)
        make_contract(award, created_at=timezone.now() - DAY / 2)
    return competition


@override_settings(OCDS_PAGE_SIZE=20)
def test_queries_per_page_do_not_grow_with_the_number_of_competitions(client):
    _busy_competition(0)
    one = _queries(client, "/api/v1/ocds/releases")
    one_bulk = _queries(client, "/open-data/ocds-releases.json")
    for index in range(1, 10):
        _busy_competition(index)
    ten = _queries(client, "/api/v1/ocds/releases")
    ten_bulk = _queries(client, "/open-data/ocds-releases.json")
    assert ten == one
    assert ten_bulk == one_bulk
    # 26: the contract versions in force and the paid claims (after award) are two of them.
    assert ten < 27


def test_the_download_streams_release_by_release(client, stages):
    response = client.get("/open-data/ocds-releases.json")
    chunks = list(response.streaming_content)
    releases = json.loads(b"".join(chunks))["releases"]
    # The package opening, one piece per release, and the closing.
    assert len(chunks) == len(releases) + 2


def test_unknown_ocid_is_not_found(client, stages):
    for unknown in ("ocds-zzz999-1", f"{PREFIX}-999999", f"{PREFIX}-", f"{PREFIX}-01", "nonsense"):
        response = client.get(f"/api/v1/ocds/records/{unknown}")
        assert response.status_code == 404, unknown


def test_a_withdrawn_bid_is_never_counted_or_named(client):
    competition = retime(make_competition(lots=["Kent"]), launched_days_ago=10, closes_in_days=-1)
    sent_before_close(make_bid(competition, small_charity("Kept Bid Trust")), competition)
    withdrawn = sent_before_close(make_bid(competition, small_charity("Withdrawn Bid Trust")), competition)
    Bid.objects.filter(pk=withdrawn.pk).update(
        withdrawn_at=competition.closes_at - DAY, withdrawn_by=withdrawn.started_by
    )
    text = client.get(f"/api/v1/ocds/records/{ocid(competition)}").content.decode()
    assert "Withdrawn Bid Trust" not in text
    compiled = json.loads(text)["records"][0]["compiledRelease"]
    assert compiled["tender"]["numberOfTenderers"] == 1


def test_a_bid_that_failed_a_pass_fail_question_is_disqualified_in_bid_details(client):
    competition = retime(make_competition(lots=["Kent"]), launched_days_ago=30, closes_in_days=-10)
    winner = sent_before_close(make_bid(competition, small_charity("Passed Trust")), competition)
    failed = sent_before_close(make_bid(competition, small_charity("Failed Trust")), competition)
    answer = failed.answers.get(question__kind="pass_fail")
    PassFailResult.objects.create(answer=answer, passed=False, decided_by=competition.created_by)
    approve(competition.lots.get(), winner, approved_at=timezone.now() - DAY, standstill_ends_at=timezone.now() + DAY)
    compiled = record(client, ocid(competition))["records"][0]["compiledRelease"]
    statuses = {d["tenderers"][0]["name"]: d["status"] for d in compiled["bids"]["details"]}
    assert statuses == {"Passed Trust": "valid", "Failed Trust": "disqualified"}


def test_a_challenge_keeps_the_award_pending_until_resolved(client):
    competition = retime(make_competition(lots=["Kent"]), launched_days_ago=40, closes_in_days=-30)
    bid = sent_before_close(make_bid(competition, small_charity("Challenged Trust")), competition)
    award = approve(
        competition.lots.get(), bid, approved_at=timezone.now() - 20 * DAY, standstill_ends_at=timezone.now() - 10 * DAY
    )
    Award.objects.filter(pk=award.pk).update(challenged_at=timezone.now() - 15 * DAY)
    compiled = record(client, ocid(competition))["records"][0]["compiledRelease"]
    assert compiled["awards"][0]["status"] == "pending"
    assert compiled["tender"]["status"] == "active"
    Award.objects.filter(pk=award.pk).update(challenge_resolved_at=timezone.now() - DAY)
    releases = record(client, ocid(competition))["records"][0]["releases"]
    assert releases[-1]["tag"] == ["awardUpdate"]
    assert releases[-1]["awards"][0]["status"] == "active"
    assert releases[-1]["tender"]["status"] == "complete"


def test_an_abandoned_lot_is_cancelled_in_a_tender_update(client):
    competition = retime(make_competition(lots=["Kent", "Surrey"]), launched_days_ago=10, closes_in_days=4)
    surrey = competition.lots.get(name="Surrey")
    type(surrey).objects.filter(pk=surrey.pk).update(
        abandoned_at=timezone.now() - DAY, abandoned_by=competition.created_by, abandoned_reason="Merged"
    )
    releases = record(client, ocid(competition))["records"][0]["releases"]
    assert releases[-1]["tag"] == ["tenderUpdate"]
    assert [lot["status"] for lot in releases[-1]["tender"]["lots"]] == ["active", "cancelled"]
    assert [lot["status"] for lot in releases[-2]["tender"]["lots"]] == ["active", "active"]
