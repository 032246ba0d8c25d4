"""Quality-of-care cases (SPEC §4): the intake, the triage, the investigation with its notes and
record requests to providers, the determination and the corrective action plan, on one case."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from portal.registry.models import Organization
from portal.reports import models as kit


class Category(models.Model):
    """The catalogue of quality-of-care categories, edited in the back office."""

    name = models.CharField(max_length=120, unique=True)
    active = models.BooleanField(default=True, help_text="Inactive categories are not offered.")
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Case(kit.Report):
    """One concern about care that may fall below professional standards, owned by the plan of
    the member (or the agency) and worked by its investigators."""

    class Kind(models.TextChoices):
        QOC = "qoc", "QOC"

    class Status(models.TextChoices):
        DRAFT = "draft", "Intake draft"
        RECEIVED = "received", "To triage"
        INVESTIGATING = "investigating", "Under investigation"
        DETERMINED = "determined", "Determined"
        CORRECTIVE_ACTION = "corrective_action", "Corrective action with the provider"
        CAP_REVIEW = "cap_review", "Corrective action to review"
        CLOSED = "closed", "Closed"

    class Source(models.TextChoices):
        MEMBER_COMPLAINT = "member_complaint", "Member complaint"
        PROVIDER = "provider", "Provider"
        REFERRAL = "referral", "IAD or IRF referral"
        GRIEVANCE = "grievance", "Grievance"
        AGENCY = "agency", "Agency"

    class Severity(models.IntegerChoices):
        MINIMAL = 1, "Level 1: minimal"
        MODERATE = 2, "Level 2: moderate"
        IMMEDIATE = 3, "Level 3: immediate or life-threatening"

    class Determination(models.TextChoices):
        SUBSTANTIATED = "substantiated", "Substantiated"
        UNSUBSTANTIATED = "unsubstantiated", "Unsubstantiated"
        UNABLE = "unable", "Unable to substantiate"

    kind = models.CharField(max_length=3, choices=Kind.choices, default=Kind.QOC)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Intake
    source = models.CharField(max_length=20, choices=Source.choices, blank=True)
    # Who raised the concern: never shown to the providers involved.
    complainant_name = models.CharField("who raised the concern", max_length=200, blank=True)
    complainant_contact = models.CharField("how to reach them", max_length=200, blank=True)
    # Not `category`: the kit's reports keep the member's behavioral-health category there.
    topic = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, verbose_name="category"
    )
    description = models.TextField("the concern", blank=True)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, null=True, blank=True)
    received_on = models.DateField("date received", null=True, blank=True)
    other_providers = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "provider"},
        verbose_name="other providers involved",
    )
    referred_from = models.OneToOneField(
        "iad.Report",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="qoc_case",
        editable=False,
    )
    # Triage and investigation
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closure_reason = models.TextField("why it is not a quality-of-care issue", blank=True)
    determination = models.CharField(max_length=15, choices=Determination.choices, blank=True)
    determination_rationale = models.TextField("rationale", blank=True)
    # Corrective action plan
    cap_provider = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="provider asked for corrective action",
    )
    cap_actions = models.TextField("required actions", blank=True)
    cap_due_on = models.DateField("corrective action plan due", null=True, blank=True)
    cap_reminded_on = models.DateField(null=True, blank=True)

    class Meta(kit.Report.Meta):
        verbose_name = "quality-of-care case"
        indexes = [
            *kit.Report.Meta.indexes,
            # Trending counts read only this index: every column they group or filter by.
            models.Index(
                fields=["received_on", "health_plan"],
                # The organization and id too: the list's count by date received reads
                # visibility from here alone (without them PostgreSQL scans the table).
                include=[
                    "status",
                    "provider",
                    "topic",
                    "severity",
                    "determination",
                    "organization",
                    "id",
                ],
                name="qoc_case_trending",
            ),
            models.Index(fields=["cap_provider", "status"], name="qoc_case_cap_provider"),
            models.Index(fields=["investigator", "status"], name="qoc_case_investigator"),
        ]
        constraints = [
            *kit.Report.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(severity__isnull=True) | models.Q(severity__range=(1, 3)),
                name="qoc_case_severity_1_to_3",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["determined", "corrective_action", "cap_review"])
                | ~models.Q(determination=""),
                name="qoc_case_determined_has_determination",
            ),
        ]

    @property
    def cap_overdue(self) -> bool:
        """A plan still with its provider after its due day."""
        return (
            self.status == self.Status.CORRECTIVE_ACTION
            and self.cap_due_on is not None
            and self.cap_due_on < timezone.localdate()
        )

    @property
    def providers(self) -> list[Organization]:
        """Every provider involved: the one the concern is about first."""
        others = [p for p in self.other_providers.all() if p.pk != self.provider_id]
        return [self.provider, *others] if self.provider else others


COMPANIONS = kit.companions(Case)
ReportEvent, Addendum, DueReminder, Attachment, RedactedCopy = COMPANIONS


class RecordRequest(models.Model):
    """Records an investigator asks a provider for, with a due day, and the provider's answer
    (once, with files). The provider sees what is asked and the member, never who complained."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="record_requests")
    provider = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    asked = models.TextField("what is asked")
    due_on = models.DateField("due")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)  # the last reminder, once a day at most

    class Meta:
        ordering = ["requested_at", "pk"]
        indexes = [
            models.Index(fields=["provider", "answered_at", "due_on"], name="qoc_request_inbox"),
            models.Index(fields=["answered_at", "due_on"], name="qoc_request_open_due"),
        ]

    def __str__(self) -> str:
        return f"Record request {self.code.hex[:8]}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()


class RecordFile(kit.Attachment):
    """A file a provider sends with its answer to a record request."""

    request = models.ForeignKey(RecordRequest, on_delete=models.CASCADE, related_name="files")

    def __str__(self) -> str:
        return f"File of {self.request}"
