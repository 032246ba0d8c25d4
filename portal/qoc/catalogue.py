"""The starting catalogue of quality-of-care categories; the agency edits it in the back office."""

from typing import Any

CATALOGUE = [
    "Access to care or services",
    "Treatment or care given",
    "Medication",
    "Staff conduct or communication",
    "Abuse, neglect or exploitation",
    "Safety of the setting",
    "Coordination of care or discharge",
    "Records or documentation",
    "Other",
]


def load_catalogue(model: Any) -> None:
    """Add the categories that are missing (`model`: Category, or its migration-time copy);
    categories the agency changed are left as they are."""
    for order, name in enumerate(CATALOGUE, start=1):
        model.objects.get_or_create(name=name, defaults={"order": order * 10})
