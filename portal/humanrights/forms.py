"""The question pages of Part A, and the forms of Part B (OHR's decision) and Part C (the end):
validation only; the kit's services check the same rules again (`rules.py`)."""

from typing import Any

from django import forms
from django.utils import timezone

from portal.reports import fields as kit_fields
from portal.reports.forms import TransitionForm

from .models import Area, Report
from .rules import already_open, end_problems, open_notification

SMI_ONLY = (
    "Special assistance is only for members determined to have a serious mental illness (SMI)."
)


def areas_field(label: str, required: bool) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        required=required,
        choices=Area.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one area",
            "invalid_choice": "Choose the areas from the list",
        },
    )


def area_flags(prefix: str, chosen: list[str]) -> dict[str, bool]:
    """The chosen areas as the report's flags: `needs_grievance`, `confirmed_appeal`…"""
    return {f"{prefix}_{value}": value in chosen for value in Area.values}


def flagged_areas(report: Report, prefix: str) -> list[str]:
    return [value for value in Area.values if getattr(report, f"{prefix}_{value}")]


class MemberForm(kit_fields.MemberForm):
    class Meta:
        model = Report
        fields = [*kit_fields.MemberForm.MEMBER_FIELDS, "health_plan", "category"]
        widgets = kit_fields.MemberForm.WIDGETS
        help_texts = {**kit_fields.MemberForm.HELP, "category": SMI_ONLY}
        error_messages = kit_fields.MemberForm.ERRORS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open_notification: Report | None = None
        category = self.fields["category"]
        category.label = "Behavioral-health category"
        category.choices = [("", "Choose the category"), *Report.Category.choices]  # type: ignore[attr-defined]

    def clean_category(self) -> str:
        category = str(self.cleaned_data["category"])
        if category and category != Report.Category.SMI:
            raise forms.ValidationError(
                "This member is not in the SMI category, so the Office of Human Rights cannot "
                "be notified. Check the member's determination"
            )
        return category

    def clean_member_id(self) -> str:
        member_id = super().clean_member_id()
        report = self.instance
        if member_id:
            self.open_notification = open_notification(report, member_id)
            if self.open_notification is not None:
                raise forms.ValidationError(already_open(self.open_notification))
        return member_id


