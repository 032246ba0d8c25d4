"""Seclusion and restraint (SPEC §5): the individual report of one event, what every report
holds beyond the kit's (`portal.reports.models`), and the facility's monthly summary."""

from datetime import timedelta

from django.db import models

from portal.reports import models as kit
from portal.reports.periodic import PeriodicFiling


class Report(kit.Report):
    """One member's seclusion or restraint event, filed by the facility."""

    class Kind(models.TextChoices):
        SR = "sr", "S&R"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned"
        ACCEPTED = "accepted", "Accepted"

    class Type(models.TextChoices):
        SECLUSION = "seclusion", "Seclusion"
        PERSONAL = "personal", "Personal restraint"
        MECHANICAL = "mechanical", "Mechanical restraint"
        DRUG = "drug", "Drug used as a restraint"

    kind = models.CharField(max_length=3, choices=Kind.choices, default=Kind.SR)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Facility (the filer is the facility; its AHCCCS provider ID is the organization's)
    facility_name = models.CharField("facility or unit", max_length=200, blank=True)
    license_number = models.CharField("facility license number", max_length=50, blank=True)
    # Who ordered it, with credentials
    authorized_by = models.CharField("who ordered it", max_length=200, blank=True)
    authorized_credentials = models.CharField("their credentials", max_length=100, blank=True)
    reauthorized_by = models.CharField("who renewed the order", max_length=200, blank=True)
    reauthorized_credentials = models.CharField(
        "credentials of who renewed it", max_length=100, blank=True
    )
    # The event
    restraint_type = models.CharField("type", max_length=12, choices=Type.choices, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # An event of more than 24 hours is rare: the preparer confirms it was not a typing slip.
    long_duration_confirmed = models.BooleanField(default=False)
    emergency_situation = models.TextField("the emergency safety situation", blank=True)
    less_restrictive_measures = models.TextField("less restrictive measures tried", blank=True)
    # Care during and after
    injuries = models.BooleanField(null=True, blank=True)
    injury_description = models.TextField(blank=True)
    face_to_face_at = models.DateTimeField("face-to-face evaluation at", null=True, blank=True)
    face_to_face_by = models.CharField("evaluated face to face by", max_length=200, blank=True)
    monitoring = models.TextField("how the member was monitored", blank=True)
    debriefing_date = models.DateField(null=True, blank=True)
    debriefing_participants = models.TextField("who took part in the debriefing", blank=True)

    class Meta(kit.Report.Meta):
        verbose_name = "seclusion or restraint report"
        indexes = [
            *kit.Report.Meta.indexes,
            # The date filters and the monthly comparison count from this index alone.
            models.Index(
                fields=["started_at"],
                include=["status", "health_plan", "provider", "organization", "id"],
                name="sr_report_started_seen",
            ),
        ]
        constraints = [
            *kit.Report.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(started_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="sr_report_ends_after_it_starts",
            ),
        ]

    @property
    def duration(self) -> timedelta | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.started_at

    @property
    def minutes(self) -> int | None:
        """How long it lasted, in whole minutes."""
        duration = self.duration
        return int(duration.total_seconds() // 60) if duration is not None else None


COMPANIONS = kit.companions(Report)
ReportEvent, Addendum, DueReminder, Attachment, RedactedCopy = COMPANIONS


class MonthlySummary(PeriodicFiling):
    """A facility's count of seclusion and restraint events in one month; a month with none is
    filed too (SPEC §5)."""

    event_count = models.PositiveIntegerField("events in the month")
    notes = models.TextField(blank=True)

    class Meta(PeriodicFiling.Meta):
        verbose_name_plural = "monthly summaries"

    def __str__(self) -> str:
        return f"S&R monthly summary {self.period:%Y-%m}"
