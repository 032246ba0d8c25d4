"""A report type declared once (as a `ModelAdmin` declares an admin page): its models, kinds,
workflow, sections, lists and a few hooks for its domain rules. The kit turns the declaration
into pages, services, lists, exports, reminders and home-page counts.

An application declares its type in `<app>/report_types.py` with `register(ReportType(...))`;
`autodiscover()` imports those modules when the apps are ready.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import Any, cast

from django import forms
from django.apps import apps
from django.db import models
from django.db.models import Q

from portal.core.home import Waiting
from portal.core.roles import has_role
from portal.core.workflow import Transition, Workflow

from .models import Companions


@dataclass(frozen=True)
class Kind:
    """One kind of report a type files (IAD or IRF): who files it and how the start page
    presents it. Kind values are unique across the portal."""

    value: str  # the report's `kind` (its label comes from the field's choices)
    filer_role: str
    title: str  # the start page's heading for it
    blurb: str
    start_label: str  # the start button
    escalate_role: str = ""  # also reminded when a draft of this kind is overdue


@dataclass(frozen=True)
class Section:
    """One question page of a draft. `fields` are the report fields it fills (the service
    accepts no others); `required` names each one needed before submission, in words."""

    slug: str
    title: str
    form_class: type[forms.BaseForm]
    fields: tuple[str, ...]
    required: dict[str, str] = field(default_factory=dict)
    initial: Callable[[Any], dict[str, Any]] | None = None  # for a plain (non-model) form

    def form(self, report: Any, data: Any) -> forms.BaseForm:
        if issubclass(self.form_class, forms.ModelForm):
            return self.form_class(data, instance=report)
        return self.form_class(data, initial=self.initial(report) if self.initial else {})

    def changes(self, form: forms.BaseForm) -> dict[str, Any]:
        data = form.cleaned_data
        return {name: data[name] for name in self.fields if name in data}


@dataclass(frozen=True)
class Missing:
    """Something a report lacks before submission, and the section where it is given."""

    section: str
    words: str


@dataclass(frozen=True)
class ItemList:
    """Repeating sub-items of a draft (people involved, who was told): a page that lists them
    with remove buttons and a form to add one."""

    slug: str
    title: str
    related_name: str
    form_class: type[forms.ModelForm]  # type: ignore[type-arg]
    add_heading: str  # "Add a person"
    describe: Callable[[Any], str]  # one line per item
    name: Callable[[Any], str]  # what its remove button names, for screen readers


@dataclass(frozen=True)
class Tab:
    """A tab of the list page: the rows of the visible reports it keeps, for holders of
    `roles` (everyone when empty)."""

    key: str
    label: str
    roles: tuple[str, ...]
    rows: Callable[[Any], Q]  # user → condition


@dataclass(frozen=True)
class Column:
    """A sortable column of the list: heading, what it orders by, the cell of a report."""

    key: str
    heading: str
    by: str  # for the table caption: "sorted by <by>"
    order: tuple[Any, ...]  # expressions
    cell: Callable[[Any], str]
    descending_first: bool = False
    # Only columns that can be empty say where empties go: "NULLS LAST" on a column that is
    # never null would stop PostgreSQL from reading the rows in the order of an index.
    nullable: bool = False
    # The fields `cell` reads ("provider__name" through a relation) when they are not the F()
    # names of `order`: the list loads those alone.
    reads: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        if self.reads:
            return self.reads
        return tuple(cast(Any, e).name for e in self.order if isinstance(e, models.F))


@dataclass(frozen=True)
class Redaction:
    """What a committee may read of a report: the free text kept (with phrases removed), the
    report's own identifying values, and the document every committee page renders."""

    text_fields: dict[str, str]  # field → label
    known_values: Callable[[Any], list[Any]]  # report → its `Known` values (or (why, value))
    document: Callable[[Any], Any]  # copy → the committee's document
    # What `document` reads, loaded with the copy.
    copy_related: tuple[str, ...] = ("report__provider", "report__health_plan")
    copy_prefetch: tuple[str, ...] = ()
    inbox_prefetch: tuple[str, ...] = ()
    inbox_detail: Callable[[Any], str] = lambda copy: ""  # a line for the committee's inbox

    @classmethod
    def of(cls, module: Any, **options: Any) -> "Redaction":
        """From a type's redaction module: its TEXT_FIELDS, known_values, document_for and
        inbox_detail."""
        return cls(
            text_fields=module.TEXT_FIELDS,
            known_values=module.known_values,
            document=module.document_for,
            inbox_detail=module.inbox_detail,
            **options,
        )


