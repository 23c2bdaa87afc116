from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One change to the service's state. Append-only, and chained by hash.

    `hash` = SHA-256 over `prev_hash` and this event's canonical content, so editing,
    inserting or deleting any event breaks the chain from that point (see verify_audit).
    On PostgreSQL a trigger refuses UPDATE and DELETE on this table.
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
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id", "id"], name="audit_object_idx")]
        constraints = [
            # Two writers racing for the same chain position cannot both succeed.
            models.UniqueConstraint(fields=["prev_hash"], name="audit_one_successor_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label or 'system'} {self.action} {self.object_type}:{self.object_id}"
