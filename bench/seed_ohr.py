"""bench/seed_ohr: special assistance notifications for the benchmarks, beside bench/seed.py's.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qm_bench .venv/bin/python -m bench.seed_ohr

Adds `--count` notifications determined over the five years before `--until`, filed by the
providers bench/seed.py made (by their IAD preparers, who are given `ohr.submitter`) about
members of the plans they are contracted with, and decided by the demo's OHR staff persona; in
every state, with the facts and history rows of the steps that led there. At most one
notification per member and provider is open, as the constraint wants. Audit events are not
written: the pages measured do not read them, and sealing them is most of a seed's time. The same
seed, count and `--until` give the same rows.
"""

from __future__ import annotations

import io
import random
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench.seed_sr import drawn

YEARS = 5
PHOENIX = ZoneInfo("America/Phoenix")
# (status, its share, the steps that led there)
OUTCOMES = (
    ("draft", 0.03, []),
    ("submitted", 0.07, ["submit"]),
    ("declined", 0.10, ["submit", "decline"]),
    ("accepted", 0.30, ["submit", "accept"]),
    ("ended", 0.50, ["submit", "accept", "end"]),
)
STEPS = {
    "submit": ("draft", "submitted"),
    "decline": ("submitted", "declined"),
    "accept": ("submitted", "accepted"),
    "end": ("accepted", "ended"),
}
AREAS = ("service_planning", "discharge_planning", "grievance", "appeal")
CRITERIA = ("cognitive", "language", "medical", "guardianship")


def seed_notifications(total: int, rng: random.Random, until: date) -> None:
    from django.core.management import call_command

    from bench.seed_sr import _grant, providers_filing, write_reports
    from portal.accounts.models import RoleGrant, User
    from portal.humanrights.models import Report, ReportEvent

    call_command("migrate", verbosity=0, interactive=False)
    if Report.objects.count() > 100:
        raise SystemExit("This database already holds OHR notifications: start from another one.")
    _grant(RoleGrant, "iad.submitter", "ohr.submitter")
    call_command("seed_demo", stdout=io.StringIO())  # the OHR staff persona and its notifications
    staff = User.objects.get(username="ohr.staff").pk
    filers, plans = providers_filing("ohr.submitter")
    providers = sorted(filers)
    start = until - timedelta(days=YEARS * 365)
    days = sorted(rng.randrange(YEARS * 365) for _ in range(total))
    open_members: set[tuple[int, str]] = set(
        Report.objects.filter(status__in=("draft", "submitted", "accepted")).values_list(
            "organization_id", "member_id"
        )
    )

    def made() -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        for day in days:
            provider = providers[rng.randrange(len(providers))]
            filed_by = {"health_plan_id": rng.choice(plans[provider])}
            filed_by["preparer_id"] = rng.choice(filers[provider])
            report = _report(rng, provider, filed_by, start + timedelta(days=day))
            _member(rng, report, open_members)
            yield report, _history(report, staff)

    write_reports(Report, ReportEvent, made(), "OHR notifications")


def _member(rng: random.Random, report: dict[str, Any], open_members: set[tuple[int, str]]) -> None:
    """A member id; an open notification takes one its provider has no other open one for."""
    while True:
        member = f"A{rng.randint(0, 99_999_999):08d}"
        key = (report["organization_id"], member)
        if report["status"] in {"draft", "submitted", "accepted"}:
            if key in open_members:
                continue
            open_members.add(key)
        report["member_id"] = member
        return


def _end_of(day: date) -> datetime:
    """The end of a day in Phoenix: when a part falls due (weekends and holidays ignored)."""
    return datetime.combine(day, time(23, 59, 59), PHOENIX).astimezone(UTC)


def _report(
    rng: random.Random, provider: int, filed_by: dict[str, int], determined: date
) -> dict[str, Any]:
    """A notification in a state drawn from OUTCOMES (its member id comes from `_member`)."""
    status = drawn(rng, OUTCOMES)
    created = _end_of(determined) - timedelta(hours=rng.randint(8, 20))
    filed = created + timedelta(days=rng.choice((0, 1, 2, 3, 4, 6)))
    decided = filed + timedelta(days=rng.randint(1, 10))
    ended = decided.date() + timedelta(days=rng.randint(30, 400))
    areas = rng.sample(AREAS, rng.randint(1, 3))
    accepted = status in {"accepted", "ended"}
    # Part C is filed up to two weeks after the end: after its due day now and then.
    part_c = _end_of(ended + timedelta(days=rng.randint(0, 14))) - timedelta(hours=8)
    changed = {"draft": created, "submitted": filed, "declined": decided, "accepted": decided}
    return {
        "code": uuid.UUID(int=rng.getrandbits(128), version=4),
        "kind": "ohr",
        "status": status,
        "status_changed_at": changed.get(status, part_c),
        "organization_id": provider,
        "provider_id": provider,
        **filed_by,
        "member_last_name": rng.choice(("Begaye", "Chavez", "Flores", "Nguyen", "Tsosie")),
        "member_first_name": rng.choice(("Ana", "Ben", "Imani", "Mateo", "Zoe")),
        "member_birth_date": determined - timedelta(days=rng.randint(18 * 365, 70 * 365)),
        "category": "smi",
        "determined_on": determined,
        **{f"needs_{area}": area in areas for area in AREAS},
        "criterion": rng.choice(CRITERIA),
        "clinical_basis": "Psychiatric evaluation by the treating psychiatrist.",
        "treatment_team": "Case manager, psychiatrist, peer support.",
        "diagnoses": "Schizoaffective disorder; type 2 diabetes.",
        "has_decision_maker": False,
        "member_aware": True,
        **{f"confirmed_{area}": accepted and area in areas for area in AREAS},
        "representative_name": "Bench Representative" if accepted else "",
        "representative_organization": "Office of Human Rights" if accepted else "",
        "representative_phone": "602-555-0100" if accepted else "",
        "decline_reason": "The member takes part with an interpreter." * (status == "declined"),
        "assistance_started_on": decided.date() if accepted else None,
        "ended_on": ended if status == "ended" else None,
        "end_reason": "The member no longer needs help to take part." * (status == "ended"),
        "part_c_due_at": _end_of(ended + timedelta(days=10)) if status == "ended" else None,
        "due_at": _end_of(determined + timedelta(days=5)),
        "submitted_at": filed if status != "draft" else None,
        "created_at": created,
        "updated_at": created,
    }


def _history(report: dict[str, Any], staff: int) -> list[dict[str, Any]]:
    steps = next(steps for name, _, steps in OUTCOMES if name == report["status"])
    moments = {
        "submit": report["submitted_at"],
        "accept": report["status_changed_at"],
        "decline": report["status_changed_at"],
        "end": report["status_changed_at"],
    }
    if report["status"] == "ended":
        moments["accept"] = _end_of(report["assistance_started_on"]) - timedelta(hours=6)
    return [
        {
            "at": moments[step],
            "actor_id": staff if step in {"accept", "decline"} else report["preparer_id"],
            "transition": step,
            "from_status": STEPS[step][0],
            "to_status": STEPS[step][1],
        }
        for step in steps
    ]


if __name__ == "__main__":
    from bench.seed import added_seeder

    sys.exit(added_seeder(__doc__ or "", 200_000, seed_notifications))
