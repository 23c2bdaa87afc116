"""The audit checkpoint, on the task timetable (settings.PERIODIC_TASKS)."""

from django.tasks import task

from audit.services import audit_checkpoint_create


@task
def make_audit_checkpoint() -> int | None:
    """Sign the heads of the chains that changed since the last checkpoint; its number, or None."""
    checkpoint = audit_checkpoint_create()
    return checkpoint.number if checkpoint else None
