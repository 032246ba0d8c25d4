"""Pieces of question pages that report types share: dates and times read in Phoenix time, a
member's details, a yes/no answer. Every field may stay blank in a draft (submitting checks
completeness); what is typed must still make sense, and a refusal keeps it all."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from portal.core.business_days import PHOENIX
from portal.registry.models import Organization

from .types import Section


def date_field(label: str, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": f"Enter {label.lower()} as a real date"},
    )


def time_field(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": f"Enter {label.lower()} as hours and minutes"},
    )


def read_moments(form: forms.Form, data: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """Each `<key>_date` and `<key>_time` pair as one Phoenix moment (`<key>_at`), neither in the
    future; a date without its time, or the reverse, is named."""
    moments: dict[str, Any] = {}
    for key in keys:
        day, hour = data.get(f"{key}_date"), data.get(f"{key}_time")
        moments[f"{key}_at"] = None
        if day and hour:
            moments[f"{key}_at"] = datetime.combine(day, hour, tzinfo=PHOENIX)
            if moments[f"{key}_at"] > timezone.now():
                form.add_error(f"{key}_date", "This cannot be in the future")
        elif day or hour:
            form.add_error(
                f"{key}_time" if day else f"{key}_date", "Give both the date and the time"
            )
    return moments


def moment_initial(report: Any, keys: Iterable[str]) -> dict[str, Any]:
    """The date and time fields' first values, from the report's moments."""
    initial: dict[str, Any] = {}
    for key in keys:
        moment = getattr(report, f"{key}_at")
        if moment:
            local = moment.astimezone(PHOENIX)
            initial[f"{key}_date"], initial[f"{key}_time"] = local.date(), local.time()
    return initial


class PlanChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class MemberForm(forms.ModelForm):
    """The member's details; a type's form names its model and fields in its own Meta."""

    health_plan = PlanChoiceField(
        label="Member's health plan",
        required=False,
        empty_label="Choose the member's plan",
        queryset=Organization.objects.filter(
            kind__in=["health_plan", "trbha"], status=Organization.Status.ACTIVE
        ).order_by("name"),
        error_messages={"invalid_choice": "Choose the member's health plan from the list"},
    )

    MEMBER_FIELDS = ["member_id", "member_last_name", "member_first_name", "member_birth_date"]
    # For a value no page offers (a changed request): said as the portal says it.
    ERRORS = {"category": {"invalid_choice": "Choose the behavioral-health category from the list"}}
    WIDGETS = {"member_birth_date": forms.DateInput(attrs={"type": "date"})}
    HELP = {"member_id": "One letter followed by 8 digits, for example A12345678."}

    def clean_member_id(self) -> str:
        return str(self.cleaned_data["member_id"]).strip().upper()

    def clean_member_birth_date(self) -> Any:
        born = self.cleaned_data["member_birth_date"]
        if born and born > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future")
        return born


class YesNoField(forms.TypedChoiceField):
    """A yes/no question that may stay unanswered in a draft (stored as True, False or None)."""

    def __init__(self, label: str) -> None:
        super().__init__(
            label=label,
            required=False,
            widget=forms.RadioSelect,
            choices=[("yes", "Yes"), ("no", "No")],
            coerce=lambda value: value == "yes",
            empty_value=None,
            error_messages={"invalid_choice": "Answer yes or no"},
        )


def yes_no_initial(form: forms.ModelForm, name: str) -> None:  # type: ignore[type-arg]
    """Show the stored answer of a YesNoField on a model form."""
    answered = getattr(form.instance, name)
    if answered is not None:
        form.initial[name] = "yes" if answered else "no"


# What every type's member page needs before submission; a type adds its own (`member_section`).
MEMBER_REQUIRED = {
    "member_id": "the member's AHCCCS ID",
    "member_last_name": "the member's last name",
    "member_first_name": "the member's first name",
    "health_plan": "the member's health plan",
}


def member_section(form_class: type[MemberForm], **required: str) -> Section:
    """The "Member" page of a draft: the fields of its form, the member's identity required,
    and the type's own required fields in words (`category="the member's …"`)."""
    fields = tuple(form_class.Meta.fields)  # type: ignore[attr-defined]
    return Section("member", "Member", form_class, fields, MEMBER_REQUIRED | required)
