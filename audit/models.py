from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One change to the service's state. Append-only, hash-chained, and covered by signed checkpoints.

    Each object has its own chain (`chain` = "object_type:object_id"; "service" for events about no
    one object): `seq` counts from 1 and `hash` = SHA-256 over `prev_hash` and this event's canonical
    content, so editing, inserting or deleting an event breaks its chain from that point. Chains per
    object mean writers of different objects never wait for each other (ADR 6). A rewrite that
    recomputes every later hash is caught by `AuditCheckpoint`s, signed with a key the database
    never holds. On PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE on this table.
    """

    occurred_at = models.DateTimeField(db_index=True)
    # No database foreign key: deleting a user must never touch (or be blocked by) the trail.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    chain = models.CharField(max_length=170)
    seq = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # Whether this action may change what a public page or public API read shows (audit/changes.py):
    # the data version of kept public answers counts only these events. Set when the event is
    # written, from the owning apps' declarations; not part of the hashed content (ADR 10).
    public_change = models.BooleanField(db_default=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "id"], name="audit_object_idx"),
            # The data version reads the newest ids of events that may change a public answer.
            models.Index(fields=["id"], condition=models.Q(public_change=True), name="audit_public_change_idx"),
        ]
        constraints = [
            # Two writers racing for the same place in a chain cannot both succeed.
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_one_event_per_chain_place"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label or 'system'} {self.action} {self.object_type}:{self.object_id}"


class AuditCheckpoint(models.Model):
    """A signed statement of the head of every chain that changed since the checkpoint before.

    Made on a fixed rhythm by a periodic task and published (page and API) so that anyone can keep
    copies outside the service. `heads` is a list of [chain, seq, hash]; `hash` covers the number,
    time, event count, a hash of the heads and the previous checkpoint's hash; `signature` is
    Ed25519 over `hash` with the key named by `key_id`. Only number, time, hashes and signature are
    published. Append-only like the events.
    """

    number = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField()
    # Every chain with an event at or after this instant is in `heads` (see ADR 6 on late commits).
    covers_from = models.DateTimeField()
    event_count = models.PositiveBigIntegerField()
    heads = models.JSONField()
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=100)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Checkpoint {self.number} at {self.created_at:%Y-%m-%d %H:%M}"
