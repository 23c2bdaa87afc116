from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.permissions import can_read_history
from audit.selectors import history_for_object


def object_history(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    if not can_read_history(request.user):
        raise PermissionDenied
    entries = history_for_object(object_type=object_type, object_id=object_id)
    return render(
        request,
        "audit/history.html",
        {
            "entries": entries,
            "object_type": object_type,
            "object_id": object_id,
            # The name the object had when last recorded, e.g. "Kent".
            "object_name": entries[-1].object_repr if entries and entries[-1].object_repr else object_id,
        },
    )
