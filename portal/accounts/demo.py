"""Demo data for development: the sample registry and one account per persona."""

from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from portal.registry.models import Organization
from portal.registry.services import import_registry

from .models import (
    AuthenticatorApp,
    SecurityAnswer,
    SecurityQuestion,
    SingleSignOnIdentity,
    TermsAcceptance,
    TermsVersion,
    User,
)
from .secret_box import seal, unseal
from .services import grant_role
from .services.registration import hash_answer
from .services.second_factor import new_totp_secret
from .services.terms import publish_terms

DEFAULT_TERMS = Path(__file__).resolve().parent / "content" / "terms_of_use.txt"
# Every demo account answers its three security questions with the same word.
DEMO_ANSWER = "phoenix"
DEMO_QUESTIONS = (
    SecurityQuestion.FIRST_STREET,
    SecurityQuestion.FIRST_SCHOOL,
    SecurityQuestion.BIRTH_CITY,
)
SAMPLE_REGISTRY = Path(__file__).resolve().parent.parent / "registry" / "sample" / "registry.csv"


@dataclass(frozen=True)
class DemoPersona:
    username: str
    first_name: str
    last_name: str
    kind: str
    identifier: str
    account_type: str
    roles: tuple[str, ...] = ()
    # Signs in with a code from an authenticator app after the password (ADR 0025); `make run`
    # prints the app's setup key so it can be tried by hand.
    authenticator_app: bool = False

    @property
    def email(self) -> str:
        return f"{self.username}@demo.qmportal.invalid"


MASTER, INDIVIDUAL, STAFF = (
    User.AccountType.MASTER,
    User.AccountType.INDIVIDUAL,
    User.AccountType.STAFF,
)
# Roles of applications that have not landed yet are added here as their issues land.
PERSONAS = [
    DemoPersona("provider.master", "Dana", "Reyes", "provider", "100001", MASTER),
    DemoPersona(
        "provider.user",
        "Luis",
        "Ortega",
        "provider",
        "100001",
        INDIVIDUAL,
        ("iad.submitter", "sr.submitter", "ohr.submitter", "qoc.submitter"),
    ),
    DemoPersona(
        "clinical.director",
        "Grace",
        "Whitehorse",
        "provider",
        "100001",
        INDIVIDUAL,
        ("iad.clinical_director",),
    ),
    DemoPersona(
        "plan.reviewer",
        "Priya",
        "Natarajan",
        "health_plan",
        "HP001",
        INDIVIDUAL,
        (
            *("iad.reviewer", "iad.redactor", "irf.submitter", "sr.reviewer", "ohr.submitter"),
            *("qoc.submitter", "qoc.investigator"),
        ),
    ),
    DemoPersona("agency.admin", "Morgan", "Ellis", "agency", "AHCCCS", STAFF, ("agency.admin",)),
    DemoPersona("ohr.staff", "Alicia", "Lucero", "agency", "AHCCCS", STAFF, ("ohr.staff",)),
    DemoPersona(
        "qoc.manager",
        "Teresa",
        "Bahe",
        "agency",
        "AHCCCS",
        STAFF,
        ("qoc.manager", "qoc.investigator", "qoc.submitter"),
    ),
    DemoPersona("ioc.member", "Samuel", "Begay", "ioc", "IOC-C", INDIVIDUAL, ("ioc.member",)),
    # A second factor: an authenticator app, no passkey.
    DemoPersona(
        "quality.lead",
        "Jordan",
        "Nakai",
        "provider",
        "100001",
        INDIVIDUAL,
        ("iad.submitter",),
        authenticator_app=True,
    ),
    # A second facility that files S&R reports and has filed no monthly summary.
    DemoPersona(
        "facility.user", "Rita", "Alvarez", "provider", "100002", MASTER, ("sr.submitter",)
    ),
]


def seed_demo() -> list[tuple[DemoPersona, bool]]:
    """Load the sample registry and create the demo accounts; safe to run again.

    Returns each persona with whether it can sign in with DEMO_PASSWORD here.
    """
    if settings.PRODUCTION or not settings.DEMO_PASSWORD:
        raise ImproperlyConfigured("Demo data is for development only and needs DEMO_PASSWORD.")
    with SAMPLE_REGISTRY.open(newline="", encoding="utf-8") as stream:
        import_registry(stream)
    if TermsVersion.current() is None:
        publish_terms("QM Portal Terms of Use", DEFAULT_TERMS.read_text(encoding="utf-8"), by=None)
    with transaction.atomic():
        return [(p, _ensure_account(p)) for p in PERSONAS]


def _ensure_account(persona: DemoPersona) -> bool:
    organization = Organization.objects.get(kind=persona.kind, identifier=persona.identifier)
    # Every run puts the persona back as documented, whatever was done with it since.
    user = User.objects.filter(username__iexact=persona.username).first() or User()
    user.username, user.first_name, user.last_name = (
        persona.username,
        persona.first_name,
        persona.last_name,
    )
    user.email, user.organization = persona.email, organization
    user.account_type, user.status = persona.account_type, User.Status.ACTIVE
    single_sign_on = persona.kind == "agency" and bool(settings.SSO_ISSUER)
    local_password = persona.kind != "agency" or (
        settings.ALLOW_AGENCY_LOCAL_PASSWORD and not single_sign_on
    )
    if not local_password:
        user.set_unusable_password()
    elif not user.check_password(settings.DEMO_PASSWORD):
        user.set_password(settings.DEMO_PASSWORD)
    user.save()
    if single_sign_on:  # the development identity provider knows staff by their username
        SingleSignOnIdentity.objects.update_or_create(
            user=user, defaults={"issuer": settings.SSO_ISSUER, "subject": persona.username}
        )
    for role in persona.roles:
        grant_role(user, role, by=None)
    if not user.security_answers.exists():
        SecurityAnswer.objects.bulk_create(
            SecurityAnswer(user=user, question=question, answer_hash=hash_answer(DEMO_ANSWER))
            for question in DEMO_QUESTIONS
        )
    terms = TermsVersion.current()
    if terms is not None:
        TermsAcceptance.objects.get_or_create(user=user, terms=terms)
    if persona.authenticator_app:
        _ensure_authenticator_app(user)
    return local_password


def _ensure_authenticator_app(user: User) -> None:
    """One authenticator app whose key this machine can read; kept from run to run, so an app
    already set up with it goes on working."""
    if demo_totp_secret(user.username):
        return
    user.authenticator_apps.all().delete()
    AuthenticatorApp.objects.create(
        user=user, name="Demo authenticator app", secret=seal(new_totp_secret())
    )


def demo_totp_secret(username: str) -> str:
    """The setup key of the persona's authenticator app ("" if it has none readable here)."""
    app = AuthenticatorApp.objects.filter(user__username__iexact=username).first()
    if app is None:
        return ""
    try:
        return unseal(app.secret)
    except InvalidToken:  # sealed under another SECRET_KEY
        return ""


def identity_provider_accounts() -> list[dict[str, object]]:
    """The staff personas as the development identity provider's accounts file lists them
    (tools/dev-idp): same username and DEMO_PASSWORD, and the groups that SSO_GROUP_ROLES maps
    to their roles."""
    return [
        {
            "sub": persona.username,
            "password": settings.DEMO_PASSWORD,
            "email": persona.email,
            "given_name": persona.first_name,
            "family_name": persona.last_name,
            "groups": sorted(
                group
                for group, roles in settings.SSO_GROUP_ROLES.items()
                if roles & set(persona.roles)
            ),
        }
        for persona in PERSONAS
        if persona.kind == "agency"
    ]
