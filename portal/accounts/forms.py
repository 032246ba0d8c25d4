"""Forms of the accounts app: validation only."""

from django import forms


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
