# Who each contract is for (issue 12): every existing contract is open to every adult until its
# commissioners say otherwise.

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0006_contract_documents"),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="eligible_sex",
            field=models.CharField(
                choices=[("any", "Anyone"), ("women", "Women only"), ("men", "Men only")], default="any", max_length=10
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="for_community_orders",
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name="contract",
            name="for_licences",
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name="contract",
            name="max_age",
            field=models.PositiveSmallIntegerField(
                default=120,
                validators=[
                    django.core.validators.MinValueValidator(18),
                    django.core.validators.MaxValueValidator(120),
                ],
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="min_age",
            field=models.PositiveSmallIntegerField(
                default=18,
                validators=[
                    django.core.validators.MinValueValidator(18),
                    django.core.validators.MaxValueValidator(120),
                ],
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="pre_release",
            field=models.BooleanField(default=True),
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(("max_age__lte", 120), ("min_age__gte", 18), ("min_age__lte", models.F("max_age"))),
                name="contract_eligible_ages",
            ),
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(("for_community_orders", True), ("for_licences", True), _connector="OR"),
                name="contract_eligible_orders",
            ),
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(("eligible_sex__in", ["any", "women", "men"])), name="contract_eligible_sex"
            ),
        ),
    ]
