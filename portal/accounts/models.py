"""People who sign in, and the site privileges (roles) granted to them."""

import uuid
from functools import cached_property

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from portal.core.compiled import CompiledQuery
from portal.registry.models import Organization


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(username__iexact=username)

    def create_user(self, username: str, password: str | None = None, **fields: object) -> "User":
        user = self.model(username=username, **fields)
        user.set_password(password)
        user.full_clean(exclude=["password", "organization"])
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **fields: object):  # type: ignore[no-untyped-def]
        fields.setdefault("status", User.Status.ACTIVE)
        fields.setdefault("account_type", User.AccountType.STAFF)
        return self.create_user(username, password, is_superuser=True, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """An account. One person, one account, in exactly one organization of the registry."""

    class AccountType(models.TextChoices):
        MASTER = "master", "Master"
        INDIVIDUAL = "individual", "Individual"
        STAFF = "staff", "Agency staff"

    class Status(models.TextChoices):
        AWAITING_ACTIVATION = "awaiting_activation", "Awaiting activation"
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        ACTIVE = "active", "Active"
        LOCKED = "locked", "Locked"
        REMOVED = "removed", "Removed"
        DELETED = "deleted", "Deleted"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # unique=True satisfies Django's auth checks; the Lower() constraint below is the real rule.
    username = models.CharField(
        max_length=150,
        unique=True,
        validators=[UnicodeUsernameValidator()],
        help_text="Letters, digits and @ . + - _ only.",
    )
    first_name = models.CharField("legal first name", max_length=100)
    last_name = models.CharField("legal last name", max_length=100)
    email = models.EmailField("e-mail address", max_length=254, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="accounts", null=True, blank=True
    )
    account_type = models.CharField(
        max_length=12, choices=AccountType.choices, default=AccountType.INDIVIDUAL
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.AWAITING_APPROVAL
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Imported from the previous portal: at first sign-in, confirm the e-mail on file and give
    # what this portal needs (SPEC §2.4).
    ported = models.BooleanField(default=False)
    # Set when the password must be replaced at the next sign-in (the last gate of SPEC §2.4).
    password_change_required = models.BooleanField(default=False)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name", "email"]

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="accounts_user_email_ci_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(organization__isnull=False) | models.Q(is_superuser=True),
                name="accounts_user_has_organization",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Only active accounts may use the portal; other statuses meet a sign-in gate."""
        return self.status == self.Status.ACTIVE

    @property
    def is_staff(self) -> bool:
        """Django admin's own flag; the back office checks the `agency.admin` role instead."""
        return self.is_superuser

    @property
    def is_master(self) -> bool:
        return self.account_type == self.AccountType.MASTER

    @cached_property
    def role_names(self) -> frozenset[str]:
        """The roles granted to this account, loaded once per request."""
        return frozenset(grant.role for grant in _ROLES_OF.objects(self.pk))


# Every page that checks a role reads them: compiled once, it cost a quarter of what Django's
# building of the same query did (ADR 0030; docs/performance.md).
_ROLES_OF = CompiledQuery(lambda pk: RoleGrant.objects.filter(user_id=pk).only("role"))


class RoleGrant(models.Model):
    """One site privilege held by one account."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=50)
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["role"]
        constraints = [
            models.UniqueConstraint("user", "role", name="accounts_rolegrant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.role}"


class TermsVersion(models.Model):
    """One published version of the Terms of Use. Published versions never change."""

    version = models.PositiveIntegerField(unique=True, editable=False)
    title = models.CharField(max_length=200, default="QM Portal Terms of Use")
    body = models.TextField(help_text="Plain text; blank lines separate paragraphs.")
    published_at = models.DateTimeField(default=timezone.now, editable=False)
    published_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = "Terms of Use version"

    def __str__(self) -> str:
        return f"Terms of Use, version {self.version}"

    @classmethod
    def current(cls) -> "TermsVersion | None":
        return cls.objects.order_by("-version").first()


class TermsAcceptance(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="terms_acceptances")
    terms = models.ForeignKey(TermsVersion, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint("user", "terms", name="accounts_terms_accepted_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} accepted {self.terms}"


class SingleSignOnIdentity(models.Model):
    """Who the agency's identity provider says a staff account is: its issuer and subject.

    A staff account is found by this pair only, never by username or e-mail (ASVS 6.8.1), so an
    identity provider cannot sign anyone into an account it did not create.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="sso_identity")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "single sign-on identity"
        verbose_name_plural = "single sign-on identities"
        constraints = [
            models.UniqueConstraint("issuer", "subject", name="accounts_sso_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class SecurityQuestion(models.TextChoices):
    """The questions people choose three of. Answers are hashed like passwords."""

    FIRST_STREET = "first_street", "What was the name of the first street you lived on?"
    FIRST_SCHOOL = "first_school", "What was the name of your first school?"
    CHILDHOOD_FRIEND = "childhood_friend", "What was the first name of your childhood best friend?"
    FIRST_JOB = "first_job", "What was the name of the place of your first job?"
    FAVORITE_TEACHER = "favorite_teacher", "What was the last name of your favorite teacher?"
    BIRTH_CITY = "birth_city", "In what city or town were you born?"
    FIRST_CAR = "first_car", "What was the make and model of your first car?"
    FAVORITE_BOOK = "favorite_book", "What is the title of your favorite book?"


class SecurityAnswer(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="security_answers")
    question = models.CharField(max_length=30, choices=SecurityQuestion.choices)
    answer_hash = models.CharField(max_length=256)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint("user", "question", name="accounts_one_answer_per_question")
        ]

    def __str__(self) -> str:
        return self.get_question_display()


class LetterBatch(models.Model):
    """Activation letters printed together, and mailed together."""

    printed_at = models.DateTimeField(default=timezone.now)
    printed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    mailed_at = models.DateTimeField(null=True, blank=True)
    mailed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-printed_at"]
        verbose_name_plural = "letter batches"

    def __str__(self) -> str:
        return f"Batch {self.pk} printed {self.printed_at:%Y-%m-%d}"


class ActivationLetter(models.Model):
    """A postal letter carrying a master account's one-time activation code.

    The code is made when the letter is printed, and only its hash is kept: the printed page is
    the one place the code exists. Printing again makes a new code and voids the old one.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be printed"
        PRINTED = "printed", "Printed"
        MAILED = "mailed", "Mailed"
        USED = "used", "Used"
        VOID = "void", "Void"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="activation_letters")
    address = models.ForeignKey(
        "registry.MailingAddress", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    batch = models.ForeignKey(
        LetterBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="letters"
    )
    code_hash = models.CharField(max_length=256, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    first_failed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # One live letter per account: asking for a new one voids the old one first.
            models.UniqueConstraint(
                "user",
                condition=models.Q(status__in=["pending", "printed", "mailed"]),
                name="accounts_one_live_letter_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"Activation letter for {self.user} ({self.get_status_display()})"


class SignInFailure(models.Model):
    """One failed sign-in, kept briefly for the account lockout and the per-address throttle.

    The audit trail keeps the lasting record; these rows go when the account signs in or
    recovers, or when they are older than the window (prune_sign_in_failures).
    """

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, related_name="+")
    ip = models.CharField(max_length=45, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "at"], name="accounts_failure_user_at"),
            models.Index(fields=["ip", "at"], name="accounts_failure_ip_at"),
            models.Index(fields=["at"], name="accounts_failure_at"),
        ]

    def __str__(self) -> str:
        return f"Failed sign-in at {self.at:%Y-%m-%d %H:%M}"


class RecoveryCode(models.Model):
    """A single-use security code e-mailed for password recovery. Only its hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=256)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A new code replaces the old one: one row per account.
            models.UniqueConstraint("user", name="accounts_one_recovery_code_per_user")
        ]

    def __str__(self) -> str:
        return f"Recovery code for {self.user} ({self.created_at:%Y-%m-%d %H:%M})"


