"""What every report application stores, as abstract models: an application's models inherit
them and add the link to its own report (`report = ForeignKey(<its Report>, …)`) and its own
fields. Index and constraint names carry the application's label, so each table has its own."""

import uuid
from functools import cache
from typing import Any, NamedTuple

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from portal.core.loading import LeanLoading
from portal.core.uploads import display_name
from portal.registry.models import Organization

MEMBER_ID = RegexValidator(r"^[A-Z][0-9]{8}$", "Enter the AHCCCS ID: a letter and 8 digits")


class Report(LeanLoading):
    """A report about a member, filed by an organization and worked through a workflow.

    An application overrides `kind` and `status` with its own choices."""

    class Category(models.TextChoices):
        SMI = "smi", "Serious mental illness (SMI)"
        GMH_SU = "gmh_su", "General mental health or substance use"
        CHILD = "child", "Child"
        NONE = "none", "None"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=3)
    status = models.CharField(max_length=20)
    status_changed_at = models.DateTimeField(default=timezone.now)
    # Who filed it, and the provider the event is about.
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    preparer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The random key of the start page the draft came from: a second POST of that page (a
    # double click, a browser's retry) finds this draft instead of making another (ADR 0016).
    client_key = models.UUIDField(null=True, blank=True, editable=False)
    # Member
    member_id = models.CharField("AHCCCS ID", max_length=9, blank=True, validators=[MEMBER_ID])
    member_last_name = models.CharField("member's last name", max_length=100, blank=True)
    member_first_name = models.CharField("member's first name", max_length=100, blank=True)
    member_birth_date = models.DateField("member's date of birth", null=True, blank=True)
    health_plan = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind__in": ["health_plan", "trbha"]},
    )
    category = models.CharField(max_length=10, choices=Category.choices, blank=True)
    # Deadline, kept when what it depends on changes.
    due_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    late_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "status"], name="%(app_label)s_report_org_status"),
            models.Index(fields=["health_plan", "status"], name="%(app_label)s_report_plan_status"),
            models.Index(fields=["status", "due_at"], name="%(app_label)s_report_status_due"),
            # The lists' default order (newest first, the id breaking ties): PostgreSQL reads
            # the index backwards and stops at a page, instead of sorting every match.
            models.Index(fields=["created_at", "id"], name="%(app_label)s_report_created"),
            models.Index(
                fields=["organization", "created_at"], name="%(app_label)s_report_org_created"
            ),
            # Counts by status (the home page's "awaiting review") read only this index: it holds
            # every column the visibility rule tests.
            models.Index(
                fields=["status", "health_plan", "provider", "organization", "id"],
                name="%(app_label)s_report_status_seen",
            ),
        ]
        constraints = [
            # Per preparer, so that a key another person sends never reaches this person's draft.
            models.UniqueConstraint(
                fields=["preparer", "client_key"],
                name="%(app_label)s_report_one_draft_per_client_key",
            ),
        ]

    def __str__(self) -> str:
        return self.label(self.kind, self.code)

    @classmethod
    def label(cls, kind: str, code: uuid.UUID) -> str:
        """How people name a report ("IAD 3f9c0a12"), from its kind and code alone."""
        return f"{_kind_labels(cls)[kind]} {code.hex[:8]}"  # per row of an export: no enum lookup

    @property
    def is_late(self) -> bool:
        moment = self.submitted_at or timezone.now()
        return self.due_at is not None and moment > self.due_at


@cache
def _kind_labels(model: type[Report]) -> dict[str, str]:
    return {str(value): str(label) for value, label in model._meta.get_field("kind").choices or []}


class Event(models.Model):
    """One workflow transition: the report's history timeline (DESIGN §5)."""

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    transition = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    reason = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.transition} on {self.report}"  # type: ignore[attr-defined]


class Addendum(models.Model):
    """What the reporter adds after submission (an answer to a request for information):
    the submitted content itself never changes."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    text = models.TextField()

    class Meta:
        abstract = True
        ordering = ["at", "pk"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"Addendum to {self.report}"  # type: ignore[attr-defined]


class DueReminder(models.Model):
    """A reminder e-mail sent about a draft's deadline: one of each kind per report, ever."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Due within a day"
        OVERDUE = "overdue", "Overdue"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                "report", "kind", name="%(app_label)s_one_reminder_of_each_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder for {self.report}"  # type: ignore[attr-defined]


class Attachment(models.Model):
    """A file added to a draft. The bytes live outside the web root under a random name
    (`portal.core.uploads`); only the access-checked download view serves them."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("file name", max_length=200)
    content_type = models.CharField(max_length=50)  # as found in the content, not as claimed
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"Attachment to {self.report}"  # type: ignore[attr-defined]

    @property
    def shown_name(self) -> str:
        """The name as listed and downloaded: with the extension of its content, also for files
        stored before names followed content (issue #18)."""
        return display_name(self.name, self.content_type)

    @property
    def audit_facts(self) -> dict[str, object]:
        """What the audit trail keeps of a file: never its name, which may hold PHI."""
        return {"attachment": str(self.code), "content_type": self.content_type, "size": self.size}


class RedactedCopy(models.Model):
    """What an oversight committee may read of a filed report: a snapshot of its free text with
    the identifying phrases removed. The original never changes; the copy is edited until it
    is released, then it is fixed."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Being redacted"
        RELEASED = "released", "Released"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Every phrase removed wherever it appears: accepted suggestions and the redactor's own.
    removed_phrases = models.JSONField(default=list, blank=True)
    # Field name (or "addenda") to its text with the phrases removed.
    content = models.JSONField(default=dict, blank=True)
    committee = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "ioc"},
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        verbose_name_plural = "redacted copies"
        indexes = [
            models.Index(
                fields=["committee", "status"], name="%(app_label)s_copy_committee_status"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="released")
                | (models.Q(committee__isnull=False) & models.Q(released_at__isnull=False)),
                name="%(app_label)s_copy_released_to_committee",
            ),
        ]

    def __str__(self) -> str:
        return f"Redacted copy of {self.report}"  # type: ignore[attr-defined]


class Companions(NamedTuple):
    """The models every report type keeps beside its report, each linked to it."""

    history: Any  # ReportEvent: `report.history`
    addendum: Any  # Addendum: `report.addenda`
    reminder: Any  # DueReminder
    attachment: Any  # Attachment: `report.attachments`
    copy: Any  # RedactedCopy: `report.redacted_copy`


def companions(report: type[Report]) -> Companions:
    """Make the companion models of an application's report model, in the application's
    module (so they are its models, with its table names): call it in `<app>/models.py` as
    `ReportEvent, Addendum, DueReminder, Attachment, RedactedCopy = companions(Report)`."""

    def make(name: str, base: type[models.Model], link: models.Field) -> Any:  # type: ignore[type-arg]
        return type(name, (base,), {"__module__": report.__module__, "report": link})

    def key(related_name: str) -> models.ForeignKey:  # type: ignore[type-arg]
        return models.ForeignKey(report, on_delete=models.CASCADE, related_name=related_name)

    one = models.OneToOneField(report, on_delete=models.CASCADE, related_name="redacted_copy")
    return Companions(
        make("ReportEvent", Event, key("history")),
        make("Addendum", Addendum, key("addenda")),
        make("DueReminder", DueReminder, key("+")),
        make("Attachment", Attachment, key("attachments")),
        make("RedactedCopy", RedactedCopy, one),
    )
