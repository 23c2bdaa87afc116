import datetime

from competitions.models import Award
from competitions.selectors.award import waiting_period_working_days_left
from core.clock import LONDON


def test_working_days_left_in_the_waiting_period():
    ends = datetime.datetime(2027, 1, 6, 0, 0, tzinfo=LONDON)  # after Christmas and New Year
    award = Award(standstill_ends_at=ends)
    monday_before_christmas = datetime.datetime(2026, 12, 21, 15, 0, tzinfo=LONDON)
    assert waiting_period_working_days_left(award, now=monday_before_christmas) == 8
    assert waiting_period_working_days_left(award, now=ends) is None
    assert waiting_period_working_days_left(Award(), now=monday_before_christmas) is None
    assert waiting_period_working_days_left(None, now=monday_before_christmas) is None
