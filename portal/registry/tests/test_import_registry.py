"""The registry import: all or nothing, idempotent, clear about what is wrong."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from portal.core.models import AuditEvent
from portal.registry.models import MailingAddress, Organization
from portal.registry.services import COLUMNS

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[1] / "sample" / "registry.csv"
HEADER = ",".join(COLUMNS)
PLAN = "health_plan,HP9,Test Plan,active,,central,,HQ,1 Main St,,Phoenix,AZ,85001"
PROVIDER = (
    "provider,300001,Test Clinic,active,1234567893,central,HP9,Clinic,2 Oak St,,Mesa,AZ,85201"
)


def run(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "registry.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    out = StringIO()
    call_command("import_registry", str(path), stdout=out)
    return out.getvalue()


def test_sample_file_loads_and_a_second_run_changes_nothing() -> None:
    out = StringIO()
    call_command("import_registry", str(SAMPLE), stdout=out)
    assert "14 created" in out.getvalue()
    snapshot = list(Organization.objects.values()), list(MailingAddress.objects.values())
    out = StringIO()
    call_command("import_registry", str(SAMPLE), stdout=out)
    assert "0 created, 0 updated, 14 unchanged" in out.getvalue()
    assert "0 added, 0 updated, 0 deactivated" in out.getvalue()
    assert (list(Organization.objects.values()), list(MailingAddress.objects.values())) == snapshot
    clinic = Organization.objects.get(identifier="100001")
    assert clinic.addresses.count() == 2
    assert sorted(p.identifier for p in clinic.contracted_plans.all()) == ["HP001", "HP002"]
    assert AuditEvent.objects.filter(action="registry.imported").count() == 2


def test_changes_update_and_missing_addresses_become_inactive(tmp_path: Path) -> None:
    run(tmp_path, PLAN, PROVIDER)
    renamed = PROVIDER.replace("Test Clinic", "Renamed Clinic").replace("2 Oak St", "9 Elm St")
    assert "1 updated" in run(tmp_path, PLAN, renamed)
    clinic = Organization.objects.get(identifier="300001")
    assert clinic.name == "Renamed Clinic"
    assert list(clinic.addresses.filter(is_active=True).values_list("line1", flat=True)) == [
        "9 Elm St"
    ]
    assert clinic.addresses.filter(is_active=False, line1="2 Oak St").exists()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (PROVIDER.replace("1234567893", "1234567890"), "check digit"),
        (PROVIDER.replace("300001", "30001"), "6-digit AHCCCS Provider ID"),
        (PROVIDER.replace("provider,", "hospital,"), "kind must be one of"),
        (PROVIDER.replace(",active,", ",closed,"), "status must be"),
        (PROVIDER.replace("HP9", "HP404"), "no health plan or TRBHA with ID HP404"),
        (PROVIDER.replace("85201", "852"), "address_zip"),
        (PLAN.replace(",,central", ",1234567893,central"), "only providers have an NPI"),
    ],
)
def test_a_bad_line_is_named_and_nothing_is_imported(
    tmp_path: Path, line: str, message: str
) -> None:
    with pytest.raises(CommandError, match=message) as error:
        run(tmp_path, PLAN, line)
    assert "line 3" in str(error.value)
    assert not Organization.objects.exists()


def test_rows_of_one_organization_must_agree(tmp_path: Path) -> None:
    other = PROVIDER.replace("Test Clinic", "Other Name").replace("2 Oak St", "3 Ash St")
    with pytest.raises(CommandError, match="line 4: organization columns differ from line 3"):
        run(tmp_path, PLAN, PROVIDER, other)


def test_wrong_header_and_unreadable_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("name,kind\nX,provider\n", encoding="utf-8")
    with pytest.raises(CommandError, match="header must be exactly"):
        call_command("import_registry", str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_registry", str(tmp_path / "missing.csv"))
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_registry", str(path))


def test_address_details_changes_are_applied_and_counted(tmp_path: Path) -> None:
    run(tmp_path, PLAN, PROVIDER)
    relabelled = PROVIDER.replace(",Clinic,", ",Front desk,")
    assert "1 updated, 0 deactivated" in run(tmp_path, PLAN, relabelled)
    assert MailingAddress.objects.get(line1="2 Oak St").label == "Front desk"


def test_overlong_address_fields_are_named_on_every_database(tmp_path: Path) -> None:
    long_label = PROVIDER.replace(",Clinic,", f",{'x' * 101},")
    with pytest.raises(CommandError, match="line 3: address_label must be 100 characters"):
        run(tmp_path, PLAN, long_label)


def test_a_plan_id_shared_by_a_plan_and_a_trbha_is_refused_as_ambiguous(tmp_path: Path) -> None:
    trbha = "trbha,HP9,Test TRBHA,active,,north,,,,,,,"
    with pytest.raises(CommandError, match="both a health plan and a TRBHA have ID HP9"):
        run(tmp_path, PLAN, trbha, PROVIDER.replace("line 4", ""))


def test_back_office_edits_follow_the_same_identifier_rules() -> None:
    from django.core.exceptions import ValidationError

    clinic = Organization(kind="provider", name="X", identifier="12", npi="0000000001")
    with pytest.raises(ValidationError) as error:
        clinic.full_clean()
    assert "6-digit AHCCCS Provider ID" in str(error.value) and "check digit" in str(error.value)
