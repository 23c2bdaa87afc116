from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEvent
from audit.selectors import first_chain_problem


class Command(BaseCommand):
    help = "Check the audit trail's hash chain and report the first edited, inserted or deleted event."

    def handle(self, *args, **options):
        problem = first_chain_problem()
        if problem is not None:
            raise CommandError(f"Audit trail broken ({problem.kind}): {problem.message}")
        self.stdout.write(f"Audit trail intact: {AuditEvent.objects.count()} events checked.")
