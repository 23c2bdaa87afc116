"""A contract's documents: either side adds one (one thing per page), whoever may see the contract
downloads them, and either side withdraws one with a reason (never deleted). Refusals are "not
found", as in contracts/views_versions.py, and so is a document of another contract."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_safe

from contracts import services_documents as services
from contracts.forms import ContractDocumentForm, ContractDocumentWithdrawForm
from contracts.models import Contract, ContractDocument
from contracts.permissions import can_add_contract_document, can_download_contract_document
from contracts.selectors import document_download_name
from contracts.views_versions import _data, _form_page, with_contract
from core.forms import add_service_errors

logger = logging.getLogger(__name__)


def _documents_url(contract: Contract) -> str:
    return reverse("contracts:detail", kwargs={"pk": contract.pk}) + "#documents"


def _document(contract: Contract, document_id: int) -> ContractDocument:
    document = ContractDocument.objects.select_related("contract__supplier").filter(contract=contract, pk=document_id)
    found = document.first()
    if found is None:
        raise Http404
    return found


@with_contract
def document_new(request: HttpRequest, contract: Contract) -> HttpResponse:
    if not can_add_contract_document(request.user, contract):
        raise Http404
    form = ContractDocumentForm(_data(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contract_document_add(
                contract=contract, actor=request.user, title=data["title"], kind=data["kind"], upload=data["file"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Document ‘{data['title'].strip()}’ added")
            return redirect(_documents_url(contract))
    return _form_page(
        request,
        contract,
        form,
        title="Add a document",
        intro="Both sides of the contract, and the framework's staff, will be able to download it. "
        "It is never published. A document cannot be deleted, only withdrawn.",
        back=_documents_url(contract),
        button="Add document",
        multipart=True,
    )


@with_contract
@require_safe
def document_download(request: HttpRequest, contract: Contract, document_id: int) -> FileResponse:
    document = _document(contract, document_id)
    if not can_download_contract_document(request.user, document):
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        logger.error("Stored file missing for contract document %s", document.pk)
        raise Http404 from None
    # Served as the type the upload check found in the content, never to show in the browser.
    response = FileResponse(
        handle, as_attachment=True, filename=document_download_name(document), content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@with_contract
def document_withdraw(request: HttpRequest, contract: Contract, document_id: int) -> HttpResponse:
    if not can_add_contract_document(request.user, contract):
        raise Http404
    document = _document(contract, document_id)
    if document.withdrawn_at is not None:
        messages.error(request, f"‘{document.title}’ has already been withdrawn")
        return redirect(_documents_url(contract))
    form = ContractDocumentWithdrawForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_document_withdraw(
                document=document, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Document ‘{document.title}’ withdrawn")
            return redirect(_documents_url(contract))
    return _form_page(
        request,
        contract,
        form,
        title=f"Withdraw ‘{document.title}’",
        intro="The document stays listed on the contract, marked as withdrawn, with your reason. It can still be "
        "downloaded by whoever may see the contract.",
        back=_documents_url(contract),
        button="Withdraw document",
    )
