"""The sealed-bid test across every output: every page the URL patterns reach (with real ids), the
admin, every API operation, the OCDS releases, records and bulk download, the insight pages and
downloads, every e-mail sent and every history page — as every role.

A competition gets sent bids before its closing date, holding secrets in an answer, a partner's
name and a price, from a bidder whose name is itself a secret. Until the closing instant none of
them appears anywhere, except to the bidder's own members. After it, the secrets appear only to
those the sealed-bid rule lets read the bid (the competition's commissioners and its cleared
evaluators) and, never, to anyone else."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver

from competitions.models import CompetitionMember, ConflictDeclaration
from competitions.services import bids as svc
from competitions.tests.evaluation_factories import close_bidding, evaluators
from competitions.tests.factories import invite, make_competition
from tests.factories import make_provider_user, make_user_with_role

# A crawl of every output as every role (10,000 requests): CI runs it in the SQLite pass only, with
# the browser journeys (.ci/run). The sealed-bid rule itself, at the closing instant, is tested on
# both databases (test_deadline_edges.py, test_sealed_bids.py, and the authorisation matrix, which
# tries every page that reads a bid before the deadline as every role).
pytestmark = [pytest.mark.django_db, pytest.mark.crawl]

ANSWER = "Xylophone-answer-7731"
PARTNER = "Pangolin Partners 4419 CIC"
PRICE = Decimal("876543.21")
BIDDER = "Okapi Bidders 5523 Ltd"
PRICE_TEXTS = ("876543", "876,543")
SECRETS = (ANSWER, PARTNER, *PRICE_TEXTS)
# Pages about one organisation (its application, its people, the admin's lists of organisations and
# of invitations, the commissioner's list of organisations invited), reached with real ids: they name it whether or not it bid, so only the
# bid's content is looked for there, not the name.
ABOUT_AN_ORGANISATION: set[str] = set()
# Rendered pages may escape or wrap these; none of them has characters HTML escapes.


def _send(competition, *, name: str | None = None, answer: str = "Our plan.", partner: str = "A partner CIC"):
    user = make_provider_user()
    organisation = user.memberships.get().organisation
    if name:
        organisation.legal_name = name
        organisation.trading_name = ""
        organisation.save()
    invite(competition, organisation)
    bid = svc.bid_start(competition=competition, user=user)
    lot = competition.lots.order_by("number").first()
    svc.bid_lots_set(bid=bid, user=user, lot_ids=[lot.pk])
    for question in competition.questions.order_by("number"):
        if question.kind == "pass_fail":
            svc.bid_answer_save(bid=bid, user=user, question=question, lot=lot, confirmed=True)
        else:
            svc.bid_answer_save(bid=bid, user=user, question=question, lot=lot, text=answer)
    price = PRICE if name else Decimal("400000")
    svc.bid_prices_save(bid=bid, user=user, lot=lot, prices={y.financial_year: price for y in lot.years.all()})
    svc.bid_partner_add(
        bid=bid,
        user=user,
        organisation=None,
        name=partner,
        role="subcontractor",
        share_percent=Decimal("10"),
        lot_ids=[lot.pk],
    )
    svc.bid_declarations_confirm(bid=bid, user=user)
    svc.bid_submit(bid=bid, user=user)
    bid.refresh_from_db()
    return bid, user


@pytest.fixture
def world():
    competition = make_competition(evaluators=2, lots=("Kent",))
    secret_bid, bidder = _send(competition, name=BIDDER, answer=ANSWER, partner=PARTNER)
    other_bid, _other = _send(competition)
    commissioner = CompetitionMember.objects.get(competition=competition, role="commissioner").user
    return {
        "competition": competition,
        "bid": secret_bid,
        "bidder": bidder,
        "other_bid": other_bid,
        "commissioner": commissioner,
        "evaluators": evaluators(competition),
    }


def _ids(world) -> dict[str, str]:
    bid, competition = world["bid"], world["competition"]
    return {
        "competition_id": competition.pk,
        "pk": competition.pk,
        "bid_id": bid.pk,
        "lot_id": competition.lots.first().pk,
        "question_id": competition.questions.get(number=1).pk,
        "answer_id": bid.answers.get(question__kind="pass_fail").pk,
        "partner_id": bid.partners.first().pk,
        "organisation_id": bid.organisation_id,
        "user_id": world["bidder"].pk,
        "object_type": "competitions.bid",
        "object_id": bid.pk,
        "ocid": f"ocds-pdf000-{competition.reference}",
    }


def _urls(world) -> list[str]:
    """Every URL pattern with its parameters filled with real ids (the bid, its competition...)."""
    ids = _ids(world)
    urls: set[str] = set()
    about_the_bidder: set[str] = set()

    def fill(route: str) -> str | None:
        route = route.lstrip("^").rstrip("$")
        if "(?P" in route or "\\" in route:
            return None

        def value(match: re.Match) -> str:
            name = match.group(2)
            if name in ("organisation_id", "user_id") or (name == "pk" and "organisation" in route):
                about_the_bidder.add("/" + route)
            return str(ids.get(name, 1))

        url = "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)
        if (
            "/" + route in about_the_bidder
            or route.startswith(("admin/accounts/", "admin/competitions/competitioninv"))
            or route == "opportunities/manage/<id:pk>/"
        ):
            ABOUT_AN_ORGANISATION.add(url)
        return url

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                url = fill(prefix + str(pattern.pattern))
                if url is not None:
                    urls.add(url)

    walk(get_resolver().url_patterns, "")
    history = {f"/history/competitions.bid/{world['bid'].pk}/", f"/history/competitions.competition/{ids['pk']}/"}
    return sorted(urls | history)


def _api_urls(client, world) -> list[str]:
    ids = _ids(world)
    schema = client.get("/api/v1/openapi.json").json()
    urls = []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        urls.append(re.sub(r"{(\w+)}", lambda m: str(ids.get(m.group(1), 1)), path))
    return urls


def _body(response) -> str:
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    return data.decode("utf-8", "replace")


def _crawl(client, world) -> dict[str, str]:
    """Every page and API operation, GET, as whoever the client is signed in as: {url: body}."""
    seen = {}
    for url in _urls(world) + _api_urls(client, world):
        if "/sign-out" in url or "logout" in url:
            continue
        response = client.get(url, follow=False)
        seen[url] = _body(response)
    return seen


def _people(world) -> dict[str, object]:
    competition = world["competition"]
    partner_member = make_provider_user()
    invite(competition, partner_member.memberships.get().organisation, kind="partner")
    rival = world["other_bid"].started_by
    return {
        "provider": make_provider_user(is_admin=False),
        "provider_admin": make_provider_user(),
        "rival_bidder": rival,
        "possible_partner": partner_member,
        "assessor": make_user_with_role("assessor"),
        "commissioner_elsewhere": make_user_with_role("commissioner", area_code="K"),
        "evaluator_elsewhere": make_user_with_role("evaluator"),
        "practitioner": make_user_with_role("practitioner"),
        "administrator": make_user_with_role("administrator"),
        "superuser": make_user_with_role("administrator", is_staff=True, is_superuser=True),
        "competition_commissioner": world["commissioner"],
        "competition_evaluator": world["evaluators"][0],
    }


def _leaks(pages: dict[str, str], secrets) -> list[tuple[str, str]]:
    return [(url, secret) for url, body in pages.items() for secret in secrets if secret in body]


def test_nothing_a_bid_says_and_nobody_who_bid_appears_anywhere_before_the_closing_instant(client, world):
    people = _people(world)
    for role, user in [("anonymous", None), *people.items()]:
        client.logout()
        if user is not None:
            client.force_login(user)
        pages = _crawl(client, world)
        assert pages, role
        leaks = _leaks(pages, SECRETS) + _leaks(
            {url: body for url, body in pages.items() if url not in ABOUT_AN_ORGANISATION}, (BIDDER,)
        )
        assert not leaks, f"{role} saw {leaks[:5]}"
    client.logout()
    # The bidder's own members see their bid (the crawl does reach it).
    client.force_login(world["bidder"])
    own = _crawl(client, world)
    assert _leaks(own, (ANSWER,)) and _leaks(own, (PARTNER,))
    # No e-mail sent so far (receipts, invitations...) says what the bid says.
    for message in mail.outbox:
        text = message.body + "".join(str(part[0]) for part in getattr(message, "alternatives", []))
        assert not [secret for secret in (*SECRETS,) if secret in text + message.subject]


def test_after_the_closing_instant_only_the_rule_lets_anyone_read_it(client, world):
    close_bidding(world["competition"])
    cleared = world["evaluators"][0]
    ConflictDeclaration.objects.create(
        competition=world["competition"], evaluator=cleared, bid=world["bid"], has_conflict=False
    )
    people = _people(world)
    readers = {"competition_commissioner", "competition_evaluator"}
    for role, user in [("anonymous", None), *people.items()]:
        client.logout()
        if user is not None:
            client.force_login(user)
        pages = _crawl(client, world)
        leaks = _leaks(pages, (ANSWER, PARTNER))
        if role in readers:
            assert leaks, f"{role} should read the bid after the deadline"
            assert all("/bids/" in url or "/evaluate/" in url for url, _ in leaks), leaks
        else:
            assert not leaks, f"{role} saw {leaks[:5]}"
    for message in mail.outbox:
        assert not [secret for secret in (ANSWER, PARTNER) if secret in message.body + message.subject]
