from django.db import migrations


def load(apps, schema_editor):
    from reference import loading

    loading.load(apps)


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
