"""The question pages of an IAD or IRF draft and its item lists: validation only (the kit's
services check the same rules again, `rules.py`)."""

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from portal.core.business_days import PHOENIX
from portal.reports import fields as kit_fields

from .models import IncidentType, Notification, PersonInvolved, Report

# --- Draft sections (SPEC §3.1): every field may stay blank in a draft; submitting checks
# completeness. What is typed must still make sense, and a refusal keeps it all.


class ReporterForm(forms.ModelForm):
    """An IRF also names the provider involved, from the registry (an IAD's is its filer)."""

    provider = kit_fields.ProviderChoiceField(
        label="Provider involved",
        required=False,
        empty_label="Choose the provider",
        queryset=kit_fields.active_providers(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.kind == Report.Kind.IAD:
            del self.fields["provider"]

    class Meta:
        model = Report
        fields = ["provider", "site_name", "site_address", "contact_phone"]
        widgets = {"contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})}


class MemberForm(kit_fields.MemberForm):
    class Meta:
        model = Report
        fields = [*kit_fields.MemberForm.MEMBER_FIELDS, "member_sex", "health_plan", "category"]
        widgets = kit_fields.MemberForm.WIDGETS
        help_texts = kit_fields.MemberForm.HELP
        error_messages = kit_fields.MemberForm.ERRORS


class EventForm(forms.Form):
    occurred_date = kit_fields.date_field("Date it happened")
    occurred_time = kit_fields.time_field("Time it happened")
    aware_date = kit_fields.date_field(
        "Date you became aware", "The day your organization learned of it."
    )
    aware_time = kit_fields.time_field("Time you became aware")
    location_type = forms.CharField(
        label="Type of place", max_length=100, required=False,
        help_text="For example: residential facility, clinic, home.",
    )  # fmt: skip
    location_description = forms.CharField(label="Where exactly", required=False,
                                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    narrative = forms.CharField(label="What happened", required=False,
                                widget=forms.Textarea(attrs={"rows": 8}))  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        moments = kit_fields.read_moments(self, data, ("occurred", "aware"))
        occurred, aware = moments["occurred_at"], moments["aware_at"]
        if occurred and aware and aware < occurred:
            self.add_error("aware_date", "You cannot become aware of it before it happened")
        return {**data, **moments}


class IncidentTypesForm(forms.Form):
    incident_types = forms.ModelMultipleChoiceField(
        label="Incident types", required=False, widget=forms.CheckboxSelectMultiple,
        queryset=IncidentType.objects.filter(active=True),
        help_text="Choose every type that applies. Sentinel types make the report due sooner.",
    )  # fmt: skip


class OutcomeForm(forms.ModelForm):
    injuries = kit_fields.YesNoField("Was anyone injured?")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kit_fields.yes_no_initial(self, "injuries")

    class Meta:
        model = Report
        fields = ["injuries", "injury_description", "injury_treatment", "immediate_actions",
                  "follow_up"]  # fmt: skip
        labels = {"injury_description": "The injuries", "injury_treatment": "Treatment given",
                  "immediate_actions": "What was done at once"}  # fmt: skip


class PersonForm(forms.ModelForm):
    class Meta:
        model = PersonInvolved
        fields = ["role", "name", "title"]
        labels = {"role": "Who they are", "name": "Their name"}
        error_messages = {"name": {"required": "Enter the person's name"},
                          "role": {"required": "Choose who the person is"}}  # fmt: skip


class NotificationForm(forms.ModelForm):
    notified_date = forms.DateField(
        label="Date told", widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date they were told",
                        "invalid": "Enter the date they were told as a real date"},
    )  # fmt: skip
    notified_time = forms.TimeField(
        label="Time told", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": "Enter the time they were told",
                        "invalid": "Enter the time as hours and minutes"},
    )  # fmt: skip

    class Meta:
        model = Notification
        fields = ["party", "detail"]
        labels = {"party": "Who was told", "detail": "Name or office (optional)"}
        error_messages = {"party": {"required": "Choose who was told"}}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, hour = data.get("notified_date"), data.get("notified_time")
        if day and hour:
            moment = datetime.combine(day, hour, tzinfo=PHOENIX)
            if moment > timezone.now():
                self.add_error("notified_date", "This cannot be in the future")
            self.instance.notified_at = moment
        return data
