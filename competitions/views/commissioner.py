"""Commissioner pages: set up, plan, launch and cancel a competition. Thin: check the permission
predicate, parse the form, call one service or selector, respond."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from competitions import forms_setup as f
from competitions.models import CoCommissioner, Competition, CompetitionDocument, Lot, Question
from competitions.permissions import can_create_competition, can_manage_competition
from competitions.selectors import competitions as sel
from competitions.selectors.documents import kind_label
from competitions.selectors.status import competition_stage, lot_stage, stage_tag
from competitions.services import setup
from core.clock import db_now, financial_year_label
from core.forms import add_service_errors
from reference.models import Area


def commissioner_only(view):
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not can_create_competition(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def manages(view):
    """Load the competition; only its own commissioners may go further. Anyone else is told it is
    not found, as for an id that does not exist: a refusal would say which drafts exist."""

    @wraps(view)
    def wrapped(request: HttpRequest, pk: int, *args, **kwargs):
        competition = get_object_or_404(Competition.objects.select_related("service_type", "owner_area"), pk=pk)
        if not can_manage_competition(request.user, competition):
            raise Http404
        return view(request, competition, *args, **kwargs)

    return wrapped


def editable(view):
    """Set-up pages: once launched or cancelled, send people back to the summary."""

    @wraps(view)
    def wrapped(request: HttpRequest, competition: Competition, *args, **kwargs):
        if not sel.is_editable(competition):
            messages.error(request, "This opportunity has been launched or cancelled, so it can no longer be changed")
            return redirect("competitions:manage-detail", competition.pk)
        return view(request, competition, *args, **kwargs)

    return wrapped


def _form_page(request, competition, form, *, title, caption=None, overrides=None, intro=None, **extra):
    context = {
        "competition": competition,
        "form": form,
        "title": title,
        "caption": caption or (competition.title if competition else None),
        "overrides": overrides or {},
        "intro": intro,
        "page_has_errors": bool(form.errors),
        "back_url": extra.pop("back_url", None),
        **extra,
    }
    return render(request, extra.get("template", "competitions/commissioner/form.html"), context)


def _to_summary(competition: Competition) -> HttpResponse:
    return redirect("competitions:manage-detail", competition.pk)


# --- List and create -----------------------------------------------------------------------


@commissioner_only
def manage_list(request: HttpRequest) -> HttpResponse:
    now = db_now()
    rows = [
        {"competition": c, "tag": stage_tag(competition_stage(c, now=now))}
        for c in sel.competitions_managed_by(user=request.user)
    ]
    return render(request, "competitions/commissioner/list.html", {"rows": rows})


@commissioner_only
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    owner_areas = sel.owner_area_choices(user=request.user)
    form = f.CompetitionDetailsForm(request.POST or None, owner_areas=owner_areas)
    if request.method == "POST" and form.is_valid():
        try:
            competition = setup.competition_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Draft opportunity created. Its reference is {competition.reference}")
            return _to_summary(competition)
    return _form_page(
        request, None, form, title="Create an opportunity", caption="Your opportunities", button="Save and continue"
    )


# --- Summary (check answers) ---------------------------------------------------------------


def _lot_rows(competition: Competition, now) -> list[dict]:
    rows = []
    for lot in competition.lots.prefetch_related("areas", "years", "funding__co_commissioner"):
        rows.append(
            {
                "lot": lot,
                "areas": ", ".join(area.name for area in lot.areas.all()),
                "years": [
                    {"label": financial_year_label(y.financial_year), "value": y.value, "volume": y.volume}
                    for y in lot.years.all()
                ],
                "funding": [
                    {"name": share.co_commissioner.name, "share": share.share_percent} for share in lot.funding.all()
                ],
                "tag": stage_tag(lot_stage(lot, now)),
            }
        )
    return rows


@manages
def detail(request: HttpRequest, competition: Competition) -> HttpResponse:
    now = db_now()
    stage = competition_stage(competition, now=now)
    is_editable = sel.is_editable(competition)
    context = {
        "competition": competition,
        "stage": stage,
        "tag": stage_tag(stage),
        "editable": is_editable,
        "lots": _lot_rows(competition, now),
        "documents": competition.documents.order_by("title", "pk"),
        "partners": competition.co_commissioners.prefetch_related("shares__lot"),
        "questions": competition.questions.all(),
        "totals": sel.weight_totals(competition),
        "weights_problems": sel.weights_problems(competition),
        "problems": sel.launch_problems(competition, now=now) if is_editable else [],
        "warnings": sel.timetable_warnings(competition, now=now) if is_editable else [],
        "standstill_end": sel.standstill_end(competition),
        "contract_end": sel.contract_end(competition),
        "invitations": competition.invitations.select_related("organisation").prefetch_related("lots")
        if competition.launched_at
        else [],
        "unanswered": competition.clarifications.filter(answered_at__isnull=True).count(),
    }
    return render(request, "competitions/commissioner/detail.html", context)


# --- Set-up pages --------------------------------------------------------------------------


@manages
@editable
@require_http_methods(["GET", "POST"])
def details(request: HttpRequest, competition: Competition) -> HttpResponse:
    initial = {name: getattr(competition, name) for name in setup.DETAIL_FIELDS}
    form = f.CompetitionDetailsForm(
        request.POST or None, initial=initial, owner_areas=sel.owner_area_choices(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            setup.competition_update_details(competition=competition, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _to_summary(competition)
    return _form_page(request, competition, form, title="About the opportunity")


@manages
@editable
@require_http_methods(["GET", "POST"])
def documents(request: HttpRequest, competition: Competition) -> HttpResponse:
    form = f.DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            setup.competition_document_add(
                competition=competition,
                actor=request.user,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                public=form.is_public(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Document added")
            return redirect("competitions:manage-documents", competition.pk)
    return _form_page(
        request,
        competition,
        form,
        title="Specification documents",
        template="competitions/commissioner/documents.html",
        documents=competition.documents.order_by("title", "pk"),
        kind_label=kind_label,
        multipart=True,
        button="Upload document",
    )


@manages
@editable
@require_POST
def document_public(request: HttpRequest, competition: Competition, document_pk: int) -> HttpResponse:
    document = get_object_or_404(CompetitionDocument, pk=document_pk, competition=competition)
    form = f.DocumentPublicForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose who can download the document")
    else:
        setup.competition_document_set_public(document=document, actor=request.user, public=form.is_public())
        if form.is_public():
            messages.success(request, f"Anyone can now download ‘{document.title}’ while the opportunity is open")
        else:
            messages.success(request, f"Only organisations invited to bid can now download ‘{document.title}’")
    return redirect("competitions:manage-documents", competition.pk)


@manages
@editable
@require_POST
def document_remove(request: HttpRequest, competition: Competition, document_pk: int) -> HttpResponse:
    document = get_object_or_404(CompetitionDocument, pk=document_pk, competition=competition)
    setup.competition_document_remove(document=document, actor=request.user)
    messages.success(request, "Document removed")
    return redirect("competitions:manage-documents", competition.pk)


def _lot_form(request, competition, lot=None):
    initial = None
    if lot is not None:
        areas = list(lot.areas.all())
        if len(areas) == 1 and areas[0].level != "local_authority":
            initial = {"name": lot.name, "area": str(areas[0].pk)}
        else:
            initial = {
                "name": lot.name,
                "area": f.LotForm.GROUP,
                "local_authorities": [str(a.pk) for a in areas],
            }
    return f.LotForm(
        request.POST or None,
        initial=initial,
        areas=sel.lot_area_choices(competition=competition),
        local_authorities=sel.local_authority_choices(competition=competition),
    )


@manages
@editable
@require_http_methods(["GET", "POST"])
def lot_add(request: HttpRequest, competition: Competition) -> HttpResponse:
    form = _lot_form(request, competition)
    if request.method == "POST" and form.is_valid():
        try:
            lot = setup.lot_create(
                competition=competition,
                actor=request.user,
                name=form.cleaned_data["name"],
                areas=list(Area.objects.filter(pk__in=form.area_ids())),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if sel.contract_financial_years(competition):
                return redirect("competitions:manage-lot-years", competition.pk, lot.pk)
            return _to_summary(competition)
    return _form_page(request, competition, form, title="Add a lot", button="Save and continue")


@manages
@editable
@require_http_methods(["GET", "POST"])
def lot_edit(request: HttpRequest, competition: Competition, lot_pk: int) -> HttpResponse:
    lot = get_object_or_404(Lot, pk=lot_pk, competition=competition)
    form = _lot_form(request, competition, lot)
    if request.method == "POST" and form.is_valid():
        try:
            setup.lot_update(
                lot=lot,
                actor=request.user,
                name=form.cleaned_data["name"],
                areas=list(Area.objects.filter(pk__in=form.area_ids())),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _to_summary(competition)
    return _form_page(request, competition, form, title=f"Change {lot}")


@manages
@editable
@require_POST
def lot_remove(request: HttpRequest, competition: Competition, lot_pk: int) -> HttpResponse:
    lot = get_object_or_404(Lot, pk=lot_pk, competition=competition)
    setup.lot_remove(lot=lot, actor=request.user)
    messages.success(request, f"{lot} removed")
    return _to_summary(competition)


@manages
@editable
@require_http_methods(["GET", "POST"])
def lot_years(request: HttpRequest, competition: Competition, lot_pk: int) -> HttpResponse:
    lot = get_object_or_404(Lot, pk=lot_pk, competition=competition)
    years = sel.contract_financial_years(competition)
    if not years:
        messages.error(request, "Enter the contract start date and length before the values for each year")
        return redirect("competitions:manage-contract", competition.pk)
    initial = {}
    for lot_year in lot.years.all():
        initial[f"value_{lot_year.financial_year}"] = lot_year.value
        initial[f"volume_{lot_year.financial_year}"] = lot_year.volume
    form = f.lot_years_form(request.POST or None, years=years, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            setup.lot_years_set(lot=lot, actor=request.user, years=form.to_python_years())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _to_summary(competition)
    return _form_page(
        request,
        competition,
        form,
        title=f"Estimated value and people each year: {lot.name}",
        intro="Financial years run from April to March. Values can be different each year, for example if the "
        "service starts small and grows.",
    )


@manages
@editable
@require_http_methods(["GET", "POST"])
def contract(request: HttpRequest, competition: Competition) -> HttpResponse:
    initial = {name: getattr(competition, name) for name in setup.CONTRACT_FIELDS}
    form = f.ContractTermsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            setup.competition_set_contract_terms(competition=competition, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _to_summary(competition)
    return _form_page(request, competition, form, title="Contract and payment")


@manages
@editable
@require_http_methods(["GET", "POST"])
def funding_add(request: HttpRequest, competition: Competition) -> HttpResponse:
    lots = list(competition.lots.all())
    if not lots:
        messages.error(request, "Add a lot before adding a funding partner")
        return _to_summary(competition)
    form = f.FundingPartnerForm(request.POST or None, lots=lots)
    if request.method == "POST" and form.is_valid():
        try:
            setup.co_commissioner_add(
                competition=competition,
                actor=request.user,
                name=form.cleaned_data["name"],
                party_type=form.cleaned_data["party_type"],
                shares=form.shares(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _to_summary(competition)
    overrides = {f"lot_{lot.pk}": {"suffix": {"text": "%"}, "classes": "govuk-input--width-4"} for lot in lots}
    return _form_page(
        request,
        competition,
        form,
        title="Add a funding partner",
        overrides=overrides,
        intro="A funding partner, such as a police and crime commissioner or a local authority, pays part of a lot.",
    )


@manages
@editable
@require_POST
def funding_remove(request: HttpRequest, competition: Competition, partner_pk: int) -> HttpResponse:
    partner = get_object_or_404(CoCommissioner, pk=partner_pk, competition=competition)
    setup.co_commissioner_remove(partner=partner, actor=request.user)
    messages.success(request, f"{partner.name} removed")
    return _to_summary(competition)


@manages
@editable
@require_http_methods(["GET", "POST"])
def question_add(request: HttpRequest, competition: Competition) -> HttpResponse:
    form = f.QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            setup.question_add(
                competition=competition,
                actor=request.user,
                kind=data["kind"],
                text=data["text"],
                guidance=data["guidance"],
                word_limit=data["word_limit"],
                weight=data["weight"],
                lot_specific=data["lot_specific"] == "yes",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _to_summary(competition)
    return _form_page(
        request,
        competition,
        form,
        title="Add a question for bidders",
        overrides={"weight": {"classes": "govuk-input--width-4"}, "word_limit": {"classes": "govuk-input--width-5"}},
    )


@manages
@editable
@require_POST
def question_remove(request: HttpRequest, competition: Competition, question_pk: int) -> HttpResponse:
    question = get_object_or_404(Question, pk=question_pk, competition=competition)
    setup.question_remove(question=question, actor=request.user)
    messages.success(request, f"{question} removed")
    return _to_summary(competition)


@manages
@editable
@require_http_methods(["GET", "POST"])
def evaluation_model(request: HttpRequest, competition: Competition) -> HttpResponse:
    initial = {name: getattr(competition, name) for name in setup.MODEL_FIELDS}
    form = f.EvaluationModelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            setup.competition_set_evaluation_model(competition=competition, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _to_summary(competition)
    totals = sel.weight_totals(competition)
    return _form_page(
        request,
        competition,
        form,
        title="How bids will be scored",
        intro=f"Quality questions add up to {totals['quality'].normalize():f}. Quality, social value and price "
        "must add up to exactly 100.",
        overrides={
            "price_weight": {"classes": "govuk-input--width-4"},
            "social_value_weight": {"classes": "govuk-input--width-4"},
        },
    )


@manages
@editable
@require_http_methods(["GET", "POST"])
def timetable(request: HttpRequest, competition: Competition) -> HttpResponse:
    form = f.TimetableForm(request.POST or None, initial=f.TimetableForm.initial_from(competition))
    if request.method == "POST" and form.is_valid():
        try:
            setup.competition_set_timetable(competition=competition, actor=request.user, **form.values())
        except ValidationError as error:
            competition.refresh_from_db()
            add_service_errors(form, error)
        else:
            for warning in sel.timetable_warnings(competition):
                messages.warning(request, warning)
            return _to_summary(competition)
    return _form_page(
        request,
        competition,
        form,
        title="Timetable",
        intro="Enter dates and times in UK time. Providers need at least 10 working days to write a bid.",
        warnings=sel.timetable_warnings(competition) if competition.closes_at else [],
    )


# --- Plan, launch, cancel ------------------------------------------------------------------


@manages
@editable
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, competition: Competition) -> HttpResponse:
    problems = sel.plan_problems(competition)
    if request.method == "POST" and not problems:
        try:
            setup.competition_plan(competition=competition, actor=request.user)
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, "Opportunity published as planned. It now shows in the public pipeline")
            return _to_summary(competition)
    return render(
        request,
        "competitions/commissioner/confirm.html",
        {
            "competition": competition,
            "action": "plan",
            "problems": problems,
            "page_has_errors": bool(problems) and request.method == "POST",
        },
    )


@manages
@editable
@require_http_methods(["GET", "POST"])
def launch(request: HttpRequest, competition: Competition) -> HttpResponse:
    problems = sel.launch_problems(competition)
    if request.method == "POST" and not problems:
        try:
            setup.competition_launch(competition=competition, actor=request.user)
        except ValidationError as error:
            problems = error.messages
        else:
            count = competition.invitations.count()
            messages.success(
                request, f"Opportunity launched. {count} organisation{'s' if count != 1 else ''} told about it"
            )
            return _to_summary(competition)
    return render(
        request,
        "competitions/commissioner/confirm.html",
        {
            "competition": competition,
            "action": "launch",
            "problems": problems,
            "warnings": sel.timetable_warnings(competition),
            "page_has_errors": bool(problems) and request.method == "POST",
        },
    )


@manages
@require_http_methods(["GET", "POST"])
def abandon(request: HttpRequest, competition: Competition) -> HttpResponse:
    if competition.abandoned_at is not None:
        return _to_summary(competition)
    form = f.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            setup.competition_abandon(
                competition=competition,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Opportunity cancelled. Everyone invited has been told")
            return _to_summary(competition)
    return _form_page(
        request,
        competition,
        form,
        title="Cancel this opportunity",
        intro="Everyone invited will get an email saying it is cancelled, with your reason.",
        button="Cancel opportunity",
        warning_button=True,
    )


@manages
@require_http_methods(["GET", "POST"])
def lot_abandon(request: HttpRequest, competition: Competition, lot_pk: int) -> HttpResponse:
    lot = get_object_or_404(Lot, pk=lot_pk, competition=competition)
    if lot.abandoned_at is not None or competition.abandoned_at is not None:
        return _to_summary(competition)
    form = f.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            setup.lot_abandon(lot=lot, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{lot} cancelled. Everyone invited to bid for it has been told")
            return _to_summary(competition)
    return _form_page(
        request,
        competition,
        form,
        title=f"Cancel {lot}",
        intro="Organisations invited to bid for this lot will get an email with your reason. Other lots carry on.",
        button="Cancel lot",
        warning_button=True,
    )


@manages
@require_http_methods(["GET", "POST"])
def commissioners(request: HttpRequest, competition: Competition) -> HttpResponse:
    """The competition's team of commissioners; a second one is needed to approve awards."""
    people = list(sel.commissioners_available(competition))
    form = f.AddCommissionerForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        user = next(p for p in people if str(p.pk) == form.cleaned_data["commissioner"])
        try:
            setup.competition_commissioner_add(competition=competition, user=user, actor=request.user)
        except ValidationError as error:
            form.add_error("commissioner", error.messages)
        else:
            messages.success(request, f"{user.full_name} is now a commissioner on this opportunity")
            return redirect("competitions:manage-commissioners", competition.pk)
    return render(
        request,
        "competitions/commissioner/commissioners.html",
        {
            "competition": competition,
            "form": form,
            "team": list(sel.commissioners_of(competition)),
            "page_has_errors": bool(form.errors),
        },
    )
