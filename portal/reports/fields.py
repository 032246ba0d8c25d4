"""Pieces of question pages that report types share: dates and times read in Phoenix time, a
member's details, a yes/no answer. Every field may stay blank in a draft (submitting checks
completeness); what is typed must still make sense, and a refusal keeps it all."""

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, cast

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils import timezone

from portal.core.business_days import PHOENIX
from portal.registry.models import Organization

from .plans import PLAN_KINDS, outside_own_plans, own_plans, plan_not_confirmed, who_will_see
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


OTHER_PLANS = "Other health plans"


class PlanChoiceIterator(ModelChoiceIterator):
    """The filer's own plans in a first group, every other plan in a second; a plain list for a
    filer with none of its own."""

    field: "PlanChoiceField"

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        own = self.field.own or set()
        plans = list(self.queryset)
        first = [self.choice(plan) for plan in plans if plan.pk in own]
        if not first:
            yield from (self.choice(plan) for plan in plans)
            return
        yield (self.field.own_heading, first)
        others = [self.choice(plan) for plan in plans if plan.pk not in own]
        if others:
            yield (OTHER_PLANS, others)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class PlanChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    iterator = PlanChoiceIterator
    own: set[int] | None = None  # the filer's own plans, offered first
    own_heading = ""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class MemberForm(forms.ModelForm):
    """The member's details; a type's form names its model and fields in its own Meta. The
    cleaned `plan_confirmed` says whether a plan outside the filer's own was confirmed."""

    health_plan = PlanChoiceField(
        label="Member's health plan",
        required=False,
        empty_label="Choose the member's plan",
        queryset=Organization.objects.filter(
            kind__in=PLAN_KINDS, status=Organization.Status.ACTIVE
        ).order_by("name"),
        error_messages={"invalid_choice": "Choose the member's health plan from the list"},
    )
    # Shown only once a plan outside the filer's own is chosen (`_ask_to_confirm`).
    plan_confirmed = forms.BooleanField(required=False, template_name="uswds/checkbox_field.html")

    MEMBER_FIELDS = ["member_id", "member_last_name", "member_first_name", "member_birth_date"]
    # For a value no page offers (a changed request): said as the portal says it.
    ERRORS = {"category": {"invalid_choice": "Choose the behavioral-health category from the list"}}
    WIDGETS = {"member_birth_date": forms.DateInput(attrs={"type": "date"})}
    HELP = {"member_id": "One letter followed by 8 digits, for example A12345678."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stored_plan_id = self.instance.health_plan_id
        self.confirmation = self.fields.pop("plan_confirmed")
        filer = self.instance.organization if self.instance.organization_id else None
        plans = self.fields.get("health_plan")
        if isinstance(plans, PlanChoiceField) and filer is not None:
            _offer_own_plans_first(plans, filer)

    def clean_member_id(self) -> str:
        return str(self.cleaned_data["member_id"]).strip().upper()

    def clean_member_birth_date(self) -> Any:
        born = self.cleaned_data["member_birth_date"]
        if born and born > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future")
        return born

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        plan: Organization | None = data.get("health_plan")
        data["plan_confirmed"] = False
        # A plan kept is not asked about again: it was confirmed when it was chosen.
        if plan is None or plan.pk == self.stored_plan_id:
            return data
        if outside_own_plans(self.instance.organization, plan):
            data["plan_confirmed"] = self._ask_to_confirm(plan)
        return data

    def _ask_to_confirm(self, plan: Organization) -> bool:
        """Show the check box naming the chosen plan, after the plan's field; whether the tick
        posted confirms that plan (else the refusal, beside the box). The box sends the plan's
        id: a tick given for one plan never confirms another chosen after it."""
        report, box = self.instance, self.confirmation
        box.label = f"Yes, send it to {plan.name}: {who_will_see(report, plan)}"
        items = list(self.fields.items())
        at = [name for name, _ in items].index("health_plan") + 1
        self.fields = dict([*items[:at], ("plan_confirmed", box), *items[at:]])
        widget = cast(forms.CheckboxInput, box.widget)
        widget.attrs["value"] = str(plan.pk)
        ticked = self.data.get(self.add_prefix("plan_confirmed")) == str(plan.pk)
        widget.check_test = lambda value: ticked
        if not ticked:
            self.add_error(None, plan_not_confirmed(report, plan))
        return ticked


def _offer_own_plans_first(field: PlanChoiceField, filer: Organization) -> None:
    field.own = own_plans(filer)
    if field.own is None:
        return
    if filer.kind == Organization.Kind.PROVIDER:
        field.own_heading = "Plans your organization is contracted with"
        field.help_text = (
            "The plans your organization is contracted with come first; another plan asks you "
            "to confirm it."
            if field.own
            else "Your organization has no contracted plans on file: any plan asks you to "
            "confirm it."
        )
    else:
        field.own_heading = "Your organization"
        field.help_text = "Your organization comes first; another plan asks you to confirm it."


class ProviderChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A provider from the registry, named with its AHCCCS ID."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} (AHCCCS ID {obj.identifier})"


def active_providers() -> Any:
    return Organization.objects.filter(
        kind=Organization.Kind.PROVIDER, status=Organization.Status.ACTIVE
    ).order_by("name")


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
