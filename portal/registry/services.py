"""Changes to the registry. The CSV import is all or nothing, and running it twice changes nothing.

CSV format (header row required; one row per mailing address, so an organization with two
addresses has two rows whose organization columns agree):

    kind, identifier, name, status, npi, region, contracted_plans,
    address_label, address_line1, address_line2, address_city, address_state, address_zip

- kind: provider, health_plan, trbha, ioc, external_agency or agency
- identifier: AHCCCS Provider ID (PROVIDER_ID_LENGTH digits), plan ID, committee or agency code
- status: active or inactive; npi: providers only, must pass the check digit
- region: north, central, south or empty; contracted_plans: plan identifiers joined by ";"
- address columns may be empty for an organization with no address on file

For organizations in the file, addresses missing from the file are marked inactive (never
deleted: letters refer to them) and contracted plans are set to exactly those listed.
Organizations not in the file are left alone.
"""

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.core import audit
from portal.core.csv_import import ImportRefused

from .models import MailingAddress, Organization
from .npi import is_valid_npi

COLUMNS = [
    "kind", "identifier", "name", "status", "npi", "region", "contracted_plans",
    "address_label", "address_line1", "address_line2", "address_city", "address_state",
    "address_zip",
]  # fmt: skip
ORG_COLUMNS = COLUMNS[:7]
ADDRESS_COLUMNS = COLUMNS[7:]
PLAN_KINDS = (Organization.Kind.HEALTH_PLAN, Organization.Kind.TRBHA)
_ZIP = re.compile(r"\d{5}(-\d{4})?")
_LIMITS = {"address_label": 100, "address_line1": 200, "address_line2": 200, "address_city": 100}


class RegistryImportError(ImportRefused):
    """The registry file was refused; nothing was written."""


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    addresses_added: int = 0
    addresses_updated: int = 0
    addresses_deactivated: int = 0


@dataclass
class _OrgRow:
    line: int
    values: dict[str, str]
    addresses: list[dict[str, str]] = field(default_factory=list)


def import_registry(stream: TextIO) -> ImportCounts:
    """Load organizations and their addresses from CSV; see the module docstring."""
    rows = _parse(stream)
    counts = ImportCounts()
    with transaction.atomic():
        orgs = {key: _upsert(row, counts) for key, row in rows.items()}
        problems = _link_plans(rows, orgs)
        if problems:
            transaction.set_rollback(True)
            raise RegistryImportError(problems)
        audit.record("registry.imported", data=counts.__dict__)
    return counts


def _parse(stream: TextIO) -> dict[tuple[str, str], _OrgRow]:
    reader = csv.DictReader(stream)
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != COLUMNS:
        raise RegistryImportError([f"line 1: the header must be exactly: {','.join(COLUMNS)}"])
    rows: dict[tuple[str, str], _OrgRow] = {}
    problems: list[str] = []
    for line, raw in enumerate(reader, start=2):
        values = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        found = [f"line {line}: {p}" for p in _row_problems(values)]
        problems += found
        if found:
            continue
        key = (values["kind"], values["identifier"].upper())
        org_values = {c: values[c] for c in ORG_COLUMNS}
        row = rows.setdefault(key, _OrgRow(line, org_values))
        if row.values != org_values:
            problems.append(f"line {line}: organization columns differ from line {row.line}")
        if values["address_line1"]:
            row.addresses.append({c: values[c] for c in ADDRESS_COLUMNS})
    if problems:
        raise RegistryImportError(problems)
    return rows


def _row_problems(v: dict[str, str]) -> Iterable[str]:
    kind = v.get("kind", "")
    if kind not in Organization.Kind.values:
        yield f"kind must be one of {', '.join(Organization.Kind.values)}"
    if not v.get("name") or len(v["name"]) > 200:
        yield "name is required (200 characters at most)"
    if v.get("status") not in Organization.Status.values:
        yield "status must be active or inactive"
    if v.get("region") and v["region"] not in Organization.Region.values:
        yield "region must be north, central, south or empty"
    yield from identifier_problems(kind, v.get("identifier", ""), v.get("npi", ""))
    for column, limit in _LIMITS.items():
        if len(v.get(column, "")) > limit:
            yield f"{column} must be {limit} characters or fewer"
    if v.get("address_line1"):
        if not v.get("address_city") or not re.fullmatch(r"[A-Z]{2}", v.get("address_state", "")):
            yield "an address needs a city and a two-letter state"
        if not _ZIP.fullmatch(v.get("address_zip", "")):
            yield "address_zip must be 5 digits or ZIP+4"


