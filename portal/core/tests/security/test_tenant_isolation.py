"""Tenant isolation (issue #7 item 2): people of one organization asking for another's records,
by code in every kind of URL, with every filter, get 404 and never a row of the other's."""

import io

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from portal.accounts.tests.factories import UserFactory
from portal.core import uploads
from portal.core.tests.sample_files import png
from portal.iad.models import Attachment, RedactedCopy, Report
from portal.iad.tests.factories import ReportFactory
from portal.registry.tests.factories import HealthPlanFactory, OrganizationFactory

from .world import World, build_world

pytestmark = pytest.mark.django_db
# Everyone of the first tenant's side who is signed in (the provider, its plan, its committee).
ASKERS = ("individual", "master", "director", "plan_reviewer", "redactor", "ioc_member")
# What only the other tenant's records hold: none may show up in any answer.
CANARIES = ("Quarantotto", "Zebulon", "Q77777771", "Q77777772", "77 Otherside Road")
# Every URL that names a record, with the other tenant's codes.
BY_CODE = (
    ("GET", "/iad/reports/{b_filed}/"),
    ("GET", "/iad/reports/{b_filed}/pdf/"),
    ("GET", "/iad/reports/{b_draft}/"),
    ("GET", "/iad/reports/{b_draft}/draft/"),
    ("GET", "/iad/reports/{b_draft}/draft/member/"),
    ("POST", "/iad/reports/{b_draft}/draft/member/"),
    ("GET", "/iad/reports/{b_draft}/draft/list/people/"),
    ("GET", "/iad/reports/{b_draft}/draft/attachments/"),
    ("POST", "/iad/reports/{b_draft}/draft/attachments/"),
    ("GET", "/iad/reports/{b_draft}/attachments/{b_attachment}/"),
    ("GET", "/iad/reports/{iad_draft}/attachments/{b_attachment}/"),  # own report, other's file
    ("GET", "/iad/reports/{b_filed}/close/"),
    ("POST", "/iad/reports/{b_filed}/close/"),
    ("POST", "/iad/reports/{b_filed}/start-review/"),
    ("POST", "/iad/reports/{b_draft}/submit/"),
    ("GET", "/iad/reports/{b_filed}/redaction/"),
    ("POST", "/iad/reports/{b_filed}/redaction/start/"),
    ("GET", "/iad/reports/{b_filed}/redaction/release/"),
    ("GET", "/iad/copies/{b_copy}/"),
    ("GET", "/iad/copies/{b_copy}/pdf/"),
    ("GET", "/organization/accounts/{b_account}/"),
    ("GET", "/organization/accounts/{b_account}/details/"),
    ("POST", "/organization/accounts/{b_account}/remove/"),
)
LISTS = ("/iad/reports/", "/iad/reports/export/csv/", "/iad/reports/export/xlsx/", "/ioc/")
SHOWS = ("all", "drafts", "approval", "review", "nonsense")


def _other_tenant(world: World) -> dict[str, str]:
    """A second provider, with its own plan and committee: a draft with a file, a report in
    review, its copy released to the other committee, and an account."""
    plan = HealthPlanFactory()
    provider = OrganizationFactory(region="south")
    provider.contracted_plans.add(plan)
    committee = OrganizationFactory(kind="ioc", identifier="IOC-B", npi="", region="south")
    filer = UserFactory(organization=provider)
    about = {"organization": provider, "preparer": filer, "health_plan": plan,
             "member_first_name": "Zebulon", "member_last_name": "Quarantotto",
             "site_address": "77 Otherside Road"}  # fmt: skip
    draft = ReportFactory(status=Report.Status.DRAFT, member_id="Q77777771", **about)
    filed = ReportFactory(status=Report.Status.IN_REVIEW, member_id="Q77777772", **about)
    content = png()
    attachment = Attachment.objects.create(
        report=draft, name="Quarantotto.png", content_type="image/png", size=len(content),
        sha256="0" * 64, stored_name=uploads.store(content), uploaded_by=filer,
    )  # fmt: skip
    copy = RedactedCopy.objects.create(
        report=filed, status=RedactedCopy.Status.RELEASED, committee=committee,
        created_by=filer, released_at=filed.created_at, content={"narrative": "Zebulon fell."},
    )  # fmt: skip
    return {"b_draft": str(draft.code), "b_filed": str(filed.code),
            "b_attachment": str(attachment.code), "b_copy": str(copy.code),
            "b_account": str(filer.code), "b_provider": str(provider.pk),
            "b_plan": str(plan.pk)}  # fmt: skip


@pytest.fixture
def worlds(settings, tmp_path) -> tuple[World, dict[str, Client]]:
    settings.ATTACHMENTS_ROOT = tmp_path
    world = build_world()
    codes = {**world.codes, **_other_tenant(world)}
    world = World(people=world.people, codes=codes)
    clients = {}
    for asker in ASKERS:
        clients[asker] = Client()
        clients[asker].force_login(world.people[asker])
    return world, clients


def _answer(client: Client, method: str, path: str, query: dict[str, str]) -> tuple[int, str]:
    with transaction.atomic():
        if method == "POST":
            response = client.post(path, {"reason": "x", "outcome": "no_further_action"})
        else:
            response = client.get(path, query)
        content = b"".join(response) if response.streaming else response.content
        transaction.set_rollback(True)
    return response.status_code, _text(content, response.get("Content-Type", ""))


def _text(content: bytes, content_type: str) -> str:
    """What a person would read in the answer (the cells of a workbook, which is compressed)."""
    if "spreadsheetml" not in content_type:
        return content.decode("utf-8", "replace")
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return "\n".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_one_reaches_another_tenants_records(worlds, data) -> None:
    world, clients = worlds
    asker = data.draw(st.sampled_from(ASKERS), label="asker")
    if data.draw(st.booleans(), label="by code"):
        method, template = data.draw(st.sampled_from(BY_CODE), label="url")
        status, body = _answer(clients[asker], method, world.path(template), {})
        assert status == 404, (asker, method, template, status)
    else:
        path = data.draw(st.sampled_from(LISTS), label="list")
        query = data.draw(st.fixed_dictionaries({}, optional={
            "show": st.sampled_from(SHOWS),
            "provider": st.sampled_from([world.codes["b_provider"], "0", "x"]),
            "health_plan": st.sampled_from([world.codes["b_plan"], "-1"]),
            "status": st.sampled_from(["draft", "in_review", "closed", "zzz"]),
            "sort": st.sampled_from(["member", "-member", "provider", "-due", "bogus"]),
            "page": st.sampled_from(["1", "2", "999", "x"]),
        }), label="query")  # fmt: skip
        status, body = _answer(clients[asker], "GET", path, query)
        assert status in {200, 400, 404}, (asker, path, query, status)
    # Nothing of the other tenant in any answer, whatever it was.
    assert not [c for c in CANARIES if c in body], (asker, body[:200])
