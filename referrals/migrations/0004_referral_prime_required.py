"""Every referral has its contract's prime (filled by 0003); the prime's inbox reads
`referral_prime_idx` newest first."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_account_emails_sent"),
        ("referrals", "0003_referral_prime"),
    ]

    operations = [
        migrations.AlterField(
            model_name="referral",
            name="prime",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.organisation"
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(fields=["prime", "-sent_at", "-id"], name="referral_prime_idx"),
        ),
    ]
