"""The intake pages of a case and the forms of its steps and record requests: validation only;
the kit's services and this app's check the same rules again (`rules.py`, `requests.py`)."""

from datetime import date
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone

from portal.core.business_days import Calendar
from portal.reports import fields as kit_fields
from portal.reports.forms import TransitionForm

from .models import Case, Category
from .people import investigators

SEVERITY_HELP = (
    "Level 1: minimal, no harm or risk to the member. Level 2: moderate, harm or a risk that "
    "needs attention. Level 3: immediate or life-threatening, act today."
)


class MemberForm(kit_fields.MemberForm):
    class Meta:
        model = Case
        fields = [*kit_fields.MemberForm.MEMBER_FIELDS, "health_plan"]
        widgets = kit_fields.MemberForm.WIDGETS
        help_texts = kit_fields.MemberForm.HELP
        error_messages = kit_fields.MemberForm.ERRORS


def category_field(required: bool) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    return forms.ModelChoiceField(
        label="Category",
        required=required,
        queryset=Category.objects.filter(active=True),
        empty_label="Choose the category",
        error_messages={
            "required": "Choose the category",
            "invalid_choice": "Choose the category from the list",
        },
    )


def severity_field(required: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="Severity",
        required=required,
        choices=Case.Severity.choices,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        help_text=SEVERITY_HELP,
        error_messages={
            "required": "Choose the severity level",
            "invalid_choice": "Choose a severity level of 1, 2 or 3",
        },
    )


