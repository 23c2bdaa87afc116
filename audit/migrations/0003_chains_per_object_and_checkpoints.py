"""One hash chain per object instead of one for the whole service, and signed checkpoints (ADR 6).

Existing events are re-chained in id order (each object's events form its chain) and rehashed
with the new canonical form, which adds the chain and the place in it. This rewrites the hashes of
events written before the change; no checkpoint existed then, so nothing outside the database held
them. PostgreSQL's triggers are dropped for the rewrite and put back refusing UPDATE, DELETE and
TRUNCATE on both tables.
"""

import datetime
import hashlib
import json

from django.conf import settings
from django.db import migrations, models

GENESIS = "0" * 64

# Test databases only (settings.AUDIT_TEST_FLUSH_BYPASS): the test runner empties every table
# between tests with TRUNCATE, which it marks with a transaction-local setting. A production
# database is made without this line, so nothing can switch its triggers off but dropping them.
TEST_FLUSH_BYPASS = """
    IF current_setting('audit.test_flush', true) = 'on' THEN
        RETURN COALESCE(NEW, OLD);
    END IF;"""

TRIGGERS = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN{bypass}
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoint_append_only
    BEFORE UPDATE OR DELETE ON audit_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoint_no_truncate
    BEFORE TRUNCATE ON audit_auditcheckpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
"""
DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_checkpoint_append_only ON audit_auditcheckpoint;
DROP TRIGGER IF EXISTS audit_checkpoint_no_truncate ON audit_auditcheckpoint;
DROP FUNCTION IF EXISTS audit_append_only();
"""
OLD_TRIGGER = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditevent is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""
DROP_OLD_TRIGGER = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_append_only();
"""


def _postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


def _content(event, chain, seq):
    # The canonical form as audit.services.canonical_content writes it at this migration.
    content = {
        "chain": chain,
        "seq": seq,
        "occurred_at": event.occurred_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        bypass = TEST_FLUSH_BYPASS if getattr(settings, "AUDIT_TEST_FLUSH_BYPASS", False) else ""
        schema_editor.execute(TRIGGERS.replace("{bypass}", bypass), params=None)


def rechain(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    heads: dict[str, tuple[int, str]] = {}
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        chain = f"{event.object_type}:{event.object_id}" if event.object_type else "service"
        seq, prev_hash = heads.get(chain, (0, GENESIS))
        seq += 1
        digest = hashlib.sha256(prev_hash.encode() + b"\n" + _content(event, chain, seq)).hexdigest()
        AuditEvent.objects.filter(pk=event.pk).update(chain=chain, seq=seq, prev_hash=prev_hash, hash=digest)
        heads[chain] = (seq, digest)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [
        migrations.RunPython(_postgres(DROP_OLD_TRIGGER), _postgres(OLD_TRIGGER)),
        migrations.RemoveConstraint(model_name="auditevent", name="audit_one_successor_per_event"),
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.CharField(default="", max_length=170),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent", name="seq", field=models.PositiveBigIntegerField(default=0), preserve_default=False
        ),
        migrations.RunPython(rechain, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="audit_one_event_per_chain_place"),
        ),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveBigIntegerField(unique=True)),
                ("created_at", models.DateTimeField()),
                ("covers_from", models.DateTimeField()),
                ("event_count", models.PositiveBigIntegerField()),
                ("heads", models.JSONField()),
                ("prev_hash", models.CharField(max_length=64, unique=True)),
                ("hash", models.CharField(max_length=64, unique=True)),
                ("key_id", models.CharField(max_length=16)),
                ("signature", models.CharField(max_length=100)),
            ],
            options={"ordering": ["number"]},
        ),
        migrations.RunPython(create_triggers, _postgres(DROP_TRIGGERS)),
    ]
