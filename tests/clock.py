"""Set what the database clock reads, for tests of rules at the exact instant of a deadline.

Every deadline is judged by `core.clock.db_now()`. The real clock cannot be stopped exactly at a
closing instant, so `database_clock_at(monkeypatch, instant)` replaces the function in every loaded
module that imported it; the code under test still asks the clock the same way it does in service.
"""

from __future__ import annotations

import datetime
import sys

from core import clock


def database_clock_at(monkeypatch, instant: datetime.datetime) -> None:
    real = clock.db_now

    def stopped() -> datetime.datetime:
        return instant

    for module in list(sys.modules.values()):
        if getattr(module, "db_now", None) is real:
            monkeypatch.setattr(module, "db_now", stopped)