@dataclass
class ReportType:
    """Everything the kit needs to know about one report type."""

    slug: str  # URL namespace, audit noun, template folder: "iad"
    title: str  # the list page: "Incident reports"
    noun: str  # in sentences and e-mails: "incident report"
    model: type[models.Model]
    companions: Companions  # its history, addenda, reminders, attachments and copies
    kinds: tuple[Kind, ...]
    transitions: list[Transition]
    editable: tuple[str, ...]  # statuses in which the filer changes the draft
    private: tuple[str, ...]  # statuses in which only the filing organization sees it
    sections: tuple[Section, ...]
    tabs: tuple[Tab, ...]
    columns: tuple[Column, ...]  # the first one is the report's own link
    default_sort: str
    filterset: type[Any]
    export_headers: tuple[str, ...]
    export_rows: Callable[[Any], Iterator[tuple[Any, ...]]]
    export_name: str  # the download's file name before its date: "incident-reports"
    roles: tuple[str, ...]  # every role of the application: nobody else reaches its pages
    item_lists: tuple[ItemList, ...] = ()
    redaction: Redaction | None = None
    redactor_role: str = ""
    # The domain's rules: a module (or object) with any of `derive(report)` (the deadline and
    # other derived fields), `extra_missing(report)` (what submission needs beyond the
    # sections' required fields), `check(report)` (ValidationError for values that make no
    # sense) and `tags(report)` (words shown beside the report's name; `TAGS_READ` names the
    # fields it reads, the only ones the list loads besides its columns').
    rules: Any = None
    home: Callable[[Any, "ReportType"], list[Waiting]] = lambda user, rtype: []
    demo: str = ""  # the dotted path of its demo stories: a function returning how many it made
    # Reminders the daily job sends for the type besides the drafts' deadlines:
    # `reminders(dry_run=…)` returns {what was reminded, in words: how many}.
    reminders: Callable[..., dict[str, int]] | None = None
    due_label: str = "Due"  # what the report page calls its deadline ("Part A due")
    short_noun: str = "report"  # after the kind's label on its pages: "IAD report 3f9c0a12"
    # What the attachments page asks for, in the type's words.
    attachments_hint: str = "Add papers or pictures that support the report. This part is optional."
    report_related: tuple[str, ...] = ("organization", "provider", "health_plan", "preparer")
    # The kinds of organization whose people use the type's pages (any when empty): a provider
    # holding `qoc.submitter` answers Quality of Care's requests on that app's own pages, but
    # has no case list and opens no case.
    organization_kinds: frozenset[str] = frozenset()
    # Which filed reports a health plan, TRBHA or provider sees besides its own filings:
    # organization → condition (None: none). By default a plan sees its members' and its
    # contracted providers' (SPEC §1.4); the agency sees every filed report whatever this says.
    seen_by: Callable[[Any], Q | None] | None = None
    # Steps that belong to other people than the filer's or the reviewer's side
    # (`Transition.side`): side → (report, user) → whether it is theirs.
    sides: dict[str, Callable[[Any, Any], bool]] = field(default_factory=dict)
    # What the report page shows besides the report (report, user) → context: a type's own
    # parts and buttons.
    page_context: Callable[[Any, Any], dict[str, Any]] = lambda report, user: {}
    report_prefetch: tuple[str, ...] = ()  # what the report page and PDF read besides its row
    workflow: Workflow = field(init=False)

    def __post_init__(self) -> None:
        from .workflow import may_act

        status = self.model._meta.get_field("status")
        self.workflow = Workflow(
            audit_noun=self.slug,
            history_model=self.history_model,
            transitions=self.transitions,
            guard=may_act,
            status_labels={str(k): str(v) for k, v in status.choices or []},  # type: ignore[union-attr]
        )

    def derive(self, report: Any) -> None:
        getattr(self.rules, "derive", _nothing)(report)

    def extra_missing(self, report: Any) -> list[Missing]:
        return list(getattr(self.rules, "extra_missing", _none)(report))

    def check(self, report: Any) -> None:
        getattr(self.rules, "check", _nothing)(report)

    def row_tags(self, report: Any) -> list[str]:
        return list(getattr(self.rules, "tags", _none)(report))

    @property
    def row_fields(self) -> tuple[str, ...]:
        """What a list row reads: its name (kind and code), the fields its tags read (the
        rules' `TAGS_READ`) and its columns'. The list loads these alone: a field left out is
        one more query per row, which the kit's query-count contract test catches."""
        tags = tuple(getattr(self.rules, "TAGS_READ", ()))
        columns = (name for column in self.columns for name in column.fields)
        return tuple(dict.fromkeys(("kind", "code", *tags, *columns)))

    @property
    def history_model(self) -> Any:
        return self.companions.history

    @property
    def addendum_model(self) -> Any:
        return self.companions.addendum

    @property
    def attachment_model(self) -> Any:
        return self.companions.attachment

    @property
    def reminder_model(self) -> Any:
        return self.companions.reminder

    @property
    def copy_model(self) -> Any:
        """The type's redacted copies (kept whether or not it declares redaction)."""
        return self.companions.copy

    @property
    def filer_roles(self) -> tuple[str, ...]:
        return tuple(kind.filer_role for kind in self.kinds)

    def used_by(self, user: Any) -> bool:
        """Whether this person's organization is of a kind that uses the type's pages."""
        organization = getattr(user, "organization", None)
        return not self.organization_kinds or (
            organization is not None and organization.kind in self.organization_kinds
        )

    def kinds_filed_by(self, user: Any) -> list[Kind]:
        """The kinds this person may start."""
        if not self.used_by(user):
            return []
        return [kind for kind in self.kinds if has_role(user, kind.filer_role)]

    def kind(self, value: str) -> Kind:
        return next(kind for kind in self.kinds if kind.value == value)

    def section(self, slug: str) -> Section | None:
        return next((s for s in self.sections if s.slug == slug), None)

    def item_list(self, slug: str) -> ItemList | None:
        return next((i for i in self.item_lists if i.slug == slug), None)

    def url(self, name: str) -> str:
        """The namespaced URL name of one of the kit's pages for this type."""
        return f"{self.slug}:{name}"

    @property
    def urls(self) -> dict[str, str]:
        """URL names by page, for templates: `{% url rt.urls.report code %}`."""
        return {name: self.url(name) for name in PAGES}

    @property
    def content_template(self) -> str:
        """The report's own content, shared by its page and its PDF."""
        return f"{self.slug}/includes/report_content.html"

    @property
    def copy_template(self) -> str:
        """A redacted copy's content, from the type's committee document."""
        return f"{self.slug}/includes/copy_content.html"

    @property
    def statuses(self) -> dict[str, str]:
        return self.workflow.status_labels

    def filed(self, report: Any) -> bool:
        return report.status not in self.private


