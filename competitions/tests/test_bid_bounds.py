"""Every number and text in a bid is bounded, in the forms (a GOV.UK error message) and in the
services (a ValidationError, never a server error or a value the database cannot hold): partner
shares, answers far beyond their word limit in characters, and control characters such as NUL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from competitions.forms_bid import AnswerForm, PartnerForm
from competitions.models import BidAnswer, BidPartner
from competitions.selectors import bids as sel
from competitions.services import bids as svc
from competitions.tests.factories import invite, make_competition
from core.forms import GovukForm
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    competition = make_competition()
    user = make_provider_user()
    invite(competition, user.memberships.get().organisation)
    bid = svc.bid_start(competition=competition, user=user)
    lot = competition.lots.order_by("number").first()
    svc.bid_lots_set(bid=bid, user=user, lot_ids=[lot.pk])
    client.force_login(user)
    return competition, bid, user, lot


def _url(name, competition, **kwargs):
    return reverse(f"competitions:{name}", kwargs={"competition_id": competition.pk, **kwargs})


def _partner_post(client, competition, lot, share: str, **extra):
    data = {"name": "Local Food Bank", "role": "subcontractor", "share_percent": share, "lots": [str(lot.pk)]}
    data.update(extra)
    return client.post(_url("bid-partner-add", competition) + "?other=yes", data)


# --- Partner shares ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("share", "message"),
    [
        ("-5", "Share of the work must be more than 0%"),
        ("0", "Share of the work must be more than 0%"),
        ("1e309", "Share of the work must be less than 100%"),
        ("100", "Share of the work must be less than 100%"),
        ("12.345", "Share of the work can have up to 2 decimal places"),
        ("NaN", "Share of the work must be a number, like 25"),
        ("Infinity", "Share of the work must be a number, like 25"),
    ],
)
def test_a_partner_share_out_of_bounds_gets_a_clear_message(client, world, share, message):
    competition, bid, _user, lot = world
    response = _partner_post(client, competition, lot, share)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "%%" not in page
    assert not BidPartner.objects.filter(bid=bid).exists()


@pytest.mark.parametrize("share", ["-5", "0", "100.01", "1e309", "12.345", "NaN", "Infinity"])
def test_the_service_refuses_a_share_out_of_bounds(world, share):
    _competition, bid, user, lot = world
    with pytest.raises(ValidationError) as refused:
        svc.bid_partner_add(
            bid=bid,
            user=user,
            organisation=None,
            name="Local Food Bank",
            role="subcontractor",
            share_percent=Decimal(share),
            lot_ids=[lot.pk],
        )
    assert "share_percent" in refused.value.message_dict
    assert not BidPartner.objects.filter(bid=bid).exists()


def test_the_service_takes_a_share_of_exactly_100_and_one_hundredth(world):
    _competition, bid, user, lot = world
    for share in ("0.01", "100"):
        partner = svc.bid_partner_add(
            bid=bid,
            user=user,
            organisation=None,
            name="Local Food Bank",
            role="subcontractor",
            share_percent=Decimal(share),
            lot_ids=[lot.pk],
        )
        assert partner.share_percent == Decimal(share)


# --- Answers: characters as well as words ----------------------------------------------------


def test_one_two_million_character_word_is_refused_by_the_form_and_the_service(client, world):
    competition, bid, user, _lot = world
    question = competition.questions.get(number=1)
    assert question.word_limit == 500
    huge = "a" * 2_000_000
    form = AnswerForm({"text": huge}, question=question, label="Question 1")
    assert not form.is_valid()
    assert form.errors["text"] == [f"Your answer must be {sel.answer_max_characters(question):,} characters or fewer"]
    response = client.post(_url("bid-answer", competition, question_id=question.pk), {"text": huge})
    assert response.status_code == 200 and "characters or fewer" in response.content.decode()
    with pytest.raises(ValidationError) as refused:
        svc.bid_answer_save(bid=bid, user=user, question=question, text=huge)
    assert "text" in refused.value.message_dict
    assert not BidAnswer.objects.filter(bid=bid).exists()


def test_the_character_limit_follows_the_word_limit_with_an_absolute_maximum(world):
    competition, bid, user, _lot = world
    question = competition.questions.get(number=1)
    limit = sel.answer_max_characters(question)
    assert limit == 500 * sel.CHARACTERS_PER_WORD + sel.CHARACTER_MARGIN
    # Exactly at the limit is taken (within the word limit too); one more is refused.
    words = ("x" * 14 + " ") * 400
    text = (words + "y" * limit)[:limit].strip()
    text = text + "z" * (limit - len(text))
    assert len(text) == limit
    svc.bid_answer_save(bid=bid, user=user, question=question, text=text)
    with pytest.raises(ValidationError):
        svc.bid_answer_save(bid=bid, user=user, question=question, text=text + "z")
    question.word_limit = None
    assert sel.answer_max_characters(question) == sel.ANSWER_MAX_CHARACTERS
    question.word_limit = 10**9
    assert sel.answer_max_characters(question) == sel.ANSWER_MAX_CHARACTERS


# --- Control characters: every text field of every form ------------------------------------


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_an_answer_with_a_control_character_is_refused_with_a_clear_message(client, world, character):
    competition, bid, user, _lot = world
    question = competition.questions.get(number=1)
    response = client.post(
        _url("bid-answer", competition, question_id=question.pk), {"text": f"Our plan{character} is good"}
    )
    assert response.status_code == 200
    assert "Question 1" in response.content.decode() or "must not include" in response.content.decode()
    assert "must not include hidden characters" in response.content.decode()
    assert not BidAnswer.objects.filter(bid=bid).exists()
    with pytest.raises(ValidationError):
        svc.bid_answer_save(bid=bid, user=user, question=question, text=f"Our plan{character} is good")


def test_newlines_and_tabs_are_still_welcome(client, world):
    competition, bid, _user, _lot = world
    question = competition.questions.get(number=1)
    text = "First line\r\n\tSecond line"
    response = client.post(_url("bid-answer", competition, question_id=question.pk), {"text": text})
    assert response.status_code == 302
    assert BidAnswer.objects.get(bid=bid).text == "First line\n\tSecond line"


def test_a_nul_in_a_partner_name_or_description_is_refused(client, world):
    competition, bid, user, lot = world
    page = _partner_post(client, competition, lot, "10", name="Food\x00Bank").content.decode()
    assert "Name of the organisation must not include hidden characters" in page
    page = _partner_post(client, competition, lot, "10", work_description="Meals\x00").content.decode()
    assert "must not include hidden characters" in page
    assert not BidPartner.objects.filter(bid=bid).exists()
    with pytest.raises(ValidationError):
        svc.bid_partner_add(
            bid=bid,
            user=user,
            organisation=None,
            name="Food\x00Bank",
            role="subcontractor",
            share_percent=Decimal("10"),
            lot_ids=[lot.pk],
        )


def test_every_govuk_form_refuses_control_characters_in_any_text_field():
    from django import forms

    class Example(GovukForm):
        title = forms.CharField(label="Title")
        notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea)
        tags = forms.MultipleChoiceField(label="Tags", required=False, choices=[("a", "A")])

    form = Example({"title": "Fine", "notes": "line one\r\nline\ttwo"})
    assert form.is_valid(), form.errors
    form = Example({"title": "Bad\x00", "notes": "Also\x01bad"})
    assert not form.is_valid()
    assert form.errors["title"] == ["Title must not include hidden characters, like the ones some programs add"]
    assert form.errors["notes"] == ["Notes must not include hidden characters, like the ones some programs add"]
    assert "title" not in form.cleaned_data


def test_partner_form_rejects_a_huge_exponent_without_a_server_error():
    competition = make_competition()
    lot = competition.lots.first()
    form = PartnerForm(
        {"name": "X", "role": "subcontractor", "share_percent": "1e309", "lots": [str(lot.pk)]},
        organisation=None,
        lots=[lot],
    )
    assert not form.is_valid()
    assert form.errors["share_percent"][0] == "Share of the work must be less than 100%"
