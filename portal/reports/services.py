"""State changes of reports of every type: one atomic function per change, with its history
row, audit event and e-mail to whoever must act next (DESIGN §3).

Services accept only the fields a type's sections declare and check the type's field rules
themselves: a caller (a form today, an API later) can never set `status` or `organization`.
"""

import copy
import uuid
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from portal.accounts.models import User
from portal.core import audit
from portal.core.workflow import TransitionRefused

from .access import may_edit
from .notifications import notify_next
from .plans import outside_own_plans, plan_not_confirmed
from .types import Missing, ReportType, type_of, type_of_kind

SUBMITTED = "This report was submitted: it can no longer be changed."


def start_report(
    kind: str, *, by: User, client_key: uuid.UUID | None = None, request: HttpRequest | None = None
) -> Any:
    """A new draft of this kind filed by `by`'s organization (a provider files about itself).
    With the start page's `client_key`, sending that page again returns the draft it made: one
    row and one `<type>.created` however many times the page is posted (ADR 0016)."""
    rtype = type_of_kind(kind)
    if rtype.kind(kind) not in rtype.kinds_filed_by(by) or by.organization is None:
        raise PermissionDenied
    made = _draft_made_with(rtype, by, client_key)
    if made is not None:
        return made
    model: Any = rtype.model
    provider = by.organization if by.organization.kind == "provider" else None
    with transaction.atomic():
        try:
            # A savepoint: a concurrent POST of the same page that committed first makes the
            # insert fail here without spoiling the caller's transaction.
            with transaction.atomic():
                report = model.objects.create(
                    kind=kind,
                    organization=by.organization,
                    preparer=by,
                    client_key=client_key,
                    provider=provider,
                    status=rtype.editable[0],
                )
        except IntegrityError:
            made = _draft_made_with(rtype, by, client_key)
            if made is None:
                raise
            return made
        audit.record(
            f"{rtype.slug}.created",
            actor=by,
            organization=by.organization,
            target=report,
            request=request,
        )
    return report


def _draft_made_with(rtype: ReportType, by: User, client_key: uuid.UUID | None) -> Any:
    """The report this person already started from the page with this key; never another
    person's, whatever key they send."""
    if client_key is None:
        return None
    model: Any = rtype.model
    return model.objects.filter(preparer=by, client_key=client_key).first()


def update_draft(
    report: Any,
    changes: dict[str, Any],
    *,
    by: User,
    section: str | None = None,
    request: HttpRequest | None = None,
    plan_confirmed: bool = False,
) -> list[str]:
    """Save fields of a draft (or a returned report): those of one section when `section` is
    given, else of any section; returns the fields that changed. The type's rules check the
    values (ValidationError, nothing saved) and its derived fields (the deadline) follow. A
    health plan outside the filer's own needs `plan_confirmed`, and is recorded (ADR 0022)."""
    rtype = type_of(report)
    _check_filer(report, by)
    _check_declared(rtype, changes, section)
    with transaction.atomic():
        # Compare with the stored row: a bound ModelForm has already copied its values onto
        # the in-memory report.
        stored = locked_editable(report)
        many = {name for name in changes if stored._meta.get_field(name).many_to_many}
        changed = sorted(
            name
            for name, value in changes.items()
            if name not in many and getattr(stored, name) != value
        )
        for name, value in changes.items():
            if name not in many:
                setattr(stored, name, value)
        rtype.check(stored)
        uncontracted = "health_plan" in changed and _uncontracted(stored, plan_confirmed)
        for name in many:
            chosen = {item.pk for item in changes[name] or []}
            if chosen != set(getattr(stored, name).values_list("pk", flat=True)):
                getattr(stored, name).set(chosen)
                changed.append(name)
        rtype.derive(stored)
        stored.updated_at = timezone.now()
        _save_checked(rtype, stored)
        if changed:
            audit.record(
                f"{rtype.slug}.changed",
                actor=by,
                organization=by.organization,
                target=stored,
                request=request,
                data={"fields": changed},
            )
        if uncontracted:
            audit.record(
                f"{rtype.slug}.uncontracted_plan_chosen",
                actor=by,
                organization=by.organization,
                target=stored,
                request=request,
                data={"health_plan": stored.health_plan_id},
            )
    report.refresh_from_db()
    return changed