class ConcernForm(forms.ModelForm):
    """Where the concern came from, who raised it, what it is and how serious."""

    topic = category_field(required=False)
    severity = severity_field(required=False)

    class Meta:
        model = Case
        fields = [
            "source",
            "complainant_name",
            "complainant_contact",
            "received_on",
            "topic",
            "severity",
            "description",
        ]
        labels = {
            "source": "Where the concern came from",
            "complainant_name": "Who raised the concern (needed for a member complaint)",
            "complainant_contact": "How to reach them (optional)",
            "received_on": "Date the concern was received",
            "description": "The concern",
        }
        help_texts = {
            "complainant_name": "Kept within the investigation: providers never see it.",
            "description": "What happened, when and where, as the concern was told.",
        }
        widgets = {
            "source": forms.RadioSelect,
            "received_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 6}),
        }
        error_messages = {
            "source": {"invalid_choice": "Choose where the concern came from"},
            "received_on": {"invalid": "Enter the date received as a real date"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A referral is made by closing an incident report, never chosen on this page.
        sources = [c for c in Case.Source.choices if c[0] != Case.Source.REFERRAL]
        if self.instance.source == Case.Source.REFERRAL:
            sources = Case.Source.choices
        self.fields["source"].choices = sources  # type: ignore[attr-defined]

    def clean_received_on(self) -> Any:
        day = self.cleaned_data["received_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError("The date received cannot be in the future")
        return day


class ProvidersForm(forms.ModelForm):
    """The provider the concern is about, and any other provider involved."""

    provider = kit_fields.ProviderChoiceField(
        label="Provider the concern is about",
        required=False,
        empty_label="Choose the provider",
        queryset=kit_fields.active_providers(),
        error_messages={"invalid_choice": "Choose the provider from the list"},
    )
    other_providers = forms.ModelMultipleChoiceField(
        label="Other providers involved (optional)",
        required=False,
        queryset=kit_fields.active_providers(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Hold Ctrl (or Command) to choose more than one.",
        error_messages={"invalid_choice": "Choose the providers from the list"},
    )

    class Meta:
        model = Case
        fields = ["provider", "other_providers"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        main, others = data.get("provider"), data.get("other_providers")
        if main is not None and others is not None:
            data["other_providers"] = [p for p in others if p.pk != main.pk]
        return data


# --- The steps' forms -----------------------------------------------------------------------


class TriageForm(TransitionForm):
    """Triage confirms the category and the severity, first shown as the intake gave them."""

    RECORDS: tuple[str, ...] = ("topic", "severity")

    topic = category_field(required=True)
    severity = severity_field(required=True)

    def __init__(self, *args: Any, report: Case, **kwargs: Any) -> None:
        super().__init__(*args, report=report, **kwargs)
        self.fields["topic"].initial = report.topic_id
        self.fields["severity"].initial = report.severity

    def facts(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.RECORDS}


class InvestigatorField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name()} ({obj.organization.name})"


def investigator_field(report: Case) -> InvestigatorField:
    return InvestigatorField(
        label="Investigator",
        queryset=investigators(report),
        empty_label="Choose the investigator",
        error_messages={
            "required": "Choose the investigator",
            "invalid_choice": "Choose an investigator from the list",
        },
    )


class InvestigateForm(TriageForm):
    RECORDS = ("topic", "severity", "investigator")

    def __init__(self, *args: Any, report: Case, **kwargs: Any) -> None:
        super().__init__(*args, report=report, **kwargs)
        self.fields["investigator"] = investigator_field(report)


class NotQualityForm(TriageForm):
    pass


class ReassignForm(TransitionForm):
    RECORDS = ("investigator",)

    def __init__(self, *args: Any, report: Case, **kwargs: Any) -> None:
        super().__init__(*args, report=report, **kwargs)
        field = investigator_field(report)
        field.label = "New investigator"
        field.queryset = field.queryset.exclude(pk=report.investigator_id)  # type: ignore[union-attr]
        self.fields["investigator"] = field

    def facts(self) -> dict[str, Any]:
        return {"investigator": self.cleaned_data["investigator"]}


def involved_provider(report: Case, label: str) -> kit_fields.ProviderChoiceField:
    """One of the providers involved in the case, the one the concern is about first."""
    return kit_fields.ProviderChoiceField(
        label=label,
        queryset=kit_fields.active_providers().filter(pk__in=[p.pk for p in report.providers]),
        empty_label="Choose the provider",
        initial=report.provider_id,
        error_messages={
            "required": "Choose the provider",
            "invalid_choice": "Choose one of the providers involved in the case",
        },
    )


def due_field(label: str, help_text: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the due day",
            "invalid": "Enter the due day as a real date",
        },
    )


def check_future(day: date) -> date:
    if day <= timezone.localdate():
        raise forms.ValidationError("The due day must be after today")
    return day


class CapForm(TransitionForm):
    """What the provider must do, and by when."""

    RECORDS = ("cap_provider", "cap_actions", "cap_due_on")

    cap_actions = forms.CharField(
        label="Required actions",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Describe the required actions"},
    )
    cap_due_on = due_field("Plan due", "The day the provider's plan is due.")

    def __init__(self, *args: Any, report: Case, **kwargs: Any) -> None:
        super().__init__(*args, report=report, **kwargs)
        asked = involved_provider(report, "Provider asked for corrective action")
        self.fields = {"cap_provider": asked, **self.fields}

    def clean_cap_due_on(self) -> date:
        return check_future(self.cleaned_data["cap_due_on"])

    def facts(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.RECORDS}


class ReturnCapForm(TransitionForm):
    RECORDS = ("cap_due_on",)

    cap_due_on = due_field("New due day", "The day the provider's revised plan is due.")

    def clean_cap_due_on(self) -> date:
        return check_future(self.cleaned_data["cap_due_on"])

    def facts(self) -> dict[str, Any]:
        return {"cap_due_on": self.cleaned_data["cap_due_on"]}


# --- Record requests -------------------------------------------------------------------------


def default_due_day() -> date:
    """The configured number of business days from today."""
    today = timezone.localdate()
    days = settings.QOC_RECORD_REQUEST_DAYS
    return Calendar(today, days=days * 7 + 31).add_business_days(today, days)


class RecordRequestForm(forms.Form):
    asked = forms.CharField(
        label="What records you need",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For example: progress notes and the medication record from March 1 to 15.",
        error_messages={"required": "Say what records you need"},
    )
    due_on = due_field("Due", "")

    def __init__(self, *args: Any, report: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"provider": involved_provider(report, "Provider asked"), **self.fields}
        due = cast(forms.DateField, self.fields["due_on"])
        due.initial = default_due_day()
        due.help_text = (
            f"{settings.QOC_RECORD_REQUEST_DAYS} business days from today unless you choose "
            "another day."
        )

    def clean_due_on(self) -> date:
        return check_future(self.cleaned_data["due_on"])


class FilesInput(forms.FileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one field (as Django's documentation shows): each is checked by content
    when it is stored (`portal.core.uploads`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", FilesInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        chosen = data if isinstance(data, list | tuple) else [data]
        return [super(FilesField, self).clean(item, initial) for item in chosen if item]


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="Your answer",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Say what you send, or why a record does not exist.",
        error_messages={"required": "Type your answer"},
    )
    attachments = FilesField(
        label="Records to send: PDF, PNG or JPEG (optional)",
        required=False,
        allow_empty_file=True,  # the upload check names that problem itself
        help_text="You may choose several files.",
    )
