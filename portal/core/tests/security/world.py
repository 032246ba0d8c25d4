"""One small world holding a record of every kind a URL can name, and a person of every kind
the portal serves (issue #7): the authorization matrix, CSRF and audit tests walk it."""

from dataclasses import dataclass

from portal.accounts.models import ActivationLetter, LetterBatch, User
from portal.accounts.services import grant_role
from portal.accounts.tests.factories import UserFactory
from portal.core import uploads
from portal.core.testing import make_personas
from portal.core.tests.sample_files import png
from portal.iad.models import Attachment, PersonInvolved, RedactedCopy, Report
from portal.iad.tests.factories import ReportFactory
from portal.registry.tests.factories import MailingAddressFactory

# The people of the matrix, in its column order.
PERSONAS = ("anonymous", "pending", "locked", "individual", "master", "director",
            "plan_reviewer", "redactor", "ioc_member", "agency_admin", "outsider")  # fmt: skip


@dataclass(frozen=True)
class World:
    people: dict[str, User | None]
    codes: dict[str, str]  # placeholder name in a matrix path -> the record's code or id

    def path(self, template: str) -> str:
        return template.format(**self.codes)


def _with(user: User, *roles: str) -> User:
    for role in roles:
        grant_role(user, role, by=None)
    return User.objects.get(pk=user.pk)


def build_world() -> World:
    """A provider (central region) contracted with a plan; a draft and a report in review of
    that provider; the review's copy released to the central committee; a letter waiting in
    the mailroom. Needs `settings.ATTACHMENTS_ROOT` pointing at a scratch folder."""
    personas = make_personas()
    provider, plan = personas.provider, personas.plan_reviewer.organization
    committee = personas.ioc_member.organization
    for organization in (provider, committee):
        organization.region = "central"
        organization.save()
    individual = _with(personas.provider_user, "iad.submitter")
    people: dict[str, User | None] = {
        "anonymous": None,
        "pending": UserFactory(organization=provider, status=User.Status.AWAITING_APPROVAL),
        "locked": UserFactory(organization=provider, status=User.Status.LOCKED),
        "individual": individual,
        "master": personas.provider_master,
        "director": _with(personas.clinical_director, "iad.clinical_director"),
        "plan_reviewer": _with(personas.plan_reviewer, "iad.reviewer"),
        "redactor": _with(UserFactory(organization=plan), "iad.redactor"),
        "ioc_member": _with(personas.ioc_member, "ioc.member"),
        "agency_admin": personas.agency_admin,
        "outsider": _with(personas.outsider, "iad.submitter", "iad.clinical_director"),
    }
    about = {"organization": provider, "preparer": individual, "health_plan": plan}
    draft = ReportFactory(status=Report.Status.DRAFT, **about)
    person = PersonInvolved.objects.create(report=draft, role="staff", name="Dan Reyes")
    content = png()
    attachment = Attachment.objects.create(
        report=draft, name="scan.png", content_type="image/png", size=len(content),
        sha256="0" * 64, stored_name=uploads.store(content), uploaded_by=individual,
    )  # fmt: skip
    filed = ReportFactory(status=Report.Status.IN_REVIEW, **about)
    copy = RedactedCopy.objects.create(
        report=filed, status=RedactedCopy.Status.RELEASED, committee=committee,
        created_by=people["redactor"], released_at=filed.created_at,
        content={"narrative": "Redacted [removed]."},
    )  # fmt: skip
    waiting = UserFactory(account_type="master", status=User.Status.AWAITING_ACTIVATION)
    batch = LetterBatch.objects.create(printed_by=personas.agency_admin)
    letter = ActivationLetter.objects.create(
        user=waiting, address=MailingAddressFactory(organization=waiting.organization),
        status=ActivationLetter.Status.PRINTED, batch=batch,
    )  # fmt: skip
    codes = {"draft": draft.code, "filed": filed.code, "attachment": attachment.code,
             "person": person.pk, "copy": copy.code, "account": individual.code,
             "letter": letter.code, "batch": batch.pk}  # fmt: skip
    return World(people=people, codes={key: str(value) for key, value in codes.items()})
