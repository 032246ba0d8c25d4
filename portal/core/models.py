"""Cross-cutting records: the audit trail (events, their seals and the sealed batches) and the
e-mail outbox."""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError(f"{self.model._meta.verbose_name_plural} are append-only.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise TypeError(f"{self.model._meta.verbose_name_plural} are append-only.")


class AppendOnlyModel(models.Model):
    """Rows the application writes once and never changes or removes: the audit trail's."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError(f"{self._meta.verbose_name_plural} are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(f"{self._meta.verbose_name_plural} are append-only.")


class AuditEvent(AppendOnlyModel):
    """One thing that happened. Append-only and hash-chained; `data` never holds PHI.

    Write through `portal.core.audit.record()`, inside the transaction of the change: it inserts
    the event with its `mac`. The sealer (`portal.core.audit.seal_pending()`, run by
    `manage.py seal_audit`) later gives it its place in the chain as an `AuditSeal` row of its
    own; the event's row is never changed (ADR 0024, ADR 0031).
    """

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

    class Meta:
        # Written order (the database's id); the chain's order is `seq`, known once sealed.
        ordering = ["id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            # Registrations from one address in the last hour (the limit per address): the only
            # lookup by action, so the only events this index holds.
            models.Index(
                fields=["ip", "at"],
                condition=models.Q(action="account.registered"),
                name="audit_registrations",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq or '(unsealed)'} {self.action}"

    # The event's seal, read through its `AuditSeal` (one query each unless the event was read
    # with select_related("seal")): None and empty while it waits to be sealed.
    @property
    def seq(self) -> int | None:
        seal = self._seal()
        return seal.seq if seal else None

    @property
    def prev_hash(self) -> str:
        seal = self._seal()
        return seal.prev_hash if seal else ""

    @property
    def hash(self) -> str:
        seal = self._seal()
        return seal.hash if seal else ""

    def _seal(self) -> "AuditSeal | None":
        try:
            return self.seal  # type: ignore[no-any-return]
        except AuditSeal.DoesNotExist:
            return None


class AuditSeal(AppendOnlyModel):
    """An event's place in the chain and its seal, written once by the sealer (ADR 0031).

    `hash` is the HMAC of `prev_hash` (the seal of event `seq - 1`) and the event's canonical
    content with `seq`. Kept apart from the event so that sealing adds small rows here instead of
    rewriting the event's row and every index on it, on the pages the page reads insert into.
    """

    seq = models.PositiveBigIntegerField(primary_key=True, editable=False)
    # No constraint in the database: checking it would lock the event's row (FOR KEY SHARE),
    # which is a write to the very rows and pages the writers append to (ADR 0031). Unique: an
    # event is sealed once.
    event = models.OneToOneField(
        AuditEvent,
        on_delete=models.PROTECT,
        related_name="seal",
        db_constraint=False,
        editable=False,
    )
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq}: event {self.event_id}"  # type: ignore[attr-defined]


class AuditBatch(AppendOnlyModel):
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
    # Where the sealer stood after this batch (ADR 0031), not part of the seal: it had read every
    # event up to `last_id`, except the ids in `recheck` ([id, horizon] pairs), which it reads
    # again: an event of a transaction still open then, or one it refused. Empty on batches
    # sealed before ADR 0031.
    last_id = models.BigIntegerField(null=True, editable=False)
    recheck = models.JSONField(default=list, editable=False)

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "audit batches"

    def __str__(self) -> str:
        return f"batch {self.number}: events {self.first_seq}-{self.last_seq}"

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
