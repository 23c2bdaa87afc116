"""The volumes and value of a person's contracts, year by year, with the flags (issue 13); and the
section of the account page that counts the flags. Thin: the predicate, one selector, a page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.clock import LONDON, db_now, financial_year_label, financial_year_of
from core.paging import page_or_404
from volumes.flags import BY_SLUG, FLAGS, Thresholds, flags_of
from volumes.permissions import can_see_volumes
from volumes.selectors import contract_years, contracts_for

PER_PAGE = 25


def _flagged_years(user, *, this_year_only: bool = False):
    today = db_now().astimezone(LONDON).date()
    thresholds = Thresholds.from_settings()
    years = {financial_year_of(today)} if this_year_only else None
    rows = [
        (year, flags_of(year, thresholds))
        for year in contract_years(contracts_for(user), today=today, financial_years=years)
    ]
    return rows, today, thresholds


@require_safe
def contracts_page(request: HttpRequest) -> HttpResponse:
    if not can_see_volumes(request.user):
        raise PermissionDenied
    slug = request.GET.get("flag") or None
    if slug is not None and slug not in BY_SLUG:
        raise Http404
    rows, today, thresholds = _flagged_years(request.user)
    if slug is not None:
        rows = [(year, flags) for year, flags in rows if BY_SLUG[slug] in flags]
    page = page_or_404(rows, PER_PAGE, request.GET.get("page"))
    return render(
        request,
        "volumes/contracts.html",
        {
            "page": page,
            "flag": BY_SLUG.get(slug) if slug else None,
            "flags": [(flag, flag.meaning(thresholds)) for flag in FLAGS],
            "current_year": financial_year_label(financial_year_of(today)),
            "page_base": "?" + (f"flag={slug}&" if slug else "") + "page=",
        },
    )


def home_section(user) -> dict | None:
    """For the account page: how many of the person's contracts each flag holds for this financial
    year, each with its meaning and a link to the years it holds for. Only this year is worked out:
    every commissioner and provider lands here after signing in, and every year of every contract
    is /volumes/'s to show (ADR 13)."""
    if not can_see_volumes(user):
        return None
    rows, today, thresholds = _flagged_years(user, this_year_only=True)
    # No contract runs this year: the section still leads to the years before, if there are any.
    if not rows and not contracts_for(user).exists():
        return None
    counts = [
        {
            "flag": flag,
            "meaning": flag.meaning(thresholds),
            "this_year": sum(1 for _year, flags in rows if flag in flags),
        }
        for flag in FLAGS
    ]
    return {
        "template": "volumes/_home_section.html",
        "volume_flags": counts,
        "volume_year": financial_year_label(financial_year_of(today)),
    }
