"""The desired outcomes and complexity levels of each service category (referrals.loading)."""

from django.db import migrations


def load(apps, schema_editor):
    from referrals.loading import load as load_reference

    load_reference(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_initial"),
        ("reference", "0002_load_reference_data"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
