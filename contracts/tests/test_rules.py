"""The contract rules say the same in Python as in SQL, at the edges of a contract's dates."""

import datetime

import pytest

from competitions.tests.evaluation_factories import award_world
from contracts import rules
from contracts.models import Contract, ContractVersion
from contracts.selectors import terms_in_force

pytestmark = pytest.mark.django_db

RULES = [rules.VERSION_IN_FORCE, rules.VERSION_OPEN, rules.CONTRACT_LIVE, rules.CONTRACT_NOT_STARTED]
RULES += [rules.CONTRACT_TERMINATED]


def _noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def _termination(last_day: datetime.date | None) -> dict:
    if last_day is None:
        return {"terminates_on": None, "termination_notice_on": None, "termination_reason": ""}
    return {
        "terminates_on": last_day,
        "termination_notice_on": last_day - datetime.timedelta(days=90),
        "termination_reason": "mutual",
        "termination_recorded_at": _noon(last_day - datetime.timedelta(days=90)),
    }


def test_contract_rules_agree_in_python_and_sql_at_the_edges():
    contract = award_world()["contract"]
    starts, ends = contract.starts_on, contract.ends_on
    days = [starts - datetime.timedelta(days=1), starts, ends, ends + datetime.timedelta(days=1)]
    for terminates_on in (None, datetime.date(2028, 3, 31)):
        Contract.objects.filter(pk=contract.pk).update(**_termination(terminates_on))
        version = ContractVersion.objects.select_related("contract").get(pk=terms_in_force(contract).pk)
        for day in [*days, datetime.date(2028, 3, 31), datetime.date(2028, 4, 1)]:
            now = _noon(day)
            for rule in RULES:
                in_sql = ContractVersion.objects.filter(rule.q(now=now), pk=version.pk).exists()
                assert rule.holds(version, now=now) == in_sql, (rule, day, terminates_on)
    # The edges themselves: live on the first and last day, not the day after.
    Contract.objects.filter(pk=contract.pk).update(**_termination(None))
    version = ContractVersion.objects.select_related("contract").get(pk=version.pk)
    assert not rules.CONTRACT_LIVE.holds(version, now=_noon(starts - datetime.timedelta(days=1)))
    assert rules.CONTRACT_LIVE.holds(version, now=_noon(starts))
    assert rules.CONTRACT_LIVE.holds(version, now=_noon(ends))
    assert not rules.CONTRACT_LIVE.holds(version, now=_noon(ends + datetime.timedelta(days=1)))


def test_a_contract_is_live_from_the_first_instant_of_its_first_day_to_the_last_of_its_last_in_london():
    """The edges are London midnights, not noon UTC: one microsecond either side of each."""
    from core.clock import LONDON

    contract = award_world()["contract"]
    version = ContractVersion.objects.select_related("contract").get(pk=terms_in_force(contract).pk)
    first = datetime.datetime.combine(contract.starts_on, datetime.time(0), tzinfo=LONDON)
    after_last = datetime.datetime.combine(
        contract.ends_on + datetime.timedelta(days=1), datetime.time(0), tzinfo=LONDON
    )
    tick = datetime.timedelta(microseconds=1)
    for now, live in ((first - tick, False), (first, True), (after_last - tick, True), (after_last, False)):
        in_sql = ContractVersion.objects.filter(rules.CONTRACT_LIVE.q(now=now), pk=version.pk).exists()
        assert rules.CONTRACT_LIVE.holds(version, now=now) is live, now
        assert in_sql is live, now
        assert rules.CONTRACT_NOT_STARTED.holds(version, now=now) is (now < first), now
