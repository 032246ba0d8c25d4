"""Registration question pages (SPEC §2.3). Progress lives in the session until the last page."""

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from portal.core.http import posted
from portal.core.rate_limits import allow_attempt
from portal.registry.models import Organization

from .models import TermsVersion
from .registration_forms import (
    AddressForm,
    OrganizationIdentifiersForm,
    OrganizationKindForm,
    PersonForm,
    TermsForm,
)
from .services.registration import (
    Registration,
    RegistrationRefused,
    hash_answer,
    needs_master,
    register_account,
)

SESSION_KEY, DONE_KEY = "registration", "registration_done"
public = login_not_required

TOO_MANY_TRIES = (
    "Too many registrations were tried from your network in the last hour. Wait an hour, then "
    "select Continue again: what you typed is kept."
)


def _load(request: HttpRequest) -> Registration:
    return Registration.from_session(request.session.get(SESSION_KEY))


def _save(request: HttpRequest, registration: Registration) -> None:
    request.session[SESSION_KEY] = registration.to_session()


def _organization(registration: Registration) -> Organization | None:
    return Organization.objects.filter(pk=registration.organization_id or 0).first()


def _missing_step(registration: Registration, upto: str) -> str | None:
    """The first earlier page still to be answered, if any, before `upto`."""
    order = [
        ("terms", registration.terms_version is not None),
        ("organization", bool(registration.kind)),
        ("identifiers", registration.organization_id is not None),
        ("person", registration.person_done),
    ]
    for name, done in order:
        if name == upto:
            return None
        if not done:
            return f"accounts:register_{name}"
    return None


def _steps(registration: Registration, current: str) -> dict[str, object]:
    organization = _organization(registration)
    names = ["Terms of Use", "Organization", "About you"]
    if organization is None or needs_master(organization):
        names.append("Mailing address")
    names.append("Check your answers")
    index = names.index(current)
    return {"names": names, "current": index + 1, "total": len(names), "label": current}


def _page(request: HttpRequest, template: str, step: str, **context: object) -> HttpResponse:
    form = context.get("form")
    status = 400 if form is not None and getattr(form, "errors", None) else 200
    steps = _steps(_load(request), step)
    return render(request, f"accounts/register/{template}", {**context, "steps": steps},
                  status=status)  # fmt: skip


@public
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    return render(request, "accounts/register/start.html", {"terms": TermsVersion.current()})


@public
@require_http_methods(["GET", "POST"])
def register_terms(request: HttpRequest) -> HttpResponse:
    terms = TermsVersion.current()
    if terms is None or request.user.is_authenticated:
        return redirect("accounts:register")
    registration = _load(request)
    form = TermsForm(
        posted(request), initial={"agree": registration.terms_version == terms.version}
    )
    if form.is_valid():
        registration.terms_version = terms.version
        _save(request, registration)
        return redirect("accounts:register_organization")
    return _page(request, "terms.html", "Terms of Use", form=form, terms=terms)


@public
@require_http_methods(["GET", "POST"])
def register_organization(request: HttpRequest) -> HttpResponse:
    registration = _load(request)
    if missing := _missing_step(registration, "organization"):
        return redirect(missing)
    form = OrganizationKindForm(posted(request), initial={"kind": registration.kind})
    if form.is_valid():
        if form.cleaned_data["kind"] != registration.kind:
            registration.kind, registration.organization_id = form.cleaned_data["kind"], None
        _save(request, registration)
        return redirect("accounts:register_identifiers")
    return _page(request, "question.html", "Organization", form=form,
                 heading="Your organization")  # fmt: skip


@public
@require_http_methods(["GET", "POST"])
def register_identifiers(request: HttpRequest) -> HttpResponse:
    registration = _load(request)
    if missing := _missing_step(registration, "identifiers"):
        return redirect(missing)
    organization = _organization(registration)
    initial = (
        {"identifier": organization.identifier, "npi": organization.npi} if organization else {}
    )
    form = OrganizationIdentifiersForm(posted(request), kind=registration.kind, initial=initial)
    if form.is_valid() and form.organization is not None:
        registration.organization_id = form.organization.pk
        _save(request, registration)
        return redirect("accounts:register_person")
    return _page(request, "question.html", "Organization", form=form,
                 heading="Your organization's identifiers")  # fmt: skip


@public
@require_http_methods(["GET", "POST"])
def register_person(request: HttpRequest) -> HttpResponse:
    registration = _load(request)
    if missing := _missing_step(registration, "person"):
        return redirect(missing)
    questions = {f"question_{n}": q for n, (q, _) in enumerate(registration.answers, start=1)}
    initial = {**registration.to_session(), **questions}
    form = PersonForm(posted(request), initial=initial,
                      password_on_file=bool(registration.password_hash))  # fmt: skip
    if request.method == "POST" and not allow_attempt(request, "register"):
        form.add_error(None, TOO_MANY_TRIES)  # what was typed stays on the page
    elif form.is_valid():
        _remember_person(registration, form.cleaned_data)
        _save(request, registration)
        organization = _organization(registration)
        needs_address = organization is not None and needs_master(organization)
        return redirect("accounts:register_address" if needs_address else "accounts:register_check")
    return _page(request, "person.html", "About you", form=form)


def _remember_person(registration: Registration, data: dict[str, str]) -> None:
    for name in ("first_name", "last_name", "email", "phone", "username"):
        setattr(registration, name, data[name])
    if data["password1"]:
        registration.password_hash = make_password(data["password1"])
    registration.answers = [
        (data[f"question_{n}"], hash_answer(data[f"answer_{n}"])) for n in (1, 2, 3)
    ]


@public
@require_http_methods(["GET", "POST"])
def register_address(request: HttpRequest) -> HttpResponse:
    registration = _load(request)
    organization = _organization(registration)
    missing = _missing_step(registration, "address")
    if missing or organization is None:
        return redirect(missing or "accounts:register_identifiers")
    if not needs_master(organization):
        return redirect("accounts:register_check")
    form = AddressForm(posted(request), organization=organization,
                       initial={"address": registration.address_id})  # fmt: skip
    if form.is_valid():
        registration.address_id = form.cleaned_data["address"].pk
        _save(request, registration)
        return redirect("accounts:register_check")
    on_file = organization.addresses.filter(is_active=True).exists()
    return _page(request, "address.html", "Mailing address", form=form,
                 organization=organization, has_addresses=on_file)  # fmt: skip


@public
@require_http_methods(["GET", "POST"])
def register_check(request: HttpRequest) -> HttpResponse:
    registration = _load(request)
    organization = _organization(registration)
    missing = _missing_step(registration, "check")
    if missing or organization is None:
        return redirect(missing or "accounts:register_identifiers")
    error = None
    if request.method == "POST":
        try:
            user = register_account(registration, request=request)
        except RegistrationRefused as refused:
            error = str(refused)
        else:
            request.session.pop(SESSION_KEY, None)
            request.session[DONE_KEY] = {"master": user.is_master, "email": user.email}
            return redirect("accounts:register_done")
    address = organization.addresses.filter(pk=registration.address_id or 0).first()
    response = _page(request, "check.html", "Check your answers", registration=registration,
                     organization=organization, master=needs_master(organization), error=error,
                     address=address)  # fmt: skip
    response.status_code = 400 if error else 200
    return response


@public
def register_done(request: HttpRequest) -> HttpResponse:
    done = request.session.get(DONE_KEY)
    if done is None:
        return redirect("accounts:register")
    return render(request, "accounts/register/done.html", {"done": done})
