"""bench/seed_sr: seclusion and restraint reports for the benchmarks, beside bench/seed.py's.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qm_bench .venv/bin/python -m bench.seed_sr

Adds `--count` S&R reports over the five years before `--until`, filed by the providers
bench/seed.py made (by their IAD preparers, who are given `sr.submitter`; the plans' IAD
reviewers get `sr.reviewer`), each with the history rows of its steps. Its audit events are not
written: the list pages measured do not read them, and sealing them is most of the seed's time.
The same seed, count and `--until` give the same rows.
"""

from __future__ import annotations

import io
import random
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 20_000
YEARS = 5
TYPES = ("seclusion", "personal", "mechanical", "drug")
# (status, its share, the steps that led there)
OUTCOMES = (
    ("draft", 0.04, []),
    ("submitted", 0.16, ["submit"]),
    ("returned", 0.04, ["submit", "return"]),
    ("accepted", 0.76, ["submit", "accept"]),
)
STEPS = {
    "submit": ("draft", "submitted"),
    "return": ("submitted", "returned"),
    "accept": ("submitted", "accepted"),
}


def seed_seclusion(total: int, rng: random.Random, until: date) -> None:
    from django.core.management import call_command

    from portal.accounts.models import RoleGrant
    from portal.seclusion.models import Report, ReportEvent

    call_command("migrate", verbosity=0, interactive=False)
    if Report.objects.count() > 100:
        raise SystemExit("This database already holds S&R reports: start from another one.")
    _grant(RoleGrant, "iad.submitter", "sr.submitter")
    _grant(RoleGrant, "iad.reviewer", "sr.reviewer")
    call_command("seed_demo", stdout=io.StringIO())  # the demo personas' S&R roles
    filers, plans = providers_filing("sr.submitter")
    providers = sorted(filers)
    start = datetime.combine(until, datetime.min.time(), UTC) - timedelta(days=YEARS * 365)
    span = YEARS * 365 * 86400
    moments = sorted(rng.randrange(span) for _ in range(total))

    def made() -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        for offset in moments:
            provider = providers[rng.randrange(len(providers))]
            created = start + timedelta(seconds=offset)
            plan, preparer = rng.choice(plans[provider]), rng.choice(filers[provider])
            report = _report(rng, provider, plan, preparer, created)
            yield report, _history(rng, report)

    write_reports(Report, ReportEvent, made(), "S&R reports")


def providers_filing(role: str) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """The accounts holding `role` in each provider that has them and a contracted plan, and
    each provider's contracted plans."""
    from portal.accounts.models import RoleGrant
    from portal.registry.models import Organization

    through = Organization.contracted_plans.through
    plans: dict[int, list[int]] = {}
    for provider, plan in through.objects.values_list("from_organization_id", "to_organization_id"):
        plans.setdefault(provider, []).append(plan)
    filers: dict[int, list[int]] = {}
    for user, org in RoleGrant.objects.filter(
        role=role, user__organization__kind="provider"
    ).values_list("user_id", "user__organization_id"):
        if org in plans:
            filers.setdefault(org, []).append(user)
    return filers, plans


def drawn(rng: random.Random, outcomes: tuple[tuple[str, float, list[str]], ...]) -> str:
    """A status drawn by the shares of `outcomes` (the last one for what the shares leave)."""
    roll = rng.random()
    for name, share, _ in outcomes:
        if roll < share:
            return name
        roll -= share
    return outcomes[-1][0]