def _uncontracted(report: Any, confirmed: bool) -> bool:
    """Whether the report's new plan is outside its filer's own (that plan will see it); refused
    unless the filer confirmed it."""
    if not outside_own_plans(report.organization, report.health_plan):
        return False
    if not confirmed:
        raise plan_not_confirmed(report, report.health_plan)
    return True


def _save_checked(rtype: ReportType, report: Any) -> None:
    """Save; when a constraint of the type refuses the row (another person's save won a race
    the rules checked before it), the type's rules say why in words."""
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        rtype.check(report)
        raise


def _check_declared(rtype: ReportType, changes: dict[str, Any], section: str | None) -> None:
    chosen = rtype.section(section) if section else None
    if section and chosen is None:
        raise ValueError(f"{rtype.slug} has no section {section!r}.")
    sections = [chosen] if chosen else rtype.sections
    allowed = {name for s in sections for name in s.fields}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"Not fields of the draft's sections: {', '.join(sorted(unknown))}.")


def missing(report: Any) -> list[Missing]:
    """What the report still lacks before it can be submitted, section by section."""
    rtype = type_of(report)
    lacking = [
        Missing(section.slug, words)
        for section in rtype.sections
        for name, words in section.required.items()
        if not _filled(report, name)
    ]
    # In the order of the task list: the type's own needs beside their section's fields.
    order = {section.slug: n for n, section in enumerate(rtype.sections)}
    every = lacking + rtype.extra_missing(report)
    return sorted(every, key=lambda item: order.get(item.section, len(order)))


def missing_items(report: Any) -> list[str]:
    """What the report still lacks, in words for the person."""
    return [item.words for item in missing(report)]


def _filled(report: Any, name: str) -> bool:
    if report._meta.get_field(name).many_to_many:
        return bool(getattr(report, name).exists())
    value = getattr(report, name)
    return value is not None and value != ""


def task_list(report: Any) -> list[tuple[Any, str]]:
    """Each section of the draft with its state: "Completed", "Not finished" (something it
    needs is missing) or "Not started" (an optional section nothing was entered in)."""
    lacking = {item.section for item in missing(report)}
    states = []
    for section in type_of(report).sections:
        entered = any(_filled(report, name) for name in section.fields)
        if section.slug in lacking:
            states.append((section, "Not finished"))
        else:
            states.append((section, "Completed" if entered else "Not started"))
    return states


