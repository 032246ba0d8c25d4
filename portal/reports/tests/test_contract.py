"""The contract every report type keeps, checked for each registered type: who sees what
(SPEC §1.4), 404 for outsiders on every page, one audit event per read, constant queries as rows
grow, every state, transition and person against the type's own table, the export equal to the
filtered list, and no identifier of a redacted copy reaching its committee."""

import csv
import io
import itertools
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory
from portal.core.models import AuditEvent
from portal.core.testing import Personas, with_roles
from portal.core.workflow import TransitionRefused
from portal.registry.models import Organization
from portal.registry.tests.factories import HealthPlanFactory
from portal.reports import redaction, services
from portal.reports.testing import Contract, contracts_for, no_queries_while_rendering
from portal.reports.types import ReportType, registered, with_redaction
from portal.reports.visibility import report_by_code, visible_reports

pytestmark = pytest.mark.django_db
# Each type with each of its contracts: "ohr" (a provider files), "ohr-plan" (a plan files).
TYPES = [
    f"{rtype.slug}-{contract.filer_side}" if n else rtype.slug
    for rtype in registered()
    for n, contract in enumerate(contracts_for(rtype))
]


@dataclass(frozen=True)
class Cast:
    """One report type and the people of its contract."""

    rtype: ReportType
    contract: Contract
    people: dict[str, User]
    provider: Organization
    plan: Organization

    def report(self, status: str, **fields: Any) -> Any:
        filer = self.people["filer"]
        about = {
            "organization": filer.organization,
            "provider": self.provider if self.by_provider else None,
            "preparer": filer,
            "health_plan": self.plan,
        }
        return self.contract.make(self.contract.provider_kind, status, **(about | fields))

    @property
    def by_provider(self) -> bool:
        return self.contract.filer_side == "provider"

    @property
    def filers(self) -> set[str]:
        """The people of the filing organization: its drafts are theirs to see."""
        return {"filer", "approver"} if self.by_provider else {"filer", "plan_reviewer"}

    def url(self, report: Any, page: str = "") -> str:
        return f"/{self.rtype.slug}/reports/{report.code}/{page}"

    @property
    def filed(self) -> str:
        """The first status in which the report has left its filing organization."""
        return next(s for s in self.rtype.statuses if s not in self.rtype.private)

    @property
    def draft(self) -> str:
        return self.rtype.editable[0]


@pytest.fixture(params=TYPES)
def cast(request: pytest.FixtureRequest, personas: Personas) -> Cast:
    return _cast(request.param, personas)


@pytest.fixture(params=[rtype.slug for rtype in with_redaction()])
def redacting_cast(request: pytest.FixtureRequest, personas: Personas) -> Cast:
    return _cast(request.param, personas)


def _cast(name: str, personas: Personas) -> Cast:
    slug, _, side = name.partition("-")
    rtype = next(t for t in registered() if t.slug == slug)
    contracts = contracts_for(rtype)
    contract = next(c for c in contracts if c.filer_side == side) if side else contracts[0]
    plan = personas.plan_reviewer.organization
    agency = personas.agency_admin.organization
    assert plan is not None and agency is not None
    for organization in (personas.provider, personas.ioc_member.organization):
        assert organization is not None
        organization.region = "central"
        organization.save()
    holds = contract.holds
    at_plan = contract.filer_side == "plan"
    filer = UserFactory(organization=plan) if at_plan else personas.provider_user
    people = {
        "filer": with_roles(filer, *holds("filer")),
        "approver": with_roles(personas.clinical_director, *holds("approver")),
        "plan_reviewer": with_roles(personas.plan_reviewer, *holds("plan")),
        "agency_reviewer": with_roles(
            UserFactory(organization=agency, account_type="staff"), *holds("reviewer")
        ),
        "other_reviewer": with_roles(UserFactory(organization=HealthPlanFactory()), *holds("plan")),
        "outsider": with_roles(personas.outsider, *holds("filer"), *holds("approver")),
        "redactor": with_roles(UserFactory(organization=plan), *holds("redactor")),
        "ioc_member": with_roles(personas.ioc_member, "ioc.member"),
    }
    return Cast(rtype, contract, people, personas.provider, plan)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Who sees what -------------------------------------------------------------------------------

SEES_FILED = {"filer", "approver", "plan_reviewer", "agency_reviewer", "redactor"}


def test_each_person_sees_what_the_tenancy_rule_allows(cast: Cast) -> None:
    """A draft is its filing organization's (the provider's people, or the plan's); once filed,
    the member's plan and the agency see it too."""
    for status, seeing in ((cast.draft, cast.filers), (cast.filed, SEES_FILED)):
        report = cast.report(status)
        for who, person in cast.people.items():
            if who in {"approver", "redactor"} and not cast.contract.roles[who]:
                continue  # a type without approval or copies gives these people no role in it
            answer = signed_in(person).get(cast.url(report))
            assert answer.status_code == (200 if who in seeing else 404), (status, who)
        assert Client().get(cast.url(report)).status_code == 302