class NeedForm(forms.Form):
    determined_on = kit_fields.date_field(
        "Date the need for special assistance was determined",
        "Part A is due 5 days after this date.",
    )
    areas = areas_field("Areas where the member needs special assistance", required=False)
    criterion = forms.ChoiceField(
        label="Why the member cannot take part effectively",
        required=False,
        widget=forms.RadioSelect,
        choices=Report.Criterion.choices,
        error_messages={"invalid_choice": "Choose one of the reasons listed"},
    )
    clinical_basis = forms.CharField(
        label="The clinical basis for special assistance",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What shows that the member cannot communicate their preferences or take "
        "part in the areas chosen above.",
    )

    def clean_determined_on(self) -> Any:
        day = self.cleaned_data["determined_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError("The date of the determination cannot be in the future")
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        return {**data, **area_flags("needs", data.get("areas") or [])}


def need_initial(report: Report) -> dict[str, Any]:
    return {
        "determined_on": report.determined_on,
        "areas": flagged_areas(report, "needs"),
        "criterion": report.criterion,
        "clinical_basis": report.clinical_basis,
    }


class TreatmentForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["treatment_team", "diagnoses"]
        labels = {
            "treatment_team": "The treatment team",
            "diagnoses": "Psychiatric and medical diagnoses",
        }
        help_texts = {
            "treatment_team": "Names and roles: the clinical liaison, the psychiatrist, the case "
            "manager and others.",
        }
        widgets = {
            "treatment_team": forms.Textarea(attrs={"rows": 4}),
            "diagnoses": forms.Textarea(attrs={"rows": 4}),
        }


class PeopleForm(forms.ModelForm):
    has_decision_maker = kit_fields.YesNoField(
        "Does the member have a guardian or a health-care decision maker?"
    )
    member_aware = kit_fields.YesNoField("Does the member know you are sending this notification?")

    class Meta:
        model = Report
        fields = [
            "has_decision_maker",
            "decision_maker_name",
            "decision_maker_relationship",
            "decision_maker_email",
            "decision_maker_phone",
            "member_aware",
            "awareness_explanation",
        ]
        labels = {
            "decision_maker_name": "Their full name",
            "decision_maker_relationship": "Who they are to the member",
            "decision_maker_email": "Their e-mail address",
            "decision_maker_phone": "Their phone number (optional)",
            "awareness_explanation": "Explain (needed when the member does not know)",
        }
        help_texts = {
            "decision_maker_email": "The Office of Human Rights writes to the decision maker.",
        }
        widgets = {
            "decision_maker_relationship": forms.RadioSelect,
            "decision_maker_email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "awareness_explanation": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "decision_maker_email": {"invalid": "Enter the e-mail address as name@example.com"},
            "decision_maker_relationship": {
                "invalid_choice": "Choose who they are to the member from the list"
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision_maker_relationship"].choices = Report.Relationship.choices  # type: ignore[attr-defined]
        for name in ("has_decision_maker", "member_aware"):
            kit_fields.yes_no_initial(self, name)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("has_decision_maker") is False:
            for name in DECISION_MAKER:
                data[name] = ""
        elif data.get("decision_maker_name") and not data.get("decision_maker_email"):
            self.add_error(
                "decision_maker_email",
                "Enter the e-mail address of the guardian or decision maker: it is required",
            )
        return data


DECISION_MAKER = (
    "decision_maker_name",
    "decision_maker_relationship",
    "decision_maker_email",
    "decision_maker_phone",
)


# --- Part B and Part C --------------------------------------------------------------------------


class AcceptForm(TransitionForm):
    """Part B when the member meets the criteria: the areas OHR confirms and the designated
    representative."""

    RECORDS = (
        *(f"confirmed_{value}" for value in Area.values),
        "representative_name",
        "representative_organization",
        "representative_phone",
        "representative_email",
        "decision_notes",
    )

    confirmed = areas_field("Areas confirmed", required=True)
    representative_name = forms.CharField(
        label="Designated representative: full name",
        max_length=200,
        error_messages={"required": "Enter the designated representative's name"},
    )
    representative_organization = forms.CharField(
        label="Their agency, or who they are to the member (optional)",
        max_length=200,
        required=False,
        help_text="For example: a human rights advocate of the Office, or the member's sister.",
    )
    representative_phone = forms.CharField(
        label="Phone number",
        max_length=30,
        required=False,
        help_text="Give a phone number, an e-mail address, or both.",
    )
    representative_email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        required=False,
        error_messages={"invalid": "Enter the e-mail address as name@example.com"},
    )
    decision_notes = forms.CharField(
        label="Additional information (optional)",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, report=report, **kwargs)
        self.fields["confirmed"].initial = flagged_areas(report, "needs")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        reachable = data.get("representative_phone") or data.get("representative_email")
        if not reachable and "representative_email" not in self.errors:
            self.add_error(
                "representative_phone",
                "Give a phone number or an e-mail address for the representative",
            )
        return data

    def facts(self) -> dict[str, Any]:
        data = self.cleaned_data
        chosen = area_flags("confirmed", data["confirmed"])
        return chosen | {name: data[name] for name in self.RECORDS if name not in chosen}


class EndForm(TransitionForm):
    """Part C: when special assistance stopped being needed, and why."""

    RECORDS = ("ended_on", "end_reason", "part_c_late_reason")

    ended_on = forms.DateField(
        label="Date special assistance was no longer needed",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Part C is due 10 days after this date.",
        error_messages={
            "required": "Enter the date special assistance was no longer needed",
            "invalid": "Enter the date as a real date",
        },
    )
    end_reason = forms.CharField(
        label="Why it is no longer needed",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why special assistance is no longer needed"},
    )
    part_c_late_reason = forms.CharField(
        label="If that date was more than 10 days ago: why Part C is late",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, report=report, **kwargs)
        self.report = report

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("ended_on"):
            problems = end_problems(
                self.report, data["ended_on"], data.get("part_c_late_reason", "")
            )
            for name, problem in problems.items():
                self.add_error(name, problem)
        return data

    def facts(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.RECORDS}
