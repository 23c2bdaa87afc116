"""Page numbers in a query string (`?page=3`) for the lists that run over several pages."""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import F, Func, IntegerField, QuerySet, Subquery
from django.http import Http404

from core.bounds import bounded_int

MAX_PAGE = 10_000


def _page_number(number: str | None) -> int:
    if number in (None, ""):
        number = "1"
    value = bounded_int(number, minimum=1, maximum=MAX_PAGE)
    if value is None:
        raise Http404("There is no such page")
    return value


def page_or_404(object_list, per_page: int, number: str | None, *, count: int | None = None) -> Page:
    """The page `number` asks for: page 1 when it is missing or empty, and "not found" for anything
    that is not a page of this list (a word, 0, a number past the end), rather than quietly
    showing another page. `count`, when the caller has already counted the list, saves a query."""
    value = _page_number(number)
    paginator = Paginator(object_list, per_page)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: this is its value.
    try:
        return paginator.page(value)
    except EmptyPage:
        raise Http404("There is no such page") from None


def counted_page_or_404(queryset: QuerySet, per_page: int, number: str | None) -> Page:
    """`page_or_404` in one query: the page's rows, each carrying the length of the whole list (a
    scalar subquery with the same filter, which the database works out once; an index-only count
    where the filter has an index), instead of a COUNT query and then the rows. The same pages
    and the same "not found" for a number past the end."""
    value = _page_number(number)
    total = Subquery(
        queryset.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n"), output_field=IntegerField()
    )
    bottom = (value - 1) * per_page
    rows = list(queryset.annotate(_list_total=total)[bottom : bottom + per_page])
    if not rows and value > 1:
        raise Http404("There is no such page")
    paginator = Paginator(queryset, per_page)
    paginator.count = rows[0]._list_total if rows else 0  # Paginator.count is a cached property
    return paginator._get_page(rows, value, paginator)
