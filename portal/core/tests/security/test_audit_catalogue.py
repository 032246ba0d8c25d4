"""The catalogue of audited actions (`docs/audit-events.md`, issue #7 item 6) matches the code,
and canary values never reach the audit trail, e-mails or logs."""

import logging
import re
from pathlib import Path

import pytest
from django.conf import settings

from portal.core.admin_site import AuditedModelAdmin, back_office
from portal.reports.types import registered

CATALOGUE = Path(settings.BASE_DIR) / "docs" / "audit-events.md"
LITERAL = re.compile(r'(?:audit\.record\(\s*|action(?:: str)? ?= ?)"([a-z_]+\.[a-z_]+)"')
# The report kit writes `<type>.<action>` for every registered type.
PER_TYPE = re.compile(
    r'\{rtype\.slug\}\.([a-z_]+)"|action(?:: str)? ?= ?"([a-z_]+)"|_audited\([^)]*"([a-z_]+)"\)'
)
# Actions the code picks from a list before recording, with the file that does it.
PICKED = {"role.revoked": "portal/accounts/services/administration.py"}


def catalogued() -> set[str]:
    rows = [line for line in CATALOGUE.read_text().splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([a-z_]+\.[a-z_]+)`",
                                                       row.split("|")[1])}  # fmt: skip


def written_by_the_code() -> set[str]:
    """Every action the code can write: the literals, the workflow's and the back office's."""
    actions = set()
    for path in (Path(settings.BASE_DIR) / "portal").rglob("*.py"):
        if "tests" not in path.parts:
            actions |= set(LITERAL.findall(path.read_text(encoding="utf-8")))
    kit = (Path(settings.BASE_DIR) / "portal" / "reports").glob("*.py")
    names = {name for path in kit for found in PER_TYPE.findall(path.read_text()) for name in found}
    for rtype in registered():
        # Only a type that declares redaction has copies to write about.
        copies = rtype.redaction is not None
        actions |= {
            f"{rtype.slug}.{name}" for name in names if name and (copies or "copy_" not in name)
        }
        actions |= {f"{rtype.workflow.audit_noun}.{t.done}" for t in rtype.transitions}
    for action, path in PICKED.items():
        assert f'"{action}"' in (Path(settings.BASE_DIR) / path).read_text(encoding="utf-8")
        actions.add(action)
    for admin in back_office._registry.values():
        if isinstance(admin, AuditedModelAdmin):
            actions |= {f"{admin.audit_noun}.created", f"{admin.audit_noun}.changed"}
    return actions


def test_every_action_the_code_writes_is_catalogued_and_no_other() -> None:
    code, listed = written_by_the_code(), catalogued()
    assert len(code) > 60  # the search finds the portal's actions, not a handful
    assert sorted(code - listed) == [], "write these into docs/audit-events.md"
    assert sorted(listed - code) == [], "the code no longer writes these"


CANARIES = ("Canarymember Zyxwv", "C12345678", "canary-password-Quokka-42!",
            "Canary narrative about Zyxwv")  # fmt: skip


@pytest.mark.django_db
def test_canaries_never_reach_audit_data_e_mails_or_logs(client, personas, caplog) -> None:
    """File, submit, approve and read a report full of canaries, and fail a sign-in with a
    canary password: none of them may appear in the audit trail, the outbox or the logs."""
    from portal.accounts.services import grant_role
    from portal.core.models import AuditEvent, OutboundEmail
    from portal.iad.models import Report
    from portal.iad.tests.factories import ReportFactory

    caplog.set_level(logging.DEBUG)
    provider, plan = personas.provider, personas.plan_reviewer.organization
    for user, role in [(personas.provider_user, "iad.submitter"),
                       (personas.clinical_director, "iad.clinical_director"),
                       (personas.plan_reviewer, "iad.reviewer")]:  # fmt: skip
        grant_role(user, role, by=None)
        user.email = f"{user.username}@example.org"
        user.save()
    first, last = CANARIES[0].split()
    report = ReportFactory(organization=provider, preparer=personas.provider_user,
                           health_plan=plan, member_first_name=first, member_last_name=last,
                           member_id=CANARIES[1], narrative=CANARIES[3])  # fmt: skip
    report.incident_types.set([])
    client.force_login(personas.provider_user)
    client.get(f"/iad/reports/{report.code}/draft/")
    client.post(f"/iad/reports/{report.code}/draft/event/", {"narrative": CANARIES[3]})
    Report.objects.filter(pk=report.pk).update(status=Report.Status.AWAITING_APPROVAL)
    client.force_login(personas.clinical_director)
    client.post(f"/iad/reports/{report.code}/approve/")
    client.post(f"/iad/reports/{report.code}/return/", {"reason": f"Fix {CANARIES[0]}"})
    client.force_login(personas.plan_reviewer)
    client.get(f"/iad/reports/{report.code}/")
    client.get("/iad/reports/export/csv/")
    client.logout()
    client.post("/sign-in/", {"username": "provider.user", "password": CANARIES[2]})

    assert AuditEvent.objects.count() > 5 and OutboundEmail.objects.exists()
    audit = "\n".join(str(e.data) for e in AuditEvent.objects.all())
    mail = "\n".join(f"{m.subject}\n{m.text_body}\n{m.html_body}"
                     for m in OutboundEmail.objects.all())  # fmt: skip
    logs = "\n".join(record.getMessage() for record in caplog.records)
    for canary in CANARIES:
        for where, text in [("audit", audit), ("e-mail", mail), ("logs", logs)]:
            assert canary not in text, (canary, where)
