"""Public open data pages: what we publish, and the bulk download of every release."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.clock import db_now
from opendata import builders, selectors
from opendata.encoding import iter_json


@login_not_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "opendata/index.html",
        {
            "download_url": reverse("opendata:releases-download"),
            "releases_api_url": reverse("api:ocds-releases"),
            "framework_record_url": reverse("api:ocds-record", kwargs={"ocid": builders.framework_ocid()}),
            "framework_ocid": builders.framework_ocid(),
            "ocid_prefix": builders.ocid_prefix(),
            "api_docs_url": reverse("api:openapi-view"),
        },
    )


def _stream_package(*, uri: str, now) -> Iterator[str]:
    """The release package as JSON text, one release at a time."""
    head = iter_json(builders.package_metadata(uri=uri, published=now))
    text = "".join(head)
    # Open the package object, leaving it unclosed, then stream the releases array into it.
    yield text[:-1] + ',"releases":['
    first = True
    for release in selectors.iter_all_releases(now=now):
        yield ("" if first else ",") + "".join(iter_json(release))
        first = False
    yield "]}"


@login_not_required
@require_GET
def releases_download(request: HttpRequest) -> StreamingHttpResponse:
    now = db_now()
    response = StreamingHttpResponse(
        _stream_package(uri=request.build_absolute_uri(), now=now), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="ocds-releases.json"'
    return response
