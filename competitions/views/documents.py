"""Downloading an opportunity's specification documents: the competition's team, the
organisations it was sent to, and anyone for a public document while it is planned or open
(`competitions.permissions_documents`). Everyone else gets the same 404 as for a document that
does not exist."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from competitions.models import CompetitionDocument
from competitions.permissions_documents import can_download_document
from competitions.selectors.documents import download_filename

logger = logging.getLogger(__name__)


@login_not_required
@require_safe
def download(request: HttpRequest, competition_id: int, document_id: int) -> FileResponse:
    document = get_object_or_404(
        CompetitionDocument.objects.select_related("competition"), pk=document_id, competition_id=competition_id
    )
    if not can_download_document(request.user, document):
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        logger.error("Stored file missing for competition document %s", document.pk)
        raise Http404 from None
    # Served as the type the upload check found in the content, never as something to show
    # in the browser: always an attachment, and the browser must not guess another type.
    response = FileResponse(
        handle, as_attachment=True, filename=download_filename(document), content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
