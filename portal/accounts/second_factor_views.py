"""The second factor's pages (ADR 0025): the sign-in gate, setting one up, and My account.

The gate pages are open to a session held at the "second_factor" or "enrol_second_factor" gate
only (gates.py): such a session is not signed in, so every other page still refuses it.
"""

from typing import Any, cast

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from portal.core.http import posted

from .forms import (
    AddAuthenticatorAppForm,
    AuthenticatorCodeForm,
    FactorNameForm,
    SecondFactorRecoveryCodeForm,
)
from .gates import account_at_gate, enter_gate, factor_given, leave_gate, pass_gate
from .models import User
from .services import THROTTLED
from .services import second_factor as factors
from .services.lockout import address_is_throttled

WRONG_CODE = (
    "The code is not right. Type the code your authenticator app shows now; each code works once."
)
PASSKEY_REFUSED = "Your passkey was not accepted. Try again, or use another way below."
WRONG_RECOVERY_CODE = "The recovery code is not right, or it was already used."
LOCKED = (
    "Your account is locked because of several wrong codes or passwords in a short time. We sent "
    'you an e-mail about it. To open it again, use "Forgot your password?"; your second factor '
    "is still asked for after that."
)
NO_PASSKEY = "Your browser did not send a passkey. Passkeys need JavaScript and a recent browser."


# --- at sign-in: give the second factor -----------------------------------------------------------
def _held(request: HttpRequest, gate: str) -> User | None:
    """The active account held at `gate` in this session, if any."""
    user = account_at_gate(request, gate)
    if user is not None and not user.is_active:  # locked or removed since the password
        leave_gate(request)
        return None
    return user


def _locked_out(request: HttpRequest) -> HttpResponse:
    """A failure that locked the account: back to the sign-in page, saying why."""
    leave_gate(request)
    messages.error(request, LOCKED)
    return redirect("accounts:sign_in")


@login_not_required
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """Right after the password: a passkey or a code from an authenticator app."""
    user = _held(request, "second_factor")
    if user is None:
        return redirect("accounts:sign_in")
    method = request.POST.get("method")
    form = AuthenticatorCodeForm(request.POST if method == "code" else None)
    error = ""
    if request.method == "POST":
        check: factors.FactorCheck | None = None
        if address_is_throttled(request):
            error = THROTTLED
        elif method == "passkey":
            credential = request.POST.get("credential", "")
            check = factors.verify_passkey(user, credential, request) if credential else None
            error = PASSKEY_REFUSED if credential else NO_PASSKEY
        elif form.is_valid():
            check = factors.verify_totp(user, form.cleaned_data["code"], request)
        if check is not None and check.ok:
            return pass_gate(request, user, factor=check.kind)
        if check is not None and check.locked:
            return _locked_out(request)
        if check is not None and method == "code":
            form.add_error("code", WRONG_CODE)
    context = {
        "form": form,
        "error": error,
        "has_app": user.authenticator_apps.exists(),
        "passkey_options": factors.authentication_options(user, request),
    }
    status = 429 if error == THROTTLED else 400 if error or form.errors else 200
    return render(request, "accounts/second_factor/sign_in.html", context, status=status)


@login_not_required
@require_http_methods(["GET", "POST"])
def second_factor_recovery(request: HttpRequest) -> HttpResponse:
    """A recovery code in place of a lost passkey or app; it says how many are left."""
    user = _held(request, "second_factor")
    if user is None:
        return redirect("accounts:sign_in")
    form = SecondFactorRecoveryCodeForm(posted(request))
    throttled = request.method == "POST" and address_is_throttled(request)
    if throttled:
        form.is_valid()
        form.add_error(None, THROTTLED)
    elif form.is_valid():
        check = factors.use_recovery_code(user, form.cleaned_data["code"], request)
        if check.ok:
            messages.warning(request, _codes_left_message(check.remaining or 0))
            return pass_gate(request, user, factor=check.kind)
        if check.locked:
            return _locked_out(request)
        form.add_error("code", WRONG_RECOVERY_CODE)
    status = 429 if throttled else 400 if form.errors else 200
    return render(
        request, "accounts/second_factor/recovery_code.html", {"form": form}, status=status
    )


def _codes_left_message(left: int) -> str:
    if left == 0:
        return (
            "You used your last recovery code. Make new ones now from My account, and set up "
            "your passkey or authenticator app again if you lost it."
        )
    plural = "code" if left == 1 else "codes"
    return (
        f"You used a recovery code: {left} recovery {plural} left. If you lost your passkey "
        "or authenticator app, remove it and set up a new one from My account."
    )


# --- at sign-in: set one up, when it is required --------------------------------------------------
@login_not_required
@require_http_methods(["GET", "POST"])
def enrol_second_factor(request: HttpRequest) -> HttpResponse:
    """The account must have a second factor and has none: it chooses one. POST, once one is
    set up in this session (its recovery codes shown), goes on to the next gate."""
    user = _held(request, "enrol_second_factor")
    if user is None:
        return redirect("accounts:sign_in")
    factor, _ = factor_given(request, user)
    if request.method == "POST" and factor is not None and factors.has_second_factor(user):
        return pass_gate(request, user)
    return render(request, "accounts/second_factor/enrol.html", {"person": user})


