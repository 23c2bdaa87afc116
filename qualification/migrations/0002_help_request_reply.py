import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("qualification", "0001_initial"),
    ]

    operations = [
        # The note written on closing was only ever for staff: it keeps its words under a clearer name.
        migrations.RenameField(model_name="helprequest", old_name="closing_note", new_name="internal_note"),
        migrations.AlterField(
            model_name="helprequest",
            name="internal_note",
            field=models.TextField(blank=True, validators=[django.core.validators.MaxLengthValidator(2000)]),
        ),
        migrations.AddField(
            model_name="helprequest",
            name="reply",
            field=models.TextField(blank=True, validators=[django.core.validators.MaxLengthValidator(2000)]),
        ),
    ]
