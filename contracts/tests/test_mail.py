"""E-mails about changes and claims: queued by the service (a task, never sent in the request),
each to whoever acts next, with an absolute link from SERVICE_BASE_URL, and no person named and no
free text quoted."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from accounts.models import Membership, User
from contracts import services
from contracts.models import Contract, PaymentClaim, VariationGround
from contracts.selectors import claimable_periods, terms_in_force
from contracts.tests.payments_world import live_contract_world
from tests.factories import make_provider_user
from tests.mail_tasks import DATABASE_TASKS, run_task_worker

pytestmark = pytest.mark.django_db

BASE = "https://commission-probation.test"


@pytest.fixture
def world():
    world = live_contract_world()
    contract = world["contract"]
    # A second member of the provider, not its contract manager and not an administrator.
    other = make_provider_user()
    Membership.objects.filter(user=other).update(organisation=contract.supplier, is_admin=False)
    Contract.objects.filter(pk=contract.pk).update(provider_manager=other, commissioner_manager=world["second"])
    contract.refresh_from_db()
    world["provider_manager"] = other
    mail.outbox.clear()
    return world


def _by_address() -> dict[str, list]:
    messages: dict[str, list] = {}
    for message in mail.outbox:
        assert len(message.to) == 1  # one message per address: nobody sees who else was told
        messages.setdefault(message.to[0], []).append(message)
    return messages


def _no_person(message) -> None:
    text = message.subject + message.body
    for person in User.objects.all():
        assert person.full_name not in text
        assert person.email not in message.body


def _propose(world):
    contract = world["contract"]
    version = services.variation_start(
        contract=contract, ground=VariationGround.NOT_SUBSTANTIAL, explanation="Secret words.", actor=world["first"]
    )
    terms = {
        "payment_frequency": version.payment_frequency,
        "payment_model": version.payment_model,
        "payment_days": version.payment_days - 1,
    }
    version = services.variation_change(version=version, actor=world["first"], payment_terms=terms)
    return services.variation_propose(version=version, actor=world["first"])


def test_a_proposed_change_asks_the_other_commissioners_and_an_approved_one_the_providers_manager(world):
    version = _propose(world)
    messages = _by_address()
    assert world["first"].email not in messages  # who proposed it cannot approve it
    [message] = messages[world["second"].email]
    assert message.subject == f"Approve a change to a contract: {world['contract'].title}"
    link = f"{BASE}/contracts/{world['contract'].pk}/changes/{version.number}/"
    assert link in message.body
    assert "not a substantial change" in message.body
    assert "Secret words." not in message.body
    _no_person(message)

    mail.outbox.clear()
    services.variation_approve(version=version, actor=world["second"])
    [message] = mail.outbox
    assert message.to == [world["provider_manager"].email]
    assert message.subject == f"Accept a change to your contract: {world['contract'].title}"
    assert link in message.body
    _no_person(message)


def test_without_a_named_manager_the_providers_administrators_are_asked(world):
    Contract.objects.filter(pk=world["contract"].pk).update(provider_manager=None)
    version = _propose(world)
    mail.outbox.clear()
    services.variation_approve(version=version, actor=world["second"])
    recipients = set(_by_address())
    assert world["provider"].email in recipients  # an administrator
    assert world["provider_manager"].email not in recipients


def _send_claim(world, amount="1200.50") -> PaymentClaim:
    contract = world["contract"]
    start = claimable_periods(contract, terms_in_force(contract), today=datetime.date.today())[0][0]
    return services.claim_send(
        contract=contract,
        period_start=start,
        quantity=None,
        amount=Decimal(amount),
        note="Private note.",
        actor=world["provider"],
    )


def test_a_claim_sent_tells_the_commissioners_manager_and_each_step_tells_the_provider(world):
    contract = world["contract"]
    claim = _send_claim(world)
    [message] = mail.outbox
    assert message.to == [world["second"].email]
    assert message.subject == f"A payment claim is waiting for you: {contract.title}"
    link = f"{BASE}/contracts/{contract.pk}/payments/{claim.pk}/"
    assert link in message.body and "£1,200.50" in message.body
    assert "Private note." not in message.body
    _no_person(message)

    mail.outbox.clear()
    services.claim_query(claim=claim, reason="Names Alice Person.", actor=world["second"])
    [message] = mail.outbox
    assert message.to == [world["provider_manager"].email]
    assert message.subject == f"Your payment claim has been queried: {contract.title}"
    assert link in message.body and "Alice Person" not in message.body

    mail.outbox.clear()
    again = services.claim_send(
        contract=contract,
        period_start=claim.period_start,
        quantity=None,
        amount=Decimal("1100"),
        note="Fixed.",
        actor=world["provider"],
        replaces=claim,
    )
    [message] = mail.outbox
    assert message.to == [world["second"].email]

    mail.outbox.clear()
    services.claim_approve(claim=again, actor=world["second"])
    [message] = mail.outbox
    assert message.to == [world["provider_manager"].email]
    assert message.subject == f"Your payment claim has been approved: {contract.title}"
    assert "should be paid by" in message.body
    assert f"{BASE}/contracts/{contract.pk}/payments/{again.pk}/" in message.body

    mail.outbox.clear()
    services.claim_record_payment(claim=again, paid_on=datetime.date.today(), actor=world["second"])
    [message] = mail.outbox
    assert message.subject == f"Your payment claim has been paid: {contract.title}"
    assert "was paid on" in message.body
    _no_person(message)


def test_without_a_commissioners_manager_every_commissioner_is_told_of_a_claim(world):
    Contract.objects.filter(pk=world["contract"].pk).update(commissioner_manager=None)
    _send_claim(world)
    assert {world["first"].email, world["second"].email} <= set(_by_address())


@pytest.mark.django_db(transaction=True)  # the task worker runs as in production, in transactions of its own
def test_the_service_only_queues_the_email_and_the_worker_sends_it(settings):
    settings.TASKS = DATABASE_TASKS
    world = live_contract_world()
    mail.outbox.clear()
    _send_claim(world)
    assert mail.outbox == []
    [queued] = DBTaskResult.objects.filter(task_path="contracts.tasks_mail.send_claim_sent_emails")
    assert queued.status == "READY"
    run_task_worker()
    # (The world's own earlier e-mails, such as outcome letters, go out in the same run.)
    assert [m for m in mail.outbox if m.subject.startswith("A payment claim is waiting for you")]
