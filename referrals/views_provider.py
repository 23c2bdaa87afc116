"""The provider's referral pages, under /provider/referrals/ (issue 12): the inbox, the managers
page, and each referral's page with the steps of the work (who does it, the first assessment, the
action plan, sessions, the end-of-service report). Thin: each asks a predicate of
`referrals.permissions`, calls one service or selector and answers. Whoever may not do what a page
does gets "not found", as for a referral that does not exist (tests/test_authorisation_matrix.py);
a page for another kind of user (staff at the inbox) is refused before anything is looked up."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from accounts.permissions import membership_of
from core.forms import GovukForm, add_service_errors
from core.paging import counted_page_or_404
from referrals import permissions, rules, selectors, selectors_provider, services
from referrals.forms_provider import (
    AppointmentForm,
    AttendanceForm,
    CaseworkerForm,
    CrnSearchForm,
    ManagerForm,
    PartnerForm,
    PlanForm,
    ReportNotesForm,
    ReportOutcomeForm,
    SessionForm,
)
from referrals.models import Referral

PER_PAGE = 25
FORM = "referrals/provider/form.html"
SEARCH_PURPOSE = "provider search by case reference number"


def _data(request: HttpRequest):
    """The form data of a POST (even an empty one, so it is checked), or None for a GET."""
    return request.POST if request.method == "POST" else None


def _referral(request: HttpRequest, pk: int, *, purpose: str | None = None) -> Referral:
    """A referral this person works on as a provider, or "not found". With `purpose`, the page
    shows personal details, and the read is audited (after the check: a refused look reads nothing)."""
    referral = selectors.referral_detail(user=request.user, pk=pk)
    if not selectors_provider.is_provider_side(request.user, referral):
        raise Http404
    if purpose:
        services.referral_read_record(actor=request.user, referral=referral, purpose=purpose)
    return referral


def _detail_url(referral: Referral) -> str:
    return reverse("referrals_provider:detail", kwargs={"pk": referral.pk})


def _form_page(request, referral, form, *, title, button, intro="", back=None, extra=None) -> HttpResponse:
    context = {
        "referral": referral,
        "form": form,
        "title": title,
        "intro": intro,
        "button": button,
        "back": back or _detail_url(referral),
        "page_has_errors": bool(form.errors),
    }
    return render(request, FORM, context | (extra or {}))


def _done(request, referral, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(_detail_url(referral))


# --- The inbox and the managers -------------------------------------------------------------------


@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    if membership_of(request.user) is None:
        raise PermissionDenied
    tab = request.GET.get("show") or "new"
    if tab not in selectors_provider.INBOX_TABS:
        raise Http404
    page = counted_page_or_404(selectors_provider.inbox(request.user, tab), PER_PAGE, request.GET.get("page"))
    return render(
        request,
        "referrals/provider/inbox.html",
        {
            "page": page,
            "tab": tab,
            "tabs": [(key, label) for key, (label, _) in selectors_provider.INBOX_TABS.items()],
            "labels": rules.STATUS_LABELS,
            "with_partner": rules.with_partner,
            "search_form": CrnSearchForm(),
        },
    )


@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Find referrals in the inbox by case reference number. The number is sent in a POST, so it
    is never in an address (browser history, the access log, a Referer header). Each referral
    found is a read of personal data (it ties the number to the referral), so each is audited;
    a search that finds nothing reads nothing."""
    if membership_of(request.user) is None:
        raise PermissionDenied
    form = CrnSearchForm(_data(request))
    found = None
    if request.method == "POST" and form.is_valid():
        found = selectors_provider.find_in_inbox(request.user, form.cleaned_data["crn"])
        for referral in found:
            services.referral_read_record(actor=request.user, referral=referral, purpose=SEARCH_PURPOSE)
    return render(
        request,
        "referrals/provider/search.html",
        {
            "form": form,
            "found": found,
            "crn": form.cleaned_data["crn"] if found is not None else "",
            "labels": rules.STATUS_LABELS,
            "with_partner": rules.with_partner,
            "page_has_errors": bool(form.errors),
        },
    )


def managers(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request.user)
    if membership is None or not permissions.can_grant_referral_manager(request.user, membership.organisation):
        raise PermissionDenied
    organisation = membership.organisation
    rows = selectors_provider.organisation_members_and_managers(organisation.pk)
    others = [row["membership"] for row in rows if not row["membership"].is_admin]
    form = ManagerForm(_data(request), memberships=others)
    if request.method == "POST" and form.is_valid():
        chosen = next(m for m in others if m.pk == form.cleaned_data["membership"])
        action = form.cleaned_data["action"]
        service = services.referral_manager_grant if action == "grant" else services.referral_manager_revoke
        try:
            service(actor=request.user, membership=chosen)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            name = chosen.user.full_name or chosen.user.email
            messages.success(
                request,
                f"{name} can now manage referrals" if action == "grant" else f"{name} no longer manages referrals",
            )
            return redirect("referrals_provider:managers")
    return render(
        request,
        "referrals/provider/managers.html",
        {"rows": rows, "form": form, "organisation": organisation, "page_has_errors": bool(form.errors)},
    )


