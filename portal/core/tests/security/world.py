"""One small world holding a record of every kind a URL can name, and a person of every kind
the portal serves (issue #7): the authorization matrix, CSRF and audit tests walk it."""

from dataclasses import dataclass

from portal.accounts.models import ActivationLetter, LetterBatch, User
from portal.accounts.tests.factories import UserFactory
from portal.core import uploads
from portal.core.testing import make_personas, with_roles
from portal.core.tests.sample_files import png
from portal.qoc.models import Case, RecordFile, RecordRequest
from portal.registry.models import Organization
from portal.registry.tests.factories import MailingAddressFactory
from portal.reports.testing import contract_for
from portal.reports.types import ReportType, registered

# The people of the matrix, in its column order.
PERSONAS = (
    "anonymous",
    "pending",
    "locked",
    "individual",
    "master",
    "director",
    "plan_reviewer",
    "redactor",
    "ioc_member",
    "agency_admin",
    "outsider",
)


@dataclass(frozen=True)
class World:
    people: dict[str, User | None]
    codes: dict[str, str]  # placeholder name in a matrix path -> the record's code or id

    def path(self, template: str) -> str:
        return template.format(**self.codes)


def _roles(key: str, *more: str) -> tuple[str, ...]:
    """The roles of every registered type's contract named `key` (and `more`)."""
    keys = (key, *more)
    return tuple(
        role for rtype in registered() for k in keys for role in contract_for(rtype).holds(k)
    )


def _records(
    rtype: ReportType, people: dict[str, User | None], plan: Organization, committee: Organization
) -> dict[str, object]:
    """A draft with a file and an item, and a filed report waiting for the reviewer's step,
    whose copy was released to the committee."""
    contract = contract_for(rtype)
    individual = people["individual"]
    assert individual is not None
    # A type only plans file (QoC) is filed by the member's plan about the provider.
    filer = individual if contract.filer_side == "provider" else people["plan_reviewer"]
    assert filer is not None
    about = {
        "organization": filer.organization,
        "provider": individual.organization,
        "preparer": filer,
        "health_plan": plan,
    }
    draft = contract.make(contract.provider_kind, rtype.editable[0], **about)
    contract.add_item(draft)
    content = png()
    attachment = rtype.attachment_model.objects.create(  # type: ignore[attr-defined]
        report=draft,
        name="scan.png",
        content_type="image/png",
        size=len(content),
        sha256="0" * 64,
        stored_name=uploads.store(content),
        uploaded_by=filer,
    )
    (waiting,) = rtype.workflow.transitions[contract.review_step].sources
    filed = contract.make(contract.provider_kind, waiting, **about)
    copy = rtype.copy_model.objects.create(  # type: ignore[union-attr]
        report=filed,
        status="released",
        committee=committee,
        created_by=people["redactor"],
        released_at=filed.created_at,
        content={contract.text_field: "Redacted [removed]."},
    )
    slug = rtype.slug
    return {
        f"{slug}_draft": draft.code,
        f"{slug}_filed": filed.code,
        f"{slug}_attachment": attachment.code,
        f"{slug}_copy": copy.code,
    }


def _record_request(case_code: object, individual: User) -> dict[str, object]:
    """A record request of the Quality of Care case to the provider, answered with a file."""
    case = Case.objects.get(code=case_code)
    asked = RecordRequest.objects.create(
        case=case,
        provider=individual.organization,
        asked="Progress notes.",
        due_on=case.created_at.date(),
        requested_by=case.preparer,
    )
    content = png()
    sent = RecordFile.objects.create(
        request=asked,
        name="notes.png",
        content_type="image/png",
        size=len(content),
        sha256="0" * 64,
        stored_name=uploads.store(content),
        uploaded_by=individual,
    )
    return {"qoc_request": asked.code, "qoc_file": sent.code}


def build_world() -> World:
    """A provider (central region) contracted with a plan; for every report type, a draft and a
    filed report of that provider, the filed one's copy released to the central committee; a
    letter waiting in the mailroom. Needs `settings.ATTACHMENTS_ROOT` pointing at a scratch
    folder."""
    personas = make_personas()
    provider, plan = personas.provider, personas.plan_reviewer.organization
    committee = personas.ioc_member.organization
    for organization in (provider, committee):
        organization.region = "central"
        organization.save()
    individual = with_roles(personas.provider_user, *_roles("filer"))
    people: dict[str, User | None] = {
        "anonymous": None,
        "pending": UserFactory(organization=provider, status=User.Status.AWAITING_APPROVAL),
        "locked": UserFactory(organization=provider, status=User.Status.LOCKED),
        "individual": individual,
        "master": personas.provider_master,
        "director": with_roles(personas.clinical_director, *_roles("approver")),
        "plan_reviewer": with_roles(personas.plan_reviewer, *_roles("plan")),
        "redactor": with_roles(UserFactory(organization=plan), *_roles("redactor")),
        "ioc_member": with_roles(personas.ioc_member, "ioc.member"),
        "agency_admin": personas.agency_admin,
        "outsider": with_roles(personas.outsider, *_roles("filer", "approver")),
    }
    records: dict[str, object] = {}
    for rtype in registered():
        records |= _records(rtype, people, plan, committee)
    records |= _record_request(records["qoc_filed"], individual)
    waiting = UserFactory(account_type="master", status=User.Status.AWAITING_ACTIVATION)
    batch = LetterBatch.objects.create(printed_by=personas.agency_admin)
    letter = ActivationLetter.objects.create(
        user=waiting,
        address=MailingAddressFactory(organization=waiting.organization),
        status=ActivationLetter.Status.PRINTED,
        batch=batch,
    )
    codes = {**records, "account": individual.code, "letter": letter.code, "batch": batch.pk}
    return World(people=people, codes={key: str(value) for key, value in codes.items()})
