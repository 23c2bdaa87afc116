import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditCheckpoint, AuditEvent
from audit.selectors import audit_problems, uncovered_event_count


def _kept_checkpoints(path: str) -> list[dict]:
    """Checkpoints someone saved from the public API or page: a list, or the API's page object."""
    data = json.loads(Path(path).read_text())
    items = data.get("items", data.get("checkpoints")) if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise CommandError(f"{path} holds no list of checkpoints.")
    return items


class Command(BaseCommand):
    help = (
        "Check the audit trail: every chain, every signed checkpoint and its signature, that nothing a "
        "checkpoint signed has gone or changed, that no event was backdated, and the database's guards."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoints",
            help="A JSON file of checkpoints saved earlier from /api/v1/audit/checkpoints: each must still be "
            "here unchanged (this finds checkpoints deleted or replaced in the database).",
        )
        parser.add_argument("--head", help="An event hash printed earlier: fail if that event is gone.")

    def handle(self, *args, checkpoints: str | None = None, head: str | None = None, **options):
        external = _kept_checkpoints(checkpoints) if checkpoints else []
        problems = audit_problems(external=external)
        if head and not AuditEvent.objects.filter(hash=head).exists():
            raise CommandError(f"Audit trail broken (deleted): the event with hash {head} recorded earlier is missing.")
        if problems:
            for problem in problems:
                self.stderr.write(f"{problem.kind}: {problem.message}")
            raise CommandError(f"Audit trail broken ({problems[0].kind}): {problems[0].message}")
        events = AuditEvent.objects.count()
        chains = AuditEvent.objects.values("chain").distinct().count()
        count = AuditCheckpoint.objects.count()
        self.stdout.write(
            f"Audit trail intact: {events} events checked in {chains} chains; {count} signed checkpoints valid"
            f"{f', {len(external)} kept copies match' if external else ''}. "
            f"{uncovered_event_count()} events are newer than the last checkpoint."
        )
