"""One daily command reminds the preparers of every report type's drafts, once per kind."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal.core.models import OutboundEmail
from portal.iad.tests.factories import ReportFactory as IncidentFactory
from portal.seclusion.tests.factories import ReportFactory as SeclusionFactory

pytestmark = pytest.mark.django_db


def test_drafts_of_every_type_are_reminded_once(personas) -> None:
    now = timezone.now()
    about = {"organization": personas.provider, "preparer": personas.provider_user}
    incident = IncidentFactory(status="draft", due_at=now - timedelta(hours=1), **about)
    seclusion = SeclusionFactory(status="draft", due_at=now + timedelta(hours=3), **about)
    SeclusionFactory(status="submitted", due_at=now - timedelta(hours=1), **about)  # filed

    out = StringIO()
    call_command("send_due_reminders", stdout=out)
    call_command("send_due_reminders", stdout=StringIO())

    assert (
        out.getvalue().strip()
        == "Sent: 1 due soon, 1 overdue, 0 special assistance to confirm or end, 0 record "
        "requests due or late, 0 corrective action plans due or late."
    )
    bodies = list(OutboundEmail.objects.values_list("text_body", flat=True))
    assert len(bodies) == 2
    assert any(f"/iad/reports/{incident.code}/draft/" in body for body in bodies)
    assert any(f"/sr/reports/{seclusion.code}/draft/" in body for body in bodies)
    assert any("seclusion or restraint report is due within a day" in body for body in bodies)
