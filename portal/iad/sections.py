"""The sections of a draft report (SPEC §3.1): the task list and its question pages."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms

from .forms import EventForm, IncidentTypesForm, MemberForm, OutcomeForm, ReporterForm
from .models import Report
from .services import REQUIRED, missing_items


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    form_class: type[forms.BaseForm]
    fields: tuple[str, ...]  # report fields this section fills (for "completed")

    def form(self, report: Report, data: Any) -> forms.BaseForm:
        if issubclass(self.form_class, forms.ModelForm):
            return self.form_class(data, instance=report)
        return self.form_class(data, initial=INITIAL.get(self.slug, _none)(report))

    def changes(self, form: forms.BaseForm) -> dict[str, Any]:
        data = form.cleaned_data
        return {name: data[name] for name in self.fields if name in data}

    def completed(self, report: Report, missing: list[str]) -> bool:
        words = {REQUIRED[name] for name in self.fields if name in REQUIRED}
        if "provider" in self.fields:
            words.add("the provider involved")
        if self.slug == "types":
            words = {"at least one incident type"}
        return not words & set(missing)


def _none(report: Report) -> dict[str, Any]:
    return {}


def _event(report: Report) -> dict[str, Any]:
    from portal.core.business_days import PHOENIX

    initial: dict[str, Any] = {name: getattr(report, name) for name in
                               ("location_type", "location_description", "narrative")}  # fmt: skip
    for key in ("occurred", "aware"):
        moment = getattr(report, f"{key}_at")
        if moment:
            local = moment.astimezone(PHOENIX)
            initial[f"{key}_date"], initial[f"{key}_time"] = local.date(), local.time()
    return initial


INITIAL: dict[str, Callable[[Report], dict[str, Any]]] = {
    "event": _event,
    "types": lambda report: {"incident_types": list(report.incident_types.all())},
}
SECTIONS = {
    s.slug: s
    for s in [
        Section("reporter", "Reporter and site", ReporterForm,
                ("provider", "site_name", "site_address", "contact_phone")),
        Section("member", "Member", MemberForm,
                ("member_id", "member_last_name", "member_first_name", "member_birth_date",
                 "member_sex", "health_plan", "category")),
        Section("event", "What happened", EventForm,
                ("occurred_at", "aware_at", "location_type", "location_description",
                 "narrative")),
        Section("types", "Incident types", IncidentTypesForm, ()),
        Section("outcome", "Injuries and actions", OutcomeForm,
                ("injuries", "injury_description", "injury_treatment", "immediate_actions",
                 "follow_up")),
    ]
}  # fmt: skip


def task_list(report: Report) -> list[tuple[Section, bool]]:
    missing = missing_items(report)
    return [(section, section.completed(report, missing)) for section in SECTIONS.values()]