def _nothing(report: Any) -> None:
    return None


def _none(report: Any) -> list[Any]:
    return []


def listing_of(module: Any) -> dict[str, Any]:
    """A type's list, from its lists module: TABS, COLUMNS, DEFAULT_SORT, EXPORT_HEADERS and
    export_rows (`ReportType(..., **listing_of(lists))`)."""
    return {
        "tabs": module.TABS,
        "columns": module.COLUMNS,
        "default_sort": module.DEFAULT_SORT,
        "export_headers": module.EXPORT_HEADERS,
        "export_rows": module.export_rows,
    }


PAGES = (
    "reports",
    "export",
    "start",
    "draft",
    "edit_items",
    "attachments",
    "edit_section",
    "report",
    "report_pdf",
    "attachment",
    "redact",
    "start_redaction",
    "release",
    "copy",
    "copy_pdf",
    "act",
)

_REGISTRY: dict[str, ReportType] = {}


def register(rtype: ReportType) -> ReportType:
    """Declare a report type to the kit (once; slugs and kind values are unique)."""
    if rtype.slug in _REGISTRY and _REGISTRY[rtype.slug] is not rtype:
        raise ValueError(f"Report type {rtype.slug!r} is declared twice.")
    taken = {
        kind.value for other in _REGISTRY.values() if other is not rtype for kind in other.kinds
    }
    if taken & {kind.value for kind in rtype.kinds}:
        raise ValueError(f"A kind of {rtype.slug!r} is already another type's.")
    _REGISTRY[rtype.slug] = rtype
    return rtype


def registered() -> list[ReportType]:
    return list(_REGISTRY.values())


def get(slug: str) -> ReportType:
    return _REGISTRY[slug]


def type_of(report: Any) -> ReportType:
    """The type of a report (or of a report model)."""
    model = report if isinstance(report, type) else type(report)
    for rtype in _REGISTRY.values():
        if rtype.model is model:
            return rtype
    raise LookupError(f"{model.__name__} is not a registered report model.")


def type_of_kind(value: str) -> ReportType:
    for rtype in _REGISTRY.values():
        if any(kind.value == value for kind in rtype.kinds):
            return rtype
    raise LookupError(f"No report type files {value!r}.")


def with_redaction() -> Iterable[ReportType]:
    return [rtype for rtype in _REGISTRY.values() if rtype.redaction is not None]


def autodiscover() -> None:
    """Import every portal app's `report_types` module, which registers its types."""
    for config in apps.get_app_configs():
        if config.name.startswith("portal.") and find_spec(f"{config.name}.report_types"):
            import_module(f"{config.name}.report_types")
