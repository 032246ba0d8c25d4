"""Special assistance notifications to the Office of Human Rights (SPEC §6): Part A (the
filer's notification), Part B (OHR's decision and the designated representative) and Part C
(the end), on one report. Members under special assistance are the accepted notifications."""

from django.db import models

from portal.reports import models as kit

OPEN = ("draft", "submitted", "accepted")  # one of these per member and filing organization


class Area(models.TextChoices):
    """The processes a member needs help to take part in."""

    SERVICE_PLANNING = "service_planning", "Service planning"
    DISCHARGE_PLANNING = "discharge_planning", "Discharge planning"
    GRIEVANCE = "grievance", "Grievance process"
    APPEAL = "appeal", "Appeal process"


class Report(kit.Report):
    """One member's special assistance, from the notification to its end."""

    class Kind(models.TextChoices):
        OHR = "ohr", "OHR"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Awaiting OHR"
        ACCEPTED = "accepted", "Special assistance"
        DECLINED = "declined", "Declined"
        ENDED = "ended", "Ended"

    class Criterion(models.TextChoices):
        COGNITIVE = "cognitive", "Cognitive ability or intellectual capacity"
        LANGUAGE = "language", "A language barrier that an interpreter or translator cannot bridge"
        MEDICAL = "medical", "A medical condition, including severe psychiatric symptoms"
        GUARDIANSHIP = "guardianship", "Full and permanent guardianship ordered by an Arizona court"

    class Relationship(models.TextChoices):
        GUARDIAN = "guardian", "Legal guardian"
        DECISION_MAKER = "decision_maker", "Health-care decision maker"
        RELATIVE = "relative", "Relative"
        FRIEND = "friend", "Friend or other natural support"

    kind = models.CharField(max_length=3, choices=Kind.choices, default=Kind.OHR)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Part A: the need
    determined_on = models.DateField("date the need was determined", null=True, blank=True)
    needs_service_planning = models.BooleanField(default=False)
    needs_discharge_planning = models.BooleanField(default=False)
    needs_grievance = models.BooleanField(default=False)
    needs_appeal = models.BooleanField(default=False)
    criterion = models.CharField(max_length=12, choices=Criterion.choices, blank=True)
    clinical_basis = models.TextField("the clinical basis", blank=True)
    treatment_team = models.TextField("the treatment team", blank=True)
    diagnoses = models.TextField("psychiatric and medical diagnoses", blank=True)
    # Part A: the people around the member
    has_decision_maker = models.BooleanField(null=True, blank=True)
    decision_maker_name = models.CharField(max_length=200, blank=True)
    decision_maker_relationship = models.CharField(
        max_length=15, choices=Relationship.choices, blank=True
    )
    decision_maker_email = models.EmailField(max_length=254, blank=True)
    decision_maker_phone = models.CharField(max_length=30, blank=True)
    member_aware = models.BooleanField(null=True, blank=True)
    awareness_explanation = models.TextField(blank=True)
    # Part B: OHR's decision
    confirmed_service_planning = models.BooleanField(default=False)
    confirmed_discharge_planning = models.BooleanField(default=False)
    confirmed_grievance = models.BooleanField(default=False)
    confirmed_appeal = models.BooleanField(default=False)
    representative_name = models.CharField("designated representative", max_length=200, blank=True)
    representative_organization = models.CharField(max_length=200, blank=True)
    representative_phone = models.CharField(max_length=30, blank=True)
    representative_email = models.EmailField(max_length=254, blank=True)
    decision_notes = models.TextField("additional information", blank=True)
    decline_reason = models.TextField(blank=True)
    assistance_started_on = models.DateField(null=True, blank=True)
    # Part C: the end
    ended_on = models.DateField(
        "date special assistance was no longer needed", null=True, blank=True
    )
    end_reason = models.TextField(blank=True)
    part_c_due_at = models.DateTimeField(null=True, blank=True)
    part_c_late_reason = models.TextField(blank=True)
    # When the filer was last asked whether special assistance is still needed.
    stale_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta(kit.Report.Meta):
        verbose_name = "special assistance notification"
        indexes = [
            *kit.Report.Meta.indexes,
            # The roster and its counts over time read the accepted and ended notifications.
            models.Index(
                fields=["status", "assistance_started_on"],
                include=["health_plan", "ended_on"],
                name="ohr_report_roster",
            ),
        ]
        constraints = [
            *kit.Report.Meta.constraints,
            models.UniqueConstraint(
                fields=["organization", "member_id"],
                condition=models.Q(status__in=OPEN) & ~models.Q(member_id=""),
                name="ohr_one_open_notification_per_member",
            ),
        ]

    @property
    def areas(self) -> list[str]:
        """The areas of need Part A names, in words."""
        return [str(label) for value, label in Area.choices if getattr(self, f"needs_{value}")]

    @property
    def confirmed_areas(self) -> list[str]:
        """The areas OHR confirmed in Part B, in words."""
        return [str(label) for value, label in Area.choices if getattr(self, f"confirmed_{value}")]

    @property
    def part_c_late(self) -> bool:
        return (
            self.status == self.Status.ENDED
            and self.part_c_due_at is not None
            and self.status_changed_at > self.part_c_due_at
        )


COMPANIONS = kit.companions(Report)
ReportEvent, Addendum, DueReminder, Attachment, RedactedCopy = COMPANIONS
