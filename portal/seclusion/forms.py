"""The question pages of an S&R draft, and the monthly summary: validation only (the kit's
services check the same rules again, `rules.py`)."""

from datetime import timedelta
from typing import Any

from django import forms

from portal.reports import fields as kit_fields

from .models import MonthlySummary, Report

LONG = timedelta(hours=24)


class FacilityForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["facility_name", "license_number"]
        help_texts = {"facility_name": "The facility or the unit where it happened."}


class MemberForm(kit_fields.MemberForm):
    class Meta:
        model = Report
        fields = [*kit_fields.MemberForm.MEMBER_FIELDS, "health_plan", "category"]
        widgets = kit_fields.MemberForm.WIDGETS
        help_texts = kit_fields.MemberForm.HELP
        error_messages = kit_fields.MemberForm.ERRORS


class EventForm(forms.Form):
    restraint_type = forms.ChoiceField(
        label="Type",
        required=False,
        widget=forms.RadioSelect,
        choices=Report.Type.choices,
        error_messages={"invalid_choice": "Choose one of the types listed"},
    )
    started_date = kit_fields.date_field("Date it started")
    started_time = kit_fields.time_field("Time it started")
    ended_date = kit_fields.date_field("Date it ended")
    ended_time = kit_fields.time_field("Time it ended")
    long_duration_confirmed = forms.BooleanField(
        label="Yes, it lasted more than 24 hours",
        required=False,
        template_name="uswds/checkbox_field.html",
    )
    emergency_situation = forms.CharField(
        label="The emergency safety situation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What put the member or others in immediate danger.",
    )
    less_restrictive_measures = forms.CharField(
        label="Less restrictive measures tried first",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        moments = kit_fields.read_moments(self, data, ("started", "ended"))
        started, ended = moments["started_at"], moments["ended_at"]
        if started and ended and ended < started:
            self.add_error("ended_date", "The end must be the same as or after the start")
        elif (
            started and ended and ended - started > LONG and not data.get("long_duration_confirmed")
        ):
            self.add_error(
                "long_duration_confirmed",
                "It lasted more than 24 hours: check the times, then tick the box to confirm",
            )
        return {**data, **moments}


class AuthorizationForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = [
            "authorized_by",
            "authorized_credentials",
            "reauthorized_by",
            "reauthorized_credentials",
        ]
        help_texts = {
            "authorized_credentials": "For example: MD, DO, NP, PA.",
            "reauthorized_by": "Only when the order was renewed.",
        }


class CareForm(forms.Form):
    injuries = kit_fields.YesNoField("Was the member or anyone else injured?")
    injury_description = forms.CharField(
        label="The injuries and their treatment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    face_to_face_date = kit_fields.date_field("Date of the face-to-face evaluation")
    face_to_face_time = kit_fields.time_field("Time of the face-to-face evaluation")
    face_to_face_by = forms.CharField(
        label="Evaluated face to face by",
        max_length=200,
        required=False,
        help_text="Name and credentials.",
    )
    monitoring = forms.CharField(
        label="How the member was monitored",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    debriefing_date = kit_fields.date_field("Date of the debriefing")
    debriefing_participants = forms.CharField(
        label="Who took part in the debriefing",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        return {**data, **kit_fields.read_moments(self, data, ("face_to_face",))}


def care_initial(report: Report) -> dict[str, Any]:
    texts = (
        "injury_description",
        "face_to_face_by",
        "monitoring",
        "debriefing_date",
        "debriefing_participants",
    )
    initial = {name: getattr(report, name) for name in texts}
    if report.injuries is not None:
        initial["injuries"] = "yes" if report.injuries else "no"
    return initial | kit_fields.moment_initial(report, ("face_to_face",))


def event_initial(report: Report) -> dict[str, Any]:
    texts = (
        "restraint_type",
        "long_duration_confirmed",
        "emergency_situation",
        "less_restrictive_measures",
    )
    initial = {name: getattr(report, name) for name in texts}
    return initial | kit_fields.moment_initial(report, ("started", "ended"))


class SummaryForm(forms.ModelForm):
    """A facility's monthly count; the month is one of the latest that have ended."""

    period = forms.TypedChoiceField(
        label="Month",
        coerce=lambda value: value,
        error_messages={
            "required": "Choose the month",
            "invalid_choice": "Choose one of the months listed",
        },
    )
    event_count = forms.IntegerField(
        label="Seclusion and restraint events in the month",
        min_value=0,
        max_value=100_000,
        help_text="Enter 0 for a month with none: it must still be filed.",
        error_messages={
            "required": "Enter the number of events, 0 if there were none",
            "invalid": "Enter the number of events as a whole number",
            "min_value": "The number of events cannot be below 0",
            "max_value": "Enter a number of events of 100,000 or fewer",
        },
    )

    class Meta:
        model = MonthlySummary
        fields = ["event_count", "notes"]
        labels = {"notes": "Notes (optional)"}

    def __init__(self, *args: Any, months: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = months  # type: ignore[attr-defined]
        self.order_fields(["period", "event_count", "notes"])
