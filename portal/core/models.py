"""Cross-cutting records: the audit trail (events and their sealed batches) and the e-mail
outbox."""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("Audit events are append-only.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise TypeError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One thing that happened. Append-only and hash-chained; `data` never holds PHI.

    Write through `portal.core.audit.record()`, inside the transaction of the change: it inserts
    the event unsealed (`seq` None, `prev_hash` and `hash` empty, `mac` set). The sealer
    (`portal.core.audit.seal_pending()`, run by `manage.py seal_audit`) later gives it its place
    in the chain, once; nothing else changes a row (ADR 0024).
    """

    # The place in the chain, given by the sealer: empty while the event waits to be sealed.
    # Unique among sealed events (a partial index: an insert does not touch it).
    seq = models.PositiveBigIntegerField(null=True, editable=False)
    at = models.DateTimeField(default=timezone.now, editable=False)
    # No constraint in the database: checking one locks the actor's and the organization's rows
    # (FOR KEY SHARE) in every transaction that writes an event, which the many page reads of one
    # organization then share as one ever-rebuilt lock, and cost 25-35 µs an event (ADR 0024).
    # record() checks what it is given, the ORM still refuses to delete an account or an
    # organization the trail names, and the ids are sealed with the event.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_constraint=False,
        db_index=False,  # no query looks events up by organization
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    # Text, not inet: the value must read back byte for byte as it was sealed.
    ip = models.CharField(max_length=45, blank=True)
    data = models.JSONField(default=dict)
    # A random salt and the HMAC of it and the content as `record()` wrote it (no place yet;
    # audit.event_mac): the sealer seals only events whose `mac` matches, so a row inserted or
    # changed in the database before sealing is found.
    # Empty on events sealed before ADR 0024 (they were sealed when written).
    mac = models.CharField(max_length=64, editable=False, default="", db_default="")
    # Empty until sealed (the state is `seq`: empty means waiting).
    prev_hash = models.CharField(max_length=64, editable=False, default="", db_default="")
    hash = models.CharField(max_length=64, editable=False, default="", db_default="")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        # Written order (the database's id); the chain's order is `seq`, known once sealed.
        ordering = ["id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            # The sealer's queue: only the events still waiting, a few rows at any time.
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_pending"),
            # Registrations from one address in the last hour (the limit per address): the only
            # lookup by action, so the only events this index holds.
            models.Index(
                fields=["ip", "at"],
                condition=models.Q(action="account.registered"),
                name="audit_registrations",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["seq"], condition=models.Q(seq__isnull=False), name="audit_seq_unique"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.seq or '(unsealed)'} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("Audit events are append-only.")


class AuditBatch(models.Model):
    """Events `first_seq`..`last_seq`, sealed together by the sealer (ADR 0024).

    `root` is the Merkle tree hash (RFC 6962) over the events' `hash`es in order, so one event
    can be proven part of the batch with a few hashes; `hash` is the HMAC of this header and the
    previous batch's `hash`, so the batches form a chain of their own. `head` is the hash of the
    batch's last event (the chain's head when the batch was sealed).
    """

    number = models.PositiveBigIntegerField(unique=True, editable=False)
    first_seq = models.PositiveBigIntegerField(editable=False)
    last_seq = models.PositiveBigIntegerField(unique=True, editable=False)
    root = models.CharField(max_length=64, editable=False)
    head = models.CharField(max_length=64, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)
    sealed_at = models.DateTimeField(editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "audit batches"

    def __str__(self) -> str:
        return f"batch {self.number}: events {self.first_seq}-{self.last_seq}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Audit batches are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("Audit batches are append-only.")

    @property
    def size(self) -> int:
        return self.last_seq - self.first_seq + 1


class OutboundEmail(models.Model):
    """An e-mail waiting for, or done with, delivery by the task worker (a durable outbox)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    template = models.CharField(max_length=100)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    # Both cleared once delivery is over when the kind carries a secret (portal.core.emails.KINDS).
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "outbound e-mail"

    def __str__(self) -> str:
        return f"{self.template} to {self.to} ({self.status})"


class ClosureDay(models.Model):
    """A day the agency is closed beyond the Arizona state holidays (added in the back office);
    it does not count as a business day for deadlines."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%Y-%m-%d})"


class ClientAttempt(models.Model):
    """One try at a public step limited per client address (`portal.core.rate_limits`)."""

    action = models.CharField(max_length=40)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["action", "ip", "at"], name="core_attempt_action_ip_at")]

    def __str__(self) -> str:
        return f"{self.action} from {self.ip} at {self.at:%Y-%m-%d %H:%M}"
