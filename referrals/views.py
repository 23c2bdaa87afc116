"""The practitioner's referral pages (issue 12): start from a contract, the draft as short pages
saved as they go, check your answers, send, the confirmation with the reference number, "your
referrals", and each referral's page (progress, approve the plan, cancel, end early). Thin: one
selector or one service each. Practitioner-only pages refuse other roles before anything is read
(403); a referral someone may not read is "not found", as one that does not exist. Every page
showing personal details audits the read (`selectors.referral_for_reading`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.clock import db_now
from core.forms import add_service_errors
from core.paging import counted_page_or_404
from reference.models import ServiceCategory
from referrals import forms, selectors, services
from referrals.models import ComplexityLevel, DesiredOutcome, Referral
from referrals.permissions import can_edit_draft, is_practitioner, is_practitioner_side

PER_PAGE = 25


def practitioner_only(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not is_practitioner(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _draft(request: HttpRequest, pk: int, purpose: str) -> Referral:
    """The practitioner's own draft, its read audited; anything else is not found."""
    referral = selectors.referral_for_reading(user=request.user, pk=pk, purpose=purpose)
    if not can_edit_draft(request.user, referral):
        raise Http404
    return referral


def _data(request: HttpRequest):
    return request.POST if request.method == "POST" else None


# --- Start and the list ----------------------------------------------------------------------------


@practitioner_only
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = selectors.contract_for_referral(contract_id)
    error = None
    if request.method == "POST":
        try:
            referral = services.referral_create(actor=request.user, contract=contract)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            return redirect("referrals:person", referral.pk)
    return render(request, "referrals/start.html", {"contract": contract, "error": error})


@practitioner_only
@require_http_methods(["GET", "HEAD"])
def referral_list(request: HttpRequest) -> HttpResponse:
    page = counted_page_or_404(selectors.referrals_made_by(request.user), PER_PAGE, request.GET.get("page"))
    return render(request, "referrals/list.html", {"page": page})


# --- The draft, page by page --------------------------------------------------------------------------


def _step(form_class, *, template_title: str, next_step: str, fields: tuple[str, ...]):
    """A draft page: the form filled from the draft, saved through `referral_update`."""

    @practitioner_only
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        referral = _draft(request, pk, f"draft:{next_step}")
        initial = {name: getattr(referral, name) for name in fields}
        if "needs_interpreter" in initial and initial["needs_interpreter"] is not None:
            initial["needs_interpreter"] = "yes" if initial["needs_interpreter"] else "no"
        form = form_class(_data(request), initial=initial)
        if request.method == "POST" and form.is_valid():
            values = {name: form.cleaned_data.get(name) for name in fields}
            for name, value in values.items():
                if isinstance(value, str):
                    values[name] = value.strip()
            try:
                services.referral_update(actor=request.user, referral=referral, **values)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect(next_step, referral.pk)
        return render(
            request,
            "referrals/step.html",
            {"referral": referral, "form": form, "title": template_title, "page_has_errors": bool(form.errors)},
        )

    return view


person = _step(
    forms.PersonForm,
    template_title="The person's details",
    next_step="referrals:needs",
    fields=("crn", "first_name", "last_name", "date_of_birth", "sex", "gender", "email", "phone", "address"),
)
needs = _step(
    forms.NeedsForm,
    template_title="Language and accessibility",
    next_step="referrals:order",
    fields=("preferred_language", "accessibility_needs", "needs_interpreter", "interpreter_language"),
)
order = _step(
    forms.OrderForm,
    template_title="Their order or licence",
    next_step="referrals:support",
    fields=("order_type", "order_end_on", "max_rar_days"),
)
risk = _step(
    forms.RiskForm,
    template_title="Risks and when the work must be done",
    next_step="referrals:check",
    fields=("risk_summary", "complete_by"),
)


def _categories(referral: Referral) -> list[ServiceCategory]:
    return list(
        referral.contract.service_type.categories.order_by("display_order", "name").prefetch_related(
            Prefetch("desired_outcomes", DesiredOutcome.objects.filter(active=True), to_attr="active_outcomes"),
            Prefetch("complexity_levels", ComplexityLevel.objects.filter(active=True), to_attr="active_levels"),
        )
    )


@practitioner_only
@require_http_methods(["GET", "POST"])
def support(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _draft(request, pk, "draft:support")
    categories = _categories(referral)
    initial = {}
    for row in referral.categories.prefetch_related("outcomes"):
        initial[f"complexity_{row.category_id}"] = row.complexity_id
        initial[f"outcomes_{row.category_id}"] = [o.outcome_id for o in row.outcomes.all()]
    form = forms.SupportForm(_data(request), initial=initial, categories=categories)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_set_categories(actor=request.user, referral=referral, choices=form.choices())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("referrals:risk", referral.pk)
    return render(
        request,
        "referrals/step.html",
        {"referral": referral, "form": form, "title": "The support they need", "page_has_errors": bool(form.errors)},
    )


@practitioner_only
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _draft(request, pk, "draft:check")
    problems: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.referral_send(actor=request.user, referral=referral)
        except ValidationError as error:
            problems = (
                {f: m[0] for f, m in error.message_dict.items()}
                if hasattr(error, "error_dict")
                else {"": error.messages[0]}
            )
        else:
            return redirect("referrals:sent", referral.pk)
    else:
        problems = services.send_problems(referral, db_now())
    progress = selectors.referral_progress(referral)
    return render(
        request,
        "referrals/check.html",
        {"referral": referral, "progress": progress, "problems": problems, "page_has_errors": request.method == "POST"},
    )


@practitioner_only
@require_http_methods(["GET", "HEAD"])
def sent(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_detail(user=request.user, pk=pk)
    if referral.sent_at is None or referral.created_by_id != request.user.pk:
        raise Http404
    return render(request, "referrals/sent.html", {"referral": referral})


# --- One referral ------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The referral's page, for everyone who may read it (practitioner and provider alike)."""
    referral = selectors.referral_for_reading(user=request.user, pk=pk, purpose="page:referrals:detail")
    progress = selectors.referral_progress(referral)
    practitioner = is_practitioner_side(request.user, referral)
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "progress": progress,
            "practitioner": practitioner,
        },
    )


@practitioner_only
@require_POST
def approve_plan(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_detail(user=request.user, pk=pk)
    form = forms.ApprovePlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The action plan could not be found. Try again")
        return redirect("referrals:detail", referral.pk)
    try:
        services.action_plan_approve(actor=request.user, referral=referral, version=form.cleaned_data["version"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Action plan approved")
    return redirect("referrals:detail", referral.pk)


def _reason_page(request, pk: int, *, form_class, service, title: str, done: str, button: str) -> HttpResponse:
    referral = selectors.referral_detail(user=request.user, pk=pk)
    if not is_practitioner_side(request.user, referral) or referral.sent_at is None:
        raise Http404
    form = form_class(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, referral=referral, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("referrals:detail", referral.pk)
    return render(
        request,
        "referrals/reason.html",
        {"referral": referral, "form": form, "title": title, "button": button, "page_has_errors": bool(form.errors)},
    )


@practitioner_only
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_page(
        request, pk, form_class=forms.CancelForm, service=services.referral_cancel,
        title="Cancel this referral", done="Referral cancelled", button="Cancel referral",
    )  # fmt: skip


@practitioner_only
@require_http_methods(["GET", "POST"])
def end(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_page(
        request, pk, form_class=forms.EndForm, service=services.referral_end_early,
        title="End this referral early", done="Referral ended", button="End referral",
    )  # fmt: skip
