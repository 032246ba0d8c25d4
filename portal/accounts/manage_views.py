"""The master's administration page: the accounts of their own organization (SPEC §2.6)."""

from dataclasses import dataclass
from typing import Protocol, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from portal.core.http import posted
from portal.core.roles import all_roles

from .access import get_account_for_master, get_organization_for_master
from .forms import AccountDetailsForm, PrivilegesForm, SecondFactorRequirementForm
from .models import User
from .services import administration as admin
from .services import second_factor as factors


class _Action(Protocol):
    def __call__(self, account: User, *, by: User, request: HttpRequest) -> None: ...


@dataclass(frozen=True)
class AccountAction:
    verb: str  # the button, e.g. "Approve"
    question: str  # the confirmation page's heading; {name} is the account holder
    done: str  # the message after it is done
    perform: _Action


ACTIONS = {
    "approve": AccountAction("Approve", "Approve the account of {name}?",
                             "{name} can now sign in.", admin.approve_account),
    "remove": AccountAction("Remove", "Remove the account of {name}?",
                            "{name}'s account is removed.", admin.remove_account),
    "make-master": AccountAction("Set as master", "Make {name} a master account holder?",
                                 "{name} is now a master account holder.", admin.make_master),
    "send-recovery": AccountAction(
        "Send password recovery", "Start password recovery for {name}?",
        "A security code was e-mailed to {name}.", admin.request_recovery),
    "require-new-password": AccountAction(
        "Require a new password", "Ask {name} to choose a new password at their next sign-in?",
        "{name} will be asked for a new password at their next sign-in.",
        admin.require_new_password),
    "reset-second-factor": AccountAction(
        "Reset the second factor", "Reset the second factor of {name}?",
        "The second factor of {name} is reset. They were told by e-mail.",
        factors.reset_second_factor),
}  # fmt: skip


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


@require_GET
def manage_accounts(request: HttpRequest) -> HttpResponse:
    organization = get_organization_for_master(_me(request))
    accounts = list(organization.accounts.exclude(status=User.Status.DELETED))
    groups = [
        (label, [a for a in accounts if a.status in statuses])
        for label, statuses in (
            ("Waiting for your approval", {User.Status.AWAITING_APPROVAL}),
            ("Active", {User.Status.ACTIVE, User.Status.AWAITING_ACTIVATION}),
            ("Locked", {User.Status.LOCKED}),
            ("Removed", {User.Status.REMOVED}),
        )
    ]
    with_factor = set(
        organization.accounts.filter(passkeys__isnull=False).values_list("pk", flat=True)
    ) | set(
        organization.accounts.filter(authenticator_apps__isnull=False).values_list("pk", flat=True)
    )
    context = {"organization": organization, "groups": groups, "with_factor": with_factor}
    return render(request, "accounts/manage/list.html", context)


@require_http_methods(["GET", "POST"])
def organization_second_factor(request: HttpRequest) -> HttpResponse:
    """A master asks every account of the organization for a second factor, or stops asking."""
    organization = get_organization_for_master(_me(request))
    initial = {"required": "yes" if organization.second_factor_required else "no"}
    form = SecondFactorRequirementForm(posted(request), initial=initial)
    if form.is_valid():
        required = form.cleaned_data["required"]
        factors.set_organization_requirement(
            organization, required, by=_me(request), request=request
        )
        messages.success(
            request,
            "Everyone in your organization now needs a second factor; "
            "people without one set it up at their next sign-in."
            if required
            else "Each person in your organization now chooses whether to use a second factor.",
        )
        return redirect("accounts:manage_accounts")
    return render(
        request,
        "accounts/manage/second_factor.html",
        {"organization": organization, "form": form},
        status=400 if form.errors else 200,
    )


@require_GET
def manage_account(request: HttpRequest, code: str) -> HttpResponse:
    account = get_account_for_master(_me(request), code)
    declared = all_roles()
    roles = [declared[name] for name in sorted(account.role_names) if name in declared]
    context = {
        "account": account,
        "roles": roles,
        "passkeys": account.passkeys.count(),
        "apps": account.authenticator_apps.count(),
        "second_factor_required": factors.second_factor_required(account),
    }
    return render(request, "accounts/manage/detail.html", context)


@require_http_methods(["GET", "POST"])
def account_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """GET asks to confirm; POST does it."""
    account = get_account_for_master(_me(request), code)
    chosen = ACTIONS.get(action)
    if chosen is None:
        raise Http404
    name = account.get_full_name()
    if request.method == "POST":
        try:
            chosen.perform(account, by=_me(request), request=request)
        except admin.AccountActionRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, chosen.done.format(name=name))
        return redirect("accounts:manage_account", code=account.code)
    context = {"account": account, "action": chosen, "question": chosen.question.format(name=name)}
    return render(request, "accounts/manage/confirm.html", context)


@require_http_methods(["GET", "POST"])
def edit_account_details(request: HttpRequest, code: str) -> HttpResponse:
    account = get_account_for_master(_me(request), code)
    initial = {f: getattr(account, f) for f in ("first_name", "last_name", "phone", "email")}
    form = AccountDetailsForm(posted(request), initial=initial, account=account)
    if form.is_valid():
        admin.update_account_details(account, by=_me(request), details=form.cleaned_data,
                                     request=request)  # fmt: skip
        messages.success(request, "The account details are saved.")
        return redirect("accounts:manage_account", code=account.code)
    return render(request, "accounts/manage/form.html",
                  {"account": account, "form": form, "heading": "Change account details"},
                  status=400 if form.errors else 200)  # fmt: skip


@require_http_methods(["GET", "POST"])
def edit_privileges(request: HttpRequest, code: str) -> HttpResponse:
    account = get_account_for_master(_me(request), code)
    kind = account.organization.kind if account.organization else ""
    form = PrivilegesForm(posted(request), initial={"roles": sorted(account.role_names)}, kind=kind)
    if form.is_valid():
        try:
            admin.set_roles(account, set(form.cleaned_data["roles"]), by=_me(request),
                            request=request)  # fmt: skip
        except admin.AccountActionRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, "The site privileges are saved.")
        return redirect("accounts:manage_account", code=account.code)
    return render(request, "accounts/manage/form.html",
                  {"account": account, "form": form, "heading": "Site privileges"},
                  status=400 if form.errors else 200)  # fmt: skip
