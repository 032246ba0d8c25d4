"""What the kit's contract tests need from each report type: how to make a complete report in
any state, and which of its roles each person of the contract holds. A type's tests declare it
as `CONTRACT` in `<app>/tests/contract.py`; `contract_for()` finds it."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.db import connection
from django.template.backends.django import Template

from .types import ReportType, type_of


@dataclass(frozen=True)
class Contract:
    # Makes a complete report of this kind (its provider's own), saved, in any status:
    # make(kind, status, organization=…, preparer=…, health_plan=…).
    make: Callable[..., Any]
    # The type's roles held by each person of the contract: "filer" (at the provider),
    # "approver" (at the provider, for types that have one), "reviewer" and "redactor" (at the
    # member's plan and at the agency); "plan" when the member's plan holds other roles than
    # the reviewer's (OHR: plans file and read, the agency decides). See `holds`.
    roles: dict[str, tuple[str, ...]]
    provider_kind: str  # the kind a provider files
    text_field: str  # a free-text field a redacted copy keeps, where identifiers are planted
    review_step: str  # a reviewer's step that asks for a reason (its source: a filed state)
    add_item: Callable[[Any], None] = lambda report: None  # one more row shown on its page
    # What a step that records facts is given (`Transition.records`): (report, step) → facts.
    facts: Callable[[Any, str], dict[str, Any]] = lambda report, step: {}
    # Where the filer works: "provider" (the report is about its own service), or "plan" (a
    # member's plan files about its own member: an IRF, an OHR notification, a QoC case).
    filer_side: str = "provider"
    # For steps of a type's own sides (`ReportType.sides`): the people of the contract whose
    # step it is on the reports `make` makes ("plan_reviewer", "agency_reviewer"…).
    sides: dict[str, frozenset[str]] = field(default_factory=dict)

    def holds(self, word: str) -> tuple[str, ...]:
        """The roles of one person of the contract; the member's plan ("plan") holds the
        reviewer's unless the type says otherwise."""
        if word == "plan":
            return self.roles.get("plan", self.roles["reviewer"])
        return self.roles[word]


def add_history_row(report: Any) -> None:
    """One more row of the report's history timeline (a contract's `add_item`)."""
    type_of(report).history_model.objects.create(
        report=report,
        actor=report.preparer,
        transition="submit",
        from_status="draft",
        to_status="submitted",
    )


def contract_for(rtype: ReportType) -> Contract:
    """The type's contract (`CONTRACT` in `<app>/tests/contract.py`)."""
    return contracts_for(rtype)[0]


def contracts_for(rtype: ReportType) -> list[Contract]:
    """Every contract the type keeps: `CONTRACT`, and `MORE_CONTRACTS` for other ways it is
    filed (a type plans file as well as providers)."""
    app = rtype.model._meta.app_config
    if app is None:
        raise LookupError(f"{rtype.slug}'s model belongs to no installed app.")
    module = import_module(f"{app.name}.tests.contract")
    return [module.CONTRACT, *getattr(module, "MORE_CONTRACTS", [])]


@contextmanager
def no_queries_while_rendering() -> Iterator[None]:
    """Django templates render while every query they run is written down; leaving the block
    fails (AssertionError naming them) if any ran: what a page shows is read by its view, never
    lazily by the template. Written down rather than refused, as `{% if a or b %}` would take
    a refusal for False and quietly leave that part of the page out."""
    rendering = Template.render
    ran: list[str] = []

    def note(execute: Any, sql: str, *args: Any) -> Any:
        ran.append(sql)
        return execute(sql, *args)

    def render(self: Template, *args: Any, **kwargs: Any) -> Any:
        with connection.execute_wrapper(note):
            return rendering(self, *args, **kwargs)

    Template.render = render  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        Template.render = rendering  # type: ignore[method-assign]
    if ran:
        raise AssertionError(f"Queries ran while a page rendered: {ran}")
