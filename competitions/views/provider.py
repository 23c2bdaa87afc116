"""Provider pages: opportunities for you, an opportunity, and one bid covering many lots.

Views parse input, call one service or selector, and respond. A competition the user's
organisation was not sent is a 404 (its existence is not revealed); staff have their own pages.
After the closing date every bid page shows the GOV.UK "closed" message instead of a form.
"""

from __future__ import annotations

import io
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import is_member_of, membership_of
from competitions import forms_bid
from competitions.models import Bid, Competition, CompetitionInvitation, Lot, Question, QuestionKind
from competitions.permissions import (
    can_bid,
    can_see_opportunities_for_you,
    can_view_opportunity,
    with_viewer_invitation,
)
from competitions.sealing import SealBroken
from competitions.selectors import answer_library
from competitions.selectors import bids as sel
from competitions.selectors.answers import answered_per_lot
from competitions.selectors.invitations import (
    late_invitations_open,
    not_invited_opportunities,
    not_invited_opportunity,
)
from competitions.services import bids as svc
from competitions.views.integrity import integrity_refusal, unreadable_page
from core.clock import db_now, financial_year_label
from core.forms import add_service_errors
from qualification.selectors.partners import partner_candidate, partner_search
from qualification.selectors.register import organisation_coverage_sentences
from qualification.uploads import attachment_name

TEMPLATES = "competitions/provider/"
# Opportunities for you: as many to a page as the public list of opportunities.
PER_PAGE = 25


def _page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    form = context.get("form")
    context.setdefault("page_has_errors", bool(form is not None and form.is_bound and form.errors))
    context.setdefault("financial_year_label", financial_year_label)
    return render(request, TEMPLATES + template, context, status=status)


def _load(request: HttpRequest, competition_id: int) -> Competition:
    """The competition, with whether it was sent to the user's organisation (one query)."""
    competitions = with_viewer_invitation(
        Competition.objects.select_related("service_type", "owner_area"), request.user
    )
    return get_object_or_404(competitions, pk=competition_id)


def _competition(request: HttpRequest, competition_id: int) -> Competition:
    competition = _load(request, competition_id)
    if not can_view_opportunity(request.user, competition):
        raise Http404
    return competition


def _closed(request: HttpRequest, competition: Competition, bid: Bid | None = None) -> HttpResponse:
    return _page(
        request,
        "closed.html",
        {"competition": competition, "bid": bid, "message": svc.CLOSED_MESSAGE, "page_has_errors": False},
    )


def _cannot_change(request: HttpRequest, competition: Competition, bid: Bid, message: str) -> HttpResponse:
    return _page(request, "cannot_change.html", {"competition": competition, "bid": bid, "message": message})


