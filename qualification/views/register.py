"""The public register of qualified organisations."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.pagecache import keep_public
from core.paging import page_or_404
from qualification.forms_assessor import RegisterFilterForm
from qualification.selectors.register import organisation_coverage_sentences, register_organisations

PER_PAGE = 50


@login_not_required
@keep_public
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterFilterForm(request.GET or None)
    category, area = form.chosen()
    page = page_or_404(register_organisations(category=category, area=area), PER_PAGE, request.GET.get("page"))
    rows = [(org, organisation_coverage_sentences(org)) for org in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "qualification/register/register.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "filtered": category is not None or area is not None,
            "page_has_errors": bool(form.errors),
        },
    )
