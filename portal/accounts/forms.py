"""Forms of the accounts app: validation only."""

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password

from portal.core.roles import roles_allowed_for

from .models import SecurityQuestion, User


def legal_name_field(part: str, whose: str) -> forms.CharField:
    """A legal first or last name (`part`), with messages for `whose` ("your" or "the")."""
    return forms.CharField(
        label=f"Legal {part} name",
        max_length=100,
        error_messages={"required": f"Enter {whose} legal {part} name"},
    )


def phone_field(whose: str, *, autocomplete: str = "tel") -> forms.CharField:
    return forms.CharField(
        label="Work phone number",
        max_length=30,
        error_messages={"required": f"Enter {whose} work phone number"},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": autocomplete}),
    )


def check_new_password(form: forms.Form, data: dict[str, Any], user: User) -> None:
    """The two new-password boxes agree, differ from the current password, pass the policy."""
    first, second = data.get("new_password1"), data.get("new_password2")
    if first and second and first != second:
        form.add_error("new_password2", "The two passwords are not the same. Type them again")
    elif first and user.check_password(first):
        form.add_error("new_password1", "Choose a password different from your old one")
    elif first:
        try:
            validate_password(first, user)
        except forms.ValidationError as error:
            form.add_error("new_password1", error)


class SignInForm(forms.Form):
    # Points the error summary's link for a failed sign-in at the first field.
    error_focus_id = "id_username"

    username = forms.CharField(
        max_length=150,
        error_messages={
            "required": "Enter your username",
            "max_length": "Enter a username of 150 characters or fewer",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password = forms.CharField(
        max_length=128,
        strip=False,
        help_text="Passwords are case-sensitive.",
        error_messages={
            "required": "Enter your password",
            "max_length": "Enter a password of 128 characters or fewer",
        },
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ActivationCodeForm(forms.Form):
    code = forms.CharField(
        label="Activation code",
        help_text="12 letters and digits, as printed in the letter. Hyphens and spaces are fine.",
        max_length=20,
        error_messages={
            "required": "Enter the activation code from your letter",
            "max_length": "Enter the 12-character code from your letter",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )


class AccountDetailsForm(forms.Form):
    """What a master may change on an account of their organization."""

    first_name = legal_name_field("first", "the")
    last_name = legal_name_field("last", "the")
    phone = phone_field("the", autocomplete="off")
    email = forms.EmailField(
        label="Work e-mail address", max_length=254,
        error_messages={"required": "Enter the work e-mail address",
                        "invalid": "Enter an e-mail address like name@example.org"},
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )  # fmt: skip

    def __init__(self, *args: Any, account: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        others = User.objects.filter(email__iexact=email).exclude(pk=self.account.pk)
        if others.exists():
            raise forms.ValidationError("Another account already uses this e-mail address")
        return email


class PrivilegesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Site privileges", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Give only what the person's work needs.",
        error_messages={"invalid_choice": "Choose only privileges listed here"},
    )  # fmt: skip

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(role.name, role.label) for role in roles_allowed_for(kind)]
        self.fields["roles"].choices = choices  # type: ignore[attr-defined]


class MyDetailsForm(forms.Form):
    first_name = legal_name_field("first", "your")
    last_name = legal_name_field("last", "your")
    phone = phone_field("your")


class SecurityQuestionsForm(forms.Form):
    """Three different questions with answers; the current password proves it is you."""

    current_password = forms.CharField(
        label="Your current password", strip=False, max_length=128,
        error_messages={"required": "Enter your current password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )  # fmt: skip

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for n in (1, 2, 3):
            self.fields[f"question_{n}"] = forms.ChoiceField(
                label=f"Security question {n}",
                choices=[("", "- Select -"), *SecurityQuestion.choices],
                error_messages={"required": f"Select security question {n}"},
            )
            self.fields[f"answer_{n}"] = forms.CharField(
                label=f"Answer to security question {n}", max_length=100,
                help_text="Capital letters and spaces at the start or end do not matter.",
                error_messages={"required": f"Enter an answer to security question {n}"},
            )  # fmt: skip

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password")
        return password

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        questions = [data.get(f"question_{n}") for n in (1, 2, 3)]
        if all(questions) and len(set(questions)) < 3:
            self.add_error("question_3", "Choose three different security questions")
        return data


class RecoveryUsernameForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        error_messages={"required": "Enter your username",
                        "max_length": "Enter a username of 150 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )  # fmt: skip


class RecoveryAnswersForm(forms.Form):
    def __init__(self, *args: Any, questions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(SecurityQuestion.choices)
        for n, question in enumerate(questions, start=1):
            self.fields[f"answer_{n}"] = forms.CharField(
                label=labels[question], max_length=100,
                error_messages={"required": "Enter your answer to this question"},
            )  # fmt: skip
        self.questions = questions

    def answers(self) -> dict[str, str]:
        return {q: self.cleaned_data[f"answer_{n}"] for n, q in enumerate(self.questions, 1)}


class ResetPasswordForm(forms.Form):
    username = forms.CharField(
        max_length=150, error_messages={"required": "Enter your username"},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )  # fmt: skip
    code = forms.CharField(
        label="Security code", max_length=8, min_length=8,
        help_text="The 8 digits in the e-mail we sent you.",
        error_messages={"required": "Enter the security code from the e-mail",
                        "min_length": "Enter the 8-digit security code",
                        "max_length": "Enter the 8-digit security code"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )  # fmt: skip
    new_password1 = forms.CharField(
        label="New password", strip=False, max_length=128,
        help_text="At least 15 characters, different from your old password.",
        error_messages={"required": "Choose a new password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
    )  # fmt: skip
    new_password2 = forms.CharField(
        label="Type the new password again", strip=False, max_length=128,
        error_messages={"required": "Type the new password again"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("new_password1"), data.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", "The two passwords are not the same. Type them again")
        elif first:
            try:
                validate_password(first, User(username=data.get("username", "")))
            except forms.ValidationError as error:
                self.add_error("new_password1", error)
        return data


class ChangePasswordForm(forms.Form):
    current_password = forms.CharField(
        label="Your current password", strip=False, max_length=128,
        error_messages={"required": "Enter your current password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )  # fmt: skip
    new_password1 = ResetPasswordForm.base_fields["new_password1"]
    new_password2 = ResetPasswordForm.base_fields["new_password2"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password")
        return password

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_new_password(self, data, self.user)
        return data


class NewPasswordForm(forms.Form):
    """A new password at the sign-in gate: the person has just typed the current one."""

    new_password1 = ResetPasswordForm.base_fields["new_password1"]
    new_password2 = ResetPasswordForm.base_fields["new_password2"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_new_password(self, data, self.user)
        return data


class RenewNPIForm(forms.Form):
    npi = forms.CharField(
        label="Your organization's valid NPI", max_length=10, min_length=10,
        help_text="10 digits",
        error_messages={"required": "Enter your organization's 10-digit NPI",
                        "min_length": "Enter a 10-digit NPI, digits only",
                        "max_length": "Enter a 10-digit NPI, digits only"},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip


class ConfirmEmailForm(forms.Form):
    email = forms.EmailField(
        label="The e-mail address on your account", max_length=254,
        error_messages={"required": "Enter the e-mail address on your account",
                        "invalid": "Enter an e-mail address like name@example.org"},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )  # fmt: skip


class PortAccountForm(SecurityQuestionsForm):
    """What the new portal needs from an account moved from the previous one."""

    phone = MyDetailsForm.base_fields["phone"]
    new_password1 = ResetPasswordForm.base_fields["new_password1"]
    new_password2 = ResetPasswordForm.base_fields["new_password2"]
    field_order = ["phone", "new_password1", "new_password2"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        del self.fields["current_password"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        check_new_password(self, data, self.user)
        return data


# --- second factor (ADR 0025) -----------------------------------------------------------------
class FactorNameForm(forms.Form):
    name = forms.CharField(
        label="Name it",
        max_length=60,
        help_text='So you can tell your second factors apart, for example "Work laptop" or '
        '"My phone".',
        error_messages={"required": "Enter a name for it"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def _short_code(value: str, limit: int, message: str) -> str:
    """A code's length is named by its label: no "characters left" hint, just a plain limit."""
    if len(value) > limit:
        raise forms.ValidationError(message)
    return value


class AuthenticatorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="6 digits. A new code shows every 30 seconds.",
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        return _short_code(self.cleaned_data["code"], 12, "Enter the 6 digits the app shows")


class AddAuthenticatorAppForm(FactorNameForm, AuthenticatorCodeForm):
    field_order = ["code", "name"]


class SecondFactorRecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label="Recovery code",
        help_text="12 letters and digits, as you saved them. Hyphens and spaces are fine.",
        error_messages={"required": "Enter one of your recovery codes"},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        return _short_code(self.cleaned_data["code"], 20, "Enter a 12-character recovery code")


class SecondFactorRequirementForm(forms.Form):
    required = forms.TypedChoiceField(
        label="Ask everyone in your organization for a second factor?",
        choices=[
            ("yes", "Yes: every account needs a passkey or an authenticator app"),
            ("no", "No: each person chooses"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no"},
    )
