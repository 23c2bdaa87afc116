"""The provider journey: start, register the organisation, register interest, the questionnaire,
submit, ask for help, what you can bid for, add types of support or areas, yearly declaration.

Views parse input, call one service or selector, and respond. Pages for an organisation's
own application need a signed-in member of that organisation (staff get 403).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import VCSE_TYPES, Membership, OrganisationType, Size, StaffBand, TurnoverBand, size_from_bands
from accounts.permissions import is_org_admin, membership_of
from qualification import forms as qforms
from qualification import sections
from qualification.models import Application, SectionKey
from qualification.permissions import can_edit_application, can_start_application
from qualification.selectors import applications as sel
from qualification.services import applications as svc
from reference.models import Area

REGISTRATION_SESSION_KEY = "join_registration"
REGISTRATION_SENT_SESSION_KEY = "join_registration_sent_to"
REGISTRATION_STEPS: list[tuple[str, type]] = [
    ("you", qforms.YouForm),
    ("organisation", qforms.OrganisationForm),
    ("size", qforms.SizeForm),
    ("address", qforms.AddressForm),
]
SECTION_FORMS: dict[str, type] = {
    SectionKey.ABOUT: qforms.AboutForm,
    SectionKey.EXCLUSION: qforms.ExclusionForm,
    SectionKey.FINANCE: qforms.FinanceForm,
    SectionKey.INSURANCE: qforms.InsuranceForm,
    SectionKey.SAFEGUARDING: qforms.SafeguardingForm,
    SectionKey.SECURITY: qforms.SecurityForm,
    SectionKey.DECLARATION: qforms.DeclarationForm,
}


def _member(request: HttpRequest) -> Membership:
    """The signed-in person's membership. Staff and people without an organisation get 403."""
    if not can_start_application(request.user):
        raise PermissionDenied
    membership = membership_of(request.user)
    assert membership is not None
    return membership


def _page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    form = context.get("form")
    context.setdefault("page_has_errors", bool(form is not None and form.is_bound and form.errors))
    return render(request, f"qualification/provider/{template}", context, status=status)


def _locked(request: HttpRequest, application: Application) -> HttpResponse:
    return _page(request, "locked.html", {"application": application}, status=403)


def _open_application(request: HttpRequest) -> tuple[Membership, Application | None]:
    membership = _member(request)
    return membership, sel.open_application(membership.organisation)


def _no_application_redirect(membership: Membership) -> HttpResponse:
    if not hasattr(membership.organisation, "interest"):
        return redirect("qualification:interest")
    return redirect("qualification:qualifications")


# --- Start --------------------------------------------------------------------------------


@login_not_required
def start(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request.user)
    start_url = reverse("qualification:application") if membership else reverse("qualification:register", args=["you"])
    return _page(request, "start.html", {"start_url": start_url, "is_member": membership is not None})


# --- Registering an organisation ------------------------------------------------------------


def _registration(request: HttpRequest) -> dict[str, dict[str, Any]]:
    return request.session.get(REGISTRATION_SESSION_KEY, {})


def _next_step(done: dict[str, Any]) -> str:
    for name, _form in REGISTRATION_STEPS:
        if name not in done:
            return name
    return "check"


def _step_url(step: str) -> str:
    return (
        reverse("qualification:register-check") if step == "check" else reverse("qualification:register", args=[step])
    )


def _signed_in_elsewhere(request: HttpRequest) -> HttpResponse | None:
    if request.user.is_authenticated:
        return redirect("qualification:application" if membership_of(request.user) else "accounts:home")
    return None


