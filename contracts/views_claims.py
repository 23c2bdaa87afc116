"""Claims across contracts: a commissioner's claims waiting for a decision and claims late, and a
provider's "what you are owed and when". Thin: predicate, one selector, a page of the list.
Someone of another role is refused before anything is read (403), as for other role pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from contracts.permissions import can_see_claims_to_decide, can_see_what_is_owed
from contracts.selectors import PAYMENT_RULE_DAYS, commissioner_claims, provider_claims
from core.clock import LONDON, db_now
from core.paging import page_or_404

PER_PAGE = 25
SHOWN = {"waiting": "Waiting for you", "late": "Late"}


@require_safe
def claims_to_decide(request: HttpRequest) -> HttpResponse:
    if not can_see_claims_to_decide(request.user):
        raise PermissionDenied
    show = request.GET.get("show", "waiting")
    if show not in SHOWN:
        raise Http404
    lists = commissioner_claims(request.user, today=db_now().astimezone(LONDON).date())
    page = page_or_404(lists[show], PER_PAGE, request.GET.get("page"))
    context = {
        "show": show,
        "shown": SHOWN,
        "counts": {name: len(rows) for name, rows in lists.items()},
        "page": page,
        "rule_days": PAYMENT_RULE_DAYS,
    }
    return render(request, "contracts/claims_to_decide.html", context)


@require_safe
def owed(request: HttpRequest) -> HttpResponse:
    if not can_see_what_is_owed(request.user):
        raise PermissionDenied
    owed_now = provider_claims(request.user, today=db_now().astimezone(LONDON).date())
    page = page_or_404(owed_now["rows"], PER_PAGE, request.GET.get("page"))
    return render(request, "contracts/owed.html", {**owed_now, "page": page, "rule_days": PAYMENT_RULE_DAYS})