# --- One referral ----------------------------------------------------------------------------------


@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk, purpose="provider referral page")
    user = request.user
    progress = selectors.referral_progress(referral)
    is_open = rules.REFERRAL_OPEN.holds(referral)
    can_deliver = permissions.can_deliver(user, referral)
    return render(
        request,
        "referrals/provider/detail.html",
        {
            "referral": referral,
            **progress,
            "is_open": is_open,
            "can_assign_partner": is_open
            and permissions.can_assign_to_partner(user, referral)
            and not rules.with_partner(referral),
            # Allowed later than giving it away: `services.referral_take_back` says why.
            "can_take_back": rules.REFERRAL_WITH_PROVIDER.holds(referral)
            and permissions.can_assign_to_partner(user, referral)
            and rules.with_partner(referral),
            "can_choose_caseworker": is_open and permissions.is_referral_manager_of(user, referral.provider_id),
            "can_deliver": can_deliver,
            # The link only: `services.report_save` decides.
            "can_write_report": can_deliver
            and referral.plan_approved_at is not None
            and rules.REFERRAL_WITH_PROVIDER.holds(referral),
        },
    )


def partner(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    if not permissions.can_assign_to_partner(request.user, referral):
        raise Http404
    organisations = selectors_provider.partner_choices(referral)
    form = PartnerForm(
        _data(request),
        initial={"organisation": referral.provider_id},
        organisations=organisations,
        prime_id=referral.prime_id,
    )
    if request.method == "POST" and form.is_valid():
        chosen = next(o for o in organisations if o.pk == form.cleaned_data["organisation"])
        try:
            services.referral_assign(actor=request.user, referral=referral, organisation=chosen)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, referral, f"The work is now with {chosen.legal_name}")
    return _form_page(
        request,
        referral,
        form,
        title="Who will do the work?",
        button="Save",
    )


def take_back(request: HttpRequest, pk: int) -> HttpResponse:
    """The prime's referral managers take the work back from a partner: a page to confirm."""
    referral = _referral(request, pk)
    if not permissions.can_assign_to_partner(request.user, referral) or not rules.with_partner(referral):
        raise Http404
    partner_name = referral.provider.legal_name
    form = GovukForm(_data(request))
    if request.method == "POST":
        try:
            services.referral_take_back(actor=request.user, referral=referral)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, referral, f"You took the work back from {partner_name}. Choose a caseworker")
    return render(
        request,
        "referrals/provider/take_back.html",
        {"referral": referral, "form": form, "partner_name": partner_name, "page_has_errors": bool(form.errors)},
    )


def caseworker(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    if not permissions.is_referral_manager_of(request.user, referral.provider_id):
        raise Http404
    members = list(selectors.caseworker_candidates(referral.provider_id))
    form = CaseworkerForm(_data(request), initial={"caseworker": referral.caseworker_id}, members=members)
    if request.method == "POST" and form.is_valid():
        chosen = next(m.user for m in members if m.user_id == form.cleaned_data["caseworker"])
        try:
            services.referral_assign(actor=request.user, referral=referral, caseworker=chosen)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, referral, f"{chosen.full_name or chosen.email} is now the caseworker")
    return _form_page(
        request,
        referral,
        form,
        title="Who will be the caseworker?",
        button="Save",
    )


def _deliverer(request: HttpRequest, pk: int, *, purpose: str | None = None) -> Referral:
    referral = _referral(request, pk, purpose=purpose)
    if not permissions.can_deliver(request.user, referral):
        raise Http404
    return referral