def test_a_report_found_by_its_code_is_exactly_one_the_person_may_see(cast: Cast) -> None:
    """The report pages' fetch (`report_by_code`: compiled once for each kind of organization,
    run with the organization's id) agrees with `visible_reports` for every person and
    state."""
    reports = [cast.report(status) for status in cast.rtype.statuses]
    for who, person in cast.people.items():
        for report in reports:
            found = report_by_code(cast.rtype, person, report.code)
            seen = visible_reports(cast.rtype, person).filter(pk=report.pk).exists()
            expected = report.pk if seen else None
            assert (found.pk if found else None) == expected, (who, report.status)


def test_outsiders_get_404_on_every_page_of_a_report(cast: Cast) -> None:
    draft, filed = cast.report(cast.draft), cast.report(cast.filed)
    pages = [
        cast.url(draft, "draft/"),
        cast.url(draft, "draft/attachments/"),
        cast.url(draft, f"draft/{cast.rtype.sections[0].slug}/"),
        cast.url(filed),
        cast.url(filed, "pdf/"),
        cast.url(filed, "redaction/"),
        cast.url(filed, "redaction/release/"),
        *(cast.url(draft, f"draft/list/{i.slug}/") for i in cast.rtype.item_lists),
        *(cast.url(filed, f"{t.name}/") for t in cast.rtype.transitions),
    ]
    client = signed_in(cast.people["outsider"])
    for page in pages:
        assert client.get(page).status_code == 404, page
        assert client.post(page).status_code in {404, 405}, page


def test_a_read_of_a_report_writes_exactly_one_audit_event(cast: Cast) -> None:
    report = cast.report(cast.filed)
    before = AuditEvent.objects.count()
    assert signed_in(cast.people["plan_reviewer"]).get(cast.url(report)).status_code == 200
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.action, e.target_id) for e in events] == [
        (f"{cast.rtype.slug}.viewed", str(report.code))
    ]


# --- Constant queries as rows grow ----------------------------------------------------------------


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def test_list_home_and_report_pages_keep_their_query_counts_as_rows_grow(cast: Cast) -> None:
    reviewer, filer = signed_in(cast.people["plan_reviewer"]), signed_in(cast.people["filer"])
    lists = f"/{cast.rtype.slug}/reports/"
    report = cast.report(cast.filed)
    cast.report(cast.draft)
    # The first reads fill the kept filter choices and the sessions' activity marks.
    queries(reviewer, lists), queries(filer, "/")
    few = (queries(reviewer, lists), queries(filer, "/"), queries(reviewer, cast.url(report)))
    for _ in range(4):
        cast.report(cast.filed)
        cast.report(cast.draft)
        cast.contract.add_item(report)
    many = (queries(reviewer, lists), queries(filer, "/"), queries(reviewer, cast.url(report)))
    assert many == few


def test_the_report_page_reads_its_rows_in_the_view_not_in_the_template(cast: Cast) -> None:
    """Every related list of the page and its PDF is read by the view (`report_parts`, the
    type's `page_context`): a template that reads a relation itself runs a query while
    rendering, once per row in a loop."""
    report = cast.report(cast.filed)
    cast.contract.add_item(report)
    report.addenda.create(author=cast.people["filer"], text="Added after submission.")
    for person in ("filer", "plan_reviewer"):
        client = signed_in(cast.people[person])
        for page in ("", "pdf/"):
            with no_queries_while_rendering():
                answer = client.get(cast.url(report, page))
            assert answer.status_code == 200, (person, page)


def test_the_list_reads_only_the_columns_its_rows_show(cast: Cast) -> None:
    """The page of rows selects the row fields and joins only the relations they pass through
    (`Listing.shown()`): no organization, account or other column a row does not show."""
    reviewer = signed_in(cast.people["plan_reviewer"])
    cast.report(cast.filed)
    table = connection.ops.quote_name(cast.rtype.model._meta.db_table)
    with CaptureQueriesContext(connection) as captured:
        assert reviewer.get(f"/{cast.rtype.slug}/reports/").status_code == 200
    page = next(q["sql"] for q in captured if q["sql"].startswith(f"SELECT {table}."))
    selected = page.split(" FROM ", 1)[0]
    fields = cast.rtype.model._meta
    relations = {name.partition("__")[0] for name in cast.rtype.row_fields if "__" in name}
    wanted = {name for name in cast.rtype.row_fields if "__" not in name} | relations
    columns = {fields.get_field(name).column for name in wanted} | {"id"}
    assert selected.count(f"{table}.") == len(columns), selected
    assert page.count(" JOIN ") == len(relations), page


# --- The workflow table ---------------------------------------------------------------------------

