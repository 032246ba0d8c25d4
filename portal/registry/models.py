"""The registry the agency keeps: organizations (the tenants) and their mailing addresses."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from portal.core.loading import LeanLoading


class Organization(LeanLoading):
    """A tenant: every external account belongs to exactly one organization."""

    class Kind(models.TextChoices):
        PROVIDER = "provider", "Provider"
        HEALTH_PLAN = "health_plan", "Health plan"
        TRBHA = "trbha", "Tribal Regional Behavioral Health Authority"
        IOC = "ioc", "Independent Oversight Committee"
        EXTERNAL_AGENCY = "external_agency", "External agency"
        AGENCY = "agency", "AHCCCS"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"

    class Region(models.TextChoices):
        NORTH = "north", "North"
        CENTRAL = "central", "Central"
        SOUTH = "south", "South"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    identifier = models.CharField(
        max_length=20,
        help_text="AHCCCS Provider ID, health plan ID, committee code or agency code.",
    )
    npi = models.CharField("NPI", max_length=10, blank=True)
    npi_deactivated = models.BooleanField("NPI deactivated", default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    region = models.CharField(max_length=10, choices=Region.choices, blank=True)
    # A master asks every account of the organization for a second factor (ADR 0025).
    second_factor_required = models.BooleanField(default=False)
    contracted_plans = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="contracted_providers",
        limit_choices_to={"kind__in": ["health_plan", "trbha"]},
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "kind", Lower("identifier"), name="registry_org_unique_identifier_per_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="provider") | models.Q(npi=""),
                name="registry_org_npi_only_for_providers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()} {self.identifier})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def clean(self) -> None:
        """The identifier rules every entry path shares (back office and import)."""
        from .services import identifier_problems

        problems = list(identifier_problems(self.kind, self.identifier, self.npi))
        if problems:
            raise ValidationError([problem[0].upper() + problem[1:] + "." for problem in problems])


class MailingAddress(models.Model):
    """An address on file where the organization receives postal mail (activation letters)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="addresses"
    )
    label = models.CharField(max_length=100, blank=True)
    line1 = models.CharField("Street address", max_length=200)
    line2 = models.CharField("Street address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, default="AZ")
    zip_code = models.CharField("ZIP code", max_length=10)
    is_active = models.BooleanField(
        default=True, help_text="Inactive addresses stay for history but cannot be chosen."
    )

    class Meta:
        ordering = ["organization", "line1"]
        verbose_name_plural = "mailing addresses"
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("line1"),
                Lower("line2"),
                Lower("city"),
                "zip_code",
                name="registry_address_unique_per_org",
            )
        ]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.line1, self.line2, self.city, self.state) if p) + (
            f" {self.zip_code}"
        )
