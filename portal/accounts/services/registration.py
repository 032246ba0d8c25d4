"""Registration: what the question pages gather, and the one change that creates the account."""

from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from portal.core import audit
from portal.core.emails import queue_email
from portal.core.models import AuditEvent
from portal.registry.models import MailingAddress, Organization

from ..models import ActivationLetter, SecurityAnswer, TermsAcceptance, TermsVersion, User

# Accounts in these statuses hold the organization's master seat; removed and deleted do not.
SEATED = (User.Status.AWAITING_ACTIVATION, User.Status.ACTIVE, User.Status.LOCKED)


class RegistrationRefused(Exception):
    """The account cannot be created as asked; the message tells the person what to do."""


@dataclass
class Registration:
    """Everything the question pages gathered. Kept in the session between pages.

    Secrets are hashed as soon as they are typed: the session never holds a password or answer.
    """

    terms_version: int | None = None
    kind: str = ""
    organization_id: int | None = None
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    username: str = ""
    password_hash: str = ""
    answers: list[tuple[str, str]] = field(default_factory=list)  # (question, answer hash)
    address_id: int | None = None

    @classmethod
    def from_session(cls, data: dict[str, Any] | None) -> "Registration":
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        registration = cls(**known)
        registration.answers = [tuple(pair) for pair in registration.answers]  # type: ignore[misc]
        return registration

    def to_session(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def person_done(self) -> bool:
        return bool(self.username and self.password_hash and len(self.answers) == 3)


def normalize_answer(answer: str) -> str:
    """Answers match ignoring surrounding spaces and letter case, nothing else (SPEC §2.5)."""
    return answer.strip().casefold()


def hash_answer(answer: str) -> str:
    return make_password(normalize_answer(answer))


def needs_master(organization: Organization) -> bool:
    """True while no account holds the organization's master seat."""
    return not organization.accounts.filter(
        account_type=User.AccountType.MASTER, status__in=SEATED
    ).exists()


def register_account(registration: Registration, *, request: HttpRequest | None = None) -> User:
    """Create the account: the organization's master (with a letter to print) or an individual
    waiting for approval (every master is e-mailed). Raises RegistrationRefused."""
    ip = audit.client_ip(request)
    recent = AuditEvent.objects.filter(
        action="account.registered", ip=ip, at__gt=timezone.now() - timedelta(hours=1)
    )
    # An unknown (empty) address counts as one address, as for sign-in: it fails closed.
    if recent.count() >= settings.REGISTRATION_IP_LIMIT:
        raise RegistrationRefused(
            "Too many accounts have been registered from your network in the last hour. "
            "Try again later; what you entered is kept until then."
        )
    try:
        with transaction.atomic():
            return _register(registration, request)
    except IntegrityError as error:  # a same-moment registration took the username or e-mail
        raise RegistrationRefused(
            "That username or e-mail address was just taken. Go back and choose another."
        ) from error


def _register(reg: Registration, request: HttpRequest | None) -> User:
    # Locking the organization row serializes registrations for it (SQLite: the whole database),
    # so two people registering at the same moment cannot both become its master.
    organization = (
        Organization.objects.select_for_update().filter(pk=reg.organization_id or 0).first()
    )
    if organization is None or not organization.is_active:
        raise RegistrationRefused("Your organization is not active in the AHCCCS registry.")
    terms = TermsVersion.current()
    if terms is None or terms.version != reg.terms_version:
        raise RegistrationRefused("The Terms of Use have changed. Read and accept them again.")
    master = needs_master(organization)
    address = _chosen_address(organization, reg.address_id) if master else None
    user = User.objects.create(
        username=reg.username, first_name=reg.first_name, last_name=reg.last_name,
        email=reg.email, phone=reg.phone, organization=organization, password=reg.password_hash,
        account_type=User.AccountType.MASTER if master else User.AccountType.INDIVIDUAL,
        status=User.Status.AWAITING_ACTIVATION if master else User.Status.AWAITING_APPROVAL,
    )  # fmt: skip
    SecurityAnswer.objects.bulk_create(
        SecurityAnswer(user=user, question=q, answer_hash=h) for q, h in reg.answers
    )
    TermsAcceptance.objects.create(user=user, terms=terms)
    if address is not None:
        ActivationLetter.objects.create(user=user, address=address)
    else:
        _tell_masters(organization, user)
    audit.record(
        "account.registered", organization=organization, target=user, request=request,
        data={"account_type": user.account_type, "terms_version": terms.version},
    )  # fmt: skip
    return user


def _chosen_address(organization: Organization, address_id: int | None) -> MailingAddress:
    address = organization.addresses.filter(pk=address_id or 0, is_active=True).first()
    if address is None:
        raise RegistrationRefused(
            "Your organization has no master account yet, so choose where to mail its "
            "activation letter from the addresses on file."
        )
    return address


def _tell_masters(organization: Organization, newcomer: User) -> None:
    masters = organization.accounts.filter(
        account_type=User.AccountType.MASTER, status=User.Status.ACTIVE
    ).exclude(email="")
    for master in masters:
        queue_email(
            "account_awaiting_approval",
            master.email,
            {"master": master, "newcomer": newcomer, "organization": organization},
        )
