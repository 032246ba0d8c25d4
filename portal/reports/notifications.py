"""Who hears of each hand-off ("notifies the people who must act next"), for every type.

A transition names its rule (`Transition.tell`) and its words (`Transition.message`). The
e-mail says only that a report waits and links to it: no member or event detail (PHI).
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from portal.accounts.models import User
from portal.core.emails import queue_email
from portal.core.workflow import Transition

from .types import type_of

EMAIL = "report_action_needed"
Rule = Callable[[Any], Iterable[User]]


def holding(role: str, organization_id: int | None) -> QuerySet[User]:
    """The active people of an organization holding a role, who have an e-mail address."""
    if organization_id is None:
        return User.objects.none()
    return User.objects.filter(
        organization__pk=organization_id, status=User.Status.ACTIVE, role_grants__role=role
    ).exclude(email="")


def filing_organization(role: str) -> Rule:
    """Holders of `role` in the organization that filed the report."""
    return lambda report: holding(role, report.organization_id)


def reviewers(role: str) -> Rule:
    """The member's plan's holders of `role`; the agency's only when that plan has none."""

    def rule(report: Any) -> Iterable[User]:
        plan = list(holding(role, report.health_plan_id))
        return plan or User.objects.filter(
            organization__kind="agency", status=User.Status.ACTIVE, role_grants__role=role
        ).exclude(email="")

    return rule


def preparer(report: Any) -> Iterable[User]:
    return [report.preparer] if report.preparer.email else []


def who_took(name: str) -> Rule:
    """Whoever last took the transition `name` on the report (the reviewer who asked)."""

    def rule(report: Any) -> Iterable[User]:
        last = report.history.filter(transition=name).select_related("actor").last()
        return [last.actor] if last and last.actor.email else []

    return rule


def notify_next(report: Any, transition: Transition) -> None:
    """Queue one e-mail per person who must act next (inside the caller's transaction)."""
    if not transition.message or transition.tell is None:
        return
    if transition.link is not None:
        link = transition.link(report)
    else:
        link = reverse(type_of(report).url("report"), kwargs={"code": report.code})
    tell(transition.tell(report), transition.message, link)


def tell(people: Iterable[User], what: str, link: str) -> None:
    """One e-mail to each person (once each): what waits, and the link to it."""
    for person in {user.pk: user for user in people}.values():
        queue_email(EMAIL, person.email, {"person": person, "what": what, "link": link})


def notify_committee(copy: Any, committee: Any) -> None:
    """Tell the committee's members a redacted report was released to them."""
    rtype = type_of(copy.report)
    link = reverse(rtype.url("copy"), kwargs={"code": copy.code})
    what = f"A redacted {rtype.noun} was released to your oversight committee."
    tell(holding("ioc.member", committee.pk), what, link)
