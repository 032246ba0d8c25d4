"""The staff door: agency single sign-on through OpenID Connect (SPEC §2.9, ADR 0011)."""

import logging
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from portal.core import audit

from .gates import pass_gate
from .services.sso import SingleSignOnRefused
from .sso import sso_enabled

log = logging.getLogger(__name__)

start_sign_on = OIDCAuthenticationRequestView.as_view()


@login_not_required
@require_GET
def agency_sign_in(request: HttpRequest) -> HttpResponse:
    """Off to the identity provider; or, where none is set up, a page that says so."""
    if not sso_enabled():
        return render(request, "accounts/agency_sign_in.html")
    return start_sign_on(request)  # type: ignore[no-any-return]


class StaffCallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """Where the identity provider sends the browser back with a code (or an error).

    Every refusal ends on one plain page and one audit event naming a reason code; the
    library's own refusals (unknown state, replayed callback) are treated the same way.
    """

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            return render(request, "accounts/agency_sign_in.html")
        try:
            return super().get(request)  # type: ignore[no-any-return]
        except SingleSignOnRefused as refusal:
            return self.refuse(refusal.reason)
        except SuspiciousOperation:
            return self.refuse("unknown_state")

    def login_success(self) -> HttpResponse:
        # The identity provider stands for the second factor (ADR 0025).
        amr = getattr(self.request, "sso_amr", None)
        return pass_gate(self.request, self.user, factor="identity_provider", amr=amr)

    def login_failure(self) -> HttpResponse:
        reason = "provider_error" if self.request.GET.get("error") else "not_signed_in"
        return self.refuse(reason)

    def refuse(self, reason: str) -> HttpResponse:
        log.warning("Agency single sign-on refused: %s", reason)
        with transaction.atomic():
            audit.record("auth.sso_refused", request=self.request, data={"reason": reason})
        return render(self.request, "accounts/agency_sign_in_failed.html", status=403)


agency_callback: Any = login_not_required(StaffCallbackView.as_view())
