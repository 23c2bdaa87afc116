from django.core.management.base import BaseCommand
from django.db import transaction

from reference import loading


class Command(BaseCommand):
    help = "Create or update service categories, service types and areas from reference/data."

    @transaction.atomic
    def handle(self, *args, **options):
        loading.load()
        self.stdout.write("Reference data loaded.")
