from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEvent
from audit.selectors import chain_head, first_chain_problem


class Command(BaseCommand):
    help = "Check the audit trail's hash chain and report the first edited, inserted or deleted event."

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            help="A hash this command printed earlier: fail if that event is no longer in the trail "
            "(shows events deleted from the end, which the chain alone cannot).",
        )

    def handle(self, *args, **options):
        problem = first_chain_problem()
        if problem is not None:
            raise CommandError(f"Audit trail broken ({problem.kind}): {problem.message}")
        if options.get("head") and not AuditEvent.objects.filter(hash=options["head"]).exists():
            raise CommandError(
                f"Audit trail broken (deleted): the event with hash {options['head']} recorded earlier is missing."
            )
        head = chain_head()
        self.stdout.write(
            f"Audit trail intact: {AuditEvent.objects.count()} events checked. "
            f"Latest hash: {head.hash if head else 'none'}"
        )
