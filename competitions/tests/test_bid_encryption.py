"""Bid content encrypted at rest, and checked against what was sent on every read (ADR 7).

A dump of the tables (their raw columns, read with SQL) or of the uploaded files shows no answer,
price, partner or document before the deadline. A sent bid edited directly in the database is
refused on every read outside the bidder, with a clear page, an error in the log and an audit
event that the refusal does not roll back. Keys rotate."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from audit.models import AuditEvent
from competitions import sealing
from competitions.models import BidAnswer, BidDocument, BidPartner, BidPrice, CompetitionMember, ConflictDeclaration
from competitions.services import bids as svc
from competitions.tests.evaluation_factories import close_bidding, evaluators
from competitions.tests.factories import invite, make_competition
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db

ANSWER = "Zanzibar-answer: eleven caseworkers in Kent"
PARTNER = "Quokka Housing Partners CIC"
WORK = "Night shelter beds for Quokka"
PRICE = Decimal("987654.32")
TITLE = "Capybara staffing plan"
PDF = b"%PDF-1.4\n% Secret document body: Wombat\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def sent_bid(competition=None):
    """A bid sent through the services, with a secret in an answer, a partner, a price and a document."""
    competition = competition or make_competition(evaluators=2)
    user = make_provider_user()
    organisation = user.memberships.get().organisation
    partner_org = make_provider_user().memberships.get().organisation
    invite(competition, organisation)
    bid = svc.bid_start(competition=competition, user=user)
    lot = competition.lots.order_by("number").first()
    svc.bid_lots_set(bid=bid, user=user, lot_ids=[lot.pk])
    for question in competition.questions.order_by("number"):
        if question.kind == "pass_fail":
            svc.bid_answer_save(bid=bid, user=user, question=question, lot=lot, confirmed=True)
        else:
            svc.bid_answer_save(bid=bid, user=user, question=question, lot=lot, text=ANSWER)
    svc.bid_prices_save(bid=bid, user=user, lot=lot, prices={y.financial_year: PRICE for y in lot.years.all()})
    svc.bid_partner_add(
        bid=bid,
        user=user,
        organisation=None,
        name=PARTNER,
        role="subcontractor",
        share_percent=Decimal("12.5"),
        lot_ids=[lot.pk],
        work_description=WORK,
    )
    svc.bid_partner_add(
        bid=bid,
        user=user,
        organisation=partner_org,
        name="",
        role="consortium",
        share_percent=Decimal("5"),
        lot_ids=[lot.pk],
    )
    svc.bid_document_add(
        bid=bid, user=user, title=TITLE, upload=SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    )
    svc.bid_declarations_confirm(bid=bid, user=user)
    svc.bid_submit(bid=bid, user=user)
    bid.refresh_from_db()
    return bid, user, partner_org


def _raw_tables() -> str:
    """Every row of every competitions table, as the database holds it (what a dump would show)."""
    dumped = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if not table.startswith("competitions_"):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            dumped.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(dumped)


def test_a_dump_of_the_tables_and_files_shows_nothing_a_bid_says():
    bid, _user, partner_org = sent_bid()
    dump = _raw_tables()
    for secret in (ANSWER, "Zanzibar", PARTNER, "Quokka", WORK, TITLE, "Capybara", "987654", "987,654"):
        assert secret not in dump, secret
    # A partner on the framework is not named by a foreign key either.
    assert f"'{partner_org.pk}'" not in dump.replace(" ", "") or partner_org.pk not in [
        row[0] for row in BidPartner.objects.values_list("bid_id")
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT organisation_id FROM competitions_bidpartner")
        stored = [row[0] for row in cursor.fetchall()]
    assert all(value is None or not str(value).isdigit() for value in stored)
    document = BidDocument.objects.get(bid=bid)
    with document.file.open("rb") as stored_file:
        on_disk = stored_file.read()
    assert b"Wombat" not in on_disk and b"%PDF" not in on_disk
    # The service still reads every value back for the bidder.
    assert BidAnswer.objects.filter(bid=bid).exclude(question__kind="pass_fail").first().text == ANSWER
    assert {p.amount for p in BidPrice.objects.filter(bid_lot__bid=bid)} == {PRICE}
    assert {p.name for p in BidPartner.objects.filter(bid=bid)} == {PARTNER, partner_org.display_name}
    assert {p.organisation for p in BidPartner.objects.filter(bid=bid)} == {None, partner_org}
    assert bid.submitted_content["answers"][0]["text"] == ANSWER


def test_sealed_columns_cannot_be_queried_by_value():
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(BidPrice.objects.filter(amount=PRICE))
    with pytest.raises(FieldError):
        list(BidAnswer.objects.filter(text__icontains="Zanzibar"))
    assert BidAnswer.objects.filter(confirmed__isnull=True).count() == 0


def _closed_reader(bid):
    competition = close_bidding(bid.competition)
    commissioner = CompetitionMember.objects.get(competition=competition, role="commissioner").user
    evaluator = evaluators(competition)[0]
    ConflictDeclaration.objects.create(competition=competition, evaluator=evaluator, bid=bid, has_conflict=False)
    return commissioner, evaluator


def _tamper(bid, how: str) -> None:
    answer = BidAnswer.objects.filter(bid=bid, question__number=1).first()
    price = BidPrice.objects.filter(bid_lot__bid=bid).first()
    with connection.cursor() as cursor:
        if how == "answer-rewritten-with-the-key":
            token = BidAnswer._meta.get_field("text").get_prep_value("A better answer")
            cursor.execute("UPDATE competitions_bidanswer SET text = %s WHERE id = %s", [token, answer.pk])
        elif how == "price-rewritten-with-the-key":
            token = BidPrice._meta.get_field("amount").get_prep_value(Decimal("1.00"))
            cursor.execute("UPDATE competitions_bidprice SET amount = %s WHERE id = %s", [token, price.pk])
        elif how == "price-typed-in-plain":
            cursor.execute("UPDATE competitions_bidprice SET amount = %s WHERE id = %s", ["1.00", price.pk])
        elif how == "answer-swapped-with-another-row":
            other = BidAnswer.objects.filter(bid=bid, question__number=3).first()
            cursor.execute("SELECT text FROM competitions_bidanswer WHERE id = %s", [other.pk])
            token = cursor.fetchone()[0]
            cursor.execute("UPDATE competitions_bidanswer SET confirmed = %s WHERE id = %s", [token, answer.pk])
        elif how == "copy-of-what-was-sent-edited":
            token = bid._meta.get_field("submitted_content").get_prep_value({"answers": []})
            cursor.execute("UPDATE competitions_bid SET submitted_content = %s WHERE id = %s", [token, bid.pk])


def _evaluation_urls(bid):
    c = bid.competition_id
    pass_fail = BidAnswer.objects.get(bid=bid, question__kind="pass_fail")
    return {
        "score": reverse("competitions:evaluate-bid", args=[c, bid.pk]),
        "pass_fail": reverse("competitions:evaluate-pass-fail", args=[c, bid.pk, pass_fail.pk]),
        "moderate": reverse("competitions:evaluate-moderate", args=[c, bid.pk]),
        "whole_bid": reverse("competitions:bid-view", args=[c, bid.pk]),
        "document": reverse("competitions:bid-document", args=[c, bid.pk, bid.documents.get().pk]),
    }


@pytest.mark.parametrize(
    "how",
    [
        "answer-rewritten-with-the-key",
        "price-rewritten-with-the-key",
        "price-typed-in-plain",
        "answer-swapped-with-another-row",
        "copy-of-what-was-sent-edited",
    ],
)
def test_a_sent_bid_edited_in_the_database_is_refused_on_every_read_and_audited(client, caplog, how):
    bid, _user, _partner = sent_bid()
    commissioner, evaluator = _closed_reader(bid)
    urls = _evaluation_urls(bid)
    _tamper(bid, how)
    commissioner_pages = ["pass_fail", "moderate", "whole_bid", "document"]
    for reader, pages in ((evaluator, ["score", "whole_bid", "document"]), (commissioner, commissioner_pages)):
        client.force_login(reader)
        for page in pages:
            before = AuditEvent.objects.filter(action="bid.integrity_failed").count()
            with caplog.at_level(logging.ERROR, logger="competitions.integrity"):
                response = client.get(urls[page])
            body = response.content.decode()
            assert response.status_code == 409, (page, response.status_code)
            assert "This bid&#39;s stored content does not match what was sent" in body or (
                "This bid's stored content does not match what was sent" in body
            ), page
            assert ANSWER not in body and "987,654" not in body
            events = AuditEvent.objects.filter(action="bid.integrity_failed")
            assert events.count() == before + 1, page
            event = events.order_by("-id").first()
            assert event.actor_id == reader.pk and event.object_id == str(bid.pk)
            assert ANSWER not in str(event.after)
            assert any("failed its integrity check" in r.getMessage() for r in caplog.records)
    assert not AuditEvent.objects.filter(action="bid.read").exists()


def test_a_post_to_a_tampered_bid_changes_nothing(client):
    bid, _user, _partner = sent_bid()
    _commissioner, evaluator = _closed_reader(bid)
    _tamper(bid, "price-rewritten-with-the-key")
    client.force_login(evaluator)
    answer = BidAnswer.objects.get(bid=bid, question__number=1)
    response = client.post(
        _evaluation_urls(bid)["score"], {f"score_{answer.pk}": "3", f"justification_{answer.pk}": "Good"}
    )
    assert response.status_code == 409
    assert not answer.scores.exists()


def test_an_untouched_bid_reads_and_downloads_as_sent(client):
    bid, _user, _partner = sent_bid()
    commissioner, _evaluator = _closed_reader(bid)
    client.force_login(commissioner)
    urls = _evaluation_urls(bid)
    page = client.get(urls["whole_bid"])
    assert page.status_code == 200 and ANSWER in page.content.decode() and PARTNER in page.content.decode()
    download = client.get(urls["document"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert not AuditEvent.objects.filter(action="bid.integrity_failed").exists()


def test_a_document_file_changed_in_storage_is_refused_even_to_the_bidder(client):
    bid, user, _partner = sent_bid()
    document = bid.documents.get()
    name = document.file.name
    document.file.storage.delete(name)
    document.file.storage.save(name, SimpleUploadedFile("x", sealing.seal_file(b"%PDF-1.4 something else")))
    client.force_login(user)
    response = client.get(_evaluation_urls(bid)["document"])
    assert response.status_code == 409
    assert AuditEvent.objects.filter(action="bid.integrity_failed", actor_id=user.pk).exists()


def test_the_bidder_still_reads_its_own_bid_before_the_deadline_without_a_check():
    bid, user, _partner = sent_bid()
    assert svc.bid_open_for_reading(bid=bid, user=user)["answers"][0]["text"] == ANSWER


# --- Keys ------------------------------------------------------------------------------------


def test_rotation_re_encrypts_everything_under_the_new_key_and_old_keys_can_go(settings):
    bid, _user, _partner = sent_bid()
    old = list(settings.BID_ENCRYPTION_KEYS)
    new = sealing.new_key()
    settings.BID_ENCRYPTION_KEYS = [new, *old]
    call_command("reencrypt_bids", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.BID_ENCRYPTION_KEYS = [new]
    # Everything opens with the new key alone, and is still exactly what was sent.
    from competitions.selectors.bids import bid_integrity_problem, document_integrity_problem

    fresh = type(bid).objects.get(pk=bid.pk)
    assert bid_integrity_problem(fresh) is None
    assert document_integrity_problem(fresh.documents.get()) == (None, PDF)
    assert AuditEvent.objects.filter(action="bids.reencrypted").exists()
    # Without any key that opens them, values are refused, not misread.
    settings.BID_ENCRYPTION_KEYS = old
    with pytest.raises(sealing.SealBroken):
        list(BidPrice.objects.filter(bid_lot__bid=bid))


def test_a_second_run_leaves_everything_as_it_is(settings):
    sent_bid()
    new = sealing.new_key()
    settings.BID_ENCRYPTION_KEYS = [new, *settings.BID_ENCRYPTION_KEYS]
    from competitions.services.sealing import bids_reencrypt

    first = bids_reencrypt()
    second = bids_reencrypt()
    assert first["values"] > 0 and first["files"] == 1
    assert (
        second["values"] == 0
        and second["files"] == 0
        and second["current"] == first["values"] + first["current"] + first["files"]
    )


def test_production_settings_refuse_to_start_without_a_valid_key(monkeypatch):
    import importlib
    import sys

    def read_afresh():
        # Through monkeypatch, so that the settings modules other tests imported come back after.
        for name in ("config.settings.production", "config.settings.base"):
            monkeypatch.delitem(sys.modules, name, raising=False)
        return importlib.import_module("config.settings.production")

    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("PERSONAL_DATA_KEYS", sealing.new_key())  # referrals' own keys (ADR 12)
    monkeypatch.setenv("PERSONAL_DATA_HASH_KEY", "h" * 64)
    for value, problem in (("", "Set the BID_ENCRYPTION_KEYS"), ("not-a-key", "must be Fernet keys")):
        monkeypatch.setenv("BID_ENCRYPTION_KEYS", value)
        with pytest.raises(ImproperlyConfigured, match=problem):
            read_afresh()
    monkeypatch.setenv("BID_ENCRYPTION_KEYS", sealing.new_key())
    assert read_afresh().BID_ENCRYPTION_KEYS


def test_without_a_key_nothing_is_stored():
    with override_settings(BID_ENCRYPTION_KEYS=[]), pytest.raises(ImproperlyConfigured):
        sealing.seal(b"x")


def test_the_national_generator_records_what_each_bid_sent(db):
    from competitions.models import Bid
    from competitions.selectors.bids import bid_integrity_problem
    from demo.national import generate_national_data

    generate_national_data(scale=0.05, seed=3, today=datetime.date(2026, 11, 25))
    sent = list(Bid.objects.sent().order_by("pk")[:25])
    assert sent
    assert all(bid_integrity_problem(bid) is None for bid in sent)


# --- Length padding ----------------------------------------------------------------------------


def _stored(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 -- fixed names
        return cursor.fetchone()[0]


def test_a_token_does_not_show_how_long_an_answer_or_a_price_is():
    bid, _user, _partner = sent_bid()
    answers = list(BidAnswer.objects.filter(bid=bid, question__kind="quality").order_by("id")[:2])
    short, long = answers
    BidAnswer.objects.filter(pk=short.pk).update(text="Forty characters of answer, or so.")
    BidAnswer.objects.filter(pk=long.pk).update(text="A much longer answer. " * 10)
    lengths = {len(_stored("competitions_bidanswer", "text", a.pk)) for a in answers}
    assert len(lengths) == 1  # 34 and 220 characters: the same bucket, the same token length
    prices = list(BidPrice.objects.filter(bid_lot__bid=bid).order_by("id")[:2])
    BidPrice.objects.filter(pk=prices[0].pk).update(amount=Decimal("1.00"))
    BidPrice.objects.filter(pk=prices[1].pk).update(amount=Decimal("987654321.00"))
    assert len({len(_stored("competitions_bidprice", "amount", p.pk)) for p in prices}) == 1
    assert {p.amount for p in BidPrice.objects.filter(pk__in=[p.pk for p in prices])} == {
        Decimal("1.00"),
        Decimal("987654321.00"),
    }


@pytest.mark.parametrize("value", [b"", b"x", b"ends in zero\x00", b"ends in \x80", "é".encode() * 300])
def test_padding_gives_back_exactly_the_value(value):
    padded = sealing.pad(value)
    assert len(padded) in (32,) or len(padded) % 256 == 0
    assert sealing.unpad(padded) == value


def test_a_value_sealed_before_padding_still_reads_and_reencrypt_pads_it():
    bid, _user, _partner = sent_bid()
    answer = BidAnswer.objects.filter(bid=bid, question__kind="quality").order_by("id").first()
    old = sealing.seal(ANSWER.encode("utf-8")).decode("ascii")  # as tokens were made before padding
    with connection.cursor() as cursor:
        cursor.execute("UPDATE competitions_bidanswer SET text = %s WHERE id = %s", [old, answer.pk])
    assert BidAnswer.objects.get(pk=answer.pk).text == ANSWER
    assert not sealing.value_is_current(old.encode("ascii"))
    call_command("reencrypt_bids", stdout=open("/dev/null", "w"))  # noqa: SIM115
    stored = _stored("competitions_bidanswer", "text", answer.pk)
    assert stored != old and sealing.value_is_current(stored.encode("ascii"))
    assert BidAnswer.objects.get(pk=answer.pk).text == ANSWER
    from competitions.selectors.bids import bid_integrity_problem

    assert bid_integrity_problem(bid) is None
