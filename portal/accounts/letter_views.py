"""Activation letters: the master's activation page and the agency's mailroom."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.core.http import posted

from .access import check_agency_admin, get_batch_for_admin, get_letter_for_admin
from .forms import ActivationCodeForm
from .gates import account_at_gate, pass_gate
from .models import ActivationLetter, LetterBatch, User
from .services.letters import (
    Activation,
    activate_account,
    mark_batch_mailed,
    print_letters,
    request_new_letter,
)

ACTIVATION_ERRORS = {
    Activation.WRONG: "That code is not right. Check the letter and type the code again",
    Activation.EXPIRED: "The code in your letter has expired. Ask for a new letter below",
    Activation.TOO_MANY: "Too many wrong codes. Wait 15 minutes, then try again",
    Activation.NOT_YET: "Your letter has not been printed yet. Please wait for it to arrive",
}


@login_not_required
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest) -> HttpResponse:
    user = account_at_gate(request, "activate")
    if user is None or user.status != User.Status.AWAITING_ACTIVATION:
        messages.info(request, "Sign in to continue.")
        return redirect("accounts:sign_in")
    if request.POST.get("action") == "new_letter":
        request_new_letter(user, request=request)
        messages.success(request, "We will mail you a new letter. The code in any earlier "
                                  "letter no longer works.")  # fmt: skip
        return redirect("accounts:activate")
    form = ActivationCodeForm(posted(request))
    if form.is_valid():
        outcome = activate_account(user, form.cleaned_data["code"], request=request)
        if outcome is Activation.ACTIVATED:
            messages.success(request, "Your master account is active. Welcome to the portal.")
            return pass_gate(request, user)
        form.add_error("code", ACTIVATION_ERRORS[outcome])
    return render(request, "accounts/activate.html", {"form": form, "person": user},
                  status=400 if form.errors else 200)  # fmt: skip


@require_GET
def mailroom(request: HttpRequest) -> HttpResponse:
    check_agency_admin(request.user)  # type: ignore[arg-type]
    pending = ActivationLetter.objects.filter(status=ActivationLetter.Status.PENDING)
    batches = LetterBatch.objects.prefetch_related("letters__user__organization")[:20]
    context = {"pending": pending.select_related("user__organization", "address"),
               "batches": batches}  # fmt: skip
    return render(request, "accounts/mailroom.html", context)


@require_POST
def print_pending(request: HttpRequest) -> HttpResponse:
    check_agency_admin(request.user)  # type: ignore[arg-type]
    pending = list(ActivationLetter.objects.filter(status=ActivationLetter.Status.PENDING))
    if not pending:
        messages.info(request, "No letters are waiting to be printed.")
        return redirect("accounts:mailroom")
    batch, pdf = print_letters(pending, by=request.user)  # type: ignore[arg-type]
    return _pdf(pdf, f"activation-letters-batch-{batch.pk}.pdf")


@require_POST
def reprint(request: HttpRequest, code: str) -> HttpResponse:
    letter = get_letter_for_admin(request.user, code)  # type: ignore[arg-type]
    if letter.status not in (ActivationLetter.Status.PRINTED, ActivationLetter.Status.MAILED):
        messages.error(request, "Only printed or mailed letters can be printed again.")
        return redirect("accounts:mailroom")
    batch, pdf = print_letters([letter], by=request.user)  # type: ignore[arg-type]
    return _pdf(pdf, f"activation-letters-batch-{batch.pk}.pdf")


@require_POST
def mark_mailed(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_batch_for_admin(request.user, batch_id)  # type: ignore[arg-type]
    count = mark_batch_mailed(batch, by=request.user)  # type: ignore[arg-type]
    messages.success(request, f"Batch {batch.pk}: {count} letters recorded as mailed.")
    return redirect("accounts:mailroom")


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
