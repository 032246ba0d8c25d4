"""The question pages of an IAD or IRF draft and its item lists: validation only (the kit's
services check the same rules again, `rules.py`)."""

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from portal.core.business_days import PHOENIX
from portal.registry.models import Organization

from .models import IncidentType, Notification, PersonInvolved, Report

# --- Draft sections (SPEC §3.1): every field may stay blank in a draft; submitting checks
# completeness. What is typed must still make sense, and a refusal keeps it all.


def _date(label: str, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label, required=False, help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": f"Enter {label.lower()} as a real date"},
    )  # fmt: skip


def _time(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label, required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": f"Enter {label.lower()} as hours and minutes"},
    )  # fmt: skip


class ProviderChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} (AHCCCS ID {obj.identifier})"


class ReporterForm(forms.ModelForm):
    """An IRF also names the provider involved, from the registry (an IAD's is its filer)."""

    provider = ProviderChoiceField(
        label="Provider involved", required=False, empty_label="Choose the provider",
        queryset=Organization.objects.filter(
            kind="provider", status=Organization.Status.ACTIVE
        ).order_by("name"),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.kind == Report.Kind.IAD:
            del self.fields["provider"]

    class Meta:
        model = Report
        fields = ["provider", "site_name", "site_address", "contact_phone"]
        widgets = {"contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})}


class PlanChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class MemberForm(forms.ModelForm):
    health_plan = PlanChoiceField(
        label="Member's health plan", required=False, empty_label="Choose the member's plan",
        queryset=Organization.objects.filter(
            kind__in=["health_plan", "trbha"], status=Organization.Status.ACTIVE
        ).order_by("name"),
    )  # fmt: skip

    class Meta:
        model = Report
        fields = ["member_id", "member_last_name", "member_first_name", "member_birth_date",
                  "member_sex", "health_plan", "category"]  # fmt: skip
        widgets = {"member_birth_date": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"member_id": "One letter followed by 8 digits, for example A12345678."}

    def clean_member_id(self) -> str:
        return str(self.cleaned_data["member_id"]).strip().upper()

    def clean_member_birth_date(self) -> Any:
        born = self.cleaned_data["member_birth_date"]
        if born and born > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future")
        return born


class EventForm(forms.Form):
    occurred_date = _date("Date it happened")
    occurred_time = _time("Time it happened")
    aware_date = _date("Date you became aware", "The day your organization learned of it.")
    aware_time = _time("Time you became aware")
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
        moments = {}
        for key in ("occurred", "aware"):
            day, hour = data.get(f"{key}_date"), data.get(f"{key}_time")
            if day and hour:
                moments[key] = datetime.combine(day, hour, tzinfo=PHOENIX)
                if moments[key] > timezone.now():
                    self.add_error(f"{key}_date", "This cannot be in the future")
            elif day or hour:
                missing = f"{key}_time" if day else f"{key}_date"
                self.add_error(missing, "Give both the date and the time")
        if len(moments) == 2 and moments["aware"] < moments["occurred"]:
            self.add_error("aware_date", "You cannot become aware of it before it happened")
        data["occurred_at"], data["aware_at"] = moments.get("occurred"), moments.get("aware")
        return data


class IncidentTypesForm(forms.Form):
    incident_types = forms.ModelMultipleChoiceField(
        label="Incident types", required=False, widget=forms.CheckboxSelectMultiple,
        queryset=IncidentType.objects.filter(active=True),
        help_text="Choose every type that applies. Sentinel types make the report due sooner.",
    )  # fmt: skip


class OutcomeForm(forms.ModelForm):
    injuries = forms.TypedChoiceField(
        label="Was anyone injured?", required=False, widget=forms.RadioSelect,
        choices=[("yes", "Yes"), ("no", "No")], coerce=lambda v: v == "yes", empty_value=None,
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        answered = self.instance.injuries
        if answered is not None:
            self.initial["injuries"] = "yes" if answered else "no"

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
