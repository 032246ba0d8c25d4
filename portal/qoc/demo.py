"""Demo quality-of-care cases for development, made through the real services: Saguaro Health
Plan's cases about Desert Bloom in every state (a record request open, a corrective action plan
with the provider and one to review), and a year of closed cases for the trends page."""

from datetime import timedelta
from itertools import cycle
from typing import Any

from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.registry.models import Organization
from portal.reports import services

from . import requests
from .catalogue import load_catalogue
from .models import Case, Category

# (member, days since received, severity, the steps after the intake)
STORIES = [
    ("Nora Benally", 1, 2, []),
    ("Isaac Moreno", 2, 3, ["submit"]),
    ("Clara Whitfield", 9, 2, ["submit", "investigate", "request"]),
    ("Omar Haddad", 20, 1, ["submit", "not_quality"]),
    ("Grace Tohee", 25, 2, ["submit", "investigate", "determine"]),
    ("Yolanda Pratt", 30, 2, ["submit", "investigate", "determine", "require_cap"]),
    ("Felix Dominguez", 45, 3, ["submit", "investigate", "determine", "require_cap", "respond"]),
]
HISTORY = 24  # closed cases over the past year, for the trends
DETERMINATIONS = cycle(["substantiated", "unsubstantiated", "unable", "unsubstantiated"])


def seed_cases() -> int:
    """Create the demo cases once (nothing if the plan already has some)."""
    plan = Organization.objects.get(kind="health_plan", identifier="HP001")
    if Case.objects.filter(organization=plan).exists():
        return 0
    people = {
        u.username: u for u in User.objects.filter(username__in=["plan.reviewer", "provider.user"])
    }
    load_catalogue(Category)  # a test database emptied between tests has lost it
    provider = Organization.objects.get(kind="provider", identifier="100001")
    others = list(Organization.objects.filter(kind="provider").exclude(pk=provider.pk))
    categories = cycle(Category.objects.filter(active=True))
    with transaction.atomic():
        for number, (member, days, severity, steps) in enumerate(STORIES, start=1):
            case = _intake(people["plan.reviewer"], plan, provider, number, member, days)
            _story(case, people, provider, severity, next(categories), steps)
        for number in range(HISTORY):
            involved = [provider, *others][number % (len(others) + 1)]
            case = _intake(
                people["plan.reviewer"], plan, involved, 20 + number, "Member Past", 15 * number + 5
            )
            steps = ["submit", "investigate", "determine", "close"]
            _story(case, people, involved, number % 3 + 1, next(categories), steps)
    return len(STORIES) + HISTORY


def _intake(
    filer: User, plan: Organization, provider: Organization, number: int, member: str, days: int
) -> Case:
    case = services.start_report("qoc", by=filer)
    first, last = member.split()
    services.update_draft(
        case,
        {
            "member_id": f"D{41245670 + number}",
            "member_first_name": first,
            "member_last_name": last,
            "member_birth_date": timezone.localdate() - timedelta(days=365 * (25 + number % 40)),
            "health_plan": plan,
            "source": Case.Source.MEMBER_COMPLAINT if number % 2 else Case.Source.GRIEVANCE,
            "complainant_name": "Rosa Benally" if number % 2 else "",
            "complainant_contact": "(928) 555-0110" if number % 2 else "",
            "received_on": timezone.localdate() - timedelta(days=days),
            "description": f"{first}'s family says the evening medication was missed twice.",
            "provider": provider,
        },
        by=filer,
    )
    return case


def _story(
    case: Case,
    people: dict[str, User],
    provider: Organization,
    severity: int,
    category: Any,
    steps: list[str],
) -> None:
    investigator, provider_user = people["plan.reviewer"], people["provider.user"]
    services.update_draft(case, {"severity": severity, "topic": category}, by=investigator)
    for step in steps:
        if step == "submit":
            services.submit_report(case, by=investigator)
        elif step == "investigate":
            facts = {"topic": category, "severity": severity, "investigator": investigator}
            services.take_transition(case, "investigate", by=investigator, facts=facts)
        elif step == "not_quality":
            services.take_transition(
                case,
                "not_quality",
                by=investigator,
                reason="The concern is about a billing statement, not the care given.",
                facts={"topic": category, "severity": severity},
            )
        elif step == "request":
            requests.send_record_request(
                case,
                provider=provider,
                asked="Progress notes and the medication administration record for the past month.",
                due_on=timezone.localdate() + timedelta(days=10),
                by=investigator,
            )
        elif step == "determine":
            services.take_transition(
                case,
                "determine",
                by=investigator,
                choice="substantiated" if "require_cap" in steps else next(DETERMINATIONS),
                reason="The records and the interviews agree on what happened.",
            )
        elif step == "require_cap":
            facts = {
                "cap_provider": case.provider,
                "cap_actions": "Retrain evening staff on the medication schedule; audit it weekly.",
                "cap_due_on": timezone.localdate() + timedelta(days=14),
            }
            services.take_transition(case, "require_cap", by=investigator, facts=facts)
        elif step == "respond":
            services.take_transition(
                case,
                "respond_cap",
                by=provider_user,
                reason="All evening staff retrained by the 15th; the nurse lead audits weekly.",
            )
        else:
            services.take_transition(case, step, by=investigator)
