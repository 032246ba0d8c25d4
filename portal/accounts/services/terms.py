"""Terms of Use versions: published by agency admins, never edited afterwards."""

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest

from portal.core import audit

from ..models import TermsAcceptance, TermsVersion, User


def publish_terms(title: str, body: str, *, by: User | None) -> TermsVersion:
    """Publish a new version; it becomes the one registrants accept from now on."""
    with transaction.atomic():
        latest = TermsVersion.objects.select_for_update().aggregate(n=Max("version"))["n"] or 0
        terms = TermsVersion.objects.create(
            version=latest + 1, title=title, body=body, published_by=by
        )
        audit.record("terms.published", actor=by, target=terms, data={"version": terms.version})
    return terms


def accept_terms(user: User, terms: TermsVersion, *, request: HttpRequest) -> None:
    with transaction.atomic():
        _, created = TermsAcceptance.objects.get_or_create(user=user, terms=terms)
        if created:
            audit.record("terms.accepted", actor=user, target=user, request=request,
                         data={"version": terms.version})  # fmt: skip