def identifier_problems(kind: str, identifier: str, npi: str) -> Iterable[str]:
    """What is wrong with an organization's identifiers, in words (empty when nothing)."""
    if not re.fullmatch(r"[A-Za-z0-9-]{1,20}", identifier):
        yield "identifier is required: letters, digits or hyphens, 20 at most"
    if kind == Organization.Kind.PROVIDER:
        length = settings.PROVIDER_ID_LENGTH
        if not re.fullmatch(rf"\d{{{length}}}", identifier):
            yield f"a provider's identifier is its {length}-digit AHCCCS Provider ID"
        if not is_valid_npi(npi):
            yield "a provider needs a 10-digit NPI that passes the check digit"
    elif npi:
        yield "only providers have an NPI"


def _upsert(row: _OrgRow, counts: ImportCounts) -> Organization:
    v = row.values
    wanted = {"name": v["name"], "status": v["status"], "npi": v["npi"], "region": v["region"]}
    org = Organization.objects.filter(kind=v["kind"], identifier__iexact=v["identifier"]).first()
    if org is None:
        org = Organization.objects.create(kind=v["kind"], identifier=v["identifier"], **wanted)
        counts.created += 1
    elif any(getattr(org, name) != value for name, value in wanted.items()):
        Organization.objects.filter(pk=org.pk).update(**wanted, updated_at=timezone.now())
        counts.updated += 1
    else:
        counts.unchanged += 1
    _sync_addresses(org, row.addresses, counts)
    return org


def _sync_addresses(
    org: Organization, addresses: list[dict[str, str]], counts: ImportCounts
) -> None:
    kept = []
    for a in addresses:
        address, created = MailingAddress.objects.get_or_create(
            organization=org,
            line1__iexact=a["address_line1"],
            line2__iexact=a["address_line2"],
            city__iexact=a["address_city"],
            zip_code=a["address_zip"],
            defaults={
                "label": a["address_label"], "line1": a["address_line1"],
                "line2": a["address_line2"], "city": a["address_city"],
                "state": a["address_state"],
            },
        )  # fmt: skip
        counts.addresses_added += created
        details = {"label": a["address_label"], "state": a["address_state"], "is_active": True}
        if not created and any(getattr(address, k) != v for k, v in details.items()):
            MailingAddress.objects.filter(pk=address.pk).update(**details)
            counts.addresses_updated += 1
        kept.append(address.pk)
    stale = org.addresses.filter(is_active=True).exclude(pk__in=kept)
    counts.addresses_deactivated += stale.update(is_active=False)


def _link_plans(
    rows: dict[tuple[str, str], _OrgRow], orgs: dict[tuple[str, str], Organization]
) -> list[str]:
    problems = []
    for key, row in rows.items():
        codes = [c.strip() for c in row.values["contracted_plans"].split(";") if c.strip()]
        if codes and key[0] != Organization.Kind.PROVIDER:
            problems.append(f"line {row.line}: only providers list contracted plans")
            continue
        plans = []
        for code in codes:
            found = list(Organization.objects.filter(kind__in=PLAN_KINDS, identifier__iexact=code))
            if len(found) != 1:
                problems.append(
                    f"line {row.line}: "
                    + (f"no health plan or TRBHA with ID {code}" if not found else
                       f"both a health plan and a TRBHA have ID {code}")
                )  # fmt: skip
            else:
                plans.extend(found)
        if set(orgs[key].contracted_plans.all()) != set(plans):
            orgs[key].contracted_plans.set(plans)
    return problems


class NPIRefused(Exception):
    """The NPI cannot be used; the message says why."""


def renew_npi(organization: Organization, npi: str, *, by: Any, request: Any = None) -> None:
    """A master gives the valid NPI after the registry marked the old one deactivated."""
    if not is_valid_npi(npi):
        raise NPIRefused("This is not a valid NPI: check each digit and try again")
    if npi == organization.npi:
        raise NPIRefused(
            "This is the NPI that was deactivated. Enter your organization's valid NPI"
        )
    if Organization.objects.filter(npi=npi).exclude(pk=organization.pk).exists():
        raise NPIRefused(
            "Another organization in the AHCCCS registry has this NPI. Check it, or call "
            f"{settings.REGISTRY_CONTACT_PHONE}"
        )
    with transaction.atomic():
        Organization.objects.filter(pk=organization.pk).update(
            npi=npi, npi_deactivated=False, updated_at=timezone.now()
        )
        organization.npi, organization.npi_deactivated = npi, False
        audit.record("organization.npi_renewed", actor=by, organization=organization,
                     target=organization, request=request)  # fmt: skip
