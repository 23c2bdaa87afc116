"""The public OCDS API: release packages page by page, and a record package per contracting process."""

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.decorators import decorate_view

from core.api import Page
from core.clock import db_now
from core.pagecache import keep_public
from opendata import builders, selectors
from opendata.encoding import dumps

router = Router(tags=["Open data (OCDS)"])

JSON = "application/json"


class PageQuery(Schema):
    page: int = Page()


@router.get(
    "/releases",
    auth=None,
    url_name="ocds-releases",
    summary="OCDS release package, page by page",
    description=(
        "Every published OCDS 1.1 release: the framework, then each call-off competition's planning, tender, "
        "amendment, award and contract releases, oldest competition first. When there are more, "
        "`links.next` is the address of the next page."
    ),
)
@decorate_view(keep_public)
def releases(request: HttpRequest, query: Query[PageQuery]) -> HttpResponse:
    now = db_now()
    page = selectors.releases_page(page=query.page, now=now)
    next_url = None
    if page.has_next:
        next_url = request.build_absolute_uri(f"{request.path}?page={query.page + 1}")
    package = builders.release_package(
        uri=request.build_absolute_uri(), published=now, releases=page.releases, next_url=next_url
    )
    return HttpResponse(dumps(package), content_type=JSON)


@router.get(
    "/records/{ocid}",
    auth=None,
    url_name="ocds-record",
    summary="OCDS record package for one contracting process",
    description="Every release of one contracting process (its `ocid`) and the compiled release: its current state.",
)
@decorate_view(keep_public)
def record(request: HttpRequest, ocid: str) -> HttpResponse:
    now = db_now()
    releases = selectors.record_releases(ocid=ocid, now=now)
    if releases is None:
        raise Http404("No contracting process with that ocid")
    package = builders.record_package(uri=request.build_absolute_uri(), published=now, releases=releases)
    return HttpResponse(dumps(package), content_type=JSON)
