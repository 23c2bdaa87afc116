"""The practitioner's referrals and the provider's inbox (issue 12 "Demo and scale"): a fixed number
of queries for a page of them, however many referrals and contracts there are (each row's contract,
provider and caseworker come with it; its status is read from its own timestamps; the list's length
comes with the rows)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core.paging import counted_page_or_404
from reference.models import Area
from referrals.selectors import provider_inbox, referrals_made_by
from referrals.tests.factories import assigned_referral, complete_draft, referral_world, sent_referral
from referrals.tests.test_counts import Build, another_contract, at

pytestmark = pytest.mark.django_db


def _page(selector, user_id: int) -> tuple[int, list]:
    """Queries to show a first page, as a request does it: the person afresh, then the page and
    what its rows show (the inbox's "who has it" too)."""
    user = User.objects.get(pk=user_id)
    with CaptureQueriesContext(connection) as queries:
        page = counted_page_or_404(selector(user), 25, "1")
        rows = [(r.reference, r.status, r.contract.title) for r in page.object_list]
        if selector is provider_inbox:  # sent, done by, who has it
            rows = [
                (*row, r.sent_at, r.complete_by, r.provider.legal_name, r.caseworker)
                for row, r in zip(rows, page, strict=True)
            ]
        else:  # started
            rows = [(*row, r.created_at) for row, r in zip(rows, page, strict=True)]
        assert page.paginator.count == len(rows)
    return len(queries), rows


def test_a_page_of_referrals_takes_the_same_queries_however_many():
    world = referral_world()
    practitioner, manager = world["practitioner"], world["manager"]
    sent_referral(world)
    few_mine, mine = _page(referrals_made_by, practitioner.pk)
    few_inbox, inbox = _page(provider_inbox, manager.pk)
    assert len(mine) == 1 and len(inbox) == 1
    # The practitioner: their roles (with their regions), then the page. The manager: their roles,
    # membership and whether they manage referrals, then the page.
    assert (few_mine, few_inbox) == (2, 4)
    # More referrals at other stages, and to more contracts of the same provider.
    complete_draft(world)
    sent_referral(world)
    assigned_referral(world)
    build = Build(world)
    for number in range(1, 5):
        contract = another_contract(world["contract"], number)
        build.referral(contract, Area.objects.get(code="K"), at(2026, 4, number))
    many_mine, mine = _page(referrals_made_by, practitioner.pk)
    many_inbox, inbox = _page(provider_inbox, manager.pk)
    assert len(mine) == 8 and len(inbox) == 7
    assert many_mine == few_mine and many_inbox == few_inbox
