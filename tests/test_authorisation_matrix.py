"""The authorisation matrix (issue 9): every URL pattern of the project × every role × GET and POST,
with real ids from one world (tests/authorisation_world.py), against one table of expectations.

Each cell is one request, rolled back after it (so a POST that removes, withdraws or signs out
leaves the world as it was for the next). Its outcome is one of:

- `OK`: 200, the page or file;
- `GO`: a redirect to a page other than sign-in (a form with nothing filled in often sends the
  person on, e.g. to the first unanswered step);
- `SIGN_IN`: a redirect to sign in;
- `NF`: 404, the same "not found" for what someone may not see as for what does not exist;
- `NA`: 405, the method is not allowed;
- `BAD`: 400 (a link that cannot be read);
- `NO`: 403, a page for another role (staff pages for providers, provider pages for staff...),
  refused before any object is looked up, so it says nothing about whether the object exists
  (`same_as_nowhere` checks that every 403 and 404 for a real id is what a made-up id gets).

The table is strict: a cell answers exactly what the table says, so a page that lets in someone
the table refuses fails, and so does one that refuses someone the table lets in. A URL pattern the
table does not mention fails `test_the_table_names_every_url_pattern`; the Django admin is left out
for the reason tests/routes.py gives.

To write a row for a new URL pattern, `AUTHZ_PROBE=cells.jsonl pytest tests/test_authorisation_matrix.py`
records what every cell answers (and where each redirect goes) instead of checking: read each one
against the permission rules before copying it into the table.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests import routes
from tests.authorisation_world import ROLES, build_world

OK, GO, SIGN_IN, NF, NA, BAD, NO = "200", "302", "sign in", "404", "405", "400", "403"

# --- The world ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, inside a transaction rolled back at its end; each test runs in a
    savepoint inside it (pytest-django's `db`)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
            built["sessions"] = _sessions(built["people"])
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _sessions(people) -> dict[str, str | None]:
    """A signed-in session for each role (staff sessions have given their code: tests/fixtures.py)."""
    sessions = {}
    for role, user in people.items():
        if user is None:
            sessions[role] = None
            continue
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


# Where each URL pattern takes its ids from: the first rule whose prefix the route starts with.
# Set-up pages use the draft; a launched opportunity's own pages the open one; evaluation, award,
# results and the bid as others read it the closed one.
SCENE_RULES = [
    ("opportunities/manage/<id:pk>/questions/", "open"),
    ("opportunities/manage/<id:pk>/newly-qualified/", "open"),
    ("opportunities/manage/<id:pk>/cancel/", "open"),
    ("opportunities/manage/", "draft"),
    ("opportunities/<id:competition_id>/evaluate/", "closed"),
    ("opportunities/<id:competition_id>/award/", "closed"),
    ("opportunities/<id:competition_id>/bids/", "closed"),
    ("contracts/from-award/", "closed"),
]


def scene_of(route: str) -> str:
    return next((scene for prefix, scene in SCENE_RULES if route.startswith(prefix)), "open")


def _value(world, scene: str, route: str, name: str) -> str:
    competition = world[scene]["competition"]
    parts = world[scene]
    accounts, qualification = world["accounts"], world["qualification"]
    by_prefix = {
        "account/organisation/invitations/": accounts["org_invitation"].pk,
        "account/organisation/members/": accounts["membership"].pk,
        "account/staff/invitations/": accounts["staff_invitation"].pk,
        "account/staff/roles/": accounts["spare_role"].pk,
        "account/staff/": accounts["spare_staff"].pk,
        "contracts/": world["closed"]["contract"].pk,
        "public/contracts/": world["closed"]["contract"].pk,
        "join/application/documents/": qualification["document"].pk,
        "join/assess/applications/": qualification["application"].pk,
        "join/assess/help-requests/": qualification["help_request"].pk,
        "join/assess/organisations/": qualification["organisation"].pk,
        "join/assess/qualifications/": qualification["qualification"].pk,
        "provider/referrals/": world["provider_referrals"]["referral"].pk,
    }
    if name == "pk" and route == "provider/referrals/<id:pk>/take-back/":
        return str(world["provider_referrals"]["with_partner"].pk)
    if name == "pk" and route.startswith("referrals/"):
        # The draft's own pages take the practitioner's draft; the rest the referral they sent.
        draft_pages = ("/person/", "/needs/", "/order/", "/support/", "/risk/", "/check/")
        return str(world["referrals"]["draft" if route.endswith(draft_pages) else "sent"].pk)
    if name == "pk":
        for prefix, pk in by_prefix.items():
            if route.startswith(prefix):
                return str(pk)
        return str(competition.pk)
    if route.startswith("contracts/"):
        document = world["closed"]["contract_document"]
    else:
        document = parts.get("bid_document") if "/bids/" in route else parts.get("document")
    values = {
        "competition_id": competition.pk,
        "lot_id": parts["lot"].pk,
        "lot_pk": parts["lot"].pk,
        "question_id": parts["question"].pk,
        "question_pk": parts["question"].pk,
        "bid_id": parts.get("bid") and parts["bid"].pk,
        "answer_id": parts.get("answer") and parts["answer"].pk,
        "letter_id": parts.get("letter") and parts["letter"].pk,
        "award_id": parts.get("award") and parts["award"].pk,
        "document_id": document and document.pk,
        "document_pk": parts.get("document") and parts["document"].pk,
        "partner_id": parts.get("partner") and parts["partner"].pk,
        "partner_pk": parts.get("funding_partner") and parts["funding_partner"].pk,
        "clarification_pk": parts.get("clarification") and parts["clarification"].pk,
        "user_id": world["people"]["evaluator"].pk,
        # Pages that answer a change (approve, accept, decline) take the change the provider has
        # accepted, which it can see; the rest the draft, which only staff see.
        "number": world["closed"][
            "accepted_version" if route.endswith(("/approve/", "/accept/", "/decline/")) else "draft_version"
        ].number,
        "claim_id": world["closed"]["claim"].pk,
        "contract_id": world["closed"]["contract"].pk,
        "payment_id": world["closed"]["partner_payment"].pk,
        "outcome_id": world["provider_referrals"]["outcome"].pk,
        "side": "provider",
        "token": accounts["org_token"] if route.startswith("account/invitation/") else "not-a-real-token",
        "uidb64": "MQ",
        "slug": "who-takes-part",
        "table": "steps",
        "key": "about",
        "code": "E23000032",
        "step": "you",
        "object_type": "competitions.bid",
        "object_id": world["open"]["bid"].pk,
        "ocid": f"{settings.OCDS_PREFIX}-{world['open']['competition'].pk}",
    }
    value = values[name]
    assert value is not None, f"{route}: the {scene} world has no {name}"
    return str(value)


NOWHERE = "2147483000"  # an id no object of the world has


def url_of(world, route: str, scene: str | None = None, *, ids_nowhere: bool = False) -> str:
    """The route with real ids from the scene (or, `ids_nowhere`, ids that do not exist)."""
    scene = scene or scene_of(route)

    def fill(match: re.Match) -> str:
        if ids_nowhere and match.group(0).startswith("<id:"):
            return NOWHERE
        return _value(world, scene, route, match.group(1))

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", fill, route)


# --- Requests ---------------------------------------------------------------------------------

SIGN_IN_PATH = None


def outcome(response) -> str:
    global SIGN_IN_PATH  # noqa: PLW0603
    SIGN_IN_PATH = SIGN_IN_PATH or reverse(settings.LOGIN_URL)
    if response.status_code in (301, 302, 303, 307, 308):
        return SIGN_IN if response["Location"].split("?")[0] == SIGN_IN_PATH else GO
    return str(response.status_code)


def request_as(world, role: str, method: str, url: str):
    client = Client()
    session = world["sessions"][role]
    if session is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = session
    with transaction.atomic():
        response = getattr(client, method)(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return response


# --- The table ----------------------------------------------------------------------------------


def anyone(default: str, **only: str) -> dict[str, str]:
    """Every role, the anonymous public included, gets `default`, except the roles named."""
    unknown = set(only) - set(ROLES)
    assert not unknown, f"not roles: {unknown}"
    return {role: only.get(role, default) for role in ROLES}


def signed_in(default: str, **only: str) -> dict[str, str]:
    """Anyone not signed in is sent to sign in; every role gets `default`, except the roles named."""
    assert "anonymous" not in only
    return {**anyone(default, **only), "anonymous": SIGN_IN}


# route -> (GET, POST), each role -> outcome. A route with " before the deadline" after it is the
# same page for the open opportunity, whose bid is sent but sealed.
TABLE: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "": (anyone(OK), anyone(OK)),
    "accessibility/": (anyone(OK), anyone(OK)),
    "account/": (signed_in(OK), signed_in(OK)),
    "account/confirm-email/": (signed_in(GO), signed_in(GO)),
    "account/confirm-email/<str:token>/": (anyone(NF), anyone(NF)),
    "account/invitation/<str:token>/": (anyone(OK), anyone(OK)),
    "account/organisation/": (
        signed_in(NO, member=OK, org_admin=OK, other_provider=OK),
        signed_in(NO, member=OK, org_admin=OK, other_provider=OK),
    ),
    "account/organisation/invitations/<id:pk>/cancel/": (
        signed_in(NO, org_admin=OK, other_provider=NF),
        signed_in(NO, org_admin=GO, other_provider=NF),
    ),
    "account/organisation/invite/": (
        signed_in(NO, org_admin=OK, other_provider=OK),
        signed_in(NO, org_admin=OK, other_provider=OK),
    ),
    "account/organisation/members/<id:pk>/remove/": (
        signed_in(NO, org_admin=OK, other_provider=NF),
        signed_in(NO, org_admin=GO, other_provider=NF),
    ),
    "account/password-reset/": (anyone(OK), anyone(OK)),
    "account/password-reset/<str:uidb64>/<str:token>/": (anyone(BAD), anyone(BAD)),
    "account/password-reset/done/": (anyone(OK), anyone(OK)),
    "account/password-reset/sent/": (anyone(OK), anyone(OK)),
    "account/sign-in/": (anyone(OK), anyone(OK)),
    "account/sign-in/code/": (signed_in(GO), signed_in(GO)),
    "account/sign-in/set-up-app/": (signed_in(GO), signed_in(GO)),
    "account/sign-out/": (signed_in(OK), signed_in(GO)),
    "account/staff/": (signed_in(NO, administrator=OK), signed_in(NO, administrator=OK)),
    "account/staff/<id:pk>/reset-sign-in-codes/": (signed_in(NO, administrator=OK), signed_in(NO, administrator=GO)),
    "account/staff/invitations/<id:pk>/cancel/": (signed_in(NO, administrator=OK), signed_in(NO, administrator=GO)),
    "account/staff/invite/": (signed_in(NO, administrator=OK), signed_in(NO, administrator=OK)),
    "account/staff/roles/<id:pk>/remove/": (signed_in(NO, administrator=OK), signed_in(NO, administrator=GO)),
    "api/v1/": (anyone(NF), anyone(NF)),
    "api/v1/audit/checkpoints": (anyone(OK), anyone(NA)),
    "api/v1/contracts/payment-times": (anyone(OK), anyone(NA)),
    "api/v1/contracts/payment-times/by-contract": (anyone(OK), anyone(NA)),
    "api/v1/docs": (anyone(OK), anyone(OK)),
    "api/v1/insights/burden": (anyone(OK), anyone(NA)),
    "api/v1/insights/coverage": (anyone(OK), anyone(NA)),
    "api/v1/insights/pipeline": (anyone(OK), anyone(NA)),
    "api/v1/insights/smaller-providers": (anyone(OK), anyone(NA)),
    "api/v1/insights/volumes-and-value": (anyone(OK), anyone(NA)),
    "api/v1/insights/where-the-money-goes": (anyone(OK), anyone(NA)),
    "api/v1/insights/who-takes-part": (anyone(OK), anyone(NA)),
    "api/v1/ocds/records/<ocid>": (anyone(OK), anyone(NA)),
    "api/v1/ocds/releases": (anyone(OK), anyone(NA)),
    "api/v1/openapi.json": (anyone(OK), anyone(OK)),
    "api/v1/public/contracts": (anyone(OK), anyone(NA)),
    "api/v1/public/opportunities": (anyone(OK), anyone(NA)),
    "api/v1/reference/areas": (anyone(OK), anyone(NA)),
    "api/v1/reference/categories": (anyone(OK), anyone(NA)),
    "api/v1/suppliers": (anyone(OK), anyone(NA)),
    # The history of the open opportunity's sent bid: nobody, its own bidder included, reads it there.
    "audit/<str:object_type>/<str:object_id>/": (signed_in(NF), signed_in(NF)),
    "audit/checkpoints/": (anyone(OK), anyone(OK)),
    "contracts/": (signed_in(OK), signed_in(OK)),
    # Every staff role sees the contracts register (contracts/permissions.py); providers their own.
    "contracts/<id:pk>/": (signed_in(OK, other_provider=NF), signed_in(OK, other_provider=NF)),
    # A commissioner's claims waiting and late, for their organisation's contracts (an empty list for
    # one elsewhere); a provider's member's "what you are owed". GET only.
    # Referrals (ADR 12): practitioners' pages refuse other roles first (403); a referral is read by
    # the practitioner who sent it and the receiving provider's referral managers (the bidding
    # organisation's administrator), "not found" for everyone else, as for an id that does not exist.
    "referrals/": (signed_in(NO, practitioner=OK), signed_in(NO, practitioner=NA)),
    "referrals/start/<id:contract_id>/": (signed_in(NO, practitioner=OK), signed_in(NO, practitioner=GO)),
    "referrals/<id:pk>/": (signed_in(NF, practitioner=OK, org_admin=OK), signed_in(NA)),
    "referrals/<id:pk>/person/": (signed_in(NO, practitioner=OK), signed_in(NO, practitioner=OK)),
    "referrals/<id:pk>/needs/": (signed_in(NO, practitioner=OK), signed_in(NO, practitioner=OK)),
    "referrals/<id:pk>/order/": (signed_in(NO, practitioner=OK), signed_in(NO, practitioner=OK)),
    "referrals/<id:pk>/support/": (signed_in(NO, practitioner=OK), signed_in(NO, practitioner=OK)),
    "referrals/<id:pk>/risk/": (signed_in(NO, practitioner=OK), signed_in(NO, practitioner=OK)),
    "referrals/<id:pk>/check/": (signed_in(NO, practitioner=OK), signed_in(NO, practitioner=OK)),
    "referrals/<id:pk>/sent/": (signed_in(NO, practitioner=OK), signed_in(NO, practitioner=NA)),
    "referrals/<id:pk>/approve-plan/": (signed_in(NO, practitioner=NA), signed_in(NO, practitioner=GO)),
    "referrals/<id:pk>/cancel/": (signed_in(NO, practitioner=OK), signed_in(NO, practitioner=OK)),
    "referrals/<id:pk>/end/": (signed_in(NO, practitioner=OK), signed_in(NO, practitioner=OK)),
    "contracts/claims/": (signed_in(NO, commissioner=OK, commissioner_elsewhere=OK), signed_in(NA)),
    "contracts/owed/": (signed_in(NO, member=OK, org_admin=OK, other_provider=OK), signed_in(NA)),
    # Volumes and value with the flags (issue 13): commissioners (their organisation's contracts)
    # and members of an organisation (its own); everyone else refused before anything is read.
    "volumes/": (
        signed_in(NO, member=OK, org_admin=OK, other_provider=OK, commissioner=OK, commissioner_elsewhere=OK),
        signed_in(NA),
    ),
    # A contract's changes (issue 11): the opportunity's commissioners manage it; the provider's
    # administrator (or its named contract manager, here nobody) answers for the provider; anyone
    # else who may see the contract is refused with the same "not found" as for no contract.
    # Version 3, a draft: every staff member reads it, the provider does not until it is approved.
    "contracts/<id:pk>/changes/<id:number>/": (
        signed_in(OK, member=NF, org_admin=NF, other_provider=NF),
        signed_in(OK, member=NF, org_admin=NF, other_provider=NF),
    ),
    # Version 2, already accepted: the provider gets past the check and is told it is done.
    "contracts/<id:pk>/changes/<id:number>/accept/": (signed_in(NA), signed_in(NF, org_admin=GO)),
    # Version 2: a commissioner of the opportunity gets past the check (a second one must approve:
    # contracts/services.py refuses whoever proposed it).
    "contracts/<id:pk>/changes/<id:number>/approve/": (signed_in(NA), signed_in(NF, commissioner=GO)),
    "contracts/<id:pk>/changes/<id:number>/areas/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    # Version 2: either side may decline a change not yet in force.
    "contracts/<id:pk>/changes/<id:number>/decline/": (
        signed_in(NF, org_admin=OK, commissioner=OK),
        signed_in(NF, org_admin=OK, commissioner=OK),
    ),
    "contracts/<id:pk>/changes/<id:number>/end-date/": (
        signed_in(NF, commissioner=OK),
        signed_in(NF, commissioner=OK),
    ),
    "contracts/<id:pk>/changes/<id:number>/partners/": (
        signed_in(NF, commissioner=OK),
        signed_in(NF, commissioner=OK),
    ),
    "contracts/<id:pk>/changes/<id:number>/payment/": (
        signed_in(NF, commissioner=OK),
        signed_in(NF, commissioner=OK),
    ),
    # The draft changes nothing yet, so proposing it sends the commissioner back to it.
    "contracts/<id:pk>/changes/<id:number>/propose/": (signed_in(NA), signed_in(NF, commissioner=GO)),
    "contracts/<id:pk>/changes/<id:number>/years/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    "contracts/<id:pk>/changes/new/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    # The opportunity offered no extension, so its commissioner is sent back to the contract.
    # A contract's documents (issue 11): whoever may see the contract downloads them (GET only);
    # either side adds or withdraws one: the opportunity's commissioners, and the provider's
    # administrator (or its named contract manager, here nobody). Everyone else: "not found".
    "contracts/<id:pk>/documents/<id:document_id>/": (
        signed_in(OK, other_provider=NF),
        signed_in(NA, other_provider=NF),
    ),
    "contracts/<id:pk>/documents/<id:document_id>/withdraw/": (
        signed_in(NF, commissioner=OK, org_admin=OK),
        signed_in(NF, commissioner=OK, org_admin=OK),
    ),
    "contracts/<id:pk>/documents/new/": (
        signed_in(NF, commissioner=OK, org_admin=OK),
        signed_in(NF, commissioner=OK, org_admin=OK),
    ),
    # Who a contract is for (issue 12): the opportunity's commissioners change it.
    "contracts/<id:pk>/eligibility/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    "contracts/<id:pk>/extend/": (signed_in(NF, commissioner=GO), signed_in(NF, commissioner=GO)),
    # The provider's side: its administrator names its contract manager.
    "contracts/<id:pk>/manager/<str:side>/": (signed_in(NF, org_admin=OK), signed_in(NF, org_admin=OK)),
    # Payments are read by whoever may see the contract.
    "contracts/<id:pk>/payments/": (signed_in(OK, other_provider=NF), signed_in(OK, other_provider=NF)),
    # The provider's claim, waiting for the commissioner.
    "contracts/<id:pk>/payments/<id:claim_id>/": (
        signed_in(OK, other_provider=NF),
        signed_in(OK, other_provider=NF),
    ),
    "contracts/<id:pk>/payments/<id:claim_id>/approve/": (signed_in(NA), signed_in(NF, commissioner=GO)),
    "contracts/<id:pk>/payments/<id:claim_id>/correct/": (signed_in(NF, org_admin=OK), signed_in(NF, org_admin=OK)),
    "contracts/<id:pk>/payments/<id:claim_id>/paid/": (
        signed_in(NF, commissioner=OK),
        signed_in(NF, commissioner=OK),
    ),
    "contracts/<id:pk>/payments/<id:claim_id>/query/": (
        signed_in(NF, commissioner=OK),
        signed_in(NF, commissioner=OK),
    ),
    "contracts/<id:pk>/payments/<id:claim_id>/send-again/": (
        signed_in(NF, org_admin=OK),
        signed_in(NF, org_admin=OK),
    ),
    "contracts/<id:pk>/payments/new/": (signed_in(NF, org_admin=OK), signed_in(NF, org_admin=OK)),
    # The supply chain is read by whoever may see the contract; the provider records payments to partners.
    "contracts/<id:pk>/supply-chain/": (signed_in(OK, other_provider=NF), signed_in(OK, other_provider=NF)),
    "contracts/<id:pk>/supply-chain/<id:payment_id>/correct/": (
        signed_in(NF, org_admin=OK),
        signed_in(NF, org_admin=OK),
    ),
    "contracts/<id:pk>/supply-chain/new/": (signed_in(NF, org_admin=OK), signed_in(NF, org_admin=OK)),
    "contracts/<id:pk>/terminate/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    # Finding services to refer a person to (issue 12): probation practitioners only; a search is a GET.
    "contracts/find-services/": (signed_in(NO, practitioner=OK), signed_in(NA)),
    "contracts/from-award/<id:award_id>/": (signed_in(NA), signed_in(NF, commissioner=GO)),
    "contracts/payment-times/": (anyone(OK), anyone(NA)),
    "contracts/payment-times.csv": (anyone(OK), anyone(NA)),
    "cookies/": (anyone(OK), anyone(OK)),
    "feedback/": (anyone(OK), anyone(OK)),
    # Health checks for load balancers: anyone, GET (and HEAD) only.
    "healthz": (anyone(OK), anyone(NA)),
    "help/": (anyone(OK), anyone(OK)),
    "insights/": (anyone(OK), anyone(NA)),
    "insights/<slug:slug>/": (anyone(OK), anyone(NA)),
    "insights/<slug:slug>/download.xlsx": (anyone(OK), anyone(NA)),
    "insights/<slug:slug>/download/<slug:table>.csv": (anyone(OK), anyone(NA)),
    "join/": (anyone(OK), anyone(OK)),
    "join/application/": (
        signed_in(NO, member=OK, org_admin=OK, other_provider=OK),
        signed_in(NO, member=OK, org_admin=OK, other_provider=OK),
    ),
    "join/application/check/": (
        signed_in(NO, member=OK, org_admin=OK, other_provider=OK),
        signed_in(NO, member=GO, org_admin=GO, other_provider=OK),
    ),
    # A document of the bidding organisation's application, not sent yet: assessors may open it
    # (qualification/permissions.py can_view_application asks no more than the role; docs/security.md).
    "join/application/documents/<id:pk>/": (
        signed_in(NF, member=OK, org_admin=OK, assessor=OK),
        signed_in(NF, member=OK, org_admin=OK, assessor=OK),
    ),
    "join/application/section/<slug:key>/": (
        signed_in(NO, member=OK, org_admin=OK),
        signed_in(NO, member=OK, org_admin=OK),
    ),
    "join/application/sent/": (
        signed_in(NO, member=GO, org_admin=GO, other_provider=OK),
        signed_in(NO, member=GO, org_admin=GO, other_provider=OK),
    ),
    "join/application/services/": (signed_in(NO, member=OK, org_admin=OK), signed_in(NO, member=OK, org_admin=OK)),
    "join/application/services/areas/": (
        signed_in(NO, member=OK, org_admin=OK),
        signed_in(NO, member=OK, org_admin=OK),
    ),
    "join/application/services/check/": (
        signed_in(NO, member=OK, org_admin=OK),
        signed_in(NO, member=OK, org_admin=OK),
    ),
    "join/application/services/councils/": (
        signed_in(NO, member=OK, org_admin=OK),
        signed_in(NO, member=OK, org_admin=OK),
    ),
    "join/application/services/councils/<str:code>/": (
        signed_in(NO, member=OK, org_admin=OK),
        signed_in(NO, member=GO, org_admin=GO),
    ),
    "join/application/services/where/": (
        signed_in(NO, member=OK, org_admin=OK),
        signed_in(NO, member=OK, org_admin=OK),
    ),
    "join/assess/": (signed_in(NO, assessor=OK), signed_in(NO, assessor=OK)),
    "join/assess/applications/<id:pk>/": (signed_in(NO, assessor=OK), signed_in(NO, assessor=OK)),
    "join/assess/applications/<id:pk>/decide/": (signed_in(NO, assessor=OK), signed_in(NO, assessor=OK)),
    # Another organisation's application, not decided yet: nobody has a letter to read.
    "join/assess/applications/<id:pk>/decision-letter/": (signed_in(NF), signed_in(NF)),
    "join/assess/applications/<id:pk>/sections/<slug:key>/accept/": (
        signed_in(NO, assessor=NA),
        signed_in(NO, assessor=GO),
    ),
    "join/assess/applications/<id:pk>/sections/<slug:key>/question/": (
        signed_in(NO, assessor=OK),
        signed_in(NO, assessor=OK),
    ),
    "join/assess/help-requests/": (signed_in(NO, assessor=OK), signed_in(NO, assessor=OK)),
    "join/assess/help-requests/<id:pk>/reply/": (signed_in(NO, assessor=OK), signed_in(NO, assessor=OK)),
    "join/assess/organisations/": (signed_in(NO, assessor=OK), signed_in(NO, assessor=OK)),
    "join/assess/organisations/<id:pk>/": (signed_in(NO, assessor=OK), signed_in(NO, assessor=OK)),
    "join/assess/qualifications/<id:pk>/reinstate/": (signed_in(NO, assessor=NA), signed_in(NO, assessor=GO)),
    "join/assess/qualifications/<id:pk>/remove/": (signed_in(NO, assessor=OK), signed_in(NO, assessor=OK)),
    "join/assess/qualifications/<id:pk>/suspend/": (signed_in(NO, assessor=OK), signed_in(NO, assessor=OK)),
    "join/declaration/": (
        signed_in(NO, member=OK, org_admin=OK, other_provider=OK),
        signed_in(NO, member=OK, org_admin=OK, other_provider=OK),
    ),
    "join/help/": (
        signed_in(NO, member=OK, org_admin=OK, other_provider=OK),
        signed_in(NO, member=OK, org_admin=OK, other_provider=OK),
    ),
    "join/help/requests/": (
        signed_in(NO, member=OK, org_admin=OK, other_provider=OK),
        signed_in(NO, member=OK, org_admin=OK, other_provider=OK),
    ),
    "join/help/sent/": (
        signed_in(NO, member=OK, org_admin=OK, other_provider=OK),
        signed_in(NO, member=OK, org_admin=OK, other_provider=OK),
    ),
    "join/interest/": (
        signed_in(NO, member=OK, org_admin=OK, other_provider=OK),
        signed_in(NO, member=GO, org_admin=GO, other_provider=GO),
    ),
    "join/organisation/": (
        signed_in(NO, org_admin=OK, other_provider=OK),
        signed_in(NO, org_admin=OK, other_provider=OK),
    ),
    "join/qualifications/": (
        signed_in(NO, member=OK, org_admin=OK, other_provider=OK),
        signed_in(NO, member=OK, org_admin=OK, other_provider=OK),
    ),
    "join/qualifications/add/": (signed_in(NA), signed_in(NO, member=GO, org_admin=GO, other_provider=GO)),
    "join/register/": (anyone(OK), anyone(OK)),
    "join/register/<slug:step>/": (anyone(GO, anonymous=OK), anyone(GO, anonymous=OK)),
    "join/register/check/": (anyone(GO), anyone(GO)),
    "join/register/sent/": (anyone(GO), anyone(GO)),
    "open-data/": (anyone(OK), anyone(NA)),
    "open-data/ocds-releases.json": (anyone(OK), anyone(NA)),
    "opportunities/<id:competition_id>/": (signed_in(NF, member=OK, org_admin=OK), signed_in(NA)),
    "opportunities/<id:competition_id>/award/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    "opportunities/<id:competition_id>/award/lots/<id:lot_id>/approve/": (
        signed_in(NF, commissioner=OK),
        signed_in(NF, commissioner=OK),
    ),
    "opportunities/<id:competition_id>/award/lots/<id:lot_id>/challenge/": (
        signed_in(NF, commissioner=OK),
        signed_in(NF, commissioner=OK),
    ),
    "opportunities/<id:competition_id>/award/lots/<id:lot_id>/challenge/outcome/": (
        signed_in(NF, commissioner=OK),
        signed_in(NF, commissioner=OK),
    ),
    "opportunities/<id:competition_id>/award/lots/<id:lot_id>/direct/": (
        signed_in(NF, commissioner=OK),
        signed_in(NF, commissioner=OK),
    ),
    "opportunities/<id:competition_id>/award/lots/<id:lot_id>/recommend/": (
        signed_in(NA),
        signed_in(NF, commissioner=GO),
    ),
    "opportunities/<id:competition_id>/award/results/": (
        signed_in(NF, member=OK, org_admin=OK, commissioner=OK),
        signed_in(NF, member=OK, org_admin=OK, commissioner=OK),
    ),
    "opportunities/<id:competition_id>/award/results/<id:letter_id>/": (
        signed_in(NF, member=OK, org_admin=OK, commissioner=OK),
        signed_in(NF, member=OK, org_admin=OK, commissioner=OK),
    ),
    "opportunities/<id:competition_id>/bid/": (signed_in(NF, member=OK, org_admin=OK), signed_in(NA)),
    "opportunities/<id:competition_id>/bid/areas/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NF, member=OK, org_admin=OK),
    ),
    "opportunities/<id:competition_id>/bid/check/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NF, member=OK, org_admin=OK),
    ),
    "opportunities/<id:competition_id>/bid/declarations/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NF, member=OK, org_admin=OK),
    ),
    "opportunities/<id:competition_id>/bid/documents/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NF, member=OK, org_admin=OK),
    ),
    "opportunities/<id:competition_id>/bid/documents/<id:document_id>/remove/": (
        signed_in(NA),
        signed_in(NF, member=OK, org_admin=OK),
    ),
    "opportunities/<id:competition_id>/bid/partners/": (signed_in(NF, member=OK, org_admin=OK), signed_in(NA)),
    "opportunities/<id:competition_id>/bid/partners/<id:partner_id>/remove/": (
        signed_in(NA),
        signed_in(NF, member=OK, org_admin=OK),
    ),
    "opportunities/<id:competition_id>/bid/partners/add/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NF, member=OK, org_admin=OK),
    ),
    "opportunities/<id:competition_id>/bid/partners/suggestions/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NA),
    ),
    "opportunities/<id:competition_id>/bid/prices/<id:lot_id>/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NF, member=OK, org_admin=OK),
    ),
    "opportunities/<id:competition_id>/bid/questions/<id:question_id>/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NF, member=OK, org_admin=OK),
    ),
    "opportunities/<id:competition_id>/bid/questions/<id:question_id>/areas/<id:lot_id>/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NF, member=OK, org_admin=OK),
    ),
    "opportunities/<id:competition_id>/bid/questions/<id:question_id>/areas/<id:lot_id>/earlier-answers/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NA),
    ),
    "opportunities/<id:competition_id>/bid/questions/<id:question_id>/earlier-answers/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NA),
    ),
    "opportunities/<id:competition_id>/bid/receipt/": (signed_in(NF, member=OK, org_admin=OK), signed_in(NA)),
    "opportunities/<id:competition_id>/bid/start/": (signed_in(NA), signed_in(NF, member=GO, org_admin=GO)),
    "opportunities/<id:competition_id>/bid/withdraw/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NF, member=GO, org_admin=GO),
    ),
    # After the deadline: the bidder, the commissioner and the evaluator without a conflict, nobody else.
    "opportunities/<id:competition_id>/bids/<id:bid_id>/": (
        signed_in(NF, member=OK, org_admin=OK, commissioner=OK, evaluator=OK),
        signed_in(NA),
    ),
    # Before the deadline nobody but the bidding organisation reads its bid: the same 404 as for no bid.
    "opportunities/<id:competition_id>/bids/<id:bid_id>/ before the deadline": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NA),
    ),
    "opportunities/<id:competition_id>/bids/<id:bid_id>/documents/<id:document_id>/": (
        signed_in(NF, member=OK, org_admin=OK, commissioner=OK, evaluator=OK),
        signed_in(NA),
    ),
    "opportunities/<id:competition_id>/bids/<id:bid_id>/documents/<id:document_id>/ before the deadline": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NA),
    ),
    # A specification document not marked public: the opportunity's team and invited organisations.
    "opportunities/<id:competition_id>/documents/<id:document_id>/": (
        anyone(NF, member=OK, org_admin=OK, commissioner=OK, evaluator=OK, evaluator_conflicted=OK),
        anyone(NA),
    ),
    "opportunities/<id:competition_id>/evaluate/": (
        signed_in(NF, commissioner=OK, evaluator=OK, evaluator_conflicted=OK),
        signed_in(NF, commissioner=OK, evaluator=OK, evaluator_conflicted=OK),
    ),
    "opportunities/<id:competition_id>/evaluate/bids/<id:bid_id>/": (
        signed_in(NF, evaluator=OK),
        signed_in(NF, evaluator=OK),
    ),
    "opportunities/<id:competition_id>/evaluate/bids/<id:bid_id>/ before the deadline": (signed_in(NF), signed_in(NF)),
    "opportunities/<id:competition_id>/evaluate/bids/<id:bid_id>/moderate/": (
        signed_in(NF, commissioner=OK),
        signed_in(NF, commissioner=OK),
    ),
    "opportunities/<id:competition_id>/evaluate/bids/<id:bid_id>/moderate/ before the deadline": (
        signed_in(NF),
        signed_in(NF),
    ),
    "opportunities/<id:competition_id>/evaluate/bids/<id:bid_id>/pass-fail/<id:answer_id>/": (
        signed_in(NF, commissioner=OK),
        signed_in(NF, commissioner=OK),
    ),
    "opportunities/<id:competition_id>/evaluate/bids/<id:bid_id>/pass-fail/<id:answer_id>/ before the deadline": (
        signed_in(NF),
        signed_in(NF),
    ),
    "opportunities/<id:competition_id>/evaluate/conflicts/": (
        signed_in(NF, evaluator=OK, evaluator_conflicted=OK),
        signed_in(NF, evaluator=OK, evaluator_conflicted=OK),
    ),
    "opportunities/<id:competition_id>/evaluate/evaluators/": (
        signed_in(NF, commissioner=OK),
        signed_in(NF, commissioner=OK),
    ),
    "opportunities/<id:competition_id>/evaluate/evaluators/<id:user_id>/remove/": (
        signed_in(NA),
        signed_in(NF, commissioner=GO),
    ),
    "opportunities/<id:competition_id>/evaluate/results/": (
        signed_in(NF, commissioner=OK),
        signed_in(NF, commissioner=OK),
    ),
    "opportunities/<id:pk>/questions/": (
        signed_in(NF, member=OK, org_admin=OK, commissioner=OK),
        signed_in(NF, member=OK, org_admin=OK),
    ),
    "opportunities/evaluate/": (
        signed_in(NO, evaluator=OK, evaluator_conflicted=OK),
        signed_in(NO, evaluator=OK, evaluator_conflicted=OK),
    ),
    "opportunities/for-you/": (signed_in(NO, member=OK, org_admin=OK, other_provider=OK), signed_in(NA)),
    "opportunities/manage/": (
        signed_in(NO, commissioner=OK, commissioner_elsewhere=OK),
        signed_in(NO, commissioner=OK, commissioner_elsewhere=OK),
    ),
    "opportunities/manage/<id:pk>/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    "opportunities/manage/<id:pk>/bid-questions/<id:question_pk>/remove/": (
        signed_in(NF, commissioner=NA),
        signed_in(NF, commissioner=GO),
    ),
    "opportunities/manage/<id:pk>/bid-questions/add/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    "opportunities/manage/<id:pk>/cancel/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    "opportunities/manage/<id:pk>/commissioners/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    "opportunities/manage/<id:pk>/contract/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    "opportunities/manage/<id:pk>/details/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    "opportunities/manage/<id:pk>/documents/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    "opportunities/manage/<id:pk>/documents/<id:document_pk>/remove/": (
        signed_in(NF, commissioner=NA),
        signed_in(NF, commissioner=GO),
    ),
    "opportunities/manage/<id:pk>/documents/<id:document_pk>/who-can-download/": (
        signed_in(NF, commissioner=NA),
        signed_in(NF, commissioner=GO),
    ),
    "opportunities/manage/<id:pk>/funding-partners/<id:partner_pk>/remove/": (
        signed_in(NF, commissioner=NA),
        signed_in(NF, commissioner=GO),
    ),
    "opportunities/manage/<id:pk>/funding-partners/add/": (
        signed_in(NF, commissioner=OK),
        signed_in(NF, commissioner=OK),
    ),
    "opportunities/manage/<id:pk>/launch/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    "opportunities/manage/<id:pk>/lots/<id:lot_pk>/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    "opportunities/manage/<id:pk>/lots/<id:lot_pk>/cancel/": (
        signed_in(NF, commissioner=OK),
        signed_in(NF, commissioner=OK),
    ),
    "opportunities/manage/<id:pk>/lots/<id:lot_pk>/remove/": (
        signed_in(NF, commissioner=NA),
        signed_in(NF, commissioner=GO),
    ),
    "opportunities/manage/<id:pk>/lots/<id:lot_pk>/years/": (
        signed_in(NF, commissioner=OK),
        signed_in(NF, commissioner=OK),
    ),
    "opportunities/manage/<id:pk>/lots/add/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    "opportunities/manage/<id:pk>/newly-qualified/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    "opportunities/manage/<id:pk>/plan/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    "opportunities/manage/<id:pk>/questions/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    "opportunities/manage/<id:pk>/questions/<id:clarification_pk>/answer/": (
        signed_in(NF, commissioner=OK),
        signed_in(NF, commissioner=OK),
    ),
    "opportunities/manage/<id:pk>/scoring/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    "opportunities/manage/<id:pk>/timetable/": (signed_in(NF, commissioner=OK), signed_in(NF, commissioner=OK)),
    "opportunities/manage/new/": (
        signed_in(NO, commissioner=OK, commissioner_elsewhere=OK),
        signed_in(NO, commissioner=OK, commissioner_elsewhere=OK),
    ),
    "privacy/": (anyone(OK), anyone(OK)),
    # The provider's referral pages (issue 12): the inbox for any member of an organisation (its
    # scope is readable_q), the managers page for its administrators. The referral is in progress,
    # with the member its caseworker: the prime's administrator (a referral manager) opens every
    # step; the caseworker the steps of the work, not who does it; everyone else, the practitioner
    # who sent it included (they have their own pages), gets "not found", as for no referral.
    "provider/referrals/": (signed_in(NO, member=OK, org_admin=OK, other_provider=OK), signed_in(NA)),
    "provider/referrals/managers/": (
        signed_in(NO, org_admin=OK, other_provider=OK),
        signed_in(NO, org_admin=OK, other_provider=OK),
    ),
    # Finding referrals by case reference number: the inbox's scope, so any member; an empty POST
    # gets a GOV.UK error on the page.
    "provider/referrals/search/": (
        signed_in(NO, member=OK, org_admin=OK, other_provider=OK),
        signed_in(NO, member=OK, org_admin=OK, other_provider=OK),
    ),
    "provider/referrals/<id:pk>/": (signed_in(NF, member=OK, org_admin=OK), signed_in(NA)),
    "provider/referrals/<id:pk>/assessment/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NF, member=OK, org_admin=OK),
    ),
    "provider/referrals/<id:pk>/assessment/attendance/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NF, member=OK, org_admin=OK),
    ),
    "provider/referrals/<id:pk>/caseworker/": (signed_in(NF, org_admin=OK), signed_in(NF, org_admin=OK)),
    "provider/referrals/<id:pk>/partner/": (signed_in(NF, org_admin=OK), signed_in(NF, org_admin=OK)),
    # A referral given to a partner: the prime's administrator takes it back (the POST, rolled
    # back, goes on to the referral's page); the partner's people are none of the roles.
    "provider/referrals/<id:pk>/take-back/": (signed_in(NF, org_admin=OK), signed_in(NF, org_admin=GO)),
    "provider/referrals/<id:pk>/plan/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NF, member=OK, org_admin=OK),
    ),
    # Nothing new to send: a GOV.UK error, on the page.
    "provider/referrals/<id:pk>/plan/send/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NF, member=OK, org_admin=OK),
    ),
    "provider/referrals/<id:pk>/report/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NF, member=OK, org_admin=OK),
    ),
    # The notes are optional: an empty answer is saved, and the page goes back to the report.
    "provider/referrals/<id:pk>/report/notes/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NF, member=GO, org_admin=GO),
    ),
    "provider/referrals/<id:pk>/report/outcomes/<id:outcome_id>/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NF, member=OK, org_admin=OK),
    ),
    "provider/referrals/<id:pk>/sessions/new/": (
        signed_in(NF, member=OK, org_admin=OK),
        signed_in(NF, member=OK, org_admin=OK),
    ),
    "public/contracts/": (anyone(OK), anyone(OK)),
    "public/contracts/<id:pk>/": (anyone(OK), anyone(OK)),
    "public/contracts/download.csv": (anyone(OK), anyone(OK)),
    "public/opportunities/": (anyone(OK), anyone(OK)),
    "public/opportunities/<id:pk>/": (anyone(OK), anyone(OK)),
    "readyz": (anyone(OK), anyone(NA)),
    "words-we-use/": (anyone(OK), anyone(OK)),
}

# --- The tests --------------------------------------------------------------------------------

MATRIX_ROUTES = sorted(route for route in routes.project_routes() if not routes.is_excluded(route))
# Pages that read a bid are also tried on the open opportunity, with its bid already sent: before
# the deadline nobody but the bidding organisation may read it.
BEFORE_THE_DEADLINE = " before the deadline"
SEALED_ROUTES = [
    route
    for route in MATRIX_ROUTES
    if "<id:bid_id>" in route and (route.startswith("opportunities/<id:competition_id>/bids/") or "/evaluate/" in route)
]
CASES = [*MATRIX_ROUTES, *(route + BEFORE_THE_DEADLINE for route in SEALED_ROUTES)]
PROBE = os.environ.get("AUTHZ_PROBE")


@pytest.mark.parametrize("case", CASES)
def test_every_role_gets_what_the_table_says(db, world, case):
    route = case.removesuffix(BEFORE_THE_DEADLINE)
    scene = "open" if case.endswith(BEFORE_THE_DEADLINE) else None
    url = url_of(world, route, scene)
    observed = {}
    for method in ("get", "post"):
        for role in ROLES:
            response = request_as(world, role, method, url)
            observed[(method, role)] = outcome(response)
            if PROBE and observed[(method, role)] == GO:
                observed[(method, role)] += " " + response["Location"]
    if PROBE:
        with open(PROBE, "a") as out:
            out.write(json.dumps({"route": case, "url": url, **{f"{m} {r}": v for (m, r), v in observed.items()}}))
            out.write("\n")
        return
    wrong = mismatches(TABLE[case], observed) + same_as_nowhere(world, route, scene, observed)
    assert not wrong, f"{url}:\n" + "\n".join(wrong)


def mismatches(expected: tuple[dict[str, str], dict[str, str]], observed: dict[tuple[str, str], str]) -> list[str]:
    wrong = []
    for method, by_role in zip(("get", "post"), expected, strict=True):
        for role in ROLES:
            if observed[(method, role)] != by_role[role]:
                wrong.append(f"{method.upper()} as {role}: expected {by_role[role]}, got {observed[(method, role)]}")
    return wrong


def test_the_table_names_every_url_pattern_and_nothing_else():
    named = {case.removesuffix(BEFORE_THE_DEADLINE) for case in TABLE}
    assert not set(MATRIX_ROUTES) - named, f"URL patterns missing from the table: {sorted(set(MATRIX_ROUTES) - named)}"
    assert not named - set(MATRIX_ROUTES), (
        f"rows for URL patterns that do not exist: {sorted(named - set(MATRIX_ROUTES))}"
    )
    assert set(TABLE) == set(CASES)
    for case, (get, post) in TABLE.items():
        assert set(get) == set(post) == set(ROLES), case


def test_a_page_that_lets_in_someone_the_table_refuses_fails():
    """The comparison is exact: one cell let in (or refused) against the table is a failure."""
    expected = TABLE["opportunities/<id:competition_id>/bids/<id:bid_id>/" + BEFORE_THE_DEADLINE]
    observed = {(method, role): expected[i][role] for i, method in enumerate(("get", "post")) for role in ROLES}
    assert mismatches(expected, observed) == []
    for role, let_in in (("commissioner", OK), ("administrator", GO), ("member", NF)):
        assert mismatches(expected, {**observed, ("get", role): let_in}) == [
            f"GET as {role}: expected {expected[0][role]}, got {let_in}"
        ]


def same_as_nowhere(world, route: str, scene: str | None, observed: dict[tuple[str, str], str]) -> list[str]:
    """Whoever is refused an object gets exactly the answer they would for an id that does not
    exist, so no status code tells them it exists (a bid sent, an application in)."""
    if "<id:" not in route:
        return []
    missing = url_of(world, route, scene, ids_nowhere=True)
    differ = []
    for (method, role), answer in observed.items():
        if answer in (NF, NO):
            nowhere = outcome(request_as(world, role, method, missing))
            if nowhere != answer:
                differ.append(f"{method.upper()} as {role}: {answer}, but {nowhere} for {missing}")
    return differ
