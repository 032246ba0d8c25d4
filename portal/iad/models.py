"""IAD and IRF reports (SPEC §3): content, state, history and addenda."""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from portal.registry.models import Organization

MEMBER_ID = RegexValidator(r"^[A-Z][0-9]{8}$", "Enter the AHCCCS ID: a letter and 8 digits")


class IncidentType(models.Model):
    """The catalogue of incident types, edited in the back office (SPEC §3.1)."""

    name = models.CharField(max_length=120, unique=True)
    sentinel = models.BooleanField(
        default=False, help_text="Sentinel types make a report due in 1 business day, not 2."
    )
    active = models.BooleanField(default=True, help_text="Inactive types are not offered.")
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Report(models.Model):
    class Kind(models.TextChoices):
        IAD = "iad", "IAD"
        IRF = "irf", "IRF"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        RETURNED = "returned", "Returned"
        SUBMITTED = "submitted", "Submitted"
        IN_REVIEW = "in_review", "In review"
        INFO_REQUESTED = "info_requested", "Information requested"
        CLOSED = "closed", "Closed"

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Another sex"
        UNKNOWN = "unknown", "Not known"

    class Category(models.TextChoices):
        SMI = "smi", "Serious mental illness (SMI)"
        GMH_SU = "gmh_su", "General mental health or substance use"
        CHILD = "child", "Child"
        NONE = "none", "None"

    class Outcome(models.TextChoices):
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        REFERRED_QOC = "referred_qoc", "Referred to Quality of Care"
        REFERRED_AGENCY = "referred_agency", "Referred to another agency"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=3, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    status_changed_at = models.DateTimeField(default=timezone.now)
    # Who filed it, and the provider the event is about (the filer itself for an IAD).
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    preparer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")  # fmt: skip
    # The random key of the start page the draft came from: a second POST of that page (a
    # double click, a browser's retry) finds this draft instead of making another (ADR 0016).
    client_key = models.UUIDField(null=True, blank=True, editable=False)
    # Reporter
    site_name = models.CharField("site or facility", max_length=200, blank=True)
    site_address = models.CharField("site address", max_length=300, blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    # Member
    member_id = models.CharField("AHCCCS ID", max_length=9, blank=True, validators=[MEMBER_ID])
    member_last_name = models.CharField("member's last name", max_length=100, blank=True)
    member_first_name = models.CharField("member's first name", max_length=100, blank=True)
    member_birth_date = models.DateField("member's date of birth", null=True, blank=True)
    member_sex = models.CharField(max_length=10, choices=Sex.choices, blank=True)
    health_plan = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        limit_choices_to={"kind__in": ["health_plan", "trbha"]},
    )  # fmt: skip
    category = models.CharField(max_length=10, choices=Category.choices, blank=True)
    # Event
    occurred_at = models.DateTimeField(null=True, blank=True)
    aware_at = models.DateTimeField("became aware at", null=True, blank=True)
    location_type = models.CharField(max_length=100, blank=True)
    location_description = models.TextField(blank=True)
    incident_types = models.ManyToManyField(IncidentType, blank=True, related_name="+")
    narrative = models.TextField(blank=True)
    injuries = models.BooleanField(null=True, blank=True)
    injury_description = models.TextField(blank=True)
    injury_treatment = models.TextField(blank=True)
    immediate_actions = models.TextField(blank=True)
    follow_up = models.TextField("follow-up planned", blank=True)
    # Deadline, kept when the event times or types change (SPEC §3.2).
    sentinel = models.BooleanField(default=False)
    due_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    late_reason = models.TextField(blank=True)
    # Review
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    referral_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "status"], name="iad_report_org_status"),
            models.Index(fields=["health_plan", "status"], name="iad_report_plan_status"),
            models.Index(fields=["status", "due_at"], name="iad_report_status_due"),
            # The lists' default order (newest first, the id breaking ties): PostgreSQL reads
            # the index backwards and stops at a page, instead of sorting every match.
            models.Index(fields=["created_at", "id"], name="iad_report_created"),
            models.Index(fields=["organization", "created_at"], name="iad_report_org_created"),
            # The date filters; counting their matches (up to LIST_COUNT_LIMIT) reads only this
            # index, which holds every column the visibility rules and the status filter test.
            models.Index(
                fields=["occurred_at"],
                include=["status", "health_plan", "provider", "organization", "id"],
                name="iad_report_occurred_seen",
            ),
            # Counts by status (the home page's "awaiting review") read only this index: it holds
            # every column the visibility rules test.
            models.Index(
                fields=["status", "health_plan", "provider", "organization", "id"],
                name="iad_report_status_seen",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(outcome=""),
                name="iad_report_closed_has_outcome",
            ),
            # Per preparer, so that a key another person sends never reaches this person's draft.
            models.UniqueConstraint(
                fields=["preparer", "client_key"], name="iad_report_one_draft_per_client_key"
            ),
        ]

    def __str__(self) -> str:
        return self.label(self.kind, self.code)

    @classmethod
    def label(cls, kind: str, code: uuid.UUID) -> str:
        """How people name a report ("IAD 3f9c0a12"), from its kind and code alone."""
        return f"{_KIND_LABELS[kind]} {code.hex[:8]}"  # per row of an export: no enum lookup

    @property
    def is_late(self) -> bool:
        moment = self.submitted_at or timezone.now()
        return self.due_at is not None and moment > self.due_at


