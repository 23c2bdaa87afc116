from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from audit import signing
from audit.permissions import can_read_history
from audit.selectors import checkpoints_published, history_for_object


def object_history(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    # The same "not found" for a history you may not read as for one that does not exist.
    if not can_read_history(request.user, object_type, object_id):
        raise Http404
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


@login_not_required
def checkpoints(request: HttpRequest) -> HttpResponse:
    """The signed checkpoints, for anyone to check and keep."""
    number = request.GET.get("page", "1")
    if not number.isdigit() or not 1 <= int(number) <= 1_000_000:
        raise Http404
    paginator = Paginator(checkpoints_published(), 50)
    if int(number) > max(paginator.num_pages, 1):
        raise Http404
    return render(
        request,
        "audit/checkpoints.html",
        {"page": paginator.page(int(number)), "keys": list(signing.verify_keys().values())},
    )
