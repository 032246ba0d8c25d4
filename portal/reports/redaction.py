"""Redacted copies for the oversight committees, for every type that declares redaction: the
copy's content, its suggestions, and the services that make, save and release it."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from portal.accounts.models import User
from portal.core import audit
from portal.core.business_days import PHOENIX
from portal.core.identifiers import Known
from portal.core.redaction import Suggestion, leftovers, redact, suggest
from portal.core.workflow import TransitionRefused
from portal.registry.models import Organization

from .access import may_redact
from .notifications import notify_committee
from .types import Redaction, type_of


def _spec(report: Any) -> Redaction:
    spec = type_of(report).redaction
    if spec is None:
        raise LookupError(f"{type(report).__name__} declares no redaction.")
    return spec


def copy_texts(report: Any) -> list[str]:
    """Every text a copy keeps, in the order the copy shows them."""
    return [getattr(report, name) for name in _spec(report).text_fields] + [
        addendum.text for addendum in report.addenda.all()
    ]


def suggestions_for(report: Any) -> list[Suggestion]:
    return suggest(copy_texts(report), _spec(report).known_values(report))


def redacted_content(report: Any, phrases: list[str]) -> dict[str, object]:
    """The snapshot a copy stores: each kept text with the phrases removed."""
    content: dict[str, object] = {
        name: redact(getattr(report, name), phrases) for name in _spec(report).text_fields
    }
    content["addenda"] = [redact(a.text, phrases) for a in report.addenda.all()]
    # What the tool suggested at this save: a phrase it suggests later (a new addendum) starts
    # marked for removal.
    content["suggested"] = [suggestion.phrase for suggestion in suggestions_for(report)]
    return content


def kept_texts(copy: Any) -> list[tuple[str, str]]:
    """The copy's texts with their labels, for the committee's document."""
    fields = _spec(copy.report).text_fields
    return [(label, str(copy.content.get(name, ""))) for name, label in fields.items()]


def still_identifying(copy: Any) -> list[tuple[str, str, str]]:
    """The report's own identifying values still in the copy as saved, in any spelling:
    (where, why, as written). A copy with any cannot be released."""
    texts = kept_texts(copy) + [
        ("Added after submission", str(text)) for text in copy.content.get("addenda", [])
    ]
    return leftovers(texts, _spec(copy.report).known_values(copy.report))


def _leftovers_refusal(found: list[tuple[str, str, str]]) -> str:
    places = "; ".join(
        f"the {why} (\u201c{phrase}\u201d) in \u201c{where}\u201d" for where, why, phrase in found
    )
    return (
        f"The copy still identifies someone: {places}. Remove these words on the redaction "
        "page, save, then release."
    )


def start_redaction(report: Any, *, by: User, request: HttpRequest | None = None) -> Any:
    """The report's redacted copy, made now with every suggested phrase marked for removal
    (the redactor then rejects what should stay); the existing copy if there is one."""
    rtype = type_of(report)
    model: Any = rtype.copy_model
    if not may_redact(by, report):
        raise PermissionDenied
    with transaction.atomic():
        # Locking the report makes two clicks at once find one copy, not make two.
        stored = type(report).objects.select_for_update(of=("self",)).get(pk=report.pk)
        existing = model.objects.filter(report=stored).first()
        if existing:
            return existing
        phrases = [suggestion.phrase for suggestion in suggestions_for(stored)]
        copy = model.objects.create(
            report=stored,
            created_by=by,
            removed_phrases=phrases,
            content=redacted_content(stored, phrases),
        )
        audit.record(
            f"{rtype.slug}.copy_started",
            actor=by,
            target=copy,
            request=request,
            data={"report": str(stored.code), "suggested": len(phrases)},
        )
    return copy


def save_redaction(
    copy: Any, phrases: Iterable[str], *, by: User, request: HttpRequest | None = None
) -> None:
    """Keep the phrases to remove and the text as it now reads; a released copy is fixed."""
    rtype = type_of(copy.report)
    if not may_redact(by, copy.report):
        raise PermissionDenied
    chosen = sorted({" ".join(p.split()) for p in phrases if p.strip()}, key=str.casefold)
    with transaction.atomic():
        stored = type(copy).objects.select_for_update().get(pk=copy.pk)
        if stored.status != stored.Status.DRAFT:
            raise TransitionRefused("This copy was released: it can no longer be changed.")
        stored.removed_phrases = chosen
        stored.content = redacted_content(copy.report, chosen)
        stored.updated_at = timezone.now()
        stored.save(update_fields=["removed_phrases", "content", "updated_at"])
        audit.record(
            f"{rtype.slug}.copy_redacted",
            actor=by,
            target=stored,
            request=request,
            data={"phrases": len(chosen)},
        )
    copy.refresh_from_db()


def committees_for(report: Any) -> QuerySet[Organization]:
    """The active committees of the region of the provider the report is about (the member's
    region, as the registry knows it); every active committee when that region is unknown."""
    committees = Organization.objects.filter(kind="ioc", status=Organization.Status.ACTIVE)
    provider = report.provider or report.organization
    region = provider.region or (report.health_plan.region if report.health_plan else "")
    in_region = committees.filter(region=region) if region else committees.none()
    return in_region if in_region.exists() else committees


def release_copy(
    copy: Any,
    committee: Organization,
    *,
    by: User,
    reviewed: bool,
    seen: datetime | None = None,
    request: HttpRequest | None = None,
) -> None:
    """Release the copy to a committee, exactly as the redactor read it: `reviewed` is their
    word that they read it as the committee will, `seen` the save they read (a copy saved again
    since, in another tab or by a colleague, is refused). Its members hear of it by e-mail (a
    link, no detail)."""
    rtype = type_of(copy.report)
    if not may_redact(by, copy.report):
        raise PermissionDenied
    if not reviewed:
        raise TransitionRefused("Read the copy as the committee will, and confirm that you did.")
    if not committees_for(copy.report).filter(pk=committee.pk).exists():
        raise TransitionRefused("Choose the oversight committee of the member's region.")
    found = still_identifying(copy)
    if found:
        raise TransitionRefused(_leftovers_refusal(found))
    now = timezone.now()
    with transaction.atomic():
        as_read = {"updated_at": seen} if seen is not None else {}
        released = (
            type(copy)
            .objects.filter(pk=copy.pk, status=copy.Status.DRAFT, **as_read)
            .update(
                status=copy.Status.RELEASED,
                committee=committee,
                released_by=by,
                released_at=now,
                updated_at=now,
            )
        )
        if released != 1:
            raise TransitionRefused(_not_as_read(copy))
        audit.record(
            f"{rtype.slug}.copy_released",
            actor=by,
            target=copy,
            request=request,
            data={"committee": str(committee.code)},
        )
        notify_committee(copy, committee)
    copy.refresh_from_db()


def _not_as_read(copy: Any) -> str:
    current = type(copy).objects.filter(pk=copy.pk).values_list("status", flat=True).first()
    if current == copy.Status.RELEASED:
        return "This copy was already released."
    return (
        "The copy was saved again after you opened this page: read it once more below, then "
        "release it."
    )


# --- The member's identifying values, for every type's `known_values` ------------------------


def member_names(report: Any) -> list[Known]:
    """The member's name, first name first and last name first; each part is looked for
    alone too (`Known.name`)."""
    first, last = report.member_first_name.strip(), report.member_last_name.strip()
    return [
        Known("member's name", f"{first} {last}", name=True),
        Known("member's name", f"{last}, {first}", name=True),
    ]


def birth_date(report: Any) -> list[Known]:
    """The member's date of birth, looked for in every spelling of a date."""
    day = report.member_birth_date
    return [Known("date of birth", day)] if day else []


