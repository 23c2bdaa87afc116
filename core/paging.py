"""Page numbers in a query string (`?page=3`) for the lists that run over several pages."""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page, Paginator
from django.http import Http404

from core.bounds import bounded_int

MAX_PAGE = 10_000


def page_or_404(object_list, per_page: int, number: str | None, *, count: int | None = None) -> Page:
    """The page `number` asks for: page 1 when it is missing or empty, and "not found" for anything
    that is not a page of this list (a word, 0, a number past the end), rather than quietly
    showing another page. `count`, when the caller has already counted the list, saves a query."""
    if number in (None, ""):
        number = "1"
    value = bounded_int(number, minimum=1, maximum=MAX_PAGE)
    if value is None:
        raise Http404("There is no such page")
    paginator = Paginator(object_list, per_page)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: this is its value.
    try:
        return paginator.page(value)
    except EmptyPage:
        raise Http404("There is no such page") from None