def _own_bid(*, editable: bool):
    """A view decorator: the view is called as view(request, competition, bid, ...)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, competition_id: int, *args, **kwargs) -> HttpResponse:
            competition = None
            try:
                # The bid, its competition and whether this person may see it, read at once; the
                # competition alone when there is no bid (to say not found, or to start one).
                bid = sel.own_bid_with_competition(request.user, competition_id)
                competition = bid.competition if bid is not None else _load(request, competition_id)
                if not can_view_opportunity(request.user, competition):
                    raise Http404
                if bid is None:
                    return redirect("competitions:opportunity", competition_id=competition.pk)
                if editable:
                    if competition.is_bidding_closed():
                        return _closed(request, competition, bid)
                    if bid.is_sent:
                        return _cannot_change(request, competition, bid, svc.SENT_MESSAGE)
                return view(request, competition, bid, *args, **kwargs)
            except SealBroken:
                # Something stored for the bid no longer decrypts: a plain page, not a crash (and
                # still not found for anyone the competition was not sent to).
                if competition is None:
                    competition = _competition(request, competition_id)
                svc.bid_unreadable_record(
                    bid_id=sel.bid_id_for_organisation(competition, membership_of(request.user).organisation),
                    user=request.user,
                    purpose=f"own_bid:{view.__name__}",
                )
                return unreadable_page(request, competition)

        return wrapped

    return decorator


# The user's organisation's bid for the competition (404 if the competition was not sent to it;
# to the opportunity page if there is no bid yet), handed to the view as (competition, bid).
own_bid = _own_bid(editable=False)
# The same, only while it can still be changed: otherwise the page saying why not (closed, sent).
editable_bid = _own_bid(editable=True)


def _refusal(request: HttpRequest, competition: Competition, bid: Bid, exc: ValidationError) -> HttpResponse | None:
    """The page for a refusal that is not about what was typed (closed, already sent)."""
    if isinstance(exc, svc.BidClosed) or getattr(exc, "code", None) == "closed":
        return _closed(request, competition, bid)
    if getattr(exc, "code", None) in ("sent", "not_open", "lot", "years", "not_sent"):
        return _cannot_change(request, competition, bid, exc.messages[0])
    return None


def _task_list_url(competition: Competition) -> str:
    return reverse("competitions:bid", kwargs={"competition_id": competition.pk})


# --- Opportunities -------------------------------------------------------------------------


@require_http_methods(["GET"])
def for_you(request: HttpRequest) -> HttpResponse:
    if not can_see_opportunities_for_you(request.user):
        raise PermissionDenied
    membership = membership_of(request.user)
    now = db_now()
    # A page of each list (an organisation is sent every opportunity in its types of support and
    # areas, hundreds over the years): the work and the page do not grow with the invitations.
    pages = sel.opportunity_pages(
        request.user, page=request.GET.get("page"), partner_page=request.GET.get("partner-page"), per_page=PER_PAGE
    )
    shown = [*pages.eligible.object_list, *pages.partner.object_list]
    bids = sel.bids_by_competition([i.competition_id for i in shown], membership.organisation)

    def row(invitation: CompetitionInvitation) -> dict[str, Any]:
        competition = invitation.competition
        return {
            "invitation": invitation,
            "competition": competition,
            "lot_names": invitation.lot_names,
            "status": sel.bid_status(bids.get(competition.pk)),
            "time_left": sel.time_left_text(competition.closes_at, now=now),
            "closed": competition.is_bidding_closed(now=now),
        }

    eligible = [row(invitation) for invitation in pages.eligible.object_list]
    partner = [row(invitation) for invitation in pages.partner.object_list]
    not_invited = [
        {
            "competition": competition,
            "invitee": invitee,
            "time_left": sel.time_left_text(competition.closes_at, now=now),
        }
        for competition, invitee in not_invited_opportunities(membership.organisation, now=now)
    ]
    return _page(
        request,
        "for_you.html",
        {
            "eligible": eligible,
            "partner": partner,
            "not_invited": not_invited,
            "eligible_page": pages.eligible,
            "partner_page": pages.partner,
        },
    )


@require_http_methods(["GET"])
def opportunity(request: HttpRequest, competition_id: int) -> HttpResponse:
    competition = _load(request, competition_id)
    if not can_view_opportunity(request.user, competition):
        return _not_invited(request, competition)
    membership = membership_of(request.user)
    invitation = sel.invitation_for(competition, membership.organisation)
    bid = sel.bid_for_organisation(competition, membership.organisation)
    now = db_now()
    lots = list(competition.lots.prefetch_related("years", "areas").order_by("number"))
    context = {
        "competition": competition,
        "invitation": invitation,
        "invited_lot_ids": {lot.pk for lot in invitation.lots.all()},
        "is_partner": invitation.kind == CompetitionInvitation.Kind.PARTNER,
        "bidder_names": sel.eligible_bidder_names(competition)
        if invitation.kind == CompetitionInvitation.Kind.PARTNER
        else [],
        "bid": bid,
        "bid_status": sel.bid_status(bid),
        "lots": lots,
        "questions": list(competition.questions.order_by("number")),
        "documents": list(competition.documents.order_by("title")),
        "closed": competition.is_bidding_closed(now=now),
        "time_left": sel.time_left_text(competition.closes_at, now=now),
        "can_bid": can_bid(request.user, competition),
        "quality_weight": sum(
            (q.weight for q in competition.questions.all() if q.kind == QuestionKind.QUALITY), start=0
        ),
    }
    return _page(request, "opportunity.html", context)


def _not_invited(request: HttpRequest, competition: Competition) -> HttpResponse:
    """An open opportunity the organisation could bid for (or help with) now, but was not sent because
    it qualified later: say so plainly, with what anyone invited reads first. Nothing else (404)."""
    now = db_now()
    invitee = not_invited_opportunity(request.user, competition, now=now)
    if invitee is None:
        raise Http404
    context = {
        "competition": competition,
        "invitee": invitee,
        "areas": [lot.name for lot in competition.lots.filter(abandoned_at__isnull=True).order_by("number")],
        "time_left": sel.time_left_text(competition.closes_at, now=now),
        "can_still_be_invited": late_invitations_open(competition, now=now),
    }
    return _page(request, "not_invited.html", context)


# --- Start and the task list ---------------------------------------------------------------


@require_POST
def bid_start(request: HttpRequest, competition_id: int) -> HttpResponse:
    competition = _competition(request, competition_id)
    try:
        svc.bid_start(competition=competition, user=request.user)
    except svc.BidClosed:
        return _closed(request, competition)
    except ValidationError as exc:
        return _cannot_change(request, competition, None, exc.messages[0])
    return redirect(_task_list_url(competition))


def _status(done: bool, *, started: bool = False, optional: bool = False, blocked: bool = False) -> dict[str, Any]:
    if blocked:
        return {"text": "Cannot start yet", "classes": "govuk-task-list__status--cannot-start-yet"}
    if done:
        return {"text": "Completed"}
    if optional:
        return {"text": "Optional"}
    if started:
        return {"tag": {"text": "In progress", "classes": "govuk-tag--light-blue"}}
    return {"tag": {"text": "Not yet started", "classes": "govuk-tag--blue"}}


def _task_items(competition: Competition, reading: sel.BidReading) -> dict[str, list[dict[str, Any]]]:
    cid = competition.pk
    bid = reading.bid
    bid_lots = reading.bid_lots
    answers = reading.answers

    def item(title: str, href: str | None, status: dict[str, Any], hint: str = "") -> dict[str, Any]:
        data: dict[str, Any] = {"title": {"text": title}, "status": status}
        if href:
            data["href"] = href
        if hint:
            data["hint"] = {"text": hint}
        return data

    lots_items = [
        item(
            "Choose the areas you are bidding for",
            reverse("competitions:bid-lots", kwargs={"competition_id": cid}),
            _status(bool(bid_lots)),
            ", ".join(bl.lot.name for bl in bid_lots),
        )
    ]
    answer_items = []
    for question, lot in reading.answer_targets():
        answer = answers.get((question.pk, lot.pk if lot else None))
        kwargs = {"competition_id": cid, "question_id": question.pk}
        if lot:
            kwargs["lot_id"] = lot.pk
        href = reverse("competitions:bid-answer-lot" if lot else "competitions:bid-answer", kwargs=kwargs)
        title = f"Question {question.number}" + (f": {lot.name}" if lot else "")
        answer_items.append(item(title, href, _status(sel.answer_is_complete(question, answer)), question.text[:120]))
    if any(q.lot_specific for q in reading.questions) and not bid_lots:
        answer_items.append(
            item("Answers for each area", None, _status(False, blocked=True), "Choose your areas first.")
        )
    price_items = [
        item(
            f"Prices for {bl.lot.name}",
            reverse("competitions:bid-prices", kwargs={"competition_id": cid, "lot_id": bl.lot_id}),
            _status(reading.prices_complete[bl.lot_id]),
        )
        for bl in bid_lots
    ] or [item("Prices", None, _status(False, blocked=True), "Choose your areas first.")]
    partner_count = reading.partner_count
    document_count = reading.document_count
    other_items = [
        item(
            "Partners",
            reverse("competitions:bid-partners", kwargs={"competition_id": cid}),
            _status(partner_count > 0, optional=True),
            "Other organisations doing part of the work, if any.",
        ),
        item(
            "Documents",
            reverse("competitions:bid-documents", kwargs={"competition_id": cid}),
            _status(document_count > 0, optional=True),
            "Files that support your bid, if any.",
        ),
        item(
            "Declarations",
            reverse("competitions:bid-declarations", kwargs={"competition_id": cid}),
            _status(bid.declarations_confirmed_at is not None),
        ),
    ]
    return {"lots": lots_items, "answers": answer_items, "prices": price_items, "other": other_items}


@require_http_methods(["GET"])
@own_bid
def bid_task_list(request: HttpRequest, competition: Competition, bid: Bid) -> HttpResponse:
    now = db_now()
    closed = competition.is_bidding_closed(now=now)
    # The bid's rows read once, for the statuses and for what is missing.
    reading = sel.bid_reading(bid)
    context = {
        "competition": competition,
        "bid": bid,
        "closed": closed,
        "status": sel.bid_status(bid),
        "receipt": sel.latest_receipt(bid),
        "time_left": sel.time_left_text(competition.closes_at, now=now),
        "sections": _task_items(competition, reading) if not closed and not bid.is_sent else None,
        "missing": reading.missing,
    }
    return _page(request, "task_list.html", context)


# --- Lots ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@editable_bid
def bid_lots(request: HttpRequest, competition: Competition, bid: Bid) -> HttpResponse:
    lots = sel.lots_open_to(bid)
    if request.method == "POST":
        form = forms_bid.LotsForm(request.POST, lots=lots)
        if form.is_valid():
            try:
                svc.bid_lots_set(bid=bid, user=request.user, lot_ids=[int(x) for x in form.cleaned_data["lots"]])
            except ValidationError as exc:
                if (response := _refusal(request, competition, bid, exc)) is not None:
                    return response
                add_service_errors(form, exc)
            else:
                return redirect(_task_list_url(competition))
    else:
        form = forms_bid.LotsForm(
            initial={"lots": [str(pk) for pk in bid.bid_lots.values_list("lot_id", flat=True)]}, lots=lots
        )
    return _page(request, "lots.html", {"competition": competition, "bid": bid, "form": form})


# --- Answers -------------------------------------------------------------------------------


def _answer_target(
    competition: Competition, bid: Bid, question_id: int, lot_id: int | None
) -> tuple[Question, Lot | None]:
    """The question and the lot an answer page is for: a lot exactly when the question is answered
    once for each lot (the one answer rule), and then one of the lots this bid is for."""
    question = get_object_or_404(Question, pk=question_id, competition=competition)
    if answered_per_lot(question) != (lot_id is not None):
        raise Http404
    if lot_id is None:
        return question, None
    lot = get_object_or_404(Lot, pk=lot_id, competition=competition)
    if not bid.bid_lots.filter(lot=lot).exists():
        raise Http404
    return question, lot


def _answer_label(question: Question, lot: Lot | None) -> str:
    return f"Question {question.number}: {question.text}" + (f" (for {lot.name})" if lot else "")


def _answer_initial(request: HttpRequest, bid: Bid, question: Question, existing) -> tuple[dict[str, Any], Any]:
    """What the answer page starts with: the saved answer, or one chosen from the answer library."""
    initial: dict[str, Any] = {}
    if existing is not None:
        if question.kind == QuestionKind.PASS_FAIL:
            initial["confirmed"] = {True: "yes", False: "no"}.get(existing.confirmed)
        else:
            initial["text"] = existing.text
    reused = None
    use = request.GET.get("use")
    if use and question.kind != QuestionKind.PASS_FAIL:
        reused = answer_library.library_answer(bid.organisation, use)
        if reused is not None:
            initial["text"] = reused.text
    return initial, reused


@require_http_methods(["GET", "POST"])
@editable_bid
def bid_answer(
    request: HttpRequest, competition: Competition, bid: Bid, question_id: int, lot_id: int | None = None
) -> HttpResponse:
    question, lot = _answer_target(competition, bid, question_id, lot_id)
    form_class = forms_bid.answer_form_class(question)
    label = _answer_label(question, lot)
    existing = bid.answers.filter(question=question, lot=lot).first()
    reused = None
    if request.method == "POST":
        form = form_class(request.POST, question=question, label=label)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if question.kind == QuestionKind.PASS_FAIL:
                    svc.bid_answer_save(
                        bid=bid, user=request.user, question=question, lot=lot, confirmed=data["confirmed"] == "yes"
                    )
                else:
                    svc.bid_answer_save(bid=bid, user=request.user, question=question, lot=lot, text=data["text"])
            except ValidationError as exc:
                if (response := _refusal(request, competition, bid, exc)) is not None:
                    return response
                add_service_errors(form, exc)
            else:
                return redirect(_task_list_url(competition))
    else:
        initial, reused = _answer_initial(request, bid, question, existing)
        form = form_class(initial=initial, question=question, label=label)
    library_url = None
    if question.kind != QuestionKind.PASS_FAIL:
        kwargs = {"competition_id": competition.pk, "question_id": question.pk}
        if lot:
            kwargs["lot_id"] = lot.pk
        library_url = reverse("competitions:bid-library-lot" if lot else "competitions:bid-library", kwargs=kwargs)
    return _page(
        request,
        "answer.html",
        {
            "competition": competition,
            "bid": bid,
            "question": question,
            "lot": lot,
            "form": form,
            "reused": reused,
            "library_url": library_url,
        },
    )


@require_http_methods(["GET"])
@editable_bid
def bid_library(
    request: HttpRequest, competition: Competition, bid: Bid, question_id: int, lot_id: int | None = None
) -> HttpResponse:
    question, lot = _answer_target(competition, bid, question_id, lot_id)
    if question.kind == QuestionKind.PASS_FAIL:
        raise Http404
    kwargs = {"competition_id": competition.pk, "question_id": question.pk}
    if lot:
        kwargs["lot_id"] = lot.pk
    answer_url = reverse("competitions:bid-answer-lot" if lot else "competitions:bid-answer", kwargs=kwargs)
    items = answer_library.library_answers(bid.organisation, exclude_bid=bid)
    return _page(
        request,
        "library.html",
        {
            "competition": competition,
            "bid": bid,
            "question": question,
            "lot": lot,
            "items": items,
            "answer_url": answer_url,
        },
    )


# --- Prices --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@editable_bid
def bid_prices(request: HttpRequest, competition: Competition, bid: Bid, lot_id: int) -> HttpResponse:
    bid_lot = bid.bid_lots.select_related("lot").filter(lot_id=lot_id).first()
    if bid_lot is None:
        raise Http404
    lot = bid_lot.lot
    if request.method == "POST":
        form = forms_bid.PricesForm(request.POST, lot=lot)
        if form.is_valid():
            try:
                svc.bid_prices_save(bid=bid, user=request.user, lot=lot, prices=form.prices())
            except ValidationError as exc:
                if (response := _refusal(request, competition, bid, exc)) is not None:
                    return response
                add_service_errors(form, exc)
            else:
                return redirect(_task_list_url(competition))
    else:
        initial = {f"price_{p.financial_year}": f"{p.amount:,.2f}" for p in bid_lot.prices.all()}
        form = forms_bid.PricesForm(initial=initial, lot=lot)
    return _page(request, "prices.html", {"competition": competition, "bid": bid, "lot": lot, "form": form})


# --- Partners ------------------------------------------------------------------------------


@require_http_methods(["GET"])
@editable_bid
def bid_partners(request: HttpRequest, competition: Competition, bid: Bid) -> HttpResponse:
    partners = list(bid.partners.prefetch_related("lots").order_by("id"))
    return _page(request, "partners.html", {"competition": competition, "bid": bid, "partners": partners})


PARTNERS_PER_PAGE = 20
SUGGESTIONS = 10
NOT_A_CHOICE = "The organisation you chose cannot be added from the framework. Search again, or add it by name."


def _partner_search_page(
    request: HttpRequest, competition: Competition, bid: Bid, *, problem: str = "", status: int = 200
) -> HttpResponse:
    """Step 1, usable without JavaScript: search the framework by name, type of support and area."""
    form = forms_bid.PartnerSearchForm(request.GET if "search" in request.GET else None)
    page = None
    if form.is_bound and form.is_valid():
        found = partner_search(**form.criteria(), exclude_organisation_id=bid.organisation_id)
        page = Paginator(found, PARTNERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    add_url = reverse("competitions:bid-partner-add", kwargs={"competition_id": competition.pk})
    return _page(
        request,
        "partner_search.html",
        {
            "competition": competition,
            "bid": bid,
            "form": form,
            "page": page,
            "rows": [(org, organisation_coverage_sentences(org, verb="Can deliver")) for org in page.object_list]
            if page
            else [],
            "query": query.urlencode(),
            "add_url": add_url,
            "search_url": reverse("competitions:bid-partner-search", kwargs={"competition_id": competition.pk}),
            "problem": problem,
            "page_has_errors": bool(problem or form.errors),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@editable_bid
def bid_partner_add(request: HttpRequest, competition: Competition, bid: Bid) -> HttpResponse:
    """Find the partner on the framework (or choose to name one that is not), then say what they do."""
    lots = sel.chosen_lots(bid)
    if not lots:
        return redirect("competitions:bid-lots", competition_id=competition.pk)
    source = request.POST if request.method == "POST" else request.GET
    chosen = source.get("organisation", "")
    organisation = None
    if chosen:
        organisation = partner_candidate(chosen, exclude_organisation_id=bid.organisation_id)
        if organisation is None:
            return _partner_search_page(request, competition, bid, problem=NOT_A_CHOICE)
    elif request.method == "GET" and source.get("other") != "yes":
        return _partner_search_page(request, competition, bid)
    if request.method == "POST":
        form = forms_bid.PartnerForm(request.POST, organisation=organisation, lots=lots)
        if form.is_valid():
            data = form.cleaned_data
            try:
                svc.bid_partner_add(
                    bid=bid,
                    user=request.user,
                    organisation=organisation,
                    name=form.partner_name(),
                    role=data["role"],
                    share_percent=data["share_percent"],
                    lot_ids=[int(x) for x in data["lots"]],
                    work_description=data["work_description"],
                )
            except ValidationError as exc:
                if (response := _refusal(request, competition, bid, exc)) is not None:
                    return response
                add_service_errors(form, exc)
            else:
                return redirect("competitions:bid-partners", competition_id=competition.pk)
    else:
        form = forms_bid.PartnerForm(organisation=organisation, lots=lots)
    return _page(
        request,
        "partner_add.html",
        {"competition": competition, "bid": bid, "form": form, "organisation": organisation},
    )


@require_http_methods(["GET"])
@editable_bid
def bid_partner_search(request: HttpRequest, competition: Competition, bid: Bid) -> HttpResponse:
    """Suggestions for the partner search box where JavaScript runs: the first few organisations the
    same search finds, with only what the public register shows."""
    form = forms_bid.PartnerSearchForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": [str(e[0]) for e in form.errors.values()]}, status=400)
    add_url = reverse("competitions:bid-partner-add", kwargs={"competition_id": competition.pk})
    found = partner_search(**form.criteria(), exclude_organisation_id=bid.organisation_id)[:SUGGESTIONS]
    return JsonResponse(
        {
            "results": [
                {"name": org.display_name, "town": org.town, "url": f"{add_url}?{urlencode({'organisation': org.pk})}"}
                for org in found
            ]
        }
    )


@require_POST
@editable_bid
def bid_partner_remove(request: HttpRequest, competition: Competition, bid: Bid, partner_id: int) -> HttpResponse:
    try:
        svc.bid_partner_remove(bid=bid, user=request.user, partner_id=partner_id)
    except ValidationError as exc:
        return _refusal(request, competition, bid, exc) or _cannot_change(request, competition, bid, exc.messages[0])
    return redirect("competitions:bid-partners", competition_id=competition.pk)


# --- Documents -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@editable_bid
def bid_documents(request: HttpRequest, competition: Competition, bid: Bid) -> HttpResponse:
    if request.method == "POST":
        form = forms_bid.DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                svc.bid_document_add(
                    bid=bid, user=request.user, title=form.cleaned_data["title"], upload=form.cleaned_data["file"]
                )
            except ValidationError as exc:
                if (response := _refusal(request, competition, bid, exc)) is not None:
                    return response
                add_service_errors(form, exc)
            else:
                messages.success(request, "Your document was added.")
                return redirect("competitions:bid-documents", competition_id=competition.pk)
    else:
        form = forms_bid.DocumentForm()
    documents = list(bid.documents.order_by("id"))
    return _page(
        request, "documents.html", {"competition": competition, "bid": bid, "form": form, "documents": documents}
    )


@require_POST
@editable_bid
def bid_document_remove(request: HttpRequest, competition: Competition, bid: Bid, document_id: int) -> HttpResponse:
    try:
        svc.bid_document_remove(bid=bid, user=request.user, document_id=document_id)
    except ValidationError as exc:
        return _refusal(request, competition, bid, exc) or _cannot_change(request, competition, bid, exc.messages[0])
    return redirect("competitions:bid-documents", competition_id=competition.pk)


# --- Declarations --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@editable_bid
def bid_declarations(request: HttpRequest, competition: Competition, bid: Bid) -> HttpResponse:
    if request.method == "POST":
        form = forms_bid.DeclarationsForm(request.POST)
        if form.is_valid():
            try:
                svc.bid_declarations_confirm(bid=bid, user=request.user)
            except ValidationError as exc:
                if (response := _refusal(request, competition, bid, exc)) is not None:
                    return response
                add_service_errors(form, exc)
            else:
                return redirect(_task_list_url(competition))
    else:
        form = forms_bid.DeclarationsForm(initial={"confirmed": bid.declarations_confirmed_at is not None})
    return _page(
        request,
        "declarations.html",
        {"competition": competition, "bid": bid, "form": form, "statements": sel.DECLARATIONS},
    )


# --- Check, send, receipt, withdraw --------------------------------------------------------


@require_http_methods(["GET", "POST"])
@own_bid
def bid_check(request: HttpRequest, competition: Competition, bid: Bid) -> HttpResponse:
    # A send is judged by the service alone, under the locks and by the database clock (closed,
    # already sent, incomplete): asking the clock here first would cost a query and decide nothing.
    if request.method == "POST":
        try:
            svc.bid_submit(bid=bid, user=request.user)
        except svc.BidIncomplete as exc:
            reading = sel.bid_reading(bid)
            missing = exc.missing
        except ValidationError as exc:
            return _refusal(request, competition, bid, exc) or _cannot_change(
                request, competition, bid, exc.messages[0]
            )
        else:
            return redirect("competitions:bid-receipt", competition_id=competition.pk)
    else:
        if competition.is_bidding_closed():
            return _closed(request, competition, bid)
        if bid.is_sent:
            return _cannot_change(request, competition, bid, svc.SENT_MESSAGE)
        # What is missing and what the bid says, from one reading of its rows.
        reading = sel.bid_reading(bid)
        missing = reading.missing
    content = sel.content_for_display(competition, reading.content, reading=reading)
    return _page(
        request,
        "check.html",
        {
            "competition": competition,
            "bid": bid,
            "content": content,
            "missing": missing,
            "page_has_errors": request.method == "POST" and bool(missing),
        },
    )


@require_http_methods(["GET"])
@own_bid
def bid_receipt(request: HttpRequest, competition: Competition, bid: Bid) -> HttpResponse:
    receipt = sel.latest_receipt(bid)
    if receipt is None:
        return redirect(_task_list_url(competition))
    return _page(
        request,
        "receipt.html",
        {"competition": competition, "bid": bid, "receipt": receipt, "closed": competition.is_bidding_closed()},
    )


@require_http_methods(["GET", "POST"])
@own_bid
def bid_withdraw(request: HttpRequest, competition: Competition, bid: Bid) -> HttpResponse:
    if request.method == "POST" and bid.is_sent:
        # Judged by the service alone, under the locks and by the database clock (closed, not
        # sent): asking the clock here first would cost a query and decide nothing.
        try:
            svc.bid_withdraw(bid=bid, user=request.user)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "not_sent":
                return redirect(_task_list_url(competition))
            return _refusal(request, competition, bid, exc) or _cannot_change(
                request, competition, bid, exc.messages[0]
            )
        messages.success(
            request, "Your bid was withdrawn. You can change it and send it again before the closing date."
        )
        return redirect(_task_list_url(competition))
    if competition.is_bidding_closed():
        return _closed(request, competition, bid)
    if not bid.is_sent:
        return redirect(_task_list_url(competition))
    return _page(request, "withdraw.html", {"competition": competition, "bid": bid})


# --- Reading a whole bid (sealed) ----------------------------------------------------------


def _readable_bid(request: HttpRequest, competition_id: int, bid_id: int) -> Bid:
    """The bid, if the sealed-bid rule lets this person read it; 404 otherwise (even its existence is
    not revealed). The service checks `can_read_bid` again before handing over any content."""
    competition = get_object_or_404(Competition, pk=competition_id)
    found = (
        sel.bids_readable_by(request.user, competition)
        .select_related("competition", "organisation")
        .filter(pk=bid_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET"])
def bid_view(request: HttpRequest, competition_id: int, bid_id: int) -> HttpResponse:
    """A whole bid, for whoever `can_read_bid` allows; the same 404 for everyone else and for any id
    that is not such a bid. Reads from outside the bidding organisation are checked against what
    was sent and audited."""
    bid = _readable_bid(request, competition_id, bid_id)
    try:
        content = svc.bid_open_for_reading(bid=bid, user=request.user)
    except PermissionDenied:
        raise Http404 from None
    except svc.BidIntegrityError as error:
        return integrity_refusal(request, error)
    return _page(
        request,
        "bid_view.html",
        {
            "competition": bid.competition,
            "bid": bid,
            "content": sel.content_for_display(bid.competition, content),
            "own": is_member_of(request.user, bid.organisation),
        },
    )


@require_http_methods(["GET"])
def bid_document(request: HttpRequest, competition_id: int, bid_id: int, document_id: int) -> HttpResponse:
    """A bid's document, decrypted and checked against what was uploaded (and, outside the bidder,
    against what was sent)."""
    bid = _readable_bid(request, competition_id, bid_id)
    try:
        opened = svc.bid_document_open(bid=bid, user=request.user, document_id=document_id)
    except PermissionDenied:
        raise Http404 from None
    except svc.BidIntegrityError as error:
        return integrity_refusal(request, error)
    document = opened.document
    return FileResponse(
        io.BytesIO(opened.document_bytes),
        as_attachment=True,
        filename=attachment_name(document.title, document.content_type),
        content_type=document.content_type,
    )
