"""Sign-in, sign-out and the doors that lead to registration and recovery."""

from datetime import timedelta
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.core.http import posted
from portal.core.models import AuditEvent
from portal.core.roles import all_roles
from portal.registry import services as registry

from . import services
from .forms import (
    ChangePasswordForm,
    ConfirmEmailForm,
    MyDetailsForm,
    NewPasswordForm,
    PortAccountForm,
    RenewNPIForm,
    SecurityQuestionsForm,
    SignInForm,
)
from .gates import account_at_gate, enter_gate, pass_gate
from .models import TermsVersion, User
from .registration_forms import TermsForm
from .services import porting
from .services.lockout import record_failure
from .services.profile import (
    OWN_FIELDS,
    change_password,
    replace_required_password,
    replace_security_answers,
    update_my_details,
)
from .services.registration import hash_answer
from .services.second_factor import recovery_codes_left, second_factor_required
from .session_limits import SEEN, mark


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else ""


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    form = SignInForm(posted(request))
    if form.is_valid():
        result = services.sign_in(request, **form.cleaned_data)
        if result.gate is not None and result.user is not None:
            enter_gate(request, result.user, result.gate)
            return redirect(f"accounts:{result.gate}")
        if result.user is not None:
            return redirect(_safe_next(request) or settings.LOGIN_REDIRECT_URL)
        form.add_error(None, result.error or services.GENERIC_FAILURE)
    context = {"form": form, "next": _safe_next(request), "new_terms": _recently_changed_terms()}
    status = 429 if form.non_field_errors() == [services.THROTTLED] else 400
    return render(request, "accounts/sign_in.html", context, status=status if form.errors else 200)


def _recently_changed_terms() -> TermsVersion | None:
    """A new version of the Terms of Use published in the last 30 days, to announce."""
    terms = TermsVersion.current()
    if terms is None or terms.version == 1:
        return None
    return terms if terms.published_at > timezone.now() - timedelta(days=30) else None


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm (links cannot sign anyone out); POST signs out."""
    if request.method == "POST":
        services.sign_out(request)
        return redirect("accounts:signed_out")
    if not request.user.is_authenticated:
        return redirect("accounts:sign_in")
    return render(request, "accounts/sign_out.html")


@login_not_required
def signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signed_out.html")


@require_GET
def my_account(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    declared = all_roles()
    context = {
        "roles": [declared[name] for name in sorted(user.role_names) if name in declared],
        "terms": user.terms_acceptances.select_related("terms").first(),
        "sign_ins": AuditEvent.objects.filter(
            target_type="accounts.user", target_id=str(user.code), action="auth.login_succeeded"
        ).order_by("-id")[:10],
        "questions": user.security_answers.all(),
        "passkeys": user.passkeys.all(),
        "apps": user.authenticator_apps.all(),
        "codes_left": recovery_codes_left(user),
        "second_factor_required": second_factor_required(user),
        # Single sign-on accounts sign in through the identity provider, their second factor.
        "local_sign_in": user.has_usable_password(),
    }
    return render(request, "accounts/my_account.html", context)


@require_http_methods(["GET", "POST"])
def edit_my_details(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    initial = {name: getattr(user, name) for name in OWN_FIELDS}
    form = MyDetailsForm(posted(request), initial=initial)
    if form.is_valid():
        update_my_details(user, form.cleaned_data, request=request)
        messages.success(request, "Your details are saved.")
        return redirect("accounts:my_account")
    return render(request, "accounts/my_form.html", {"form": form, "heading": "Your details"},
                  status=400 if form.errors else 200)  # fmt: skip


@require_http_methods(["GET", "POST"])
def change_security_questions(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = SecurityQuestionsForm(posted(request), user=user)
    if form.is_valid():
        data = form.cleaned_data
        answers = [(data[f"question_{n}"], hash_answer(data[f"answer_{n}"])) for n in (1, 2, 3)]
        replace_security_answers(user, answers, request=request)
        messages.success(request, "Your security questions are saved.")
        return redirect("accounts:my_account")
    return render(request, "accounts/my_form.html",
                  {"form": form, "heading": "Change your security questions"},
                  status=400 if form.errors else 200)  # fmt: skip


@require_http_methods(["GET", "POST"])
def change_my_password(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = ChangePasswordForm(posted(request), user=user)
    if form.is_valid():
        change_password(user, form.cleaned_data["new_password1"], request=request)
        messages.success(request, "Your new password is set. Other sessions were signed out.")
        return redirect("accounts:my_account")
    return render(request, "accounts/my_form.html",
                  {"form": form, "heading": "Change your password"},
                  status=400 if form.errors else 200)  # fmt: skip


@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """The idle warning's "Stay signed in": the request itself is the activity."""
    mark(request, SEEN)
    return HttpResponse(status=204)


