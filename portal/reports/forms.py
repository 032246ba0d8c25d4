"""Forms every report type shares: a transition's few words, redaction, release, attachments.
Validation only."""

from datetime import datetime
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.template.defaultfilters import pluralize

from portal.core import uploads
from portal.core.redaction import Suggestion, phrase_pattern
from portal.core.workflow import Transition
from portal.registry.models import Organization


class TransitionForm(forms.Form):
    """What a transition asks for, as its declaration says: a reason or an answer, a choice
    among the report's outcomes; a late submission asks why. A step that records facts declares
    a subclass (`Transition.form`) adding their fields and `facts()`."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), max_length=5000, required=False
    )

    def __init__(
        self, *args: Any, transition: Transition, report: Any, late: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choice_name = transition.choice_field
        label, required = transition.reason_label, transition.reason_required
        if transition.submits:
            label, required = "", ""
            if late:
                label, required = (
                    "Why it is submitted after its due time",
                    "Say why the report is late",
                )
        if label:
            self.fields["reason"].label = label
            self.fields["reason"].required = bool(required)
            self.fields["reason"].error_messages["required"] = required
        else:
            del self.fields["reason"]
        if self.choice_name:
            self.fields[self.choice_name] = forms.ChoiceField(
                label=transition.choice_label,
                widget=forms.RadioSelect,
                choices=report._meta.get_field(self.choice_name).choices,
                error_messages={"required": f"Choose the {transition.choice_label.lower()}"},
            )

    def facts(self) -> dict[str, Any]:
        """The report fields the step records, from the cleaned data (`Transition.records`)."""
        return {}


class RedactionForm(forms.Form):
    """Which suggested phrases to remove (all are marked at first) and the redactor's own."""

    remove = forms.MultipleChoiceField(
        label="Suggested for removal", required=False, widget=forms.CheckboxSelectMultiple
    )
    own_phrases = forms.CharField(
        label="Other words or phrases to remove",
        required=False,
        max_length=5000,
        help_text="One per line, as written in the report. Each is removed wherever it "
        "appears, whatever its capitals.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self,
        data: Any,
        *,
        suggestions: list[Suggestion],
        removed: list[str],
        suggested_before: list[str],
        texts: list[str],
    ) -> None:
        known = {s.phrase.casefold() for s in suggestions}
        before = {p.casefold() for p in suggested_before}
        marked = {p.casefold() for p in removed}
        initial = {
            # A phrase suggested for the first time (a new addendum) starts marked.
            "remove": [
                s.phrase
                for s in suggestions
                if s.phrase.casefold() in marked or s.phrase.casefold() not in before
            ],
            "own_phrases": "\n".join(p for p in removed if p.casefold() not in known),
        }
        super().__init__(data, initial=initial)
        cast(forms.MultipleChoiceField, self.fields["remove"]).choices = [
            (s.phrase, f"{s.phrase} ({s.reason}, {s.count} place{pluralize(s.count)})")
            for s in suggestions
        ]
        self.texts = texts

    def clean_own_phrases(self) -> list[str]:
        lines = [" ".join(line.split()) for line in self.cleaned_data["own_phrases"].splitlines()]
        phrases = [line for line in lines if line]
        pattern_for = {phrase: phrase_pattern([phrase]) for phrase in phrases}
        short = [p for p in phrases if len(p) < 2]
        absent = [
            p
            for p, pattern in pattern_for.items()
            if pattern and not any(pattern.search(text) for text in self.texts)
        ]
        if short:
            raise forms.ValidationError("Give phrases of at least 2 characters, one per line")
        if absent:
            listed = ", ".join(f"\u201c{p}\u201d" for p in absent)
            raise forms.ValidationError(
                f"These do not appear in the report: {listed}. Check their spelling"
            )
        return phrases

    def phrases(self) -> list[str]:
        return list(self.cleaned_data["remove"]) + self.cleaned_data["own_phrases"]


class ReleaseForm(forms.Form):
    """The committee, and the redactor's word that they read the copy as it will be read."""

    committee = forms.ModelChoiceField(
        label="Oversight committee",
        queryset=Organization.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the committee to release the copy to",
            "invalid_choice": "Choose one of the committees listed",
        },
    )

    reviewed = forms.BooleanField(
        label="I have read the copy above as the committee will read it, and nothing in it "
        "identifies the member or anyone else",
        error_messages={"required": "Confirm that you have read the copy as the committee will"},
        template_name="uswds/checkbox_field.html",
    )

    # The save of the copy the page showed: a copy saved again since is not released unread.
    seen = forms.DateTimeField(widget=forms.HiddenInput, required=False)

    def __init__(self, data: Any, *, committees: QuerySet[Organization], seen: datetime) -> None:
        single = committees.first() if committees.count() == 1 else None
        super().__init__(data, initial={"committee": single, "seen": seen.isoformat()})
        cast(forms.ModelChoiceField, self.fields["committee"]).queryset = committees


class AttachmentForm(forms.Form):
    """Only that a file was chosen: what is in it is checked when it is attached
    (`portal.core.uploads`), by content."""

    file = forms.FileField(
        allow_empty_file=True,  # the upload check names that problem itself
        error_messages={"required": "Choose a file to attach"},
        widget=forms.FileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["file"]
        field.label = f"File to attach: PDF, PNG or JPEG, up to {uploads.limit_words()}"
        field.help_text = "One file at a time. A PDF protected by a password cannot be attached."
