"""With the mail server down, every bid submit and withdraw still succeeds (the bid and receipt are
stored, the page answers), and the receipts go once the server is back: the receipt e-mail is sent by
a task (core.mail), never inside the request (issue 10)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from competitions.models import Bid, BidReceipt
from competitions.tests.factories import invite, make_competition
from competitions.tests.test_bid_services import fill
from tests.factories import make_provider_user
from tests.mail_tasks import DATABASE_TASKS, LOCMEM, make_due, run_task_worker, smtp_down


def url(name, competition):
    return reverse(f"competitions:{name}", kwargs={"competition_id": competition.pk})


@pytest.mark.django_db(transaction=True)  # the task worker runs as in production, in transactions of its own
def test_submit_and_withdraw_succeed_with_the_mail_server_down_and_receipts_go_when_it_is_back(client, settings):
    settings.TASKS = DATABASE_TASKS
    settings.MAILERS = smtp_down()
    competition = make_competition()
    user = make_provider_user()
    invite(competition, user.memberships.get().organisation)
    client.force_login(user)
    assert client.post(url("bid-start", competition)).status_code == 302
    bid = fill(Bid.objects.get(competition=competition), user)

    for action in ["bid-check", "bid-withdraw", "bid-check", "bid-withdraw", "bid-check"]:
        response = client.post(url(action, competition))
        assert response.status_code == 302, action
    bid.refresh_from_db()
    assert bid.is_sent
    assert list(bid.receipts.order_by("at", "pk").values_list("kind", flat=True)) == ["submitted", "withdrawn"] * 2 + [
        "submitted"
    ]

    # The worker tries while the server is down: nothing sent, each receipt waiting to be tried again.
    run_task_worker()
    assert mail.outbox == []
    waiting = DBTaskResult.objects.filter(status="READY")
    assert waiting.count() == 5 and {t.args_kwargs["kwargs"]["attempt"] for t in waiting} == {2}

    settings.MAILERS = LOCMEM  # the mail server is back
    make_due()
    run_task_worker()
    assert [m.to for m in mail.outbox] == [[user.email]] * 5
    subjects = {m.subject for m in mail.outbox}
    assert subjects == {f"Receipt: your bid for {competition.title}"}
    digests = set(BidReceipt.objects.filter(bid=bid, kind="submitted").values_list("digest", flat=True))
    assert all(any(d in m.body for m in mail.outbox) for d in digests)
    assert not DBTaskResult.objects.filter(status="READY").exists()