def appointment(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _deliverer(request, pk)
    form = AppointmentForm(_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.appointment_book(
                actor=request.user,
                referral=referral,
                starts_at=form.when(),
                duration_minutes=data["duration_minutes"],
                method=data["method"],
                location=data["location"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, referral, "The first assessment is booked")
    return _form_page(
        request,
        referral,
        form,
        title="Book the first assessment",
        intro="This is when the caseworker first meets the person. Booking again replaces the time.",
        button="Book",
    )


def appointment_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _deliverer(request, pk)
    form = AttendanceForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_record_attendance(
                actor=request.user, referral=referral, attendance=form.cleaned_data["attendance"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, referral, "Saved whether the person came to the assessment")
    return _form_page(request, referral, form, title="Did the person come to the assessment?", button="Save")


def plan(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _deliverer(request, pk, purpose="provider action plan")
    outcomes = selectors_provider.referral_outcomes(referral)
    start = selectors_provider.plan_to_start_from(referral)
    initial = {}
    if start is not None:
        initial["number_of_sessions"] = start.number_of_sessions
        for activity in start.activities.all():
            initial[f"activity_{activity.outcome_id}"] = activity.description or ""
    form = PlanForm(_data(request), initial=initial, outcomes=outcomes)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.action_plan_save(
                actor=request.user,
                referral=referral,
                number_of_sessions=form.cleaned_data["number_of_sessions"],
                activities=form.activities(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Action plan version {saved.version} saved. Send it when it is ready")
            return redirect("referrals_provider:plan-send", pk=referral.pk)
    approved = start is not None and start.approved_at is not None
    intro = "Say how many sessions there will be and what you will do for each desired outcome."
    if approved:
        intro += (
            f" The practitioner approved version {start.version}. If you change it, you make version "
            f"{start.version + 1}, which they must approve. Until then, version {start.version} stays in use."
        )
    return _form_page(request, referral, form, title="Action plan", intro=intro, button="Save and continue")


def plan_send(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _deliverer(request, pk, purpose="provider action plan")
    form = GovukForm(_data(request))
    if request.method == "POST":
        try:
            services.action_plan_submit(actor=request.user, referral=referral)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, referral, "Action plan sent to the practitioner to approve")
    plan_now = selectors_provider.plan_being_written(referral)
    return render(
        request,
        "referrals/provider/plan_send.html",
        {
            "referral": referral,
            "form": form,
            "page_has_errors": bool(form.errors),
            "plan": plan_now,
            "outcome_names": {o.pk: o.outcome.description for o in selectors_provider.referral_outcomes(referral)},
        },
    )


def session_new(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _deliverer(request, pk)
    form = SessionForm(_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.session_record(
                actor=request.user,
                referral=referral,
                happened_at=form.when(),
                attendance=data["attendance"],
                engagement=data["engagement"],
                notes=data["notes"],
                tell_practitioner=data["tell_practitioner"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, referral, f"Session {session.number} recorded")
    return _form_page(
        request,
        referral,
        form,
        title="Record a session",
        intro="If the person did not come, we tell the practitioner.",
        button="Save",
    )


# --- The end-of-service report ----------------------------------------------------------------------


def _report_answers(referral: Referral) -> tuple[object, dict[int, tuple[str, str]], str]:
    report = selectors_provider.report_of(referral)
    if report is None:
        return None, {}, ""
    answers = {row.outcome_id: (row.achievement, row.notes or "") for row in report.outcomes.all()}
    return report, answers, report.further_notes or ""


def report(request: HttpRequest, pk: int) -> HttpResponse:
    """Check the report and send it."""
    referral = _deliverer(request, pk, purpose="provider end-of-service report")
    form = GovukForm(_data(request))
    if request.method == "POST":
        try:
            services.report_send(actor=request.user, referral=referral)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, referral, "End-of-service report sent to the practitioner")
    saved, answers, further_notes = _report_answers(referral)
    from referrals.models import Achievement

    return render(
        request,
        "referrals/provider/report.html",
        {
            "referral": referral,
            "form": form,
            "page_has_errors": bool(form.errors),
            "report": saved,
            "outcomes": selectors_provider.referral_outcomes(referral),
            "answers": answers,
            "further_notes": further_notes,
            "achievement_labels": dict(Achievement.choices),
        },
    )


def report_outcome(request: HttpRequest, pk: int, outcome_id: int) -> HttpResponse:
    referral = _deliverer(request, pk, purpose="provider end-of-service report")
    outcome = next((o for o in selectors_provider.referral_outcomes(referral) if o.pk == outcome_id), None)
    if outcome is None:
        raise Http404
    _, answers, _ = _report_answers(referral)
    achievement, notes = answers.get(outcome.pk, ("", ""))
    form = ReportOutcomeForm(_data(request), initial={"achievement": achievement, "notes": notes})
    if request.method == "POST" and form.is_valid():
        try:
            services.report_answer(
                actor=request.user,
                referral=referral,
                outcome_id=outcome.pk,
                answer=(form.cleaned_data["achievement"], form.cleaned_data["notes"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved")
            return redirect("referrals_provider:report", pk=referral.pk)
    return _form_page(
        request,
        referral,
        form,
        title=outcome.outcome.description,
        intro=f"Desired outcome for {outcome.referral_category.category.name}.",
        button="Save and continue",
        back=reverse("referrals_provider:report", kwargs={"pk": referral.pk}),
    )


def report_notes(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _deliverer(request, pk, purpose="provider end-of-service report")
    _, _, further_notes = _report_answers(referral)
    form = ReportNotesForm(_data(request), initial={"further_notes": further_notes})
    if request.method == "POST" and form.is_valid():
        try:
            services.report_answer(
                actor=request.user, referral=referral, further_notes=form.cleaned_data["further_notes"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved")
            return redirect("referrals_provider:report", pk=referral.pk)
    return _form_page(
        request,
        referral,
        form,
        title="Anything else the practitioner should know? (optional)",
        button="Save and continue",
        back=reverse("referrals_provider:report", kwargs={"pk": referral.pk}),
        extra={"heading_in_form": True},
    )