def take_transition(
    report: Any,
    name: str,
    *,
    by: User,
    reason: str = "",
    choice: str = "",
    facts: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Any:
    """Take the step `name` with what its page collected: a reason (or answer), a choice (the
    review's outcome), the facts it records (`Transition.records`). Returns the history row;
    TransitionRefused says why nothing changed, ValidationError which fact makes no sense."""
    rtype = type_of(report)
    step = rtype.workflow.check(report, name, by)
    changes: dict[str, Any] = {}
    if step.submits:
        changes = _submission(report, reason)
    elif report.status in rtype.editable and step.target not in rtype.editable:
        _check_complete(report)  # a corrected report goes on complete, as it first did
    if step.choice_field:
        changes |= _chosen(report, step.choice_field, step.choice_label, choice)
    if step.note_field:
        changes[step.note_field] = reason.strip()
    if step.records or facts:
        changes |= _recorded(rtype, report, step, facts or {})
    with transaction.atomic():
        row = rtype.workflow.apply(
            report,
            name,
            by=by,
            request=request,
            changes=changes,
            reason="" if step.submits else reason,
        )
        if step.addendum:
            rtype.addendum_model.objects.create(  # type: ignore[attr-defined]
                report=report, author=by, text=reason.strip()
            )
        if step.then is not None:
            step.then(report, by)
        notify_next(report, step)
    return row


def submit_report(
    report: Any, *, by: User, late_reason: str = "", request: HttpRequest | None = None
) -> Any:
    """Send the draft on with the submitting step of its kind (an IAD to its clinical
    director, an IRF straight to review)."""
    steps = type_of(report).workflow.transitions.values()
    step = next(s for s in steps if s.submits and (not s.kinds or report.kind in s.kinds))
    return take_transition(report, step.name, by=by, reason=late_reason, request=request)


def _check_complete(report: Any) -> None:
    lacking = missing_items(report)
    if lacking:
        raise TransitionRefused("Before submitting, add " + ", ".join(lacking) + ".")


def _submission(report: Any, late_reason: str) -> dict[str, Any]:
    _check_complete(report)
    now = timezone.now()
    late = report.due_at is not None and now > report.due_at
    if late and not late_reason.strip():
        raise TransitionRefused("This report is late: say why it is submitted after its due time.")
    return {"submitted_at": now, "late_reason": late_reason.strip() if late else ""}


def _recorded(rtype: ReportType, report: Any, step: Any, facts: dict[str, Any]) -> dict[str, Any]:
    """The facts the step records (only those it declares: `Transition.records`), checked by
    the type's rules on the report as it would stand after the step, and the fields the rules
    derive from them (never given by the caller)."""
    unknown = set(facts) - set(step.records)
    if unknown:
        raise ValueError(f"Not facts the step {step.name!r} records: {', '.join(sorted(unknown))}.")
    after = copy.copy(report)
    for name, value in facts.items():
        setattr(after, name, value)
    after.status = step.target
    rtype.check(after)
    rtype.derive(after)
    derived = {
        field.attname: getattr(after, field.attname)
        for field in report._meta.concrete_fields
        if field.name not in facts
        and field.name != "status"
        and getattr(after, field.attname) != getattr(report, field.attname)
    }
    return {**{name: getattr(after, name) for name in facts}, **derived}


def _chosen(report: Any, name: str, label: str, value: str) -> dict[str, str]:
    choices = {str(key) for key, _ in report._meta.get_field(name).choices or []}
    if value not in choices:
        raise TransitionRefused(f"Choose the {label.lower()}.")
    return {name: value}


def late(report: Any, now: datetime | None = None) -> bool:
    """Whether submitting now would be late."""
    return report.due_at is not None and (now or timezone.now()) > report.due_at


# --- Repeating items (people involved, who was told) ------------------------------------------


def add_to_draft(report: Any, item: Any, *, by: User, request: HttpRequest | None = None) -> None:
    """Add an item (unsaved) of one of the type's lists to a draft."""
    _check_item_model(report, item)
    _change_list(report, by, request, item._meta.model_name, lambda: _save(item, report))


def remove_from_draft(
    report: Any, item: Any, *, by: User, request: HttpRequest | None = None
) -> None:
    """Remove an item of one of the type's lists from this draft."""
    _check_item_model(report, item)
    if item.report_id != report.pk:
        raise PermissionDenied
    _change_list(report, by, request, item._meta.model_name, item.delete)


def _check_item_model(report: Any, item: Any) -> None:
    models = {getattr(report, i.related_name).model for i in type_of(report).item_lists}
    if type(item) not in models:
        raise ValueError(f"{type(item).__name__} is not an item list of this report.")


def _save(item: Any, report: Any) -> None:
    item.report = report
    item.full_clean(exclude=["report"])
    item.save()


def _change_list(
    report: Any, by: User, request: HttpRequest | None, name: str, change: Any
) -> None:
    _check_filer(report, by)
    rtype = type_of(report)
    with transaction.atomic():
        stored = locked_editable(report)
        change()
        audit.record(
            f"{rtype.slug}.changed",
            actor=by,
            organization=by.organization,
            target=stored,
            request=request,
            data={"fields": [name]},
        )


def _check_filer(report: Any, by: User) -> None:
    if not may_edit(by, report):
        raise PermissionDenied


def locked_editable(report: Any) -> Any:
    """The report's row, locked until the transaction ends; TransitionRefused once it has left
    its filer."""
    stored = type(report).objects.select_for_update().get(pk=report.pk)
    if stored.status not in type_of(report).editable:
        raise TransitionRefused(SUBMITTED)
    return stored


def check_editable(report: Any) -> None:
    """TransitionRefused when the report has left its filer."""
    if report.status not in type_of(report).editable:
        raise TransitionRefused(SUBMITTED)
