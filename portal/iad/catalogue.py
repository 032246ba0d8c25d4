"""The starting catalogue of incident types (SPEC §3.1); the agency edits it in the back office.

Which types are sentinel is the agency's call (ADR 0012): these defaults mark the events that
most often are (death, suicide attempt, sexual misconduct or assault, abuse or neglect by staff).
"""

from typing import Any

CATALOGUE = [
    ("Death", True),
    ("Medication error", False),
    ("Allegation of abuse or neglect by staff", True),
    ("Exploitation", False),
    ("Suicide attempt", True),
    ("Self-inflicted injury", False),
    ("Injury needing emergency treatment", False),
    ("Injury from a personal, chemical or mechanical restraint", False),
    ("Unauthorized absence from a licensed facility", False),
    ("Sexual misconduct or assault", True),
    ("Human-rights violation", False),
    ("Other", False),
]


def load_catalogue(model: Any) -> None:
    """Add the types that are missing (`model`: IncidentType, or its migration-time copy);
    types the agency changed are left as they are."""
    for order, (name, sentinel) in enumerate(CATALOGUE, start=1):
        model.objects.get_or_create(name=name, defaults={"sentinel": sentinel, "order": order * 10})