_KIND_LABELS = dict(Report.Kind.choices)


class PersonInvolved(models.Model):
    class Role(models.TextChoices):
        STAFF = "staff", "Staff"
        WITNESS = "witness", "Witness"
        OTHER = "other", "Other"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="people")
    role = models.CharField(max_length=10, choices=Role.choices)
    name = models.CharField(max_length=200)
    title = models.CharField("job title or relationship", max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} on {self.report}"


class Notification(models.Model):
    """Someone the reporter told about the event (police, protective services...)."""

    class Party(models.TextChoices):
        POLICE = "police", "Police"
        APS = "aps", "Adult Protective Services"
        DCS = "dcs", "Department of Child Safety"
        GUARDIAN = "guardian", "Guardian or family"
        LICENSING = "licensing", "Licensing"
        OTHER = "other", "Other"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="notifications")
    party = models.CharField(max_length=10, choices=Party.choices)
    detail = models.CharField(max_length=200, blank=True)
    notified_at = models.DateTimeField()

    class Meta:
        ordering = ["notified_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_party_display()} notified about {self.report}"


class ReportEvent(models.Model):
    """One workflow transition: the report's history timeline (DESIGN §5)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")  # fmt: skip
    transition = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, choices=Report.Status.choices)
    to_status = models.CharField(max_length=20, choices=Report.Status.choices)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.transition} on {self.report}"


class Addendum(models.Model):
    """What the reporter adds after submission (an answer to a request for information):
    the submitted content itself never changes."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")  # fmt: skip
    at = models.DateTimeField(default=timezone.now)
    text = models.TextField()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"Addendum to {self.report}"


class DueReminder(models.Model):
    """A reminder e-mail sent about a draft's deadline: one of each kind per report, ever."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Due within a day"
        OVERDUE = "overdue", "Overdue"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint("report", "kind", name="iad_one_reminder_of_each_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder for {self.report}"


class Attachment(models.Model):
    """A file added to a draft (SPEC §3.1). The bytes live outside the web root under a random
    name (`portal.core.uploads`); only the access-checked download view serves them."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField("file name", max_length=200)
    content_type = models.CharField(max_length=50)  # as found in the content, not as claimed
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"Attachment to {self.report}"

    @property
    def audit_facts(self) -> dict[str, object]:
        """What the audit trail keeps of a file: never its name, which may hold PHI."""
        return {"attachment": str(self.code), "content_type": self.content_type, "size": self.size}


class RedactedCopy(models.Model):
    """What an oversight committee may read of a filed report (SPEC §3.4): a snapshot of its
    free text with the identifying phrases removed. The original never changes; the copy is
    edited until it is released, then it is fixed."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Being redacted"
        RELEASED = "released", "Released"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="redacted_copy")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Every phrase removed wherever it appears: accepted suggestions and the redactor's own.
    removed_phrases = models.JSONField(default=list, blank=True)
    # Field name (or "addendum:<n>") to its text with the phrases removed.
    content = models.JSONField(default=dict, blank=True)
    committee = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        limit_choices_to={"kind": "ioc"},
    )  # fmt: skip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")  # fmt: skip
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "redacted copies"
        indexes = [
            models.Index(fields=["committee", "status"], name="iad_copy_committee_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="released")
                | (models.Q(committee__isnull=False) & models.Q(released_at__isnull=False)),
                name="iad_copy_released_to_committee",
            ),
        ]

    def __str__(self) -> str:
        return f"Redacted copy of {self.report}"
