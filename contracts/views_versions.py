"""A contract's life after award: contract managers, variations, extensions and termination.
Thin: check the predicate, call one service or selector, respond. Someone who may not do what a
page does gets "not found", as for a contract or change that does not exist, never 403: a
different answer for a real id would tell them it exists (tests/test_authorisation_matrix.py)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import User
from contracts import forms, services
from contracts.models import Contract, ContractVersion, VersionKind
from contracts.permissions import can_answer_for_provider, can_manage_contract
from contracts.selectors import (
    contract_detail,
    extension_years_used,
    manager_candidates,
    term_financial_years,
    terms_in_force,
    terms_summary,
    version_detail,
)
from core.forms import add_service_errors
from reference.models import Area


def _data(request: HttpRequest):
    """The form data of a POST (even an empty one, so it is checked), or None for a GET."""
    return request.POST if request.method == "POST" else None


def with_contract(view: Callable) -> Callable:
    """Load a contract this person may see, or say "not found"."""

    @wraps(view)
    def wrapped(request: HttpRequest, pk: int, *args, **kwargs):
        try:
            contract = contract_detail(user=request.user, pk=pk)
        except Contract.DoesNotExist:
            raise Http404 from None
        return view(request, contract, *args, **kwargs)

    return wrapped


def managing(view: Callable) -> Callable:
    """Only the opportunity's commissioners."""

    @wraps(view)
    def wrapped(request: HttpRequest, contract: Contract, *args, **kwargs):
        if not can_manage_contract(request.user, contract):
            raise Http404
        return view(request, contract, *args, **kwargs)

    return with_contract(wrapped)