def person_names(label: str, name: str) -> list[Known]:
    """A person's name, whole and part by part."""
    return [Known(label, name, name=True)]


def member_age(report: Any, moment: datetime | None) -> str:
    """Age in years at `moment`; 90 and over is one band, as the HIPAA de-identification
    standard asks."""
    born = report.member_birth_date
    if born is None or moment is None:
        return "Not given"
    on = moment.astimezone(PHOENIX).date()
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return "90 or older" if years >= 90 else str(years)


# --- What a committee reads ----------------------------------------------------------------


@dataclass(frozen=True)
class CopyDocument:
    """What a committee may read of any report: a type's document adds its own fields. Its
    templates get this, never the report, so a field left out cannot reach a committee."""

    code: str
    kind: str
    released_at: object
    committee: str
    provider: str
    health_plan: str
    category: str
    member_age: str
    happened: str  # the month, never the day
    injuries: str
    status: str
    texts: list[tuple[str, str]]
    addenda: list[str]


def document_fields(copy: Any, moment: datetime | None) -> dict[str, Any]:
    """The `CopyDocument` fields of a copy (loaded with its report, provider, plan and
    committee) about an event at `moment`."""
    report = copy.report
    local = moment.astimezone(PHOENIX) if moment else None
    return {
        "code": str(copy.code),
        "kind": report.get_kind_display(),
        "released_at": copy.released_at,
        "committee": copy.committee.name if copy.committee else "",
        "provider": report.provider.name if report.provider else "",
        "health_plan": report.health_plan.name if report.health_plan else "",
        "category": report.get_category_display(),
        "member_age": member_age(report, moment),
        "happened": f"{local:%B %Y}" if local else "Not given",
        "injuries": {True: "Yes", False: "No", None: "Not given"}[report.injuries],
        "status": report.get_status_display(),
        "texts": kept_texts(copy),
        "addenda": [str(text) for text in copy.content.get("addenda", [])],
    }
