"""Contracts are made once a waiting period ends. Running this late or twice changes nothing: it
makes only contracts not yet made (state comes from timestamps, not from this task)."""

from __future__ import annotations

import logging

from django.tasks import task

from contracts.selectors import awards_due_for_contract
from contracts.services import contract_create_for_award

logger = logging.getLogger(__name__)


@task
def create_due_contracts() -> int:
    """Make the contract for every award whose waiting period is over and not challenged."""
    made = 0
    for award in awards_due_for_contract():
        try:
            contract_create_for_award(award=award, actor=None)
        except Exception:  # one bad award must not stop the others
            logger.exception("Could not make the contract for award %s", award.pk)
        else:
            made += 1
    return made
