"""The assessor's pages: the queue, reviewing an application, deciding, suspending and
removing qualifications, and help requests. Thin: parse, call one service or selector, respond."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from core.forms import add_service_errors
from qualification.forms_assessor import (
    ClarificationForm,
    DecisionForm,
    HelpReplyForm,
    QueueFilterForm,
    ReasonForm,
)
from qualification.models import Application, ApplicationSection, HelpRequest, Qualification
from qualification.permissions import can_assess, can_view_application
from qualification.sections import summary_rows
from qualification.selectors import queue as q
from qualification.services import decisions


def assessor_only(view):
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not can_assess(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _application(pk: int) -> Application:
    try:
        return q.application_for_review(pk=pk)
    except Application.DoesNotExist:
        raise Http404 from None


def _section(application: Application, key: str) -> ApplicationSection:
    for section in application.sections.all():
        if section.key == key:
            return section
    raise Http404


@assessor_only
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    category, region = form.chosen()
    applications = list(q.application_queue(category=category, region=region))
    rows = [(a, q.age_text(q.days_waiting(a))) for a in applications]
    return render(
        request,
        "qualification/assessor/queue.html",
        {
            "form": form,
            "rows": rows,
            "help_count": q.help_requests_open().count(),
            "page_has_errors": bool(form.errors),
        },
    )


@assessor_only
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(pk)
    reviews = [(r, summary_rows(r.section)) for r in q.section_reviews(application)]
    return render(
        request,
        "qualification/assessor/application.html",
        {
            "application": application,
            "reviews": reviews,
            "with_assessor": q.application_is_with_assessor(application),
            "ready": q.application_ready_to_decide(application),
            "age": q.age_text(q.days_waiting(application)) if application.submitted_at else "",
        },
    )


@assessor_only
@require_POST
def section_accept(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    application = _application(pk)
    section = _section(application, key)
    try:
        decisions.section_accept(section=section, actor=request.user)
    except decisions.DecisionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"You accepted ‘{section.get_key_display()}’")
    return redirect("qualification:assess-application", pk=pk)


@assessor_only
def section_clarify(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    application = _application(pk)
    section = _section(application, key)
    form = ClarificationForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            decisions.section_request_clarification(
                section=section, actor=request.user, question=form.cleaned_data["question"]
            )
        except decisions.DecisionError as exc:
            error = str(exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"We have sent your question to {application.organisation.display_name}")
            return redirect("qualification:assess-application", pk=pk)
    return render(
        request,
        "qualification/assessor/clarify.html",
        {
            "application": application,
            "section": section,
            "rows": summary_rows(section),
            "form": form,
            "error": error,
            "page_has_errors": bool(form.errors),
        },
    )


@assessor_only
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(pk)
    if application.decided_at:
        return redirect("qualification:decision-letter", pk=pk)
    requested = list(application.requested.all())
    form = DecisionForm(request.POST or None, requested=requested)
    error = ""
    if request.method == "POST" and form.is_valid():
        grants = [decisions.Grant(requested=r, area=area) for r, area in form.cleaned_data["grants"]]
        try:
            decisions.application_decide(
                application=application, actor=request.user, grants=grants, reason=form.cleaned_data["reason"]
            )
        except decisions.DecisionError as exc:
            error = str(exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"You have decided the application from {application.organisation.display_name}")
            return redirect("qualification:decision-letter", pk=pk)
    return render(
        request,
        "qualification/assessor/decide.html",
        {
            "application": application,
            "form": form,
            "requested": requested,
            "ready": q.application_ready_to_decide(application),
            "error": error,
            "page_has_errors": bool(form.errors) or bool(error),
        },
    )


def decision_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision letter: for the organisation's members and for assessors."""
    application = get_object_or_404(Application.objects.select_related("organisation", "decided_by"), pk=pk)
    # "Not found" for anyone else, as for an application that does not exist.
    if not can_view_application(request.user, application):
        raise Http404
    if not application.decided_at:
        raise Http404
    return render(
        request,
        "qualification/assessor/letter.html",
        {
            "application": application,
            "paragraphs": application.decision_letter.split("\n\n"),
            "is_assessor": can_assess(request.user),
        },
    )


