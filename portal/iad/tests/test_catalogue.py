"""The incident-type catalogue: shipped with the SPEC's list, edited in the back office."""

import pytest

from portal.core.models import AuditEvent
from portal.iad.models import IncidentType

pytestmark = pytest.mark.django_db


def test_the_catalogue_starts_with_the_spec_list_and_death_is_sentinel() -> None:
    assert IncidentType.objects.count() == 12
    assert IncidentType.objects.get(name="Death").sentinel
    assert not IncidentType.objects.get(name="Medication error").sentinel


def test_an_agency_admin_changes_the_sentinel_flag_with_an_audit_event(client, personas) -> None:
    kind = IncidentType.objects.get(name="Medication error")
    client.force_login(personas.agency_admin)

    response = client.post(
        f"/back-office/iad/incidenttype/{kind.pk}/change/",
        {"name": kind.name, "sentinel": "on", "active": "on", "order": kind.order},
    )

    assert response.status_code == 302
    assert IncidentType.objects.get(pk=kind.pk).sentinel
    event = AuditEvent.objects.get(action="incident_type.changed")
    assert event.data == {"fields": ["sentinel"]}


def test_nobody_else_reaches_the_catalogue(client, personas) -> None:
    client.force_login(personas.plan_reviewer)
    assert client.get("/back-office/iad/incidenttype/").status_code == 404
