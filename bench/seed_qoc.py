"""bench/seed_qoc: quality-of-care cases for the benchmarks, beside bench/seed.py's reports.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qm_bench .venv/bin/python -m bench.seed_qoc

Adds `--count` cases received over the five years before `--until`, each about a provider
bench/seed.py made and a member of one of the plans it is contracted with, recorded by that
plan's IAD reviewers (who are given `qoc.submitter` and `qoc.investigator`), in every state with
the facts of the steps that led there. Their history rows and audit events are not written: the
list and the trends do not read them, and sealing events is most of a seed's time. The same seed,
count and `--until` give the same rows.
"""

from __future__ import annotations

import io
import random
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 20_000
YEARS = 5
# (status, its share)
STATES = (
    ("draft", 0.01),
    ("received", 0.04),
    ("investigating", 0.08),
    ("determined", 0.02),
    ("corrective_action", 0.03),
    ("cap_review", 0.01),
    ("closed", 0.81),
)
DETERMINATIONS = ("substantiated", "unsubstantiated", "unable")
SOURCES = ("member_complaint", "provider", "referral", "grievance", "agency")


def seed_cases(total: int, rng: random.Random, until: date) -> None:
    from django.core.management import call_command

    from bench.seed import insert, reset_sequences
    from bench.seed_sr import _grant, vacuum
    from portal.accounts.models import RoleGrant
    from portal.qoc.models import Case, Category
    from portal.registry.models import Organization

    call_command("migrate", verbosity=0, interactive=False)
    if Case.objects.count() > 100:
        raise SystemExit("This database already holds quality-of-care cases: start from another.")
    _grant(RoleGrant, "iad.reviewer", "qoc.submitter")
    _grant(RoleGrant, "iad.reviewer", "qoc.investigator")
    call_command("seed_demo", stdout=io.StringIO())  # the demo personas' QoC roles and cases
    staff: dict[int, list[int]] = {}
    for user, org in RoleGrant.objects.filter(
        role="qoc.investigator", user__organization__kind__in=["health_plan", "trbha"]
    ).values_list("user_id", "user__organization_id"):
        staff.setdefault(org, []).append(user)
    through = Organization.contracted_plans.through
    plans: dict[int, list[int]] = {}
    for provider, plan in through.objects.values_list("from_organization_id", "to_organization_id"):
        if plan in staff:
            plans.setdefault(provider, []).append(plan)
    providers = sorted(plans)
    topics = list(Category.objects.values_list("pk", flat=True))
    start = datetime.combine(until, datetime.min.time(), UTC) - timedelta(days=YEARS * 365)
    moments = sorted(rng.randrange(YEARS * 365 * 86400) for _ in range(total))
    first = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rows: list[dict[str, Any]] = []
    for n, offset in enumerate(moments, start=1):
        provider = providers[rng.randrange(len(providers))]
        plan = rng.choice(plans[provider])
        about = {"provider": provider, "plan": plan, "staff": rng.choice(staff[plan])}
        rows.append(_case(rng, first + n, about, topics, start + timedelta(seconds=offset)))
        if len(rows) == CHUNK:
            insert(Case, rows)
            rows = []
            print(f"{n:,} quality-of-care cases", flush=True)
    insert(Case, rows)
    reset_sequences(Case)
    vacuum(Case)
    print(f"{total:,} quality-of-care cases, vacuumed and analyzed", flush=True)


def _status(rng: random.Random) -> str:
    roll = rng.random()
    for name, share in STATES:
        if roll < share:
            return name
        roll -= share
    return "closed"


def _case(
    rng: random.Random, pk: int, about: dict[str, int], topics: list[int], created: datetime
) -> dict[str, Any]:
    status = _status(rng)
    triaged = status not in {"draft", "received"}
    determined = status in {"determined", "corrective_action", "cap_review"} or (
        status == "closed" and rng.random() < 0.9
    )
    cap = status in {"corrective_action", "cap_review"}
    determination = "substantiated" if cap else rng.choice(DETERMINATIONS)
    return {
        "id": pk,
        "code": uuid.UUID(int=rng.getrandbits(128), version=4),
        "kind": "qoc",
        "status": status,
        "status_changed_at": created + timedelta(days=20),
        "organization_id": about["plan"],
        "provider_id": about["provider"],
        "preparer_id": about["staff"],
        "member_id": f"D{rng.randint(0, 99_999_999):08d}",
        "member_last_name": rng.choice(("Begaye", "Chavez", "Flores", "Nguyen", "Tsosie")),
        "member_first_name": rng.choice(("Ana", "Ben", "Imani", "Mateo", "Zoe")),
        "member_birth_date": created.date() - timedelta(days=rng.randint(10 * 365, 70 * 365)),
        "health_plan_id": about["plan"],
        "source": rng.choice(SOURCES),
        "complainant_name": "Bench Complainant",
        "topic_id": rng.choice(topics) if triaged or rng.random() < 0.8 else None,
        "severity": rng.choice((1, 1, 2, 2, 2, 3)),
        "description": "The member's evening medication was missed twice.",
        "received_on": created.date(),
        "investigator_id": about["staff"] if triaged else None,
        "determination": determination if determined else "",
        "determination_rationale": "The records agree." if determined else "",
        "cap_provider_id": about["provider"] if cap else None,
        "cap_actions": "Retrain the staff." if cap else "",
        "cap_due_on": (created + timedelta(days=30)).date() if cap else None,
        "submitted_at": created + timedelta(hours=1) if status != "draft" else None,
        "created_at": created,
        "updated_at": created,
    }


if __name__ == "__main__":
    from bench.seed import added_seeder

    sys.exit(added_seeder(__doc__ or "", 1_000_000, seed_cases))
