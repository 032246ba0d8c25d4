"""Forgot your password? (SPEC §2.5): username, security questions, e-mailed code, new password."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from portal.core.http import posted

from .forms import RecoveryAnswersForm, RecoveryUsernameForm, ResetPasswordForm
from .services import THROTTLED
from .services.lockout import address_is_throttled
from .services.recovery import Reset, questions_for, reset_password, start_recovery

SESSION_KEY = "recovery"
REFUSED = "The username or security code is not right, or the code has expired. Check them, or "\
    "start again to get a new code"  # fmt: skip


def _page(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    form = context.get("form")
    status = 400 if form is not None and getattr(form, "errors", None) else 200
    return render(request, f"accounts/recovery/{template}", context, status=status)


@login_not_required
@require_http_methods(["GET", "POST"])
def forgot_password(request: HttpRequest) -> HttpResponse:
    form = RecoveryUsernameForm(posted(request))
    if form.is_valid():
        username = form.cleaned_data["username"]
        request.session[SESSION_KEY] = {"username": username, "questions": questions_for(username)}
        return redirect("accounts:recovery_questions")
    return _page(request, "username.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def recovery_questions(request: HttpRequest) -> HttpResponse:
    held = request.session.get(SESSION_KEY)
    if not held:
        return redirect("accounts:forgot_password")
    form = RecoveryAnswersForm(posted(request), questions=held["questions"])
    if form.is_valid():
        if address_is_throttled(request):
            form.add_error(None, THROTTLED)
        else:
            start_recovery(held["username"], form.answers(), request=request)
            request.session.pop(SESSION_KEY, None)
            return redirect("accounts:recovery_sent")
    return _page(request, "questions.html", {"form": form, "username": held["username"]})


@login_not_required
def recovery_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/recovery/sent.html")


@login_not_required
@require_http_methods(["GET", "POST"])
def reset(request: HttpRequest) -> HttpResponse:
    form = ResetPasswordForm(posted(request))
    if form.is_valid():
        data = form.cleaned_data
        outcome = reset_password(data["username"], data["code"], data["new_password1"],
                                 request=request)  # fmt: skip
        if outcome is Reset.DONE:
            messages.success(request, "Your new password is set. Sign in with it.")
            return redirect("accounts:sign_in")
        if outcome is Reset.SAME_PASSWORD:
            form.add_error("new_password1", "Choose a password different from your old one")
        else:
            form.add_error(None, REFUSED)
    return _page(request, "reset.html", {"form": form})