def with_version(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(request: HttpRequest, contract: Contract, number: int, *args, **kwargs):
        try:
            version = version_detail(user=request.user, contract=contract, number=number)
        except ContractVersion.DoesNotExist:
            raise Http404 from None
        return view(request, contract, version, *args, **kwargs)

    return wrapped


def _contract_url(contract: Contract) -> str:
    return reverse("contracts:detail", kwargs={"pk": contract.pk})


def _version_url(version: ContractVersion) -> str:
    return reverse("contracts:version", kwargs={"pk": version.contract_id, "number": version.number})


def _to_contract(contract: Contract) -> HttpResponse:
    return redirect("contracts:detail", pk=contract.pk)


def _to_version(version: ContractVersion) -> HttpResponse:
    return redirect("contracts:version", pk=version.contract_id, number=version.number)


def _form_page(request, contract, form, *, title, back, intro=None, button="Continue", template=None, **extra):
    return render(
        request,
        template or "contracts/form.html",
        {
            "contract": contract,
            "form": form,
            "title": title,
            "intro": intro,
            "button": button,
            "back": back,
            "page_has_errors": bool(form.errors),
            **extra,
        },
    )


# --- Contract managers ---------------------------------------------------------------------------


def _manager_choices(contract: Contract, side: str) -> list[tuple[int, str]]:
    people = manager_candidates(contract, side)
    return sorted(((person.pk, person.full_name or person.email) for person in people), key=lambda p: p[1])


@with_contract
def manager(request: HttpRequest, contract: Contract, side: str) -> HttpResponse:
    if side not in ("commissioner", "provider"):
        raise Http404
    allowed = can_manage_contract if side == "commissioner" else can_answer_for_provider
    if not allowed(request.user, contract):
        raise Http404
    current = contract.commissioner_manager_id if side == "commissioner" else contract.provider_manager_id
    form = forms.ManagerForm(_data(request), people=_manager_choices(contract, side), initial={"manager": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_set_manager(
                contract=contract,
                side=side,
                manager=User.objects.get(pk=form.cleaned_data["manager"]),
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Contract manager saved")
            return _to_contract(contract)
    who = "the commissioners'" if side == "commissioner" else "the provider's"
    return _form_page(
        request, contract, form, title=f"Name {who} contract manager", back=_contract_url(contract), button="Save"
    )


# --- Variations ----------------------------------------------------------------------------------


@managing
def variation_start(request: HttpRequest, contract: Contract) -> HttpResponse:
    form = forms.StartVariationForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            version = services.variation_start(contract=contract, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _to_version(version)
    return _form_page(
        request,
        contract,
        form,
        title="Propose a change to the contract",
        intro="You will then choose what changes. Another commissioner must approve it, and the provider must accept it.",
        back=_contract_url(contract),
    )


def _draft_or_refuse(request, contract, version) -> bool:
    return (
        can_manage_contract(request.user, contract)
        and version.kind == VersionKind.VARIATION
        and version.proposed_at is None
        and version.declined_at is None
    )


def _change_page(request, contract, version, form, *, title, save, intro=None):
    if request.method == "POST" and form.is_valid():
        try:
            services.variation_change(version=version, actor=request.user, **save())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _to_version(version)
    return _form_page(request, contract, form, title=title, intro=intro, back=_version_url(version), button="Save")


def draft_page(view: Callable) -> Callable:
    """A page that edits a draft: only the opportunity's commissioners, only while it is a draft."""

    @wraps(view)
    def wrapped(request: HttpRequest, contract: Contract, version: ContractVersion):
        if not _draft_or_refuse(request, contract, version):
            raise Http404
        return view(request, contract, version)

    return with_contract(with_version(wrapped))


@draft_page
def variation_end_date(request: HttpRequest, contract: Contract, version: ContractVersion) -> HttpResponse:
    form = forms.EndDateForm(_data(request), initial={"ends_on": version.ends_on})
    return _change_page(
        request,
        contract,
        version,
        form,
        title="When should the contract end?",
        intro="Years added to the term start with the last year's value and people. You can change them next.",
        save=lambda: {"ends_on": form.cleaned_data["ends_on"]},
    )


@draft_page
def variation_years(request: HttpRequest, contract: Contract, version: ContractVersion) -> HttpResponse:
    years = term_financial_years(contract.starts_on, version.ends_on)
    initial = {}
    for year in version.years.all():
        initial[f"value_{year.financial_year}"] = year.value
        initial[f"volume_{year.financial_year}"] = year.volume
    form = forms.YearsForm(_data(request), years=years, initial=initial)
    return _change_page(
        request,
        contract,
        version,
        form,
        title="Value and people each year",
        intro="Each year runs from April to March.",
        save=lambda: {"years": form.figures()},
    )


@draft_page
def variation_areas(request: HttpRequest, contract: Contract, version: ContractVersion) -> HttpResponse:
    choices = list(Area.objects.order_by("name").values_list("pk", "name"))
    form = forms.AreasForm(_data(request), choices=choices, initial={"areas": [a.pk for a in version.areas.all()]})
    return _change_page(
        request,
        contract,
        version,
        form,
        title="Which areas does the contract cover?",
        save=lambda: {"area_ids": form.cleaned_data["areas"]},
    )


@draft_page
def variation_partners(request: HttpRequest, contract: Contract, version: ContractVersion) -> HttpResponse:
    partners = list(version.partners.all())
    if not partners:
        raise Http404
    form = forms.PartnersForm(
        _data(request), partners=partners, initial={f"share_{p.pk}": p.share_percent for p in partners}
    )
    return _change_page(
        request,
        contract,
        version,
        form,
        title="Partners' shares of the work",
        save=lambda: {"partner_shares": form.shares()},
    )


@draft_page
def variation_payment(request: HttpRequest, contract: Contract, version: ContractVersion) -> HttpResponse:
    form = forms.PaymentTermsForm(
        _data(request),
        initial={
            "payment_frequency": version.payment_frequency,
            "payment_model": version.payment_model,
            "payment_days": version.payment_days,
            "payment_working_days": "yes" if version.payment_working_days else "no",
        },
    )
    return _change_page(
        request, contract, version, form, title="Payment terms", save=lambda: {"payment_terms": form.cleaned_data}
    )


@with_contract
@with_version
def version(request: HttpRequest, contract: Contract, version: ContractVersion) -> HttpResponse:
    """One version of the terms beside the terms in force, with what each person may do next."""
    user = request.user
    manages = can_manage_contract(user, contract)
    is_open = version.accepted_at is None and version.declined_at is None
    context = {
        "contract": contract,
        "version": version,
        "terms": terms_in_force(contract),
        "terms_summary": terms_summary,
        "can_edit": _draft_or_refuse(request, contract, version),
        "can_propose": manages and is_open and version.proposed_at is None,
        "can_approve": manages
        and is_open
        and version.proposed_at is not None
        and version.approved_at is None
        and version.proposed_by_id != user.pk,
        "can_accept": is_open and version.approved_at is not None and can_answer_for_provider(user, contract),
        "can_decline": is_open
        and (
            (manages and version.approved_at is None)
            or (version.approved_at is not None and can_answer_for_provider(user, contract))
        ),
    }
    return render(request, "contracts/version.html", context)


def _act(request, contract, version, action: Callable, done: str) -> HttpResponse:
    try:
        action(version=version, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return _to_version(version)


@require_POST
@with_contract
@with_version
def variation_propose(request: HttpRequest, contract: Contract, version: ContractVersion) -> HttpResponse:
    if not can_manage_contract(request.user, contract):
        raise Http404
    return _act(request, contract, version, services.variation_propose, "Change sent for approval")


@require_POST
@with_contract
@with_version
def variation_approve(request: HttpRequest, contract: Contract, version: ContractVersion) -> HttpResponse:
    if not can_manage_contract(request.user, contract):
        raise Http404
    return _act(
        request, contract, version, services.variation_approve, "Change approved: the provider can now accept it"
    )


@require_POST
@with_contract
@with_version
def variation_accept(request: HttpRequest, contract: Contract, version: ContractVersion) -> HttpResponse:
    if not can_answer_for_provider(request.user, contract):
        raise Http404
    return _act(request, contract, version, services.variation_accept, "Change accepted: these are now the terms")


@with_contract
@with_version
def variation_decline(request: HttpRequest, contract: Contract, version: ContractVersion) -> HttpResponse:
    if not (can_manage_contract(request.user, contract) or can_answer_for_provider(request.user, contract)):
        raise Http404
    form = forms.DeclineForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.variation_decline(version=version, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Change declined")
            return _to_contract(contract)
    title = "Withdraw this change" if version.proposed_at is None else "Decline this change"
    return _form_page(request, contract, form, title=title, back=_version_url(version), button=title.split()[0])


# --- Extension and termination -------------------------------------------------------------------


@managing
def extend(request: HttpRequest, contract: Contract) -> HttpResponse:
    remaining = contract.extension_years - extension_years_used(contract)
    if remaining <= 0:
        messages.error(request, "This contract has no option to extend left")
        return _to_contract(contract)
    form = forms.ExtendForm(_data(request), remaining=remaining)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.extension_propose(contract=contract, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Extension sent for approval")
            return _to_version(version)
    return _form_page(
        request,
        contract,
        form,
        title="Extend the contract",
        intro=(
            f"The opportunity allowed up to {contract.extension_years} year"
            f"{'' if contract.extension_years == 1 else 's'} of extension; {remaining} left. "
            "The added years start with the last year's value and people. Another commissioner must "
            "approve it, and the provider must accept it."
        ),
        back=_contract_url(contract),
    )


@managing
def terminate(request: HttpRequest, contract: Contract) -> HttpResponse:
    form = forms.TerminateForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_terminate(contract=contract, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Termination recorded")
            return _to_contract(contract)
    return _form_page(
        request,
        contract,
        form,
        title="End the contract early",
        back=_contract_url(contract),
        button="Record the termination",
    )