@login_not_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, step: str) -> HttpResponse:
    if (response := _signed_in_elsewhere(request)) is not None:
        return response
    steps = dict(REGISTRATION_STEPS)
    if step not in steps:
        raise Http404
    done = _registration(request)
    names = [name for name, _ in REGISTRATION_STEPS]
    # Pages are taken in order: skipping ahead goes back to the first one not yet answered.
    first_missing = _next_step(done)
    if first_missing != "check" and names.index(step) > names.index(first_missing):
        return redirect(_step_url(first_missing))
    form_class = steps[step]
    kwargs: dict[str, Any] = {}
    saved = dict(done.get(step, {}))
    if step == "you":
        kwargs["has_password"] = bool(saved.get("password_hash"))
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "password"}
            if step == "you":
                password = form.cleaned_data.get("password")
                data["password_hash"] = make_password(password) if password else saved.get("password_hash")
            done[step] = data
            request.session[REGISTRATION_SESSION_KEY] = done
            return redirect(_step_url(_next_step(done)))
    else:
        form = form_class(initial=saved, **kwargs)
    back = reverse("qualification:start") if step == "you" else _step_url(names[names.index(step) - 1])
    return _page(request, f"register_{step}.html", {"form": form, "step": step, "back_url": back})


@login_not_required
@require_http_methods(["GET", "POST"])
def register_check(request: HttpRequest) -> HttpResponse:
    if (response := _signed_in_elsewhere(request)) is not None:
        return response
    done = _registration(request)
    if _next_step(done) != "check":
        return redirect(_step_url(_next_step(done)))
    organisation = {**done["organisation"], **done["size"], **done["address"]}
    error = None
    if request.method == "POST":
        try:
            svc.organisation_register(
                full_name=done["you"]["full_name"],
                email=done["you"]["email"],
                password_hash=done["you"]["password_hash"],
                organisation=organisation,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            # The same next page whether the address was new (an account was made and a link sent)
            # or already had an account (its owner was e-mailed): nobody learns which.
            request.session.pop(REGISTRATION_SESSION_KEY, None)
            request.session[REGISTRATION_SENT_SESSION_KEY] = done["you"]["email"]
            return redirect("qualification:register-sent")
    size = size_from_bands(organisation["staff_band"], organisation["turnover_band"])
    context = {
        "you": done["you"],
        "org": organisation,
        "type_label": OrganisationType(organisation["organisation_type"]).label,
        "staff_label": StaffBand(organisation["staff_band"]).label,
        "turnover_label": TurnoverBand(organisation["turnover_band"]).label,
        "size_label": Size(size).label,
        "is_vcse": organisation["organisation_type"] in VCSE_TYPES,
        "error": error,
        "page_has_errors": bool(error),
    }
    return _page(request, "register_check.html", context)


@login_not_required
def register_sent(request: HttpRequest) -> HttpResponse:
    """Check your email: said the same whether or not the address already had an account."""
    email = request.session.get(REGISTRATION_SENT_SESSION_KEY)
    if not email:
        return redirect("qualification:start")
    return _page(request, "register_sent.html", {"email": email})


# --- Interest and the task list ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def interest(request: HttpRequest) -> HttpResponse:
    membership = _member(request)
    organisation = membership.organisation
    if request.method == "POST":
        svc.interest_register(organisation=organisation, user=request.user)
        return redirect("qualification:application")
    if hasattr(organisation, "interest"):
        return redirect("qualification:application")
    return _page(request, "interest.html", {"organisation": organisation})


def application(request: HttpRequest) -> HttpResponse:
    membership, app = _open_application(request)
    if app is None:
        return _no_application_redirect(membership)
    organisation = membership.organisation
    context = {
        "organisation": organisation,
        "application": app,
        "items": sel.task_list_items(app),
        "all_complete": sel.all_sections_complete(app),
        "questions": sel.open_questions(app),
        "can_edit": can_edit_application(request.user, app),
        "declaration_due": sel.declaration_due(organisation),
        "has_help_requests": sel.help_requests_of(organisation).exists(),
    }
    return _page(request, "task_list.html", context)


def _editable_application(request: HttpRequest) -> tuple[Membership, Application | None, HttpResponse | None]:
    membership, app = _open_application(request)
    if app is None:
        return membership, None, _no_application_redirect(membership)
    if not can_edit_application(request.user, app):
        return membership, app, _locked(request, app)
    return membership, app, None


@require_http_methods(["GET", "POST"])
def section(request: HttpRequest, key: str) -> HttpResponse:
    if key == SectionKey.SERVICES:
        return redirect("qualification:services-categories")
    form_class = SECTION_FORMS.get(key)
    if form_class is None:
        raise Http404
    membership, app, response = _editable_application(request)
    if response is not None:
        return response
    current = sel.sections_by_key(app).get(key)
    kwargs: dict[str, Any] = {}
    if key == SectionKey.FINANCE:
        kwargs = {
            "micro": sections.is_micro(app),
            "has_document": bool(current and current.documents.exists()),
        }
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            upload = form.cleaned_data.get("accounts") if key == SectionKey.FINANCE else None
            svc.section_save(application=app, key=key, answers=form.cleaned_data, user=request.user, upload=upload)
            return redirect("qualification:application")
    else:
        form = form_class(initial=(current.answers if current else {}), **kwargs)
    context = {
        "form": form,
        "key": key,
        "spec": sections.SPECS[key],
        "section": current,
        "application": app,
        "documents": list(current.documents.all()) if current else [],
    }
    return _page(request, "section.html", context)


# --- Types of support and areas -------------------------------------------------------------


def _services_answers(app: Application) -> dict[str, Any]:
    current = sel.sections_by_key(app).get(SectionKey.SERVICES)
    return dict(current.answers) if current else {}


_SERVICES_BACK = {
    "services_categories.html": "qualification:application",
    "services_where.html": "qualification:services-categories",
    "services_areas.html": "qualification:services-where",
    "services_council_area.html": "qualification:services-check",
    "services_councils.html": "qualification:services-check",
    "services_check.html": "qualification:application",
}


def _services_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    back_url = reverse(_SERVICES_BACK[template])
    return _page(request, template, {"spec": sections.SPECS[SectionKey.SERVICES], "back_url": back_url, **context})


@require_http_methods(["GET", "POST"])
def services_categories(request: HttpRequest) -> HttpResponse:
    membership, app, response = _editable_application(request)
    if response is not None:
        return response
    answers = _services_answers(app)
    if request.method == "POST":
        form = qforms.CategoriesForm(request.POST)
        if form.is_valid():
            codes = list(form.cleaned_data["needs"]) + list(form.cleaned_data["cohorts"])
            svc.section_save(application=app, key=SectionKey.SERVICES, answers={"categories": codes}, user=request.user)
            return redirect("qualification:services-where")
    else:
        form = qforms.CategoriesForm(initial=qforms.CategoriesForm.initial_from(answers))
    return _services_page(
        request,
        "services_categories.html",
        {"form": form, "application": app, "section": sel.sections_by_key(app).get(SectionKey.SERVICES)},
    )


@require_http_methods(["GET", "POST"])
def services_where(request: HttpRequest) -> HttpResponse:
    membership, app, response = _editable_application(request)
    if response is not None:
        return response
    answers = _services_answers(app)
    if request.method == "POST":
        form = qforms.WhereForm(request.POST)
        if form.is_valid():
            where = form.cleaned_data["where"]
            svc.section_save(application=app, key=SectionKey.SERVICES, answers={"where": where}, user=request.user)
            return redirect("qualification:services-check" if where == "all" else "qualification:services-areas")
    else:
        form = qforms.WhereForm(initial={"where": answers.get("where")})
    return _services_page(request, "services_where.html", {"form": form, "application": app})


@require_http_methods(["GET", "POST"])
def services_areas(request: HttpRequest) -> HttpResponse:
    membership, app, response = _editable_application(request)
    if response is not None:
        return response
    answers = _services_answers(app)
    if request.method == "POST":
        form = qforms.AreasForm(request.POST)
        form.has_councils = bool(answers.get("councils"))
        if form.is_valid():
            svc.section_save(
                application=app,
                key=SectionKey.SERVICES,
                answers={"where": "some", "areas": form.chosen_codes(form.cleaned_data)},
                user=request.user,
            )
            return redirect("qualification:services-check")
    else:
        form = qforms.AreasForm(initial=qforms.AreasForm.initial_from(answers))
    return _services_page(request, "services_areas.html", {"form": form, "application": app})


def services_council_area(request: HttpRequest) -> HttpResponse:
    """Choose the area whose councils to pick (a GET form, so it works without JavaScript)."""
    membership, app, response = _editable_application(request)
    if response is not None:
        return response
    form = qforms.CouncilAreaChoiceForm(request.GET if "area" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("qualification:services-councils", code=form.cleaned_data["area"])
    return _services_page(request, "services_council_area.html", {"form": form, "application": app})


@require_http_methods(["GET", "POST"])
def services_councils(request: HttpRequest, code: str) -> HttpResponse:
    membership, app, response = _editable_application(request)
    if response is not None:
        return response
    pcc_area = get_object_or_404(Area, code=code, level="pcc_area")
    answers = _services_answers(app)
    in_area = set(pcc_area.children.values_list("code", flat=True))
    if request.method == "POST":
        form = qforms.CouncilsForm(request.POST, pcc_area=pcc_area)
        if form.is_valid():
            chosen = list(form.cleaned_data["councils"])
            councils = [c for c in answers.get("councils") or [] if c not in in_area] + chosen
            areas = list(answers.get("areas") or [])
            if chosen:
                # Some councils instead of the whole area.
                areas = [a for a in areas if a != pcc_area.code]
            svc.section_save(
                application=app,
                key=SectionKey.SERVICES,
                answers={"where": "some", "councils": sorted(councils), "areas": areas},
                user=request.user,
            )
            return redirect("qualification:services-check")
    else:
        form = qforms.CouncilsForm(
            initial={"councils": [c for c in answers.get("councils") or [] if c in in_area]}, pcc_area=pcc_area
        )
    return _services_page(request, "services_councils.html", {"form": form, "application": app, "pcc_area": pcc_area})


def services_check(request: HttpRequest) -> HttpResponse:
    membership, app, response = _editable_application(request)
    if response is not None:
        return response
    current = sel.sections_by_key(app).get(SectionKey.SERVICES)
    answers = dict(current.answers) if current else {}
    context = {
        "application": app,
        "section": current,
        "sentences": sections.coverage_sentences_for(answers),
        "complete": bool(current and current.completed_at),
        "categories": sections.chosen_categories(answers),
        "where": answers.get("where"),
        "council_form": qforms.CouncilAreaChoiceForm(),
    }
    return _services_page(request, "services_check.html", context)


# --- Check answers and submit ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    membership, app = _open_application(request)
    if app is None:
        return _no_application_redirect(membership)
    errors: list[str] = []
    if request.method == "POST":
        try:
            svc.application_submit(application=app, user=request.user)
        except ValidationError as exc:
            errors = exc.messages
        else:
            return redirect("qualification:submitted")
    editable = can_edit_application(request.user, app)
    by_key = sel.sections_by_key(app)
    cards = []
    for spec in sections.SECTIONS:
        current = by_key.get(spec.key)
        href = None
        if editable:
            href = (
                reverse("qualification:services-check")
                if spec.key == SectionKey.SERVICES
                else reverse("qualification:section", kwargs={"key": spec.key})
            )
        rows = sections.summary_rows(current, change_url=href) if current else []
        cards.append({"spec": spec, "rows": rows, "href": href, "section": current})
    context = {
        "application": app,
        "cards": cards,
        "problems": svc.submission_problems(app),
        "errors": errors,
        "editable": editable,
        "page_has_errors": bool(errors),
        "statements": sections.DECLARATION_STATEMENTS,
    }
    return _page(request, "check.html", context)


def submitted(request: HttpRequest) -> HttpResponse:
    membership = _member(request)
    app = membership.organisation.applications.filter(submitted_at__isnull=False).order_by("-submitted_at").first()
    if app is None:
        return redirect("qualification:application")
    return _page(request, "submitted.html", {"application": app, "organisation": membership.organisation})


def document(request: HttpRequest, pk: int) -> FileResponse:
    found = sel.document_for_user(request.user, pk)
    if found is None:
        raise Http404
    return FileResponse(
        found.file.open("rb"), as_attachment=True, filename=found.original_name, content_type=found.content_type
    )


# --- Help ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def help_request(request: HttpRequest) -> HttpResponse:
    membership = _member(request)
    if request.method == "POST":
        form = qforms.HelpRequestForm(request.POST)
        if form.is_valid():
            svc.help_request_create(
                organisation=membership.organisation, user=request.user, message=form.cleaned_data["message"]
            )
            return redirect("qualification:help-sent")
    else:
        form = qforms.HelpRequestForm()
    return _page(
        request,
        "help.html",
        {"form": form, "has_help_requests": sel.help_requests_of(membership.organisation).exists()},
    )


def help_sent(request: HttpRequest) -> HttpResponse:
    _member(request)
    return _page(request, "help_sent.html", {})


def help_requests(request: HttpRequest) -> HttpResponse:
    """The organisation's requests for help and our replies (never the staff's internal notes)."""
    membership = _member(request)
    return _page(
        request,
        "help_requests.html",
        {"organisation": membership.organisation, "help_requests": sel.help_requests_of(membership.organisation)},
    )


# --- After a decision -----------------------------------------------------------------------


def qualifications(request: HttpRequest) -> HttpResponse:
    membership = _member(request)
    organisation = membership.organisation
    context = {
        "organisation": organisation,
        "sentences": sel.qualification_sentences(organisation),
        "decided": sel.last_decided_application(organisation),
        "open_application": sel.open_application(organisation),
        "declaration_due": sel.declaration_due(organisation),
        "declaration_expires_at": sel.declaration_expires_at(organisation),
        "is_admin": is_org_admin(request.user, organisation),
        "has_help_requests": sel.help_requests_of(organisation).exists(),
    }
    return _page(request, "qualifications.html", context)


@require_POST
def add_services(request: HttpRequest) -> HttpResponse:
    membership = _member(request)
    try:
        svc.application_start_add_services(organisation=membership.organisation, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("qualification:qualifications")
    return redirect("qualification:application")


@require_http_methods(["GET", "POST"])
def organisation_details(request: HttpRequest) -> HttpResponse:
    membership = _member(request)
    organisation = membership.organisation
    if not is_org_admin(request.user, organisation):
        raise PermissionDenied
    if request.method == "POST":
        form = qforms.OrganisationDetailsForm(request.POST)
        if form.is_valid():
            svc.organisation_update(organisation=organisation, user=request.user, data=form.cleaned_data)
            messages.success(request, "Your organisation's details are saved.")
            return redirect("qualification:organisation")
    else:
        form = qforms.OrganisationDetailsForm(initial={f: getattr(organisation, f) for f in svc.ORGANISATION_FIELDS})
    return _page(request, "organisation.html", {"form": form, "organisation": organisation})


@require_http_methods(["GET", "POST"])
def declaration(request: HttpRequest) -> HttpResponse:
    membership = _member(request)
    organisation = membership.organisation
    if request.method == "POST":
        form = qforms.ReconfirmForm(request.POST)
        if form.is_valid():
            svc.declaration_confirm(organisation=organisation, user=request.user)
            messages.success(request, "Thank you. You have confirmed your declaration for another year.")
            return redirect("qualification:qualifications")
    else:
        form = qforms.ReconfirmForm()
    context = {"form": form, "organisation": organisation, "expires_at": sel.declaration_expires_at(organisation)}
    return _page(request, "declaration.html", context)
