"""The workflow engine (DESIGN §5): transitions are data, one table per report type.

`Workflow.apply` is the only way a report changes state. It checks the role and the reason,
moves the state with a conditional update (so of two people acting at once, one wins and the
other is told, and a double click does nothing twice), writes a history row (who, when, from,
to, reason) and an audit event, all in one transaction. Services wrap it with their side
effects (e-mail, deadlines).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from . import audit
from .roles import has_role


@dataclass(frozen=True)
class Transition:
    """One step of a workflow and every fact about it, in one place: who may take it, what it
    asks for, what it records and who hears of it."""

    name: str  # stable, in URLs and history: "approve"
    label: str  # the button: "Approve"
    sources: frozenset[str]
    target: str
    roles: frozenset[str]  # any one of them may take it
    done: str  # past participle for the audit action: "approved" → "iad.approved"
    needs_reason: bool = False
    # Whose step it is besides the role: "filer" (the filing organization's people) or
    # "reviewer" (the member's health plan, or the agency).
    side: str = "filer"
    kinds: frozenset[str] = frozenset()  # the report kinds it applies to; empty: every kind
    reason_label: str = ""  # the reason field's label; empty: the step asks for no words
    reason_required: str = ""  # the message when a required reason is missing
    submits: bool = False  # the report leaves its preparer: completeness and lateness checked
    choice_field: str = ""  # a field of the report the step chooses from its choices (outcome)
    choice_label: str = ""
    note_field: str = ""  # a field of the report that keeps the reason as well
    addendum: bool = False  # the reason is the reporter's addendum
    history_label: str = ""  # the timeline's words: "Approved" ("… by <person>")
    # Fields of the report the step sets besides its status (a decision's facts), given by its
    # form (`form`, a kit TransitionForm with `facts()`); what the type's rules derive from them
    # is written too, and never taken from the caller.
    records: tuple[str, ...] = ()
    form: Any = None
    message: str = ""  # the e-mail to whoever acts next (no PHI); empty: nobody is told
    tell: Callable[[Any], Iterable[Any]] | None = None  # who acts next, for the report
    link: Callable[[Any], str] | None = None  # the e-mail's link (default: the report's page)
    # What else the step does, in its transaction (report, by): an IAD closed as referred to
    # Quality of Care opens the case.
    then: Callable[[Any, Any], None] | None = None

    @property
    def what_was_done(self) -> str:
        return self.history_label or self.done.replace("_", " ").capitalize()


def transition(
    name: str,
    label: str,
    sources: Iterable[str],
    target: str,
    roles: Iterable[str],
    done: str,
    **facts: Any,
) -> Transition:
    """A Transition from plain collections."""
    return Transition(name, label, frozenset(sources), target, frozenset(roles), done, **facts)


class TransitionRefused(Exception):
    """The transition cannot happen; the message says why, for the person who tried. Nothing
    was changed."""


# Whether this person, holding one of the roles, may take the transition on this report (for
# example: the clinical director of the provider that filed it). Access helpers have already
# made sure the person may see the report.
Guard = Callable[[Any, Any, Transition], bool]


class Workflow:
    def __init__(
        self,
        *,
        audit_noun: str,
        history_model: type[models.Model],
        transitions: Iterable[Transition],
        guard: Guard,
        status_labels: dict[str, str],
    ) -> None:
        self.audit_noun = audit_noun
        self.history_model = history_model
        self.transitions = {t.name: t for t in transitions}
        self.guard = guard
        self.status_labels = status_labels

    def allowed(self, report: Any, user: Any) -> list[Transition]:
        """The transitions this person may take on the report as it stands (for its buttons)."""
        return [t for t in self.transitions.values() if self._permits(report, user, t)]

    def _permits(self, report: Any, user: Any, transition: Transition) -> bool:
        return (
            report.status in transition.sources
            and any(has_role(user, role) for role in transition.roles)
            and self.guard(report, user, transition)
        )

    def check(self, report: Any, name: str, user: Any) -> Transition:
        """The transition, if this person may take it now; else TransitionRefused saying why."""
        transition = self.transitions.get(name)
        if transition is None:
            raise TransitionRefused("That is not something you can do to this report.")
        if report.status not in transition.sources:
            label = self.status_labels.get(report.status, report.status).lower()
            raise TransitionRefused(
                f"This report is now {label}: “{transition.label}” cannot be taken on it. If you "
                "opened this page a while ago, someone else may have acted on it since. Nothing "
                "was changed."
            )
        if not self._permits(report, user, transition):
            raise TransitionRefused(f"You cannot {transition.label.lower()} this report.")
        return transition

    def apply(
        self,
        report: Any,
        name: str,
        *,
        by: Any,
        reason: str = "",
        request: HttpRequest | None = None,
        changes: dict[str, Any] | None = None,
    ) -> Any:
        """Take transition `name`; returns the history row. `changes` are other fields set in
        the same conditional update (for example the submission time)."""
        transition = self.check(report, name, by)
        reason = reason.strip()
        if transition.needs_reason and not reason:
            raise TransitionRefused(f"Give a reason to {transition.label.lower()} this report.")
        now = timezone.now()
        fields = {"status": transition.target, "status_changed_at": now, **(changes or {})}
        with transaction.atomic():
            # The exact state the person saw: if someone else moved it since, nothing happens.
            updated = (
                type(report).objects.filter(pk=report.pk, status=report.status).update(**fields)
            )
            if updated != 1:
                current = type(report).objects.filter(pk=report.pk).values_list("status", flat=True)
                raise TransitionRefused(self._moved_on(current.first() or "", transition))
            source = report.status
            for field, value in fields.items():
                setattr(report, field, value)
            row = self.history_model.objects.create(  # type: ignore[attr-defined]
                report=report, at=now, actor=by, transition=name,
                from_status=source, to_status=transition.target, reason=reason,
            )  # fmt: skip
            audit.record(
                f"{self.audit_noun}.{transition.done}", actor=by, target=report,
                organization=getattr(by, "organization", None), request=request,
                data={"from": source, "to": transition.target},
            )  # fmt: skip
        return row

    def _moved_on(self, status: str, transition: Transition) -> str:
        label = self.status_labels.get(status, status).lower()
        return (
            f"Someone else has already acted on this report: it is now {label}. Nothing was "
            f"changed by your request to {transition.label.lower()} it."
        )
