"""The page shown instead of a bid whose stored content is not what was sent."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from competitions.services.bids import INTEGRITY_MESSAGE, BidIntegrityError

# 409 Conflict: the bid exists and the reader may read it, but what is stored conflicts with what
# was sent. Not a 404 (that would hide the problem) and not a 500 (nothing crashed).
INTEGRITY_STATUS = 409


def integrity_refusal(
    request: HttpRequest, error: BidIntegrityError, *, title: str = "", message: str = ""
) -> HttpResponse:
    """The refusal page: for one bid by default, or with the page's own title and message (the
    award pages, which rank many bids)."""
    return render(
        request,
        "competitions/integrity_failed.html",
        {
            "competition": error.bid.competition,
            "title": title or "You cannot read this bid",
            "message": message or INTEGRITY_MESSAGE,
        },
        status=INTEGRITY_STATUS,
    )


# 503: what is stored cannot be opened at the moment (a key missing, or a token broken); the
# service team must act, and nothing the person does will change it. Not a 500 with a stack trace.
UNREADABLE_STATUS = 503


def unreadable_page(request: HttpRequest, competition=None) -> HttpResponse:
    return render(request, "competitions/unreadable.html", {"competition": competition}, status=UNREADABLE_STATUS)
