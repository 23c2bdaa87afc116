"""E-mails about a contract's changes and payment claims, composed in tasks (never in a request).

Each tells whoever acts next, with an absolute link (`core.links`) to the page where they act:

- a change proposed: the opportunity's other commissioners, any of whom may approve it;
- a change approved: the provider's contract manager, to accept it (its administrators if no
  manager is named);
- a claim sent: the commissioners' contract manager (every commissioner if none is named);
- a claim queried, approved or paid: the provider, as for a change approved.

An e-mail names the contract, the period and the amount, never a person, and never quotes free
text someone typed (a reason or a note may name someone): the page behind the link shows it to
those allowed to see it. One message per address, so nobody sees who else was told.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.tasks import task

from accounts.permissions import is_member_of
from accounts.selectors import organisation_email_addresses
from competitions.models import CompetitionMember
from contracts.models import Contract, ContractVersion, PaymentClaim, VersionKind
from core.formatting import london_date, money
from core.links import service_url
from core.mail import send_email


def _send(recipients: list[str], subject: str, body: str) -> int:
    for address in recipients:
        send_email(to=[address], subject=subject, body=body)
    return len(recipients)


def _confirmed(users) -> list[str]:
    """Active people's confirmed addresses, each once, sorted."""
    addresses: dict[str, str] = {}
    for user in users:
        if user is not None and user.is_active and user.email_confirmed_at is not None and user.email:
            addresses.setdefault(user.email.lower(), user.email)
    return sorted(addresses.values(), key=str.lower)


def commissioners(contract: Contract):
    """The opportunity's commissioners (who manage the contract)."""
    return (
        get_user_model()
        .objects.filter(
            competition_memberships__competition_id=contract.lot.competition_id,
            competition_memberships__role=CompetitionMember.MemberRole.COMMISSIONER,
        )
        .distinct()
    )


def provider_addresses(contract: Contract) -> list[str]:
    """The provider's named contract manager while still a member; else its administrators (and
    the organisation's contact address)."""
    manager = contract.provider_manager
    if manager is not None and is_member_of(manager, contract.supplier):
        addresses = _confirmed([manager])
        if addresses:
            return addresses
    return organisation_email_addresses(contract.supplier, admins_only=True)


def commissioner_manager_addresses(contract: Contract) -> list[str]:
    """The commissioners' named contract manager while still a commissioner; else every commissioner."""
    everyone = commissioners(contract)
    manager = contract.commissioner_manager
    if manager is not None and everyone.filter(pk=manager.pk).exists():
        addresses = _confirmed([manager])
        if addresses:
            return addresses
    return _confirmed(everyone)


def _what(version: ContractVersion) -> str:
    return "an extension" if version.kind == VersionKind.EXTENSION else "a change"


def _version(version_id: int) -> ContractVersion:
    return ContractVersion.objects.select_related(
        "contract__lot", "contract__supplier", "contract__provider_manager", "contract__commissioner_manager"
    ).get(pk=version_id)


def _claim(claim_id: int) -> PaymentClaim:
    return PaymentClaim.objects.select_related(
        "contract__lot", "contract__supplier", "contract__provider_manager", "contract__commissioner_manager"
    ).get(pk=claim_id)


def _signature() -> str:
    return f"\n{settings.SERVICE_NAME}\n"


@task
def send_variation_proposed_emails(*, version_id: int) -> int:
    """Ask the other commissioners to approve (or refuse) a proposed change."""
    version = _version(version_id)
    contract = version.contract
    recipients = _confirmed(commissioners(contract).exclude(pk=version.proposed_by_id))
    subject = f"Approve {_what(version)} to a contract: {contract.title}"
    body = (
        f"Hello,\n\nA commissioner has proposed {_what(version)} to the contract {contract.title} "
        f"(version {version.number}), on the ground: {version.get_ground_display().lower()}.\n\n"
        "Another commissioner must approve it before the provider can accept it. The commissioner who "
        "proposed it cannot approve it.\n\n"
        f"Read the change and approve or refuse it: {service_url('contracts:version', contract.pk, version.number)}\n"
        + _signature()
    )
    return _send(recipients, subject, body)


@task
def send_variation_approved_emails(*, version_id: int) -> int:
    """Ask the provider to accept (or refuse) an approved change."""
    version = _version(version_id)
    contract = version.contract
    subject = f"Accept {_what(version)} to your contract: {contract.title}"
    body = (
        f"Hello,\n\nThe commissioners have approved {_what(version)} to your contract {contract.title} "
        f"(version {version.number}). It takes effect only once your organisation accepts it.\n\n"
        f"Read the change and accept or refuse it: {service_url('contracts:version', contract.pk, version.number)}\n"
        + _signature()
    )
    return _send(provider_addresses(contract), subject, body)


def _claim_line(claim: PaymentClaim) -> str:
    kind = "A correction" if claim.corrects_id else "A claim"
    return (
        f"{kind} for {london_date(claim.period_start)} to {london_date(claim.period_end)}, "
        f"{money(claim.amount)}, on the contract {claim.contract.title}"
    )


def _claim_link(claim: PaymentClaim) -> str:
    return service_url("contracts:claim", claim.contract_id, claim.pk)


@task
def send_claim_sent_emails(*, claim_id: int) -> int:
    """Tell the commissioners' contract manager a claim is waiting for approval."""
    claim = _claim(claim_id)
    contract = claim.contract
    subject = f"A payment claim is waiting for you: {contract.title}"
    body = (
        f"Hello,\n\n{_claim_line(claim)}, has been sent by the provider. It is waiting for you to approve it "
        "or send it back with a query.\n\n"
        f"The days to pay it run from when it was sent. Review it: {_claim_link(claim)}\n" + _signature()
    )
    return _send(commissioner_manager_addresses(contract), subject, body)


@task
def send_claim_queried_emails(*, claim_id: int) -> int:
    """Tell the provider a claim was sent back, and where to read why."""
    claim = _claim(claim_id)
    subject = f"Your payment claim has been queried: {claim.contract.title}"
    body = (
        f"Hello,\n\n{_claim_line(claim)}, has been sent back with a query.\n\n"
        f"Read the query and send the claim again: {_claim_link(claim)}\n" + _signature()
    )
    return _send(provider_addresses(claim.contract), subject, body)


@task
def send_claim_approved_emails(*, claim_id: int) -> int:
    """Tell the provider a claim was approved and by when it should be paid."""
    from contracts.selectors import claim_due_on, terms_at

    claim = _claim(claim_id)
    due = claim_due_on(claim, terms_at(claim.contract, claim.sent_at))
    subject = f"Your payment claim has been approved: {claim.contract.title}"
    body = (
        f"Hello,\n\n{_claim_line(claim)}, has been approved.\n\n"
        f"Under the contract's payment terms it should be paid by {london_date(due)}.\n\n"
        f"See the claim: {_claim_link(claim)}\n" + _signature()
    )
    return _send(provider_addresses(claim.contract), subject, body)


@task
def send_claim_paid_emails(*, claim_id: int) -> int:
    """Tell the provider a claim has been paid, and on what day."""
    claim = _claim(claim_id)
    subject = f"Your payment claim has been paid: {claim.contract.title}"
    body = (
        f"Hello,\n\n{_claim_line(claim)}, was paid on {london_date(claim.paid_on)}.\n\n"
        f"See the claim: {_claim_link(claim)}\n" + _signature()
    )
    return _send(provider_addresses(claim.contract), subject, body)