@login_not_required
@require_http_methods(["GET", "POST"])
def enrol_app_at_gate(request: HttpRequest) -> HttpResponse:
    user = _held(request, "enrol_second_factor")
    if user is None:
        return redirect("accounts:sign_in")
    return _add_app(request, user, at_gate=True)


@login_not_required
@require_http_methods(["GET", "POST"])
def enrol_passkey_at_gate(request: HttpRequest) -> HttpResponse:
    user = _held(request, "enrol_second_factor")
    if user is None:
        return redirect("accounts:sign_in")
    return _add_passkey(request, user, at_gate=True)


# --- setting one up (the gate and My account share these) -----------------------------------------
def _added(
    request: HttpRequest, user: User, kind: str, codes: list[str], *, at_gate: bool
) -> HttpResponse:
    """After a new passkey or app: its recovery codes once, or back to My account."""
    if at_gate:  # the new factor was just used: it counts as given for this sign-in
        enter_gate(request, user, "enrol_second_factor", factor=kind)
    if codes:
        return render(
            request,
            "accounts/second_factor/recovery_codes.html",
            {"codes": codes, "at_gate": at_gate, "first": True},
        )
    messages.success(request, "Your second factor is added.")
    return redirect("accounts:my_account")


def _add_app(request: HttpRequest, user: User, *, at_gate: bool) -> HttpResponse:
    secret = factors.hold_pending_secret(request, user)
    form = AddAuthenticatorAppForm(posted(request), initial={"name": "Authenticator app"})
    if form.is_valid():
        app, codes = factors.add_authenticator_app(
            user,
            name=form.cleaned_data["name"],
            secret=secret,
            code=form.cleaned_data["code"],
            request=request,
        )
        if app is not None:
            factors.drop_pending_secret(request)
            return _added(request, user, factors.AUTHENTICATOR_APP, codes, at_gate=at_gate)
        form.add_error(
            "code",
            "The code is not right. Check that the app shows this account, "
            "and type the code it shows now",
        )
    uri = factors.totp_uri(user, secret)
    context = {
        "form": form,
        "at_gate": at_gate,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr_code": segno.make(uri, error="m").svg_data_uri(scale=5, border=2),
    }
    return render(
        request, "accounts/second_factor/add_app.html", context, status=400 if form.errors else 200
    )


def _add_passkey(request: HttpRequest, user: User, *, at_gate: bool) -> HttpResponse:
    form = FactorNameForm(posted(request), initial={"name": "Passkey"})
    if form.is_valid():
        credential = request.POST.get("credential", "")
        if not credential:
            form.add_error(None, NO_PASSKEY)
        else:
            passkey, codes = factors.add_passkey(
                user, name=form.cleaned_data["name"], credential=credential, request=request
            )
            if passkey is not None:
                return _added(request, user, factors.PASSKEY, codes, at_gate=at_gate)
            form.add_error(None, "The passkey could not be added. Try again.")
    context: dict[str, Any] = {
        "form": form,
        "at_gate": at_gate,
        "passkey_options": factors.registration_options(user, request),
    }
    return render(
        request,
        "accounts/second_factor/add_passkey.html",
        context,
        status=400 if form.errors else 200,
    )


# --- My account -----------------------------------------------------------------------------------
def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


@require_http_methods(["GET", "POST"])
def my_add_app(request: HttpRequest) -> HttpResponse:
    return _add_app(request, _me(request), at_gate=False)


@require_http_methods(["GET", "POST"])
def my_add_passkey(request: HttpRequest) -> HttpResponse:
    return _add_passkey(request, _me(request), at_gate=False)


@require_http_methods(["GET", "POST"])
def my_recovery_codes(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm; POST makes ten new codes (the old ones stop working) and shows them."""
    user = _me(request)
    if not factors.has_second_factor(user):
        raise Http404
    if request.method == "POST":
        codes = factors.new_recovery_codes(user, request)
        return render(
            request,
            "accounts/second_factor/recovery_codes.html",
            {"codes": codes, "at_gate": False, "first": False},
        )
    return render(
        request,
        "accounts/second_factor/new_codes.html",
        {"left": factors.recovery_codes_left(user)},
    )


@require_http_methods(["GET", "POST"])
def my_remove_factor(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """GET asks to confirm; POST removes one of the person's own passkeys or apps."""
    user = _me(request)
    model = factors.FACTOR_MODELS.get(kind)
    factor = model.objects.filter(user=user, pk=pk).first() if model is not None else None
    if factor is None:
        raise Http404
    if request.method == "POST":
        try:
            name = factors.remove_factor(user, kind, pk, request=request)
        except factors.FactorRemovalRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, f"{name} is removed.")
        return redirect("accounts:my_account")
    return render(request, "accounts/second_factor/remove.html", {"factor": factor, "kind": kind})