class InactivityWarning(models.Model):
    """One warning e-mail of an inactivity period, so a second run the same day sends nothing.

    `since` is the last activity the period counts from: activity starts a new period, whose
    warnings are due again.
    """

    class Threshold(models.TextChoices):
        LOCK = "lock", "Lock"
        DELETE = "delete", "Delete"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    threshold = models.CharField(max_length=10, choices=Threshold.choices)
    since = models.DateField()
    days_left = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "user", "threshold", "since", "days_left", name="accounts_one_warning_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.days_left} days before {self.threshold}"


class Passkey(models.Model):
    """A WebAuthn credential bound to one account: its second factor (ADR 0025)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    name = models.CharField(max_length=60)
    # base64url, as browsers send it; unique across the portal (WebAuthn §6.1).
    credential_id = models.CharField(max_length=1400, unique=True)
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Passkey {self.name}"


class AuthenticatorApp(models.Model):
    """An authenticator app's TOTP secret (RFC 6238), encrypted at rest (ADR 0025).

    `last_step` is the 30-second step of the last code accepted: a code of that step or an
    earlier one is refused, so a code works once.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="authenticator_apps")
    name = models.CharField(max_length=60)
    secret = models.TextField()
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Authenticator app {self.name}"


class SecondFactorRecoveryCode(models.Model):
    """One of the ten single-use codes that stand in for a lost second factor. Hashed."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="second_factor_recovery_codes"
    )
    code_hash = models.CharField(max_length=256)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Recovery code of {self.user} ({'used' if self.used_at else 'unused'})"
