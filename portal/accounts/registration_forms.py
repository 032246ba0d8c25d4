"""The registration question pages' forms: validation only."""

import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

from portal.registry.models import MailingAddress, Organization
from portal.registry.npi import is_valid_npi

from .forms import legal_name_field
from .models import SecurityQuestion, User

KIND_CHOICES = [
    (Organization.Kind.PROVIDER, "A provider (AHCCCS Provider ID and NPI)"),
    (Organization.Kind.HEALTH_PLAN, "A health plan"),
    (Organization.Kind.TRBHA, "A Tribal Regional Behavioral Health Authority (TRBHA)"),
    (Organization.Kind.IOC, "An Independent Oversight Committee"),
    (Organization.Kind.EXTERNAL_AGENCY, "Another state agency"),
]
IDENTIFIER_LABELS: dict[str, str] = {
    Organization.Kind.HEALTH_PLAN: "Health plan ID",
    Organization.Kind.TRBHA: "Health plan ID",
    Organization.Kind.IOC: "Committee code",
    Organization.Kind.EXTERNAL_AGENCY: "Agency code",
}


class TermsForm(forms.Form):
    agree = forms.BooleanField(
        label="I have read the Terms of Use and agree to them",
        error_messages={"required": "Select the box to agree to the Terms of Use"},
        template_name="uswds/checkbox_field.html",
    )


class OrganizationKindForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of organization do you work for?",
        choices=KIND_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of organization you work for",
                        "invalid_choice": "Select one of the kinds listed"},
    )  # fmt: skip


class OrganizationIdentifiersForm(forms.Form):
    """The identifiers of one kind of organization; they must name an active registry entry."""

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.organization: Organization | None = None
        if kind == Organization.Kind.PROVIDER:
            length = settings.PROVIDER_ID_LENGTH
            self.fields["identifier"] = _text(
                "AHCCCS Provider ID", f"{length} digits",
                f"Enter your {length}-digit AHCCCS Provider ID", length, inputmode="numeric",
            )  # fmt: skip
            self.fields["npi"] = _text(
                "National Provider Identifier (NPI)", "10 digits",
                "Enter your organization's 10-digit NPI", 10, inputmode="numeric",
            )  # fmt: skip
        else:
            label = IDENTIFIER_LABELS[kind]
            self.fields["identifier"] = _text(label, "", f"Enter your {label.lower()}", 20)

    def clean_identifier(self) -> str:
        value = self.cleaned_data["identifier"].strip()
        length = settings.PROVIDER_ID_LENGTH
        if self.kind == Organization.Kind.PROVIDER and not re.fullmatch(rf"\d{{{length}}}", value):
            raise ValidationError(f"Enter a {length}-digit AHCCCS Provider ID, digits only")
        return value

    def clean_npi(self) -> str:
        value = self.cleaned_data["npi"].strip()
        if not re.fullmatch(r"\d{10}", value):
            raise ValidationError("Enter a 10-digit NPI, digits only")
        if not is_valid_npi(value):
            raise ValidationError("This is not a valid NPI: check each digit and try again")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        found = Organization.objects.filter(
            kind=self.kind, identifier__iexact=data["identifier"], status=Organization.Status.ACTIVE
        )
        if self.kind == Organization.Kind.PROVIDER:
            found = found.filter(npi=data["npi"])
        self.organization = found.first()
        if self.organization is None:
            raise ValidationError(
                "We could not find an active organization with these details in the AHCCCS "
                f"registry. Check them, or call {settings.REGISTRY_CONTACT_PHONE}."
            )
        return data


class PersonForm(forms.Form):
    first_name = legal_name_field("first", "your")
    last_name = legal_name_field("last", "your")
    email = forms.EmailField(
        label="Work e-mail address", max_length=254,
        help_text="We send account notices here. Each account needs its own address.",
        error_messages={"required": "Enter your work e-mail address",
                        "invalid": "Enter an e-mail address like name@example.org"},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )  # fmt: skip
    phone = forms.CharField(
        label="Work phone number", max_length=30, help_text="For example, 602-555-0123",
        error_messages={"required": "Enter your work phone number"},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )  # fmt: skip
    username = forms.CharField(
        label="Username", max_length=150, validators=[UnicodeUsernameValidator()],
        help_text="Letters, digits and @ . + - _ only. You will type it to sign in.",
        error_messages={"required": "Choose a username"},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )  # fmt: skip
    password1 = forms.CharField(
        label="Password", strip=False, max_length=128, required=False,
        help_text=f"At least {settings.PASSWORD_MIN_LENGTH} characters. A few unrelated words "
        "make a strong password that is easy to remember.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
    )  # fmt: skip
    password2 = forms.CharField(
        label="Type the password again", strip=False, max_length=128, required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
    )  # fmt: skip

    def __init__(self, *args: Any, password_on_file: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.password_on_file = password_on_file
        if password_on_file:
            self.fields[
                "password1"
            ].help_text = "Leave both boxes empty to keep the password you chose."
        for n in (1, 2, 3):
            self.fields[f"question_{n}"] = forms.ChoiceField(
                label=f"Security question {n}",
                choices=[("", "- Select -"), *SecurityQuestion.choices],
                error_messages={"required": f"Select security question {n}"},
            )  # fmt: skip
            self.fields[f"answer_{n}"] = _text(
                f"Answer to security question {n}",
                "Capital letters and spaces at the start or end do not matter.",
                f"Enter an answer to security question {n}", 100,
            )  # fmt: skip

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError("That username is taken. Choose another")
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                "An account already uses this e-mail address. Use your own work address, or ask a "
                "master account holder of your organization for help"
            )
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._clean_password(data)
        questions = [data.get(f"question_{n}") for n in (1, 2, 3)]
        if all(questions) and len(set(questions)) < 3:
            self.add_error("question_3", "Choose three different security questions")
        return data

    def _clean_password(self, data: dict[str, Any]) -> None:
        first, second = data.get("password1", ""), data.get("password2", "")
        if not first and not second and self.password_on_file:
            return
        if not first:
            self.add_error("password1", "Choose a password")
        elif first != second:
            self.add_error("password2", "The two passwords are not the same. Type them again")
        else:
            names = ("username", "email", "first_name", "last_name")
            person = User(**{name: data.get(name, "") for name in names})
            try:
                validate_password(first, person)
            except ValidationError as error:
                self.add_error("password1", error)


class AddressForm(forms.Form):
    address = forms.ModelChoiceField(
        queryset=MailingAddress.objects.none(),
        label="Where should we mail the activation letter?",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the address where your organization gets its mail",
                        "invalid_choice": "Select one of the addresses on file"},
    )  # fmt: skip

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["address"].queryset = organization.addresses.filter(  # type: ignore[attr-defined]
            is_active=True
        )


def _text(label: str, hint: str, required_message: str, max_length: int, *, required: bool = True,
          inputmode: str | None = None) -> forms.CharField:  # fmt: skip
    attrs = {"inputmode": inputmode} if inputmode else {}
    return forms.CharField(
        label=label, help_text=hint, max_length=max_length, required=required,
        error_messages={"required": required_message,
                        "max_length": f"{label} must be {max_length} characters or fewer"},
        widget=forms.TextInput(attrs=attrs),
    )  # fmt: skip