@assessor_only
def organisations(request: HttpRequest) -> HttpResponse:
    return render(
        request, "qualification/assessor/organisations.html", {"organisations": q.organisations_with_qualifications()}
    )


@assessor_only
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    return render(
        request,
        "qualification/assessor/organisation.html",
        {
            "organisation": organisation,
            "qualifications": q.organisation_current_qualifications(organisation),
            "decided": Application.objects.filter(organisation=organisation, decided_at__isnull=False).order_by(
                "-decided_at"
            ),
        },
    )


_QUALIFICATION_ACTIONS = {
    "suspend": {
        "service": decisions.qualification_suspend,
        "title": "Suspend",
        "label": "Why are you suspending it?",
        "required": "Enter why you are suspending this qualification",
        "done": "suspended",
    },
    "remove": {
        "service": decisions.qualification_remove,
        "title": "Remove",
        "label": "Why are you removing it?",
        "required": "Enter why you are removing this qualification",
        "done": "removed",
    },
}


def _qualification_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    qualification = get_object_or_404(
        Qualification.objects.select_related("organisation", "category", "area"), pk=pk, removed_at__isnull=True
    )
    spec = _QUALIFICATION_ACTIONS[action]
    form = ReasonForm(request.POST or None, label=spec["label"], required_message=spec["required"])
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            spec["service"](qualification=qualification, actor=request.user, reason=form.cleaned_data["reason"])
        except decisions.DecisionError as exc:
            error = str(exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"You {spec['done']} {qualification.category.name} in {qualification.area.name} "
                f"for {qualification.organisation.display_name}",
            )
            return redirect("qualification:assess-organisation", pk=qualification.organisation_id)
    return render(
        request,
        "qualification/assessor/qualification_action.html",
        {
            "qualification": qualification,
            "form": form,
            "action": action,
            "title": spec["title"],
            "error": error,
            "page_has_errors": bool(form.errors),
        },
    )


@assessor_only
def qualification_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    return _qualification_action(request, pk, "suspend")


@assessor_only
def qualification_remove(request: HttpRequest, pk: int) -> HttpResponse:
    return _qualification_action(request, pk, "remove")


@assessor_only
@require_POST
def qualification_reinstate(request: HttpRequest, pk: int) -> HttpResponse:
    qualification = get_object_or_404(
        Qualification.objects.select_related("organisation", "category", "area"), pk=pk, removed_at__isnull=True
    )
    try:
        decisions.qualification_reinstate(qualification=qualification, actor=request.user)
    except decisions.DecisionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{qualification.organisation.display_name} can bid for {qualification.category.name} "
            f"in {qualification.area.name} again",
        )
    return redirect("qualification:assess-organisation", pk=qualification.organisation_id)


@assessor_only
def help_requests(request: HttpRequest) -> HttpResponse:
    return render(request, "qualification/assessor/help_requests.html", {"help_requests": q.help_requests_open()})


@assessor_only
def help_request_reply(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = get_object_or_404(HelpRequest.objects.select_related("organisation", "requested_by"), pk=pk)
    if help_request.closed_at:
        return redirect("qualification:assess-help-requests")
    form = HelpReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decisions.help_request_reply(
                help_request=help_request,
                actor=request.user,
                reply=form.cleaned_data["reply"],
                internal_note=form.cleaned_data["internal_note"],
            )
        except decisions.DecisionError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"You replied to {help_request.organisation.display_name}. We have e-mailed them")
        if not form.errors:
            return redirect("qualification:assess-help-requests")
    return render(
        request,
        "qualification/assessor/help_request_reply.html",
        {"help_request": help_request, "form": form, "page_has_errors": bool(form.errors)},
    )
