"""Each referral keeps its contract's prime (`Referral.prime`), so who may read it is a test on
the referral's own row (the provider's inbox an index range scan, not a join to every contract).
This adds the column and fills it for the referrals already made; 0004 makes it required and
indexes it. Two migrations, so that on PostgreSQL the rows are filled (deferred foreign-key checks
pending) in one transaction and the column altered in the next."""

import django.db.models.deletion
from django.db import migrations, models

FILL = (
    "UPDATE referrals_referral SET prime_id = "
    "(SELECT supplier_id FROM contracts_contract WHERE contracts_contract.id = referrals_referral.contract_id)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_account_emails_sent"),
        ("contracts", "0001_initial"),
        ("referrals", "0002_load_reference_data"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="prime",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.organisation"
            ),
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop),
    ]