@login_not_required
@require_http_methods(["GET", "POST"])
def accept_terms(request: HttpRequest) -> HttpResponse:
    """The Terms of Use changed since this account last accepted them (SPEC §2.4)."""
    user, terms = account_at_gate(request, "accept_terms"), TermsVersion.current()
    if user is None or terms is None:
        return redirect("accounts:sign_in")
    form = TermsForm(posted(request))
    if form.is_valid():
        services.accept_terms(user, terms, request=request)
        return pass_gate(request, user)
    return render(request, "accounts/accept_terms.html", {"form": form, "terms": terms},
                  status=400 if form.errors else 200)  # fmt: skip


@login_not_required
@require_http_methods(["GET", "POST"])
def renew_npi(request: HttpRequest) -> HttpResponse:
    """The registry deactivated the organization's NPI: a master gives the valid one."""
    user = account_at_gate(request, "renew_npi")
    if user is None or user.organization is None:
        return redirect("accounts:sign_in")
    form = RenewNPIForm(posted(request)) if user.is_master else None
    if form is not None and form.is_valid():
        try:
            registry.renew_npi(user.organization, form.cleaned_data["npi"], by=user,
                               request=request)  # fmt: skip
        except registry.NPIRefused as refused:
            form.add_error("npi", str(refused))
        else:
            messages.success(request, "Thank you: your organization's NPI is updated.")
            return pass_gate(request, user)
    return render(request, "accounts/renew_npi.html", {"form": form, "person": user},
                  status=400 if form is not None and form.errors else 200)  # fmt: skip


@login_not_required
@require_http_methods(["GET", "POST"])
def confirm_email(request: HttpRequest) -> HttpResponse:
    """An account moved from the previous portal first confirms the e-mail on file."""
    user = account_at_gate(request, "confirm_email")
    if user is None:
        return redirect("accounts:sign_in")
    form = ConfirmEmailForm(posted(request))
    if form.is_valid():
        if porting.email_matches(user, form.cleaned_data["email"]):
            enter_gate(request, user, "port_account")
            return redirect("accounts:port_account")
        record_failure(user, request)  # wrong guesses count toward the lockout
        form.add_error("email", "This is not the e-mail address on your account")
    return render(request, "accounts/confirm_email.html", {"form": form},
                  status=400 if form.errors else 200)  # fmt: skip


@login_not_required
@require_http_methods(["GET", "POST"])
def port_account(request: HttpRequest) -> HttpResponse:
    user = account_at_gate(request, "port_account")
    if user is None:
        return redirect("accounts:sign_in")
    form = PortAccountForm(posted(request), user=user, initial={"phone": user.phone})
    if form.is_valid():
        data = form.cleaned_data
        answers = [(data[f"question_{n}"], hash_answer(data[f"answer_{n}"])) for n in (1, 2, 3)]
        porting.complete_port(user, phone=data["phone"], answers=answers,
                              password=data["new_password1"], request=request)  # fmt: skip
        return pass_gate(request, user)
    return render(request, "accounts/port_account.html", {"form": form},
                  status=400 if form.errors else 200)  # fmt: skip


@login_not_required
@require_http_methods(["GET", "POST"])
def new_password(request: HttpRequest) -> HttpResponse:
    """The account must choose a new password before its session (SPEC §2.4, last gate)."""
    user = account_at_gate(request, "new_password")
    if user is None:
        return redirect("accounts:sign_in")
    form = NewPasswordForm(posted(request), user=user)
    if form.is_valid():
        replace_required_password(user, form.cleaned_data["new_password1"], request=request)
        return pass_gate(request, user)
    return render(request, "accounts/new_password.html", {"form": form},
                  status=400 if form.errors else 200)  # fmt: skip
