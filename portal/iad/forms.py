"""Forms of the IAD-IRF application: validation only."""

from typing import Any

from django import forms

from portal.core.workflow import Transition

from .models import Report

REASON_LABELS = {
    "return": ("What the preparer must correct", "Tell the preparer what to correct"),
    "request_info": ("What you need to know", "Say what information you need"),
    "respond": ("Your answer", "Type your answer"),
    "close": ("Note for the record (optional)", ""),
}


class TransitionForm(forms.Form):
    """The few words a transition needs: a reason, an answer, or a review outcome."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=5000,
                             required=False)  # fmt: skip
    outcome = forms.ChoiceField(
        label="Outcome of the review", choices=Report.Outcome.choices,
        widget=forms.RadioSelect, error_messages={"required": "Choose the outcome of the review"},
    )  # fmt: skip

    def __init__(self, *args: Any, transition: Transition, late: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if transition.name != "close":
            del self.fields["outcome"]
        label, required = REASON_LABELS.get(transition.name, ("", ""))
        if transition.name in {"submit", "file"} and late:
            label, required = ("Why it is submitted after its due time",
                               "Say why the report is late")  # fmt: skip
        if not label:
            del self.fields["reason"]
            return
        self.fields["reason"].label = label
        self.fields["reason"].required = bool(required)
        self.fields["reason"].error_messages["required"] = required
