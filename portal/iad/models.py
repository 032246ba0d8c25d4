"""IAD and IRF reports (SPEC §3): what an incident report holds beyond what every report does
(`portal.reports.models`)."""

from django.db import models

from portal.reports import models as kit


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


class Report(kit.Report):
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

    class Outcome(models.TextChoices):
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        REFERRED_QOC = "referred_qoc", "Referred to Quality of Care"
        REFERRED_AGENCY = "referred_agency", "Referred to another agency"

    kind = models.CharField(max_length=3, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Reporter
    site_name = models.CharField("site or facility", max_length=200, blank=True)
    site_address = models.CharField("site address", max_length=300, blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    member_sex = models.CharField(max_length=10, choices=Sex.choices, blank=True)
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
    # Sentinel types shorten the deadline (SPEC §3.2); kept when the types change.
    sentinel = models.BooleanField(default=False)
    # Review
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    referral_note = models.TextField(blank=True)

    class Meta(kit.Report.Meta):
        indexes = [
            *kit.Report.Meta.indexes,
            # The date filters; counting their matches (up to LIST_COUNT_LIMIT) reads only this
            # index, which holds every column the visibility rules and the status filter test.
            models.Index(
                fields=["occurred_at"],
                include=["status", "health_plan", "provider", "organization", "id"],
                name="iad_report_occurred_seen",
            ),
        ]
        constraints = [
            *kit.Report.Meta.constraints,
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(outcome=""),
                name="iad_report_closed_has_outcome",
            ),
        ]


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


COMPANIONS = kit.companions(Report)
ReportEvent, Addendum, DueReminder, Attachment, RedactedCopy = COMPANIONS