PEOPLE = ("filer", "approver", "plan_reviewer", "agency_reviewer", "other_reviewer", "outsider")


def expected_to_pass(cast: Cast, status: str, step: Any, who: str) -> bool:
    """The table read independently of the engine: the step starts from this status, the
    person holds one of its roles, and it is theirs by organization (SPEC §1.4)."""
    roles = _roles_of(cast, who)
    if status not in step.sources or not roles & step.roles:
        return False
    if step.kinds and cast.contract.provider_kind not in step.kinds:
        return False
    if step.side == "reviewer":
        return who in {"plan_reviewer", "agency_reviewer"}
    if step.side != "filer":
        return who in cast.contract.sides[step.side]
    return who in cast.filers


def _roles_of(cast: Cast, who: str) -> set[str]:
    holds = cast.contract.holds
    held = {
        "filer": holds("filer"),
        "approver": holds("approver"),
        "plan_reviewer": holds("plan"),
        "agency_reviewer": holds("reviewer"),
        "other_reviewer": holds("plan"),
        "outsider": holds("filer") + holds("approver"),
    }
    return set(held[who])


def _attempt(cast: Cast, report: Any, step: Any, person: User) -> bool:
    """Take the step as the services would, then undo it whatever happened."""
    fresh = type(report).objects.get(pk=report.pk)
    choice = ""
    if step.choice_field:
        choice = str(fresh._meta.get_field(step.choice_field).choices[0][0])
    with transaction.atomic():
        try:
            services.take_transition(
                fresh,
                step.name,
                by=person,
                reason="Because.",
                choice=choice,
                facts=cast.contract.facts(fresh, step.name),
            )
        except TransitionRefused:
            return False
        finally:
            transaction.set_rollback(True)
    return True


def test_every_state_transition_and_person_follows_the_types_table(cast: Cast) -> None:
    attachment = cast.rtype.attachment_model
    outcomes = []
    for status in cast.rtype.statuses:
        report = cast.report(status, submitted_at=None)
        attachment.objects.create(  # type: ignore[attr-defined]
            report=report,
            name="order.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            stored_name=f"contract-{report.pk}",
            uploaded_by=report.preparer,
        )
        for step, who in itertools.product(cast.rtype.transitions, PEOPLE):
            passed = _attempt(cast, report, step, cast.people[who])
            if passed != expected_to_pass(cast, status, step, who):
                outcomes.append((status, step.name, who, passed))
    assert outcomes == []


# --- Exports and redaction ------------------------------------------------------------------------


def test_the_export_holds_exactly_the_filtered_list(cast: Cast) -> None:
    statuses = [s for s in cast.rtype.statuses if s not in cast.rtype.private]
    wanted = [cast.report(statuses[0]) for _ in range(3)]
    for other in statuses[1:]:
        cast.report(other)
    client = signed_in(cast.people["plan_reviewer"])
    query = f"?status={statuses[0]}"
    listed = client.get(f"/{cast.rtype.slug}/reports/{query}").context["rows"]
    exported = client.get(f"/{cast.rtype.slug}/reports/export/csv/{query}")
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    assert sorted(row[0] for row in rows[1:]) == sorted(row.label for row in listed)
    assert sorted(row.label for row in listed) == sorted(str(report) for report in wanted)


def test_no_identifier_of_a_redacted_copy_reaches_its_committee(redacting_cast: Cast) -> None:
    cast = redacting_cast
    report = cast.report(cast.filed)
    identifiers = [report.member_id, report.member_last_name, report.member_first_name]
    text = f"{report.member_first_name} {report.member_last_name} ({report.member_id}) fell."
    setattr(report, cast.contract.text_field, text)
    report.save()
    redactor = cast.people["redactor"]
    copy = redaction.start_redaction(report, by=redactor)
    committee = cast.people["ioc_member"].organization
    assert committee is not None
    redaction.release_copy(copy, committee, by=redactor, reviewed=True)
    member = signed_in(cast.people["ioc_member"])
    page = member.get(f"/{cast.rtype.slug}/copies/{copy.code}/").content.decode()
    printed = member.get(f"/{cast.rtype.slug}/copies/{copy.code}/pdf/").content
    pdf = "\n".join(p.extract_text() for p in PdfReader(BytesIO(printed)).pages)
    inbox = member.get("/ioc/").content.decode()
    assert "[removed]" in page and "[removed]" in pdf and str(copy.code)[:8] in inbox
    for value in identifiers:
        assert value not in page and value not in pdf and value not in inbox, value


def test_services_take_only_the_fields_of_declared_sections(cast: Cast) -> None:
    report = cast.report(cast.draft)
    for field in ("status", "organization", "submitted_at", "preparer"):
        with pytest.raises(ValueError, match="Not fields"):
            services.update_draft(report, {field: None}, by=cast.people["filer"])
    assert type(report).objects.get(pk=report.pk).status == cast.draft