def write_reports(
    report_model: Any,
    history_model: Any,
    made: Iterator[tuple[dict[str, Any], list[dict[str, Any]]]],
    noun: str,
) -> None:
    """Insert the reports and their history rows `made` yields, CHUNK reports at a time, each
    numbered after the rows already there; then point the id sequences past them, and vacuum
    and analyze both tables."""
    from bench.seed import insert, reset_sequences

    last_report = report_model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    next_step = (
        history_model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    rows: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for n, (report, steps) in enumerate(made, start=1):
        report["id"] = last_report + n
        for step in steps:
            step |= {"id": next_step, "report_id": report["id"]}
            next_step += 1
        rows.append(report)
        history += steps
        if len(rows) == CHUNK:
            insert(report_model, rows)
            insert(history_model, history)
            rows, history = [], []
            print(f"{n:,} {noun}", flush=True)
    insert(report_model, rows)
    insert(history_model, history)
    reset_sequences(report_model, history_model)
    vacuum(report_model, history_model)
    print(f"{noun}: all written, vacuumed and analyzed", flush=True)


def vacuum(*models: Any) -> None:
    """Statistics and the visibility map for the new rows: without them PostgreSQL plans the
    lists as if the tables were empty (the S&R list took 170 ms a page instead of 2) and
    cannot count from the covering indexes alone."""
    from django.db import connection

    with connection.cursor() as cursor:
        for model in models:
            table = connection.ops.quote_name(model._meta.db_table)  # a model's, not input
            command = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
            cursor.execute(f"{command} {table}")


def _grant(model: Any, having: str, role: str) -> None:
    """Give `role` to every account holding `having` (bench accounts file both kinds)."""
    holders = (
        model.objects.filter(role=having)
        .exclude(user__role_grants__role=role)
        .values_list("user_id", "granted_at")
    )
    model.objects.bulk_create(
        [model(user_id=user, role=role, granted_at=at) for user, at in holders], batch_size=2000
    )


def _report(
    rng: random.Random, provider: int, plan: int, preparer: int, created: datetime
) -> dict[str, Any]:
    started = created - timedelta(minutes=rng.randint(30, 60 * 24))
    minutes = rng.choice((5, 10, 15, 20, 30, 45, 60, 90))
    status = drawn(rng, OUTCOMES)
    filed = status != "draft"
    return {
        "code": uuid.UUID(int=rng.getrandbits(128), version=4),
        "kind": "sr",
        "status": status,
        "status_changed_at": created + timedelta(days=2),
        "organization_id": provider,
        "provider_id": provider,
        "preparer_id": preparer,
        "member_id": f"B{rng.randint(0, 99_999_999):08d}",
        "member_last_name": rng.choice(("Begaye", "Chavez", "Flores", "Nguyen", "Tsosie")),
        "member_first_name": rng.choice(("Ana", "Ben", "Imani", "Mateo", "Zoe")),
        "member_birth_date": started.date() - timedelta(days=rng.randint(10 * 365, 60 * 365)),
        "health_plan_id": plan,
        "category": rng.choice(("smi", "gmh_su", "child")),
        "facility_name": "Residential unit",
        "license_number": f"BH-{rng.randint(1000, 9999)}",
        "authorized_by": "Dr. Bench",
        "authorized_credentials": "MD",
        "restraint_type": rng.choice(TYPES),
        "started_at": started,
        "ended_at": started + timedelta(minutes=minutes),
        "emergency_situation": "The member struck staff and could not be calmed.",
        "less_restrictive_measures": "Verbal de-escalation; quiet room offered.",
        "injuries": rng.random() < 0.1,
        "monitoring": "Continuous observation.",
        "due_at": started + timedelta(days=7),
        "submitted_at": created + timedelta(days=1) if filed else None,
        "created_at": created,
        "updated_at": created,
    }


def _history(rng: random.Random, report: dict[str, Any]) -> list[dict[str, Any]]:
    steps = next(steps for name, _, steps in OUTCOMES if name == report["status"])
    at = report["created_at"]
    rows = []
    for step in steps:
        source, target = STEPS[step]
        at += timedelta(hours=rng.randint(1, 48))
        rows.append(
            {
                "at": at,
                "actor_id": report["preparer_id"],
                "transition": step,
                "from_status": source,
                "to_status": target,
            }
        )
    return rows


if __name__ == "__main__":
    from bench.seed import added_seeder

    sys.exit(added_seeder(__doc__ or "", 200_000, seed_seclusion))
