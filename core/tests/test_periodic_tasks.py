import datetime
import logging

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_every_periodic_task_is_a_real_task_and_runs(settings, caplog):
    from django.tasks import Task
    from django.utils.module_loading import import_string

    for path, every in settings.PERIODIC_TASKS:
        assert isinstance(import_string(path), Task), path
        assert every > 0
    with caplog.at_level(logging.INFO, logger="core.timetable"):
        call_command("run_periodic_tasks", "--once")
    enqueued = [record.getMessage() for record in caplog.records if record.getMessage().startswith("Enqueued ")]
    assert enqueued == [f"Enqueued {path}" for path, _ in settings.PERIODIC_TASKS]


def test_a_contract_due_after_the_waiting_period_is_made_by_the_timetable():
    """Nothing depends on the task at the exact minute: it makes whatever became due since."""
    from django.utils import timezone

    from competitions.models import Award
    from competitions.services import award as award_services
    from competitions.tests.evaluation_factories import add_commissioner, closed_competition, evaluate, priced_bid
    from contracts.models import Contract

    competition = closed_competition(lots=("Kent",))
    bid = priced_bid(competition, "400000")
    evaluate(competition, [(bid, 3)])
    recommender, approver = add_commissioner(competition), add_commissioner(competition)
    award = award_services.award_recommend(lot=competition.lots.get(), actor=recommender)
    award = award_services.award_approve(award=award, actor=approver)
    call_command("run_periodic_tasks", "--once")
    assert not Contract.objects.exists()  # still in the waiting period
    Award.objects.filter(pk=award.pk).update(standstill_ends_at=timezone.now() - datetime.timedelta(minutes=1))
    call_command("run_periodic_tasks", "--once")
    assert Contract.objects.filter(award=award).exists()
